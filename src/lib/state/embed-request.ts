/** How the embed worker is asked to load a transformers.js embedder, for every caller alike. */
import { getCapabilities } from '../backends/capabilities';
import { LocalFolderNeededError } from '../core/local-model/errors';
import type { LocalFolderInfo } from '../core/local-model/types';
import { BUNDLED_EMBEDDER_ID } from '../core/models';
import { bundledModelsPath } from '../workers/bundled-models-path';
import type { LocalFolderLookup } from './local-folders.svelte';

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

/** What marks a folder embedder's id (see folderEmbedderId). */
export const FOLDER_EMBEDDER_PREFIX = 'local-folder:';

/**
 * The embedder id (vector cache key, analysis record) of an embedder picked from a folder: it
 * carries the folder's identity hash, so another model under the same folder name never reuses
 * these vectors, and the same model picked from another place does.
 */
export function folderEmbedderId(info: LocalFolderInfo): string {
  return `${FOLDER_EMBEDDER_PREFIX}${info.hash}/${info.name}`;
}

/** The identity hash inside a folderEmbedderId, or null for any other embedder id. */
export function folderEmbedderHash(embedderId: string): string | null {
  if (!embedderId.startsWith(FOLDER_EMBEDDER_PREFIX)) return null;
  const hash = embedderId.slice(FOLDER_EMBEDDER_PREFIX.length).split('/')[0] ?? '';
  return /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}

/**
 * The embed worker's request for an embedder picked from a folder: its URL path as the model id
 * (never a hub id, so transformers.js fetches it from the service worker as it is), nothing
 * remote. Waits until the service worker serves this page; throws LocalFolderNeededError when
 * the folder is not picked in this tab.
 */
export async function folderEmbedWorkerRequest(
  info: LocalFolderInfo,
  folders: LocalFolderLookup,
): Promise<EmbedWorkerRequest> {
  const folder = folders.byHash(info.hash);
  if (!folder) throw new LocalFolderNeededError(info, 'embedder');
  await folders.ready();
  const caps = await getCapabilities();
  return {
    modelId: folder.urlPath.replace(/\/$/, ''),
    modelsPath: bundledModelsPath(),
    allowRemoteModels: false,
    device: caps.webgpu && !caps.fallbackAdapter ? 'webgpu' : 'wasm',
  };
}
