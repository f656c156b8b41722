/** Embeds texts with transformers.js off the main thread. */
import { configureBrowserTransformers } from '../backends/transformers-browser';
import { TransformersEmbedder } from '../backends/embed/transformers';
import type { EmbeddingMatrix } from '../backends/embed/types';
import { registerHandlers, type HandlerContext } from './rpc';

/** Which model to use and where models are found. */
export interface EmbedModelRequest {
  modelId: string;
  /** Root-relative path of the bundled models folder, e.g. `/models/`. */
  modelsPath: string;
  allowRemoteModels: boolean;
  device?: 'wasm' | 'webgpu';
}

const embedders = new Map<string, TransformersEmbedder>();

function embedderFor(request: EmbedModelRequest): TransformersEmbedder {
  configureBrowserTransformers(request.modelsPath, request.allowRemoteModels);
  const key = `${request.modelId}@${request.device ?? 'wasm'}`;
  let embedder = embedders.get(key);
  if (!embedder) {
    embedder = new TransformersEmbedder({
      modelId: request.modelId,
      device: request.device ?? 'wasm',
    });
    embedders.set(key, embedder);
  }
  return embedder;
}

const handlers = {
  load: (request: EmbedModelRequest, ctx: HandlerContext) =>
    embedderFor(request).load((p) =>
      ctx.progress({ phase: `loading ${p.detail ?? 'model'}`, done: p.done, total: p.total }),
    ),
  embed: (
    { texts, batchSize, ...request }: EmbedModelRequest & { texts: string[]; batchSize?: number },
    ctx: HandlerContext,
  ): Promise<EmbeddingMatrix> =>
    embedderFor(request).embed(texts, {
      batchSize,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ phase: 'embedding', done: p.done, total: p.total }),
    }),
};

/** The embed worker's methods, for the typed client. */
export type EmbedHandlers = typeof handlers;

registerHandlers(handlers);
