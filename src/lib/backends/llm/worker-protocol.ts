/**
 * What crosses the boundary between the generate worker (workers/generate.worker.ts) and the
 * main thread: requests, the reply, streamed tokens as progress messages, and named errors.
 * Shapes are declared here (not imported from workers/rpc.ts) so backends do not depend on
 * workers; they match rpc.ts's ProgressUpdate and HandlerContext structurally.
 */
import {
  AuthError,
  BadResponseError,
  CorsError,
  DeviceLostError,
  ModelLoadError,
  NetworkError,
  OutOfMemoryError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from './errors';
import type { TextScore } from '../../core/contrastive/types';
import type { TransformersChatOptions } from './transformers';
import type {
  ChatFinishReason,
  ChatMessage,
  ChatUsage,
  GenerateOptions,
  LoadProgress,
} from './types';

/**
 * Amplified sampling (backends/llm/amplified.ts): the request's model is B, this is A, and
 * tokens come from logits_B + alpha * (logits_B - logits_A).
 */
export interface WireAmplify {
  base: TransformersChatOptions;
  alpha: number;
}

/** Which transformers.js model to use and where models are found. */
export interface GenerateModelRequest extends TransformersChatOptions {
  /** Root-relative path of the bundled models folder, e.g. `/models/`. */
  modelsPath: string;
  allowRemoteModels: boolean;
  /** Present for an amplified sampler: then `load` loads both models and `generate` amplifies. */
  amplify?: WireAmplify;
}

/** One answer to score under both models: the conversation before it and its text. */
export interface ContrastiveItem {
  messages: ChatMessage[];
  answer: string;
}

/** Contrastive scoring of answers under models A and B (both in this worker). */
export interface ContrastiveScoreRequest {
  a: GenerateModelRequest;
  b: GenerateModelRequest;
  items: ContrastiveItem[];
  /** Top next tokens kept per token and model (default 5; 0 keeps none). */
  topK?: number;
  /** Answers per forward pass (default 4). */
  batchSize?: number;
}

/** The scores, one per item in order; progress messages have phase 'score' and count items. */
export interface ContrastiveScoreReply {
  sharedVocabulary: boolean;
  scores: TextScore[];
}

/** Generation options without the signal: cancelling goes through the RPC's own cancel. */
export type WireGenerateOptions = Omit<GenerateOptions, 'signal'>;

/** One generation request. */
export interface GenerateRequest extends GenerateModelRequest {
  messages: ChatMessage[];
  options: WireGenerateOptions;
}

/** One scoring request: each continuation's log probability as the reply to `messages`. */
export interface ScoreRequest extends GenerateModelRequest {
  messages: ChatMessage[];
  continuations: string[];
}

/** The worker's reply once a generation ends (also after a cancel reached it). */
export interface GenerateReply {
  text: string;
  usage: ChatUsage;
  finishReason: ChatFinishReason;
}

/** rpc.ts's ProgressUpdate, structurally. Extra fields survive postMessage's structured clone. */
export interface WireProgress {
  phase: string;
  done: number;
  total?: number;
}

/** A streamed piece of text; `done` counts the pieces so far. */
export interface TokenProgress extends WireProgress {
  phase: 'token';
  text: string;
}

/** Model loading progress; `done`/`total` are bytes. */
export interface LoadProgressMessage extends WireProgress {
  phase: 'load';
  text: string;
  fraction?: number;
}

/** rpc.ts's HandlerContext, structurally. */
export interface WireHandlerContext {
  progress(value: WireProgress): void;
  signal: AbortSignal;
}

/** A streamed token as a progress message. */
export function tokenProgress(text: string, pieces: number): TokenProgress {
  return { phase: 'token', done: pieces, text };
}

/** Whether a progress message carries streamed text. */
export function isTokenProgress(progress: WireProgress): progress is TokenProgress {
  return progress.phase === 'token' && typeof (progress as TokenProgress).text === 'string';
}

/** Load progress as a progress message. */
export function loadProgressMessage(progress: LoadProgress): LoadProgressMessage {
  const message: LoadProgressMessage = {
    phase: 'load',
    done: progress.loadedBytes ?? 0,
    text: progress.text,
  };
  if (progress.totalBytes !== undefined) message.total = progress.totalBytes;
  if (progress.fraction !== undefined) message.fraction = progress.fraction;
  return message;
}

/** A load progress message back as LoadProgress (undefined for other messages). */
export function loadProgressFromMessage(message: WireProgress): LoadProgress | undefined {
  if (message.phase !== 'load') return undefined;
  const { text, fraction } = message as LoadProgressMessage;
  const progress: LoadProgress = { text: typeof text === 'string' ? text : 'Loading' };
  if (message.done) progress.loadedBytes = message.done;
  if (message.total !== undefined) progress.totalBytes = message.total;
  if (typeof fraction === 'number') progress.fraction = fraction;
  return progress;
}

const NAMED_ERRORS: Record<string, { prototype: Error }> = {
  ModelLoadError,
  DeviceLostError,
  OutOfMemoryError,
  AuthError,
  RateLimitError,
  NetworkError,
  CorsError,
  TimeoutError,
  ServerError,
  BadResponseError,
};

/**
 * Turns an error rebuilt from the wire (rpc.ts's RemoteError: name, message, `fields`) back
 * into our named error class, so `instanceof DeviceLostError` works on the main thread.
 */
export function reviveChatError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const named = NAMED_ERRORS[error.name];
  if (!named || Object.prototype.isPrototypeOf.call(named.prototype, error)) return error;
  const fields = (error as { fields?: Record<string, unknown> }).fields ?? {};
  const revived = Object.create(named.prototype) as Error;
  Object.assign(revived, fields, { name: error.name, message: error.message, stack: error.stack });
  return revived;
}

/**
 * One local model's per-token log probabilities of answers (end-of-turn token last), for pairing
 * with a model scored elsewhere (an OpenAI-compatible server); the reply has one token list per
 * item, and progress messages have phase 'score' and count items.
 */
export interface TokenLogprobsRequest extends GenerateModelRequest {
  items: ContrastiveItem[];
  /** Answers per forward pass (default 4). */
  batchSize?: number;
}
