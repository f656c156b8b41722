/**
 * One generation job of the queue, apart from the queue's bookkeeping: the request it sends,
 * how its stream becomes an answer (with P(Yes) for approval prompts), and which errors a retry
 * can fix.
 */
import type {
  ChatBackend,
  ChatMessage,
  ChatUsage,
  GenerateOptions,
  TokenLogprob,
} from '../backends/llm/types';
import {
  NO_CONTINUATIONS,
  YES_CONTINUATIONS,
  pYesFromScores,
  pYesFromTopLogprobs,
} from '../core/approval/read-answer';
import type { ModelSpec, Prompt } from '../core/run/types';

/**
 * Errors that no retry can fix and that would fail every following job the same way: the user
 * must act (key, model, GPU memory, server CORS settings) before generation can go on. Matched
 * by name so errors revived from a worker (RemoteError keeps the name) count too.
 */
const FATAL = new Set([
  'AuthError',
  'ModelLoadError',
  'DeviceLostError',
  'OutOfMemoryError',
  'CorsError',
]);

/** True for errors that must stop the whole queue rather than fail one job. */
export function isFatalGenerationError(error: unknown): boolean {
  return error instanceof Error && FATAL.has(error.name);
}

/** The stream ended without a usable answer (no final chunk, 'error', or an unasked 'abort'). */
export class IncompleteAnswerError extends Error {
  override name = 'IncompleteAnswerError';
  constructor(backendId: string, how: string, characters: number) {
    super(
      `${backendId} ended an answer ${how} after ${characters} characters; it will be retried.`,
    );
  }
}

/** Name and user-facing message of anything thrown. */
export function errorSummary(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message || error.name };
  return { name: 'Error', message: String(error) };
}

/** The server's requested wait of a RateLimitError (own field, or a revived worker error's). */
export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'RateLimitError') return undefined;
  const e = error as { retryAfterMs?: unknown; fields?: { retryAfterMs?: unknown } };
  const ms = e.retryAfterMs ?? e.fields?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Waits `ms`, resolving early when `signal` aborts (a pause must not sit out a long backoff). */
export function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * How many alternatives of the first token an approval answer asks for where P(Yes) comes from
 * log probabilities: OpenAI's most (WebLlmBackend lowers it to WebLLM's 5).
 */
export const APPROVAL_TOP_LOGPROBS = 20;

/** How P(Yes) of an approval answer is had from `backend`: scored, from top log probabilities, or not. */
export function pYesMethod(
  backend: Pick<ChatBackend, 'score' | 'capabilities'>,
): 'score' | 'logprobs' | null {
  if (backend.score) return 'score';
  return backend.capabilities.logprobs ? 'logprobs' : null;
}

/**
 * The messages and options of sample `sample` of a prompt: one system message (the prompt's own
 * system prompt, e.g. an approval condition's persona, then the side's, a blank line between,
 * each where it exists), then the prompt; sample i uses seed + i so samples differ yet
 * reproduce. An approval prompt asks `backend` for the first tokens' top log probabilities when
 * that is how its P(Yes) is had.
 */
export function jobRequest(
  spec: ModelSpec,
  prompt: Pick<Prompt, 'text' | 'systemPrompt' | 'approval'>,
  sample: number,
  signal: AbortSignal,
  backend?: Pick<ChatBackend, 'score' | 'capabilities'>,
): { messages: ChatMessage[]; options: GenerateOptions } {
  const messages: ChatMessage[] = [];
  const system = [prompt.systemPrompt, spec.systemPrompt].filter(Boolean).join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: prompt.text });
  const { temperature, topP, maxTokens, seed } = spec.params;
  const options: GenerateOptions = { temperature, topP, maxTokens, signal };
  if (seed !== null) options.seed = seed + sample;
  if (prompt.approval && backend && pYesMethod(backend) === 'logprobs') {
    options.topLogprobs = APPROVAL_TOP_LOGPROBS;
  }
  return { messages, options };
}

/**
 * P(Yes) of an answer to `messages`: the yes and no continuations scored where `backend` can
 * score, else the first token's top alternatives of `answer` (null when the backend returned
 * none), else null.
 * @throws the backend's errors from scoring.
 */
export async function answerPYes(
  backend: Pick<ChatBackend, 'score' | 'capabilities'>,
  messages: ChatMessage[],
  answer: Pick<StreamedAnswer, 'logprobs'>,
  signal?: AbortSignal,
): Promise<number | null> {
  const method = pYesMethod(backend);
  if (method === 'score') {
    const continuations = [...YES_CONTINUATIONS, ...NO_CONTINUATIONS];
    const scores = await backend.score!(messages, continuations, signal);
    return pYesFromScores(
      scores.slice(0, YES_CONTINUATIONS.length),
      scores.slice(YES_CONTINUATIONS.length),
    );
  }
  const first = answer.logprobs?.[0];
  return method === 'logprobs' && first ? pYesFromTopLogprobs(first.top) : null;
}

/** A complete streamed answer. */
export interface StreamedAnswer {
  text: string;
  usage: ChatUsage;
  finishReason: 'stop' | 'length';
  /** Per-token log probabilities, when they were asked for and the backend returned them. */
  logprobs?: TokenLogprob[];
}

/**
 * Streams one generation, calling `onToken` with the text so far after every chunk.
 * @throws the backend's errors; IncompleteAnswerError when the stream ends without a complete
 * answer (an abort by the caller's signal included: the caller checks its signal first).
 */
export async function streamAnswer(
  backend: ChatBackend,
  messages: ChatMessage[],
  options: GenerateOptions,
  onToken: (text: string, chunks: number) => void,
): Promise<StreamedAnswer> {
  let text = '';
  let chunks = 0;
  let end: { usage: ChatUsage; finishReason: string } | undefined;
  let logprobs: TokenLogprob[] | undefined;
  for await (const chunk of backend.generate(messages, options)) {
    if (chunk.type === 'done') {
      end = chunk;
      continue;
    }
    if (chunk.logprobs) (logprobs ??= []).push(...chunk.logprobs);
    text += chunk.text;
    chunks++;
    onToken(text, chunks);
  }
  const reason = end?.finishReason;
  if (end && (reason === 'stop' || reason === 'length')) {
    return logprobs
      ? { text, usage: end.usage, finishReason: reason, logprobs }
      : { text, usage: end.usage, finishReason: reason };
  }
  const how = end ? `with finish reason "${reason}"` : 'without its final chunk';
  throw new IncompleteAnswerError(backend.id, how, text.length);
}
