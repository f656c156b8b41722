/**
 * One generation job of the queue, apart from the queue's bookkeeping: the request it sends,
 * how its stream becomes an answer, and which errors a retry can fix.
 */
import type { ChatBackend, ChatMessage, ChatUsage, GenerateOptions } from '../backends/llm/types';
import type { ModelSpec } from '../core/run/types';

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
 * The messages and options of sample `sample` of a prompt: the side's system prompt (if any)
 * then the prompt; sample i uses seed + i so samples differ yet reproduce.
 */
export function jobRequest(
  spec: ModelSpec,
  promptText: string,
  sample: number,
  signal: AbortSignal,
): { messages: ChatMessage[]; options: GenerateOptions } {
  const messages: ChatMessage[] = [];
  if (spec.systemPrompt) messages.push({ role: 'system', content: spec.systemPrompt });
  messages.push({ role: 'user', content: promptText });
  const { temperature, topP, maxTokens, seed } = spec.params;
  const options: GenerateOptions = { temperature, topP, maxTokens, signal };
  if (seed !== null) options.seed = seed + sample;
  return { messages, options };
}

/** A complete streamed answer. */
export interface StreamedAnswer {
  text: string;
  usage: ChatUsage;
  finishReason: 'stop' | 'length';
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
  for await (const chunk of backend.generate(messages, options)) {
    if (chunk.type === 'done') {
      end = chunk;
      continue;
    }
    text += chunk.text;
    chunks++;
    onToken(text, chunks);
  }
  const reason = end?.finishReason;
  if (end && (reason === 'stop' || reason === 'length')) {
    return { text, usage: end.usage, finishReason: reason };
  }
  const how = end ? `with finish reason "${reason}"` : 'without its final chunk';
  throw new IncompleteAnswerError(backend.id, how, text.length);
}
