/**
 * How the supervisor panel embeds texts (property clustering, the hypotheses' offline AUC): with
 * the analysis's own transformers.js embedder in the embed worker, so properties and answers live
 * in the space the analysis used. An analysis made with an HTTP embeddings endpoint (whose key
 * this panel does not hold) or with imported vectors falls back to the bundled offline embedder.
 */
import { BUNDLED_EMBEDDER_ID } from '../core/models';
import { row } from '../core/vectors/matrix';
import { embedWorker } from '../workers/embed-client';
import { embedWorkerRequest, type EmbedWorkerRequest } from './embed-request';

const TRANSFORMERS_PREFIX = 'transformers:';

/** The transformers.js model the supervisor embeds with for an analysis embedded with `embedderId`. */
export function supervisorEmbedderModel(embedderId: string): string {
  return embedderId.startsWith(TRANSFORMERS_PREFIX)
    ? embedderId.slice(TRANSFORMERS_PREFIX.length)
    : BUNDLED_EMBEDDER_ID;
}

/** An embed function for the supervisor, loading the model in the embed worker on first use. */
export function supervisorEmbed(embedderId: string): (texts: string[]) => Promise<Float32Array[]> {
  let loaded: Promise<EmbedWorkerRequest> | undefined;
  const load = async () => {
    const request = await embedWorkerRequest(supervisorEmbedderModel(embedderId));
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
