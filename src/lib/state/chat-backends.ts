/**
 * ChatBackends for the app: transformers.js models run in the generate worker, WebLLM in its
 * own worker engine, HTTP APIs from the page. API keys live only in memory here. A model from a
 * folder on this computer is fetched by the libraries from the URLs the local-models service
 * worker answers (see local-folders.svelte.ts), as if it were remote.
 */
import { createChatBackend, type ChatBackendSpec } from '../backends/llm/resolve';
import { RemoteChatBackend, type GenerateTransport } from '../backends/llm/remote';
import { lazyChatBackend } from '../backends/llm/lazy-backend';
import type { ChatBackend } from '../backends/llm/types';
import type { WebLlmEngineFactory } from '../backends/llm/webllm';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../core/models';
import { bundledModelsPath } from '../workers/bundled-models-path';
import { generateWorker } from '../workers/generate-client';
import { LocalFolderNeededError } from '../core/local-model/errors';
import type { LocalFolderInfo } from '../core/local-model/types';
import type { LocalFolderLookup, PickedFolder } from './local-folders.svelte';

const BUNDLED_LM_IDS: readonly string[] = [TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID];

const transport: GenerateTransport = {
  load: (request, options) => generateWorker.call('load', request, options),
  generate: (request, options) => generateWorker.call('generate', request, options),
  unload: (request) => generateWorker.call('unload', request),
  // Local models score yes/no continuations for an approval run's P(Yes).
  score: (request, options) => generateWorker.call('score', request, options),
};

/** Options of appChatBackend beyond the contract's `webgpu` and `localFolders`. */
export interface AppChatBackendOptions {
  webgpu: boolean;
  localFolders?: LocalFolderLookup;
  /** The run's side ('A', 'B') or 'embedder', named when a folder must be picked again. */
  side?: string;
  /** WebLLM's engine factory (tests pass a fake); defaults to WebLLM's worker engine. */
  createWebLlmEngine?: WebLlmEngineFactory;
}

/** An absolute URL of this page's origin for a root-relative path (WebLLM wants full URLs). */
function absoluteUrl(path: string): string {
  return new URL(path, globalThis.location?.href ?? 'http://localhost/').href;
}

/**
 * The spec for a model from a picked folder: transformers.js loads it by its URL path (a path
 * is never a hub id, so transformers.js fetches it as it is); WebLLM gets a custom model whose
 * weights and library URLs point into the folder. Nothing may come from the hub.
 */
export function folderSpec(
  spec: ChatBackendSpec & { localFolder?: LocalFolderInfo },
  folder: PickedFolder,
): ChatBackendSpec & { dtype?: LocalFolderInfo['dtype'] } {
  const { info, urlPath } = folder;
  if (spec.backend === 'webllm') {
    const modelLib = info.modelLib ?? folder.check.modelLib;
    return {
      backend: 'webllm',
      modelId: spec.modelId,
      baseUrl: absoluteUrl(urlPath),
      ...(modelLib ? { modelLibUrl: absoluteUrl(urlPath + modelLib) } : {}),
    };
  }
  // The precision the run recorded wins: a re-picked folder may offer others.
  const dtype = spec.localFolder?.dtype ?? info.dtype;
  return {
    backend: spec.backend,
    modelId: urlPath.replace(/\/$/, ''),
    ...(dtype ? { dtype } : {}),
  };
}

/** Creates the backend of one side; throws ModelLoadError for specs that cannot run. */
export function appChatBackend(
  spec: ChatBackendSpec & { localFolder?: LocalFolderInfo },
  options: AppChatBackendOptions,
): ChatBackend {
  if (spec.localFolder) {
    const folder = options.localFolders?.byHash(spec.localFolder.hash);
    if (!folder || !options.localFolders) {
      throw new LocalFolderNeededError(spec.localFolder, options.side ?? spec.modelId);
    }
    const lookup = options.localFolders;
    const inner = plainChatBackend(folderSpec(spec, folder), options, false);
    // The service worker must control the page (and the workers) before the first fetch.
    return lazyChatBackend(inner.id, inner.capabilities, async () => {
      await lookup.ready();
      return inner;
    });
  }
  return plainChatBackend(spec, options, true);
}

function plainChatBackend(
  spec: ChatBackendSpec & { dtype?: LocalFolderInfo['dtype'] },
  options: AppChatBackendOptions,
  mayFetchRemote: boolean,
): ChatBackend {
  const bundled = (modelId: string) => BUNDLED_LM_IDS.includes(modelId);
  return createChatBackend(spec, {
    createWebLlmEngine: options.createWebLlmEngine,
    createTransformersBackend: (model) =>
      new RemoteChatBackend(
        {
          ...model,
          ...(spec.dtype ? { dtype: spec.dtype } : {}),
          // The toy models are tiny: WASM is faster than a GPU round trip for them.
          device: options.webgpu && !bundled(model.modelId) ? 'webgpu' : 'wasm',
          modelsPath: bundledModelsPath(),
          allowRemoteModels: mayFetchRemote && !bundled(model.modelId),
        },
        transport,
      ),
  });
}
