/**
 * How the job queue treats errors by default: which ones a new attempt may fix, and how one that
 * stops the queue is shown (a refused key without the server's text, which may echo the key).
 */
import { errorSummary, isFatalGenerationError } from './generation-job';

/** Errors a new attempt can fix: rate limits, server failures, timeouts, broken or bad replies. */
const RETRYABLE = new Set([
  'RateLimitError',
  'ServerError',
  'TimeoutError',
  'NetworkError',
  'IncompleteAnswerError',
  'BadResponseError',
]);

/**
 * The message shown when the server refuses the key: the HTTP status from the error, never the
 * key or the server's text (which may echo it).
 */
export function refusedKeyMessage(error: unknown): string {
  const e = error as { status?: unknown; fields?: { status?: unknown } };
  const status = e.status ?? e.fields?.status;
  const http = typeof status === 'number' ? ` (HTTP ${status})` : '';
  return `The supervisor key was refused${http}: check the key, then continue.`;
}

/** The default for JobQueueDeps.isRetryable: the errors above, never a fatal one. */
export function isRetryableJobError(error: unknown): boolean {
  return !isFatalGenerationError(error) && RETRYABLE.has(errorSummary(error).name);
}

/** The default for JobQueueDeps.describeFatal: a refused key by its status only. */
export function describeFatalJobError(error: unknown): { name: string; message: string } {
  return errorSummary(error).name === 'AuthError'
    ? { name: 'AuthError', message: refusedKeyMessage(error) }
    : errorSummary(error);
}
