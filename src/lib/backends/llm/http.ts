/**
 * The HTTP layer shared by the OpenAI-compatible and Anthropic backends: one request with
 * retries (exponential backoff + jitter on 429/5xx, honouring Retry-After), an idle timeout
 * combined with the caller's signal, and every failure mapped to a named error whose texts carry
 * no credential of the request (redact.ts).
 */
import { classifyFetchFailure, currentPageOrigin, describeFetchFailure } from './cors';
import {
  AuthError,
  BadResponseError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from './errors';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  isRetryableStatus,
  retryAfterFromHeaders,
  sleep,
  type RetryPolicy,
} from './retry';
import { estimatedUsage } from './generate-text';
import { redactError, requestSecrets } from './redact';
import { readSseEvents, type SseEvent } from './sse';
import type { ChatChunk, ChatMessage } from './types';

/** Transport settings every HTTP backend accepts; all optional. */
export interface HttpOptions {
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * Longest wait for the reply to start, and then between two pieces of a streamed reply. An
   * idle limit rather than a total one, because a long answer may legitimately stream for minutes.
   */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** The page's origin for the CORS heuristic; null outside a browser. Defaults to location.origin. */
  pageOrigin?: string | null;
  /** Jitter source, injectable for reproducible tests. */
  random?: () => number;
}

/** Default idle timeout: one minute, enough for a cold model on a local server to start. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** One HTTP request of a backend. */
export interface HttpRequest {
  /** Shown in error messages, e.g. "Anthropic" or "The server at http://localhost:11434". */
  provider: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Aborts its signal after `ms` without a `touch`. */
class IdleTimer {
  readonly #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  fired = false;
  constructor(readonly ms: number) {
    this.touch();
  }
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  touch(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.fired = true;
      this.#controller.abort(new DOMException('Timed out', 'TimeoutError'));
    }, this.ms);
  }
  clear(): void {
    clearTimeout(this.#timer);
  }
}

/** A successful (2xx) response whose body is still to be read. */
export interface OpenResponse {
  response: Response;
  /** Reads the body as JSON; BadResponseError when it is not JSON. */
  json(): Promise<unknown>;
  /** Reads the body as server-sent events. */
  events(): AsyncGenerator<SseEvent>;
}

/** Best human-readable reason in an error body: `{error: {message}}`, `{error: "..."}`, text. */
export function errorDetail(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    const error = body.error;
    if (typeof error === 'string') return error;
    if (error && typeof error === 'object' && 'message' in error) return String(error.message);
    if (typeof body.message === 'string') return body.message;
    if (typeof body.detail === 'string') return body.detail;
  } catch {
    // not JSON: fall through to the text itself
  }
  return bodyText.trim().slice(0, 300);
}

/** The named error for a non-2xx status. */
export function errorForStatus(
  request: Pick<HttpRequest, 'provider' | 'url'>,
  status: number,
  detail: string,
  retryAfterMs?: number,
): Error {
  const { provider } = request;
  if (status === 401 || status === 403) return new AuthError(provider, status, detail);
  if (status === 429) return new RateLimitError(provider, retryAfterMs, detail);
  if (isRetryableStatus(status)) return new ServerError(provider, status, detail);
  if (status === 404) {
    return new BadResponseError(
      provider,
      `HTTP 404 for ${request.url}${detail ? ` (${detail})` : ''}; is the base URL or model name wrong?`,
    );
  }
  return new BadResponseError(provider, `HTTP ${status}${detail ? `: ${detail}` : ''}`);
}

/** The `error` field some OpenAI-compatible servers put in a 200 reply or stream chunk. */
export type ErrorInReply = { message?: string; code?: number | string } | string | null | undefined;

/**
 * Throws the named error for a failure reported inside a 200 reply (proxies such as OpenRouter
 * and LiteLLM do this), using its code when that is an HTTP error status and 500 otherwise.
 */
export function throwIfErrorInReply(
  request: Pick<HttpRequest, 'provider' | 'url'>,
  error: ErrorInReply,
): void {
  if (error === undefined || error === null) return;
  const detail = typeof error === 'string' ? error : (error.message ?? JSON.stringify(error));
  const code = typeof error === 'object' ? Number(error.code) : NaN;
  throw errorForStatus(request, Number.isInteger(code) && code >= 400 ? code : 500, detail);
}

/** The error to throw when reading a body fails: the caller's abort, a timeout or the network. */
function bodyFailure(error: unknown, request: HttpRequest, timer: IdleTimer): unknown {
  if (request.signal?.aborted) return request.signal.reason;
  if (timer.fired) return new TimeoutError(request.url, timer.ms);
  if (error instanceof SyntaxError) return error;
  return new NetworkError(request.url, `the connection broke: ${describeFetchFailure(error)}`);
}

/**
 * Sends `request`, retrying 429/5xx and connection failures; resolves once a 2xx reply starts.
 * Throws AuthError, RateLimitError, ServerError, BadResponseError, TimeoutError, NetworkError,
 * CorsError, or the caller's abort reason, all with the request's credentials (key headers, URL
 * user info and credential query values) redacted from their texts, as are the errors of the
 * reply's readers.
 */
export async function openRequest(
  request: HttpRequest,
  options: HttpOptions = {},
): Promise<OpenResponse> {
  const secrets = requestSecrets(request.url, request.headers);
  try {
    return wrap(await openUnredacted(request, options), secrets);
  } catch (error) {
    throw redactError(error, secrets);
  }
}

/** A reply whose readers redact `secrets` from every error they throw. */
function wrap(open: OpenResponse, secrets: readonly string[]): OpenResponse {
  return {
    response: open.response,
    async json() {
      try {
        return await open.json();
      } catch (error) {
        throw redactError(error, secrets);
      }
    },
    async *events() {
      try {
        yield* open.events();
      } catch (error) {
        throw redactError(error, secrets);
      }
    },
  };
}

async function openUnredacted(request: HttpRequest, options: HttpOptions): Promise<OpenResponse> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  for (let attempt = 0; ; attempt++) {
    request.signal?.throwIfAborted();
    const timer = new IdleTimer(timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timer.signal]) : timer.signal;
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body,
        signal,
      });
    } catch (caught) {
      timer.clear();
      if (request.signal?.aborted) throw request.signal.reason;
      if (timer.fired) throw new TimeoutError(request.url, timeoutMs);
      if (!(caught instanceof TypeError)) throw caught;
      const failure = await classifyFetchFailure(caught, {
        url: request.url,
        pageOrigin: options.pageOrigin === undefined ? currentPageOrigin() : options.pageOrigin,
        requestHeaders: request.headers,
        fetch: doFetch,
      });
      // A CORS refusal will not change by retrying; an unreachable server might come back.
      if (!(failure instanceof NetworkError) || attempt >= policy.maxRetries) throw failure;
      await sleep(backoffDelay(attempt, policy, options.random), request.signal);
      continue;
    }
    if (response.ok) return readers(response, request, timer);
    const retryAfterMs = retryAfterFromHeaders(response.headers);
    const text = await response.text().catch(() => '');
    timer.clear();
    request.signal?.throwIfAborted();
    const error = errorForStatus(request, response.status, errorDetail(text), retryAfterMs);
    if (!isRetryableStatus(response.status)) throw error;
    if (attempt >= policy.maxRetries) throw error;
    if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) throw error;
    await sleep(retryAfterMs ?? backoffDelay(attempt, policy, options.random), request.signal);
  }
}

function readers(response: Response, request: HttpRequest, timer: IdleTimer): OpenResponse {
  return {
    response,
    async json() {
      try {
        const text = await response.text();
        return JSON.parse(text) as unknown;
      } catch (error) {
        const failure = bodyFailure(error, request, timer);
        if (failure instanceof SyntaxError) {
          throw new BadResponseError(
            request.provider,
            `the reply is not JSON (${failure.message})`,
          );
        }
        throw failure;
      } finally {
        timer.clear();
      }
    },
    async *events() {
      if (!response.body) throw new BadResponseError(request.provider, 'the reply has no body');
      try {
        yield* readSseEvents(response.body, () => timer.touch());
      } catch (error) {
        throw bodyFailure(error, request, timer);
      } finally {
        timer.clear();
      }
    },
  };
}

/** Parses one SSE `data` payload as JSON, or throws BadResponseError naming the provider. */
export function parseEventData(provider: string, event: SseEvent, partialText: string): unknown {
  try {
    return JSON.parse(event.data) as unknown;
  } catch {
    throw new BadResponseError(
      provider,
      `a streamed event is not JSON: ${event.data.slice(0, 120)}`,
      partialText,
    );
  }
}

/**
 * Runs an HTTP backend's token stream: a cancel ends it with an 'abort' chunk (estimated
 * usage), any other failure is rethrown carrying the text streamed so far, with `secrets` (the
 * backend's requestSecrets) redacted, errors built from a 2xx reply's content included.
 */
export async function* streamKeepingPartialText(
  messages: ChatMessage[],
  signal: AbortSignal | undefined,
  secrets: readonly string[],
  stream: (progress: { text: string }) => AsyncIterable<ChatChunk>,
): AsyncIterable<ChatChunk> {
  const progress = { text: '' };
  try {
    yield* stream(progress);
  } catch (error) {
    if (signal?.aborted) {
      yield { type: 'done', usage: estimatedUsage(messages, progress.text), finishReason: 'abort' };
      return;
    }
    throw redactError(withPartialText(error, progress.text), secrets);
  }
}

/** Copies a stream failure with the text generated so far, so the user keeps it. */
export function withPartialText(error: unknown, partialText: string): unknown {
  if (!partialText) return error;
  if (error instanceof NetworkError) {
    return new NetworkError(error.url, error.detail, partialText, { cause: error.cause });
  }
  if (error instanceof TimeoutError) {
    return new TimeoutError(error.url, error.timeoutMs, partialText);
  }
  if (error instanceof BadResponseError && !error.partialText) {
    return new BadResponseError(error.provider, error.detail, partialText);
  }
  return error;
}
