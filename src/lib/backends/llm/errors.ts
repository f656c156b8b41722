/**
 * Named errors of chat backends. Each message says what happened and what the user can do;
 * fields carry the details a caller needs to react (retry later, show the partial text, ...).
 * Fields are plain data so the errors survive the worker boundary (see workers/rpc.ts).
 */

/** Text generated before a stream failed, kept so the user does not lose it. */
function partialSuffix(partialText: string | undefined): string {
  return partialText ? ` (${partialText.length} characters had arrived and are kept)` : '';
}

/** The model could not be loaded: missing files, no WebGPU, an unsupported model. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(
    readonly modelId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `Could not load the model "${modelId}": ${reason}. Check the model id and your connection, ` +
        'or pick another model.',
      options,
    );
  }
}

/** What to try when the GPU gives up; shared by DeviceLostError and OutOfMemoryError. */
const GPU_ADVICE =
  'Try a smaller model (fewer parameters or a q4 quantisation), load one model at a time, ' +
  'and close other tabs or apps that use the GPU; then load the model again.';

/** The WebGPU device was lost (driver reset, another tab took the GPU, memory pressure). */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`The GPU device was lost (${detail}). ${GPU_ADVICE}`, options);
  }
}

/** The model does not fit in the memory available to the GPU or the tab. */
export class OutOfMemoryError extends Error {
  override name = 'OutOfMemoryError';
  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`The model ran out of memory (${detail}). ${GPU_ADVICE}`, options);
  }
}

/** The server refused the credentials (401/403). */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly provider: string,
    readonly status: number,
    readonly detail = '',
  ) {
    super(
      `${provider} refused the request (HTTP ${status}${detail ? `: ${detail}` : ''}). ` +
        'Check the API key and that it may use this model.',
    );
  }
}

/** Too many requests (429) after all retries; `retryAfterMs` is the server's advice, if any. */
export class RateLimitError extends Error {
  override name = 'RateLimitError';
  constructor(
    readonly provider: string,
    readonly retryAfterMs: number | undefined,
    readonly detail = '',
  ) {
    const wait =
      retryAfterMs === undefined
        ? 'Wait a little'
        : `Wait about ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
    super(
      `${provider} is rate-limiting requests (HTTP 429${detail ? `: ${detail}` : ''}). ` +
        `${wait} and resume, or lower the number of parallel requests.`,
    );
  }
}

/** The server could not be reached, or the connection dropped mid-reply. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    readonly url: string,
    readonly detail: string,
    readonly partialText?: string,
    options?: ErrorOptions,
  ) {
    super(
      `Could not reach ${url} (${detail})${partialSuffix(partialText)}. Check the URL, that the ` +
        'server is running and your connection; an https page cannot call a plain http server ' +
        'other than localhost.',
      options,
    );
  }
}

/**
 * The server answered but the browser hid the reply from this page, because the server did not
 * send the CORS headers that allow this page's origin.
 */
export class CorsError extends Error {
  override name = 'CorsError';
  constructor(
    readonly url: string,
    readonly pageOrigin: string,
    /** Request headers the preflight must allow (Access-Control-Allow-Headers). */
    readonly requiredHeaders: string[],
    options?: ErrorOptions,
  ) {
    super(
      `The server at ${new URL(url).origin} is reachable but does not allow requests from this ` +
        `page (${pageOrigin}). It must send "Access-Control-Allow-Origin: ${pageOrigin}" (or "*") ` +
        'on its replies, and answer the preflight OPTIONS request with ' +
        `"Access-Control-Allow-Methods: GET, POST" and "Access-Control-Allow-Headers: ${requiredHeaders.join(', ')}". ` +
        `For Ollama, start it with OLLAMA_ORIGINS=${pageOrigin}; for LM Studio, enable CORS in ` +
        'its server settings; otherwise put a proxy that adds these headers in front of it.',
      options,
    );
  }
}

/** No reply (or no next piece of a streamed reply) within the time limit. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    readonly partialText?: string,
  ) {
    super(
      `${url} did not answer within ${Math.round(timeoutMs / 1000)} s${partialSuffix(partialText)}. ` +
        'The server may be overloaded or the model still loading: retry, or raise the timeout.',
    );
  }
}

/** The server failed (5xx) after all retries. */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    readonly provider: string,
    readonly status: number,
    readonly detail = '',
  ) {
    super(
      `${provider} had an internal problem (HTTP ${status}${detail ? `: ${detail}` : ''}). ` +
        'This is on the server side: retry later.',
    );
  }
}

/** The reply could not be understood (not JSON, wrong shape, a 4xx about the request). */
export class BadResponseError extends Error {
  override name = 'BadResponseError';
  constructor(
    readonly provider: string,
    readonly detail: string,
    readonly partialText?: string,
  ) {
    super(
      `${provider} sent a reply that could not be read: ${detail}${partialSuffix(partialText)}. ` +
        'Check the base URL points at an OpenAI-compatible (or Anthropic) API and the model name is right.',
    );
  }
}
