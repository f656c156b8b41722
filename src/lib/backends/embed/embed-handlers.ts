/**
 * The embed worker's handler table, built here so it can run (and be tested) without a Worker:
 * workers/embed.worker.ts only registers it. One TransformersEmbedder per model and device.
 */
import type { Matrix } from '../../core/vectors/matrix';
import type { ConfigureModels } from '../llm/generate-handlers';
import type { WireHandlerContext } from '../llm/worker-protocol';
import { TransformersEmbedder, type TransformersEmbedderOptions } from './transformers';

/** Which model to use and where models are found. */
export interface EmbedModelRequest {
  modelId: string;
  /** Root-relative path of the bundled models folder, e.g. `/models/` (in Node, a folder). */
  modelsPath: string;
  allowRemoteModels: boolean;
  /** `wasm` when absent; `cpu` is Node's onnxruntime. */
  device?: TransformersEmbedderOptions['device'];
}

/** One embedding request: the model, the texts, and how many texts go to the model at once. */
export interface EmbedRequest extends EmbedModelRequest {
  texts: string[];
  batchSize?: number;
}

/** Builds the handlers: `load` (byte progress per file) and `embed` (progress in texts). */
export function createEmbedHandlers(configure: ConfigureModels) {
  const embedders = new Map<string, TransformersEmbedder>();

  const embedderFor = (request: EmbedModelRequest): TransformersEmbedder => {
    configure(request.modelsPath, request.allowRemoteModels);
    const device = request.device ?? 'wasm';
    const key = `${request.modelId}@${device}`;
    let embedder = embedders.get(key);
    if (!embedder) {
      embedder = new TransformersEmbedder({ modelId: request.modelId, device });
      embedders.set(key, embedder);
    }
    return embedder;
  };

  return {
    load: (request: EmbedModelRequest, ctx: WireHandlerContext): Promise<void> =>
      embedderFor(request).load((p) =>
        ctx.progress({ phase: `loading ${p.detail ?? 'model'}`, done: p.done, total: p.total }),
      ),

    embed: (
      { texts, batchSize, ...request }: EmbedRequest,
      ctx: WireHandlerContext,
    ): Promise<Matrix> =>
      embedderFor(request).embed(texts, {
        batchSize,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ phase: 'embedding', done: p.done, total: p.total }),
      }),
  };
}

/** The embed worker's methods, for the typed client (`WorkerClient<EmbedHandlers>`). */
export type EmbedHandlers = ReturnType<typeof createEmbedHandlers>;
