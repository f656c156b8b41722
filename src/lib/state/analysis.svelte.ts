/**
 * Analysing a run: embed its answers (in the embed worker, with the IndexedDB vector cache),
 * run the pipeline in the analysis worker, and save the result with the run so reopening the
 * run shows it at once. Every step reports progress and can be cancelled.
 */
import {
  analysisParams,
  embedWithCache,
  embeddingText,
  type AnalysisParams,
  type AnalysisResult,
} from '../core/analysis';
import { analysisResultProblem } from '../core/analysis/result-schema';
import { runVectorCache } from '../persistence/run-vector-cache';
import type { AnalysisRecord, Run } from '../core/run/types';
import { OpenAiEmbedder } from '../backends/embed/openai';
import { getCapabilities } from '../backends/capabilities';
import type { Matrix } from '../core/vectors/matrix';
import type { ProgressUpdate } from '../workers/rpc';
import type { AppState } from './app.svelte';
import { describeError } from './describe-error';
import { analysisWorker } from '../workers/analysis-client';
import { bundledModelsPath } from '../workers/bundled-models-path';
import { embedWorker } from '../workers/embed-client';

/** A saved analysis with its typed result. */
export interface SavedAnalysis {
  id: string;
  createdAt: string;
  result: AnalysisResult;
}

/**
 * Reads our analyses back from stored records, newest first. The repository already left out
 * results this version cannot read; checking again costs little and keeps the results view
 * safe from a record that reached the state some other way.
 */
export function savedAnalyses(records: readonly AnalysisRecord[]): SavedAnalysis[] {
  return records
    .filter((r) => analysisResultProblem(r.result) === null)
    .map((r) => ({ id: r.id, createdAt: r.createdAt, result: r.result as AnalysisResult }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Which embedder the user picked; an endpoint's real id depends on its URL and model. */
export type EmbedderChoice =
  'transformers:bundled-embedder' | 'transformers:Xenova/all-MiniLM-L6-v2' | 'openai';

/** An OpenAI-compatible embeddings endpoint; the key is the session's (SessionSecrets). */
export interface EmbeddingEndpoint {
  baseUrl: string;
  model: string;
  apiKey: string;
}

type EmbedBatch = (batch: string[]) => Promise<Matrix>;

/** State of the analysis panel of one run. */
export class AnalysisState {
  params = $state<AnalysisParams>(analysisParams());
  embedder = $state<EmbedderChoice>('transformers:bundled-embedder');
  /** The endpoint's URL and model; its key is held with the session's other secrets. */
  endpoint = $state<Omit<EmbeddingEndpoint, 'apiKey'>>({
    baseUrl: '',
    model: 'text-embedding-3-small',
  });
  saved = $state.raw<SavedAnalysis[]>([]);
  /** The analysis shown: the newest, or one the user picked. */
  selectedId = $state<string | null>(null);
  step = $state<string | null>(null);
  progress = $state.raw<ProgressUpdate | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  /** Something the last analysis did that the user should know, e.g. vectors it replaced. */
  notice = $state<string | null>(null);
  #abort: AbortController | null = null;

  readonly current = $derived(
    this.saved.find((s) => s.id === this.selectedId) ?? this.saved[0] ?? null,
  );

  constructor(private readonly app: AppState) {}

  /** The embeddings endpoint's API key, kept in SessionSecrets (memory only). */
  get endpointApiKey(): string {
    return this.app.sessionSecrets.embeddingApiKey;
  }

  set endpointApiKey(key: string) {
    this.app.sessionSecrets.embeddingApiKey = key;
  }

  /** Shows the analyses stored with the run. */
  load(run: Run): void {
    this.saved = savedAnalyses(run.analyses);
    this.selectedId = this.saved[0]?.id ?? null;
    const last = this.saved[0]?.result.params;
    if (last) {
      this.params = { ...last };
      this.embedder = last.embedderId.startsWith('openai:')
        ? 'openai'
        : (last.embedderId as EmbedderChoice);
    }
  }

  /** Embeds and analyses `run` with the current settings, then saves the result. */
  async run(run: Run): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const { signal } = abort;
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      const onProgress = (p: ProgressUpdate) => (this.progress = p);
      this.step = 'Loading the embedding model';
      const { embedderId, embed } = await this.#embedder(signal, onProgress);
      const params = analysisParams({ ...$state.snapshot(this.params), embedderId });
      const repo = await this.app.repo();

      this.step = 'Embedding answers';
      const promptText = new Map(run.prompts.map((p) => [p.id, p.text]));
      const texts = run.answers.map((a) =>
        embeddingText(params.embedInput, promptText.get(a.promptId) ?? '', a.text),
      );
      const { vectors, stats } = await embedWithCache(
        texts,
        embedderId,
        embed,
        runVectorCache(repo, run.id),
      );
      if (stats.rejected > 0) {
        this.notice =
          `${stats.rejected} embedding vectors that came with this run's file are not of the ` +
          `dimension ${embedderId} makes; they were left out and those answers embedded here.`;
      }

      this.step = 'Projecting, clustering and testing';
      const result = await analysisWorker.call(
        'analyse',
        { prompts: run.prompts, answers: run.answers, vectors, params },
        { signal, onProgress, transfer: [vectors.data.buffer as ArrayBuffer] },
      );
      const record: AnalysisRecord = {
        id: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
        params: { ...params },
        result,
      };
      await repo.putAnalysis(run.id, record);
      this.saved = [{ id: record.id, createdAt: record.createdAt, result }, ...this.saved];
      this.selectedId = record.id;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      if (this.#abort === abort) {
        this.busy = false;
        this.step = null;
        this.progress = null;
        this.#abort = null;
      }
    }
  }

  /** Loads the chosen embedder: transformers.js in the embed worker, or an HTTP endpoint. */
  async #embedder(
    signal: AbortSignal,
    onProgress: (p: ProgressUpdate) => void,
  ): Promise<{ embedderId: string; embed: EmbedBatch }> {
    if (this.embedder === 'openai') {
      const { baseUrl, model } = $state.snapshot(this.endpoint);
      const apiKey = this.endpointApiKey;
      if (!baseUrl.trim() || !model.trim())
        throw new Error('Enter the endpoint URL and the embedding model name.');
      const remote = new OpenAiEmbedder({
        baseUrl: baseUrl.trim(),
        model: model.trim(),
        apiKey: apiKey || undefined,
      });
      await remote.load();
      return {
        embedderId: remote.id,
        embed: (batch) =>
          remote.embed(batch, {
            signal,
            onProgress: (p) => onProgress({ phase: 'embedding', done: p.done, total: p.total }),
          }),
      };
    }
    const modelId = this.embedder.slice('transformers:'.length);
    const bundled = modelId === 'bundled-embedder';
    const caps = await getCapabilities();
    // A real GPU speeds up transformer embedders; the bag-of-words one is faster on the CPU.
    const device: 'webgpu' | 'wasm' =
      !bundled && caps.webgpu && !caps.fallbackAdapter ? 'webgpu' : 'wasm';
    const request = {
      modelId,
      modelsPath: bundledModelsPath(),
      allowRemoteModels: !bundled,
      device,
    };
    await embedWorker.call('load', request, { signal, onProgress });
    return {
      embedderId: this.embedder,
      embed: (batch) =>
        embedWorker.call('embed', { ...request, texts: batch }, { signal, onProgress }),
    };
  }

  /** Cancels the analysis in progress; nothing is saved. */
  cancel(): void {
    this.#abort?.abort();
  }
}
