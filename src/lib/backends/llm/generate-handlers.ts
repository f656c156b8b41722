/**
 * The generate worker's handler table, built here so it can run (and be tested) without a
 * Worker: workers/generate.worker.ts only registers it. One TransformersChatBackend per model.
 */
import { scoreContrastive, scoreTokenLogprobs } from './contrastive-score';
import { amplifiedBackendFor, amplifiedBackendKey, type AmplifiedChatBackend } from './amplified';
import { TransformersChatBackend } from './transformers';
import type { ChatUsage, ChatFinishReason, LoadProgress } from './types';
import {
  loadProgressMessage,
  tokenProgress,
  type ContrastiveScoreReply,
  type ContrastiveScoreRequest,
  type GenerateModelRequest,
  type GenerateReply,
  type GenerateRequest,
  type ScoreRequest,
  type TokenLogprobsRequest,
  type WireHandlerContext,
} from './worker-protocol';

/** Points transformers.js at the models (browser: configureBrowserTransformers). */
export type ConfigureModels = (modelsPath: string, allowRemoteModels: boolean) => void;

/**
 * Builds the handlers: `load`, `generate` (tokens stream as progress), `score`,
 * `contrastiveScore` (items scored under A and B, progress in items), `tokenLogprobs` (items'
 * per-token log probabilities under one model, progress in items), `unload`.
 */
export function createGenerateHandlers(configure: ConfigureModels) {
  const backends = new Map<string, TransformersChatBackend>();

  const backendFor = (request: GenerateModelRequest): TransformersChatBackend => {
    configure(request.modelsPath, request.allowRemoteModels);
    const key = `${request.modelId}@${request.device ?? 'default'}/${request.dtype ?? 'default'}`;
    let backend = backends.get(key);
    if (!backend) {
      backend = new TransformersChatBackend({
        modelId: request.modelId,
        device: request.device,
        dtype: request.dtype,
      });
      backends.set(key, backend);
    }
    return backend;
  };

  // Amplified samplers (request.amplify) reuse the per-model backends above for A and B.
  const amplified = new Map<string, AmplifiedChatBackend>();
  const anyFor = (request: GenerateModelRequest) => {
    const key = amplifiedBackendKey(request);
    if (!key || !request.amplify) return backendFor(request);
    let b = amplified.get(key);
    if (!b) {
      b = amplifiedBackendFor({ ...request, amplify: request.amplify }, (o) =>
        backendFor({ ...request, ...o, amplify: undefined }),
      );
      amplified.set(key, b);
    }
    return b;
  };
  return {
    load: (request: GenerateModelRequest, ctx: WireHandlerContext): Promise<void> =>
      anyFor(request).load((p) => ctx.progress(loadProgressMessage(p))),

    generate: async (request: GenerateRequest, ctx: WireHandlerContext): Promise<GenerateReply> => {
      let text = '';
      let pieces = 0;
      let usage: ChatUsage = { promptTokens: 0, completionTokens: 0 };
      let finishReason: ChatFinishReason = 'error';
      const chunks = anyFor(request).generate(request.messages, {
        ...request.options,
        signal: ctx.signal,
      });
      for await (const chunk of chunks) {
        if (chunk.type === 'token') {
          text += chunk.text;
          ctx.progress(tokenProgress(chunk.text, ++pieces));
        } else {
          usage = chunk.usage;
          finishReason = chunk.finishReason;
        }
      }
      return { text, usage, finishReason };
    },

    // Natural-log probabilities of the continuations (the `score` capability).
    score: (request: ScoreRequest, ctx: WireHandlerContext): Promise<number[]> =>
      backendFor(request).score(request.messages, request.continuations, ctx.signal),

    // Both models load here first so their byte progress is reported; later calls reuse them.
    contrastiveScore: async (
      request: ContrastiveScoreRequest,
      ctx: WireHandlerContext,
    ): Promise<ContrastiveScoreReply> => {
      const a = backendFor(request.a);
      const b = backendFor(request.b);
      const loadProgress = (p: LoadProgress) => ctx.progress(loadProgressMessage(p));
      await a.session(loadProgress);
      await b.session(loadProgress);
      return scoreContrastive(a, b, request.items, {
        topK: request.topK,
        batchSize: request.batchSize,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress({ phase: 'score', done, total }),
      });
    },

    // One side of a pairing with a server's prompt log probabilities (no distributions kept).
    tokenLogprobs: async (
      request: TokenLogprobsRequest,
      ctx: WireHandlerContext,
    ): Promise<{ token: string; logprob: number }[][]> => {
      const backend = backendFor(request);
      await backend.session((p) => ctx.progress(loadProgressMessage(p)));
      return scoreTokenLogprobs(backend, request.items, {
        batchSize: request.batchSize,
        signal: ctx.signal,
        onProgress: (done, total) => ctx.progress({ phase: 'score', done, total }),
      });
    },

    unload: (request: GenerateModelRequest): Promise<void> => {
      const keys = [...backends.keys()].filter((k) => k.startsWith(`${request.modelId}@`));
      return Promise.all(
        keys.map((k) => {
          const backend = backends.get(k);
          backends.delete(k);
          return backend?.unload();
        }),
      ).then(() => undefined);
    },
  };
}

/** The generate worker's methods, for the typed client (`WorkerClient<GenerateHandlers>`). */
export type GenerateHandlers = ReturnType<typeof createGenerateHandlers>;
