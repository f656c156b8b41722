/**
 * ChatBackends for the app: transformers.js models run in the generate worker, WebLLM in its
 * own worker engine, HTTP APIs from the page. API keys live only in memory here.
 */
import { createChatBackend, type ChatBackendSpec } from '../backends/llm/resolve';
import { RemoteChatBackend, type GenerateTransport } from '../backends/llm/remote';
import type { ChatBackend } from '../backends/llm/types';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../core/models';
import { bundledModelsPath } from '../workers/bundled-models-path';
import { generateWorker } from '../workers/generate-client';
import type { LocalFolderInfo } from '../core/local-model/types';
import type { LocalFolderLookup } from './local-folders.svelte';

const BUNDLED_LM_IDS: readonly string[] = [TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID];

const transport: GenerateTransport = {
  load: (request, options) => generateWorker.call('load', request, options),
  generate: (request, options) => generateWorker.call('generate', request, options),
  unload: (request) => generateWorker.call('unload', request),
};

/** Creates the backend of one side; throws ModelLoadError for specs that cannot run. */
export function appChatBackend(
  spec: ChatBackendSpec & { localFolder?: LocalFolderInfo },
  options: { webgpu: boolean; localFolders?: LocalFolderLookup },
): ChatBackend {
  return createChatBackend(spec, {
    createTransformersBackend: (model) =>
      new RemoteChatBackend(
        {
          ...model,
          // The toy models are tiny: WASM is faster than a GPU round trip for them.
          device: options.webgpu && !BUNDLED_LM_IDS.includes(model.modelId) ? 'webgpu' : 'wasm',
          modelsPath: bundledModelsPath(),
          allowRemoteModels: !BUNDLED_LM_IDS.includes(model.modelId),
        },
        transport,
      ),
  });
}
