/**
 * A ChatBackend that runs a transformers.js model elsewhere (the generate worker) through a
 * transport, e.g. `WorkerClient<GenerateHandlers>.call`. Tokens arrive as progress messages;
 * errors come back as our named classes.
 */
import { estimatedUsage } from './generate-text';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatMessage,
  GenerateOptions,
  LoadProgress,
} from './types';
import {
  isTokenProgress,
  loadProgressFromMessage,
  reviveChatError,
  type GenerateModelRequest,
  type GenerateReply,
  type GenerateRequest,
  type ScoreRequest,
  type WireProgress,
} from './worker-protocol';

/** Options of one transported call (the same as rpc.ts's CallOptions). */
export interface RemoteCallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: WireProgress) => void;
}

/** How to reach the generate worker's methods; without `score` the backend cannot score. */
export interface GenerateTransport {
  load(request: GenerateModelRequest, options: RemoteCallOptions): Promise<void>;
  generate(request: GenerateRequest, options: RemoteCallOptions): Promise<GenerateReply>;
  score?(request: ScoreRequest, options: RemoteCallOptions): Promise<number[]>;
  unload(request: GenerateModelRequest): Promise<void>;
}

/** The main thread's view of a model running in the generate worker. */
export class RemoteChatBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities: ChatCapabilities;
  /** The worker's `score` (see ChatBackend); present when the transport reaches it. */
  readonly score?: (
    messages: ChatMessage[],
    continuations: string[],
    signal?: AbortSignal,
  ) => Promise<number[]>;

  constructor(
    private readonly model: GenerateModelRequest,
    private readonly transport: GenerateTransport,
  ) {
    this.id = `transformers:${model.modelId}`;
    this.capabilities = {
      logprobs: false,
      batching: false,
      needsWebGpu: model.device === 'webgpu',
    };
    const score = transport.score?.bind(transport);
    if (score) {
      this.score = async (messages, continuations, signal) => {
        try {
          return await score({ ...this.model, messages, continuations }, { signal });
        } catch (error) {
          throw reviveChatError(error);
        }
      };
    }
  }

  /** Loads the model in the worker; throws ModelLoadError (or a GPU error). */
  async load(onProgress?: (progress: LoadProgress) => void): Promise<void> {
    try {
      await this.transport.load(this.model, {
        onProgress: (message) => {
          const progress = loadProgressFromMessage(message);
          if (progress) onProgress?.(progress);
        },
      });
    } catch (error) {
      throw reviveChatError(error);
    }
  }

  /** Frees the model in the worker. */
  async unload(): Promise<void> {
    await this.transport.unload(this.model);
  }

  /** Streams a generation from the worker; see ChatBackend for what it throws. */
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    const { signal: callerSignal, ...wireOptions } = options;
    // Our own controller also stops the worker when the consumer leaves the loop early.
    const controller = new AbortController();
    const signal = callerSignal
      ? AbortSignal.any([callerSignal, controller.signal])
      : controller.signal;
    const pending: string[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let reply: GenerateReply | undefined;
    let failure: unknown;
    const request: GenerateRequest = { ...this.model, messages, options: wireOptions };
    void this.transport
      .generate(request, {
        signal,
        onProgress: (message) => {
          if (!isTokenProgress(message)) return;
          pending.push(message.text);
          wake?.();
        },
      })
      .then(
        (value) => void (reply = value),
        (error: unknown) => void (failure = error),
      )
      .finally(() => {
        finished = true;
        wake?.();
      });
    let text = '';
    try {
      for (;;) {
        const piece = pending.shift();
        if (piece !== undefined) {
          text += piece;
          yield { type: 'token', text: piece };
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (reply) {
        yield { type: 'done', usage: reply.usage, finishReason: reply.finishReason };
      } else if (callerSignal?.aborted) {
        // The RPC rejects at once on cancel; the worker's own final count never arrives.
        yield { type: 'done', usage: estimatedUsage(messages, text), finishReason: 'abort' };
      } else {
        throw reviveChatError(failure);
      }
    } finally {
      if (!finished) controller.abort();
    }
  }
}
