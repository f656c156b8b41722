/**
 * transformers.js feature extraction as an Embedder. The same class runs in Node (tests, CLI)
 * and in a worker; where models come from is configured by `configureTransformers`.
 */
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import type { Matrix } from '../../core/vectors/matrix';
import { EmbedderLoadError, type EmbedOptions, type EmbedProgress, type Embedder } from './types';

/** Where transformers.js finds models. */
export interface TransformersSource {
  /** Folder (Node) or root-relative URL path (browser, e.g. `/models/`) of bundled models. */
  localModelPath: string;
  /** Allow downloads from the model hub (false for offline use and tests). */
  allowRemoteModels: boolean;
}

/** Points transformers.js at our bundled models, and at the hub only when allowed. */
export function configureTransformers(source: TransformersSource): void {
  env.localModelPath = source.localModelPath;
  env.allowLocalModels = true;
  env.allowRemoteModels = source.allowRemoteModels;
}

/** Settings of a transformers.js embedder. */
export interface TransformersEmbedderOptions {
  /**
   * Model id: a bundled folder name (`bundled-embedder`), a hub repo id, or (Node) the absolute
   * path of a folder in the transformers.js layout, which transformers.js reads from disk as it
   * is because an absolute path is never a valid hub id (configure with allowRemoteModels false).
   */
  modelId: string;
  device?: 'wasm' | 'webgpu' | 'cpu';
  dtype?: 'fp32' | 'fp16' | 'q8';
  pooling?: 'mean' | 'cls';
  /** Characters kept per text; long answers are truncated by the tokenizer anyway. */
  maxChars?: number;
}

interface LoadProgressEvent {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

/** An Embedder backed by a transformers.js `feature-extraction` pipeline. */
export class TransformersEmbedder implements Embedder {
  readonly id: string;
  #extractor: Promise<FeatureExtractionPipeline> | undefined;

  constructor(private readonly options: TransformersEmbedderOptions) {
    this.id = `transformers:${options.modelId}`;
  }

  /** Loads the model once; a failed load is forgotten so the next call retries. */
  load(onProgress?: (progress: EmbedProgress) => void): Promise<void> {
    return this.#load(onProgress).then(() => undefined);
  }

  #load(onProgress?: (progress: EmbedProgress) => void): Promise<FeatureExtractionPipeline> {
    const { modelId, device = 'wasm', dtype = 'fp32' } = this.options;
    this.#extractor ??= (
      pipeline('feature-extraction', modelId, {
        device,
        dtype,
        progress_callback: (event: LoadProgressEvent) => {
          if (event.status === 'progress') {
            onProgress?.({
              phase: 'load',
              done: event.loaded ?? 0,
              total: event.total,
              detail: event.file,
            });
          }
        },
      }) as Promise<FeatureExtractionPipeline>
    ).catch((error: unknown) => {
      this.#extractor = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new EmbedderLoadError(modelId, reason, { cause: error });
    });
    return this.#extractor;
  }

  /** Embeds `texts` in batches; vectors are mean-pooled (or CLS) and L2-normalised. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Matrix> {
    const extractor = await this.#load();
    const batchSize = options.batchSize ?? 32;
    const maxChars = this.options.maxChars ?? 4000;
    let data: Float32Array | undefined;
    let dims = 0;
    for (let start = 0; start < texts.length; start += batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(start, start + batchSize).map((t) => t.slice(0, maxChars));
      const output = await extractor(batch, {
        pooling: this.options.pooling ?? 'mean',
        normalize: true,
      });
      const values = output.data as Float32Array;
      dims = output.dims[output.dims.length - 1] ?? 0;
      data ??= new Float32Array(texts.length * dims);
      data.set(values, start * dims);
      output.dispose();
      options.onProgress?.({
        phase: 'embed',
        done: Math.min(texts.length, start + batchSize),
        total: texts.length,
      });
    }
    return { data: data ?? new Float32Array(0), rows: texts.length, dims };
  }

  /** Frees the model's memory. */
  async unload(): Promise<void> {
    const extractor = this.#extractor;
    this.#extractor = undefined;
    await (await extractor?.catch(() => undefined))?.dispose();
  }
}
