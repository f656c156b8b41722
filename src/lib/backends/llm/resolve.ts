/** The one place that turns a ModelSpec into a ChatBackend. */
import type { ModelSpec } from '../../core/run/types';
import { AnthropicBackend } from './anthropic';
import { ModelLoadError } from './errors';
import type { HttpOptions } from './http';
import { lazyChatBackend } from './lazy-backend';
import { OpenAiBackend } from './openai';
import type { TransformersChatOptions } from './transformers';
import type { ChatBackend } from './types';
import { WebLlmBackend, type WebLlmEngineFactory } from './webllm';
import type { WireAmplify } from './worker-protocol';

/**
 * A model spec plus what never goes into a run file: the API key, a custom model's library URL,
 * and a `baseUrl` that may still hold credential query parameters (the session's, see RunSecrets).
 */
export type ChatBackendSpec = Pick<ModelSpec, 'backend' | 'modelId' | 'baseUrl'> & {
  apiKey?: string;
  /** WebLLM custom model: `baseUrl` is the weights folder, this the compiled `.wasm` library. */
  modelLibUrl?: string;
  /** Sample this (transformers.js) model B amplified away from `amplify.base` (A). */
  amplify?: ModelSpec['amplify'];
};

/** What the resolver builds backends with; all optional, injectable for tests and the app. */
export interface ChatBackendDeps {
  /** Transport settings of the HTTP backends (fetch, timeout, retries). */
  http?: HttpOptions;
  /** WebLLM engine factory; defaults to WebLLM's worker engine. */
  createWebLlmEngine?: WebLlmEngineFactory;
  /**
   * Builds the transformers.js backend. The app passes its worker proxy here; the default runs
   * in this thread (right for Node and for code already inside a worker). `amplify`, when given,
   * asks for B (`options`) amplified away from `amplify.base`: the factory must honour it (the
   * worker's GenerateModelRequest carries it as is).
   */
  createTransformersBackend?: (
    options: TransformersChatOptions,
    amplify?: WireAmplify,
  ) => ChatBackend;
  /** Device and precision for transformers.js models. */
  transformers?: Pick<TransformersChatOptions, 'device' | 'dtype'>;
}

/**
 * Creates the backend for `spec`. Throws ModelLoadError when the spec cannot work: answers
 * imported from a file (nothing to run), an HTTP backend without a base URL, Anthropic without a key.
 */
export function createChatBackend(spec: ChatBackendSpec, deps: ChatBackendDeps = {}): ChatBackend {
  const { modelId } = spec;
  switch (spec.backend) {
    case 'openai':
      if (!spec.baseUrl) {
        throw new ModelLoadError(
          modelId,
          'an OpenAI-compatible model needs a base URL, e.g. https://api.openai.com/v1 or http://localhost:11434/v1',
        );
      }
      return new OpenAiBackend({
        ...deps.http,
        baseUrl: spec.baseUrl,
        model: modelId,
        apiKey: spec.apiKey,
      });
    case 'anthropic':
      if (!spec.apiKey) {
        throw new ModelLoadError(
          modelId,
          'Anthropic needs an API key: enter it in the model settings',
        );
      }
      return new AnthropicBackend({
        ...deps.http,
        model: modelId,
        apiKey: spec.apiKey,
        baseUrl: spec.baseUrl,
      });
    case 'webllm':
      return new WebLlmBackend({
        modelId,
        createEngine: deps.createWebLlmEngine,
        custom:
          spec.baseUrl && spec.modelLibUrl
            ? { modelId, modelUrl: spec.baseUrl, modelLibUrl: spec.modelLibUrl }
            : undefined,
      });
    case 'transformers': {
      const options: TransformersChatOptions = { modelId, ...deps.transformers };
      if (spec.amplify) return amplifiedBackend(options, spec.amplify, deps);
      if (deps.createTransformersBackend) return deps.createTransformersBackend(options);
      return lazyChatBackend(
        `transformers:${modelId}`,
        { logprobs: false, batching: false, needsWebGpu: options.device === 'webgpu' },
        async () => new (await import('./transformers')).TransformersChatBackend(options),
      );
    }
    case 'imported':
      throw new ModelLoadError(
        modelId,
        'its answers were imported from a file, so there is no model to run; choose a model to generate with',
      );
  }
}

/**
 * B (`options`) amplified away from `amplify.base`: both must be transformers.js models (the
 * decode loop needs both models' logits). Through the app's factory when there is one, else the
 * AmplifiedChatBackend in this thread, imported on first use.
 */
function amplifiedBackend(
  options: TransformersChatOptions,
  amplify: NonNullable<ModelSpec['amplify']>,
  deps: ChatBackendDeps,
): ChatBackend {
  if (amplify.base.backend !== 'transformers') {
    throw new ModelLoadError(
      options.modelId,
      `amplified sampling needs two local transformers.js models, and "${amplify.base.modelId}" runs on ${amplify.base.backend}`,
    );
  }
  const wire: WireAmplify = {
    base: { ...options, modelId: amplify.base.modelId },
    alpha: amplify.alpha,
  };
  if (deps.createTransformersBackend) return deps.createTransformersBackend(options, wire);
  return lazyChatBackend(
    `amplified:transformers:${options.modelId}-vs-transformers:${wire.base.modelId}@${wire.alpha}`,
    { logprobs: false, batching: false, needsWebGpu: options.device === 'webgpu' },
    async () => {
      const [{ TransformersChatBackend }, { AmplifiedChatBackend }] = await Promise.all([
        import('./transformers'),
        import('./amplified'),
      ]);
      return new AmplifiedChatBackend(
        new TransformersChatBackend(wire.base),
        new TransformersChatBackend(options),
        wire.alpha,
      );
    },
  );
}
