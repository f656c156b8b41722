/** "Check this browser": what it supports, and a live test of the bundled embedder in a worker. */
import { getCapabilities, type Capabilities } from '../backends/capabilities';
import { BUNDLED_EMBEDDER_ID } from '../core/models';
import { estimateStorage, type StorageEstimateInfo } from '../persistence/storage';
import type { ProgressUpdate } from '../workers/rpc';
import { Task } from './task.svelte';
import { bundledModelsPath } from '../workers/bundled-models-path';
import { embedWorker } from '../workers/embed-client';

/** Sentences on two topics; the embedder should put same-topic pairs closer. */
export const EMBEDDER_CHECK_SENTENCES = [
  'The cat chased a mouse across the kitchen floor.',
  'My dog loves to fetch sticks in the park.',
  'The stock market fell sharply as investors sold shares.',
  'Interest rates and inflation worry the central bank.',
] as const;

/** Result of the embedder check. */
export interface EmbedderCheck {
  dims: number;
  /** Cosine similarity between every pair of sentences. */
  similarity: number[][];
  /** True when every same-topic pair is closer than every cross-topic pair. */
  passed: boolean;
  seconds: number;
}

/** Cosine similarities of unit vectors stored row-major. */
function similarities(data: Float32Array, rows: number, dims: number): number[][] {
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: rows }, (_, j) => {
      let dot = 0;
      for (let k = 0; k < dims; k++) dot += data[i * dims + k]! * data[j * dims + k]!;
      return dot;
    }),
  );
}

/** State of the diagnostics screen. */
export class DiagnosticsState {
  capabilities = $state.raw<Readonly<Capabilities> | null>(null);
  storage = $state.raw<StorageEstimateInfo | null>(null);
  check = $state.raw<EmbedderCheck | null>(null);
  /** The embedder check's busy, progress and error. */
  readonly #checking = new Task();

  /** True while the embedder check runs. */
  get busy(): boolean {
    return this.#checking.busy;
  }

  /** How far the embedder check's load or embed is, or null. */
  get progress(): ProgressUpdate | null {
    return this.#checking.progress;
  }

  /** Why the embedder check failed, or null. */
  get error(): string | null {
    return this.#checking.error;
  }

  /** Probes the browser's features and storage. */
  async probe(): Promise<void> {
    this.capabilities = await getCapabilities();
    this.storage = await estimateStorage();
  }

  /** Loads the bundled embedder in a module worker and embeds the check sentences. */
  async runEmbedderCheck(): Promise<void> {
    this.check = null;
    await this.#checking.run(async ({ progress }) => {
      const started = performance.now();
      const request = {
        modelId: BUNDLED_EMBEDDER_ID,
        modelsPath: bundledModelsPath(),
        allowRemoteModels: false,
      };
      await embedWorker.call('load', request, { onProgress: progress });
      const matrix = await embedWorker.call(
        'embed',
        { ...request, texts: [...EMBEDDER_CHECK_SENTENCES] },
        { onProgress: progress },
      );
      const similarity = similarities(matrix.data, matrix.rows, matrix.dims);
      const same = [similarity[0]![1]!, similarity[2]![3]!];
      const cross = [
        similarity[0]![2]!,
        similarity[0]![3]!,
        similarity[1]![2]!,
        similarity[1]![3]!,
      ];
      this.check = {
        dims: matrix.dims,
        similarity,
        passed: Math.min(...same) > Math.max(...cross),
        seconds: (performance.now() - started) / 1000,
      };
    });
  }
}
