/**
 * How the supervisor panel embeds texts (property clustering, the hypotheses' offline AUC): with
 * the analysis's own transformers.js embedder in the embed worker, so properties and answers live
 * in the space the analysis used. An analysis made with an HTTP embeddings endpoint (whose key
 * this panel does not hold) or with imported vectors falls back to the bundled offline embedder.
 */
import { getCapabilities } from '../backends/capabilities';
import { BUNDLED_EMBEDDER_ID } from '../core/models';
import { row } from '../core/vectors/matrix';
import { bundledModelsPath } from '../workers/bundled-models-path';
import { embedWorker } from '../workers/embed-client';

const TRANSFORMERS_PREFIX = 'transformers:';

/** The transformers.js model the supervisor embeds with for an analysis embedded with `embedderId`. */
export function supervisorEmbedderModel(embedderId: string): string {
  return embedderId.startsWith(TRANSFORMERS_PREFIX)
    ? embedderId.slice(TRANSFORMERS_PREFIX.length)
    : BUNDLED_EMBEDDER_ID;
}

/** An embed function for the supervisor, loading the model in the embed worker on first use. */
export function supervisorEmbed(embedderId: string): (texts: string[]) => Promise<Float32Array[]> {
  const modelId = supervisorEmbedderModel(embedderId);
  const bundled = modelId === BUNDLED_EMBEDDER_ID;
  let loaded:
    | Promise<{
        modelId: string;
        modelsPath: string;
        allowRemoteModels: boolean;
        device: 'webgpu' | 'wasm';
      }>
    | undefined;
  const load = async () => {
    const caps = await getCapabilities();
    // As for the analysis: a real GPU speeds up transformer embedders, not the bag-of-words one.
    const device: 'webgpu' | 'wasm' =
      !bundled && caps.webgpu && !caps.fallbackAdapter ? 'webgpu' : 'wasm';
    const request = {
      modelId,
      modelsPath: bundledModelsPath(),
      allowRemoteModels: !bundled,
      device,
    };
    await embedWorker.call('load', request);
    return request;
  };
  return async (texts) => {
    if (texts.length === 0) return [];
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    const request = await loaded;
    const m = await embedWorker.call('embed', { ...request, texts });
    return Array.from({ length: m.rows }, (_, i) => row(m, i).slice());
  };
}
