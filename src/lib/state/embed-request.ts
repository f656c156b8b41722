/** How the embed worker is asked to load a transformers.js embedder, for every caller alike. */
import { getCapabilities } from '../backends/capabilities';
import { BUNDLED_EMBEDDER_ID } from '../core/models';
import { bundledModelsPath } from '../workers/bundled-models-path';

/** The embed worker's load (and embed) request for transformers.js model `modelId`. */
export interface EmbedWorkerRequest {
  modelId: string;
  modelsPath: string;
  allowRemoteModels: boolean;
  device: 'webgpu' | 'wasm';
}

/**
 * The request for `modelId`: the bundled embedder from the app's own files on the CPU (a
 * bag-of-words model is faster there than through a GPU round trip); any other model may be
 * fetched, and runs on a real GPU when this browser has one.
 */
export async function embedWorkerRequest(modelId: string): Promise<EmbedWorkerRequest> {
  const bundled = modelId === BUNDLED_EMBEDDER_ID;
  const caps = await getCapabilities();
  const device = !bundled && caps.webgpu && !caps.fallbackAdapter ? 'webgpu' : 'wasm';
  return { modelId, modelsPath: bundledModelsPath(), allowRemoteModels: !bundled, device };
}
