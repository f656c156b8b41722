/**
 * WebLLM as a ChatBackend. The engine runs in a web worker through WebLLM's own worker engine
 * (CreateWebWorkerMLCEngine + workers/webllm.worker.ts), so decoding never blocks the page.
 * The engine factory is injectable: tests drive this adapter with a fake engine, since WebLLM
 * needs a GPU and gigabytes of weights.
 */
import type {
  ChatCompletionChunk,
  ChatCompletionRequestStreaming,
  InitProgressReport,
  MLCEngineConfig,
  MLCEngineInterface,
} from '@mlc-ai/web-llm';
import { estimatedUsage } from './generate-text';
import { ModelLoadError } from './errors';
import { errorText, gpuError } from './gpu-errors';
import { mapOpenAiFinishReason } from './openai';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatFinishReason,
  ChatMessage,
  ChatUsage,
  GenerateOptions,
  LoadProgress,
  TokenLogprob,
} from './types';
import { webLlmAppConfig, type CustomWebLlmModel } from './webllm-models';

/** The part of WebLLM's engine this adapter uses (a fake implements just this). */
export type WebLlmEngine = Pick<MLCEngineInterface, 'chat' | 'interruptGenerate' | 'unload'>;

/** Creates an engine with `modelId` loaded; `config` carries the progress callback and app config. */
export type WebLlmEngineFactory = (
  modelId: string,
  config: MLCEngineConfig,
) => Promise<WebLlmEngine>;

/** Starts the worker that hosts WebLLM's engine. */
function startWebLlmWorker(): Worker {
  return new Worker(new URL('../../workers/webllm.worker.ts', import.meta.url), {
    type: 'module',
    name: 'webllm',
  });
}

/**
 * The real factory: WebLLM's worker engine in a fresh worker. `unload` also ends the worker,
 * because only that reliably gives all GPU memory back (and clears a lost device).
 */
export function workerEngineFactory(
  createWorker: () => Worker = startWebLlmWorker,
): WebLlmEngineFactory {
  return async (modelId, config) => {
    if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
      throw new ModelLoadError(
        modelId,
        'this browser has no WebGPU (use a recent Chrome or Edge, or a transformers.js model)',
      );
    }
    const { CreateWebWorkerMLCEngine } = await import('@mlc-ai/web-llm');
    const worker = createWorker();
    try {
      const engine = await CreateWebWorkerMLCEngine(worker, modelId, config);
      return {
        chat: engine.chat,
        interruptGenerate: () => engine.interruptGenerate(),
        unload: async () => {
          await engine.unload().catch(() => undefined);
          worker.terminate();
        },
      };
    } catch (error) {
      worker.terminate();
      throw error;
    }
  };
}

/** The most alternatives per token WebLLM returns (its `top_logprobs` range is 0 to 5). */
export const WEBLLM_MAX_TOP_LOGPROBS = 5;

/** Settings of a WebLLM backend. */
export interface WebLlmBackendOptions {
  /** A prebuilt WebLLM model id, or the id of `custom`. */
  modelId: string;
  custom?: CustomWebLlmModel;
  /** Defaults to `workerEngineFactory()`. */
  createEngine?: WebLlmEngineFactory;
}

/** WebLLM's progress report in our terms; its text says e.g. "... 120MB fetched. 10% completed". */
export function toLoadProgress(report: InitProgressReport): LoadProgress {
  const progress: LoadProgress = { fraction: report.progress, text: report.text };
  const fetched = /(\d+(?:\.\d+)?)\s*MB fetched/i.exec(report.text);
  if (fetched?.[1]) progress.loadedBytes = Math.round(Number(fetched[1]) * 1024 * 1024);
  return progress;
}

function loadError(modelId: string, error: unknown): Error {
  const gpu = gpuError(error);
  if (gpu) return gpu;
  if (error instanceof ModelLoadError) return error;
  let reason = errorText(error).replace(/\s+/g, ' ').slice(0, 300);
  if (/shader-f16/i.test(reason)) {
    reason += ' (this GPU lacks 16-bit float shaders: pick the q4f32 variant of the model)';
  }
  return new ModelLoadError(modelId, reason, { cause: error });
}

/** A model run by WebLLM on WebGPU. One generation at a time: the engine is not re-entrant. */
export class WebLlmBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities: ChatCapabilities = { logprobs: true, batching: false, needsWebGpu: true };
  #engine: Promise<WebLlmEngine> | undefined;
  #onProgress: ((progress: LoadProgress) => void) | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: WebLlmBackendOptions) {
    this.id = `webllm:${options.modelId}`;
  }

  /** Loads the model (downloading it unless cached); a failed load is forgotten so the next call retries. */
  async load(onProgress?: (progress: LoadProgress) => void): Promise<void> {
    await this.#load(onProgress);
  }

  #load(onProgress?: (progress: LoadProgress) => void): Promise<WebLlmEngine> {
    if (onProgress) this.#onProgress = onProgress;
    const { modelId, custom } = this.options;
    this.#engine ??= (async () => {
      const createEngine = this.options.createEngine ?? workerEngineFactory();
      const config: MLCEngineConfig = {
        initProgressCallback: (report) => this.#onProgress?.(toLoadProgress(report)),
      };
      if (custom) config.appConfig = await webLlmAppConfig([custom]);
      return createEngine(modelId, config);
    })().catch((error: unknown) => {
      this.#engine = undefined;
      throw loadError(modelId, error);
    });
    return this.#engine;
  }

  /** Frees the GPU memory (and the worker). */
  async unload(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    await (await engine?.catch(() => undefined))?.unload();
  }

  /** Streams a completion; throws ModelLoadError, DeviceLostError or OutOfMemoryError. */
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    // Queue behind any running generation: WebLLM serves one request at a time.
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise((resolve) => (release = resolve));
    await previous;
    const progress = { text: '' };
    try {
      yield* this.#generate(messages, options, progress);
    } catch (error) {
      if (options.signal?.aborted) {
        yield {
          type: 'done',
          usage: estimatedUsage(messages, progress.text),
          finishReason: 'abort',
        };
        return;
      }
      const gpu = gpuError(error);
      if (gpu) {
        // A lost device leaves the engine unusable: drop it so the next call reloads.
        await this.unload().catch(() => undefined);
        throw gpu;
      }
      throw error;
    } finally {
      release();
    }
  }

  async *#generate(
    messages: ChatMessage[],
    options: GenerateOptions,
    progress: { text: string },
  ): AsyncGenerator<ChatChunk> {
    const engine = await this.#load();
    options.signal?.throwIfAborted();
    const request: ChatCompletionRequestStreaming = {
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      temperature: options.temperature,
      top_p: options.topP,
      max_tokens: options.maxTokens,
    };
    if (options.seed !== undefined) request.seed = options.seed;
    if (options.stop?.length) request.stop = options.stop;
    if (options.topLogprobs !== undefined) {
      request.logprobs = true;
      // WebLLM refuses more than 5 alternatives; asking for more means "as many as it gives".
      request.top_logprobs = Math.min(options.topLogprobs, WEBLLM_MAX_TOP_LOGPROBS);
    }
    const interrupt = () => engine.interruptGenerate();
    options.signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const chunks: AsyncIterable<ChatCompletionChunk> =
        await engine.chat.completions.create(request);
      let finishReason: ChatFinishReason | undefined;
      let usage: ChatUsage | undefined;
      for await (const chunk of chunks) {
        const choice = chunk.choices[0];
        const text = choice?.delta.content ?? '';
        const logprobs: TokenLogprob[] | undefined = choice?.logprobs?.content?.map((l) => ({
          token: l.token,
          logprob: l.logprob,
          top: l.top_logprobs.map((t) => ({ token: t.token, logprob: t.logprob })),
        }));
        if (text || logprobs?.length) {
          progress.text += text;
          yield logprobs?.length ? { type: 'token', text, logprobs } : { type: 'token', text };
        }
        finishReason = mapOpenAiFinishReason(choice?.finish_reason) ?? finishReason;
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
      }
      if (options.signal?.aborted) finishReason = 'abort';
      yield {
        type: 'done',
        usage: usage ?? estimatedUsage(messages, progress.text),
        finishReason: finishReason ?? 'stop',
      };
    } finally {
      options.signal?.removeEventListener('abort', interrupt);
    }
  }
}
