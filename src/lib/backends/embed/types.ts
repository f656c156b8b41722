/** One interface for every embedder: transformers.js (local or hub models) and HTTP endpoints. */
import type { Matrix } from '../../core/vectors/matrix';

/** Progress of loading or embedding: `done` of `total` units (bytes while loading, texts while embedding). */
export interface EmbedProgress {
  phase: 'load' | 'embed';
  done: number;
  total?: number;
  /** What is being loaded, e.g. a file name. */
  detail?: string;
}

/** Options of one embed call. */
export interface EmbedOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EmbedProgress) => void;
  /** Texts per model call; larger is faster until memory runs short. */
  batchSize?: number;
}

/**
 * Turns texts into unit-length vectors.
 * `load` throws EmbedderLoadError (local models) or the named HTTP errors of backends/llm/errors
 * (AuthError, CorsError, NetworkError, ...) for endpoints; `embed` throws AbortError when cancelled.
 */
export interface Embedder {
  /** Stable id used as the vector cache key, e.g. `transformers:bundled-embedder`. */
  readonly id: string;
  load(onProgress?: (progress: EmbedProgress) => void): Promise<void>;
  /** One L2-normalised row per text, in the order of `texts`. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Matrix>;
  /** Drops the loaded model (like ChatBackend.unload); a later call loads it again. */
  unload(): Promise<void>;
}

/** The embedding model could not be loaded (missing files, no network, unsupported format). */
export class EmbedderLoadError extends Error {
  override name = 'EmbedderLoadError';
  constructor(
    readonly modelId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`Could not load the embedding model "${modelId}": ${reason}`, options);
  }
}
