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
import type { AmplifySpec } from '../core/run/types';
import { ModelLoadError } from '../backends/llm/errors';
import type { GenerateModelRequest } from '../backends/llm/worker-protocol';
import type { LocalFolderLookup, PickedFolder } from './local-folders.svelte';

const BUNDLED_LM_IDS: readonly string[] = [TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID];

const transport: GenerateTransport = {
  load: (request, options) => generateWorker.call('load', request, options),
  generate: (request, options) => generateWorker.call('generate', request, options),
  unload: (request) => generateWorker.call('unload', request),
  // Local models score yes/no continuations for an approval run's P(Yes).
  score: (request, options) => generateWorker.call('score', request, options),
};

// An amplified sampler cannot score (its distribution is not a model's): approval answers of
// an amplified run get P(Yes) null rather than plain B's score.
const amplifiedTransport: GenerateTransport = {
  load: transport.load,
  generate: transport.generate,
  unload: transport.unload,
};

/** A side's spec as appChatBackend takes it: the run's ModelSpec fields plus the session's. */
export type AppChatSpec = ChatBackendSpec & {
  localFolder?: LocalFolderInfo;
  amplify?: AmplifySpec;
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
export function appChatBackend(spec: AppChatSpec, options: AppChatBackendOptions): ChatBackend {
  if (spec.amplify) return amplifiedChatBackend(spec, spec.amplify, options);
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

/** A transformers.js model as the generate worker is asked for it, and whether it is a folder. */
export interface WorkerModel {
  request: GenerateModelRequest;
  /** True for a picked folder: the service worker must serve the page before the first load. */
  fromFolder: boolean;
}

/**
 * The generate worker's request for a transformers.js model, resolved as appChatBackend resolves
 * it: a picked folder by its URL path and recorded precision (never the hub), a bundled model on
 * WASM, others on WebGPU when `webgpu`. Contrastive scoring and amplified sampling load with it.
 * @throws LocalFolderNeededError naming `side` when the spec's folder is not picked in this tab;
 * ModelLoadError when the spec is not a transformers.js model.
 */
export function workerModel(
  spec: Pick<AppChatSpec, 'backend' | 'modelId' | 'localFolder'>,
  options: Pick<AppChatBackendOptions, 'webgpu' | 'localFolders'>,
  side: string,
): WorkerModel {
  if (spec.backend !== 'transformers') {
    throw new ModelLoadError(
      spec.modelId,
      `model ${side} is not a local transformers.js model (bundled, from the hub or from a folder)`,
    );
  }
  if (spec.localFolder) {
    const folder = options.localFolders?.byHash(spec.localFolder.hash);
    if (!folder) throw new LocalFolderNeededError(spec.localFolder, side);
    const resolved = folderSpec(spec, folder);
    return {
      request: modelRequest(resolved.modelId, resolved.dtype, options, false),
      fromFolder: true,
    };
  }
  return { request: modelRequest(spec.modelId, undefined, options, true), fromFolder: false };
}

function modelRequest(
  modelId: string,
  dtype: LocalFolderInfo['dtype'] | undefined,
  options: Pick<AppChatBackendOptions, 'webgpu'>,
  mayFetchRemote: boolean,
): GenerateModelRequest {
  const bundled = BUNDLED_LM_IDS.includes(modelId);
  return {
    modelId,
    ...(dtype ? { dtype } : {}),
    // The toy models are tiny: WASM is faster than a GPU round trip for them.
    device: options.webgpu && !bundled ? 'webgpu' : 'wasm',
    modelsPath: bundledModelsPath(),
    allowRemoteModels: mayFetchRemote && !bundled,
  };
}

/**
 * B amplified away from `amplify.base` in the generate worker: the request is B's, carrying the
 * base model as WireAmplify; each model's folder is resolved as a plain side's would be.
 */
function amplifiedChatBackend(
  spec: AppChatSpec,
  amplify: AmplifySpec,
  options: AppChatBackendOptions,
): ChatBackend {
  const side = options.side ?? spec.modelId;
  if (spec.backend !== 'transformers' || amplify.base.backend !== 'transformers') {
    throw new ModelLoadError(
      spec.modelId,
      'amplified sampling needs both models as local transformers.js models',
    );
  }
  const tuned = workerModel(spec, options, side);
  const base = workerModel(amplify.base, options, `${side} (amplified base)`);
  const { modelId, dtype, device } = base.request;
  const request: GenerateModelRequest = {
    ...tuned.request,
    amplify: {
      base: { modelId, ...(dtype ? { dtype } : {}), ...(device ? { device } : {}) },
      alpha: amplify.alpha,
    },
  };
  const backend = new RemoteChatBackend(request, amplifiedTransport);
  const lookup = options.localFolders;
  if (!(tuned.fromFolder || base.fromFolder) || !lookup) return backend;
  // The service worker must control the page (and the workers) before the first fetch.
  return lazyChatBackend(backend.id, backend.capabilities, async () => {
    await lookup.ready();
    return backend;
  });
}

function plainChatBackend(
  spec: ChatBackendSpec & { dtype?: LocalFolderInfo['dtype'] },
  options: AppChatBackendOptions,
  mayFetchRemote: boolean,
): ChatBackend {
  return createChatBackend(spec, {
    createWebLlmEngine: options.createWebLlmEngine,
    createTransformersBackend: (model) =>
      new RemoteChatBackend(
        modelRequest(model.modelId, spec.dtype, options, mayFetchRemote),
        transport,
      ),
  });
}
