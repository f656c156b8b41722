/**
 * Telling a CORS refusal from a network failure. Browsers report both as the same TypeError
 * ("Failed to fetch") and hide the reason on purpose, so we use a heuristic:
 *
 *   the request is cross-origin  AND  a `mode: 'no-cors'` GET to the same URL succeeds
 *   => the server is up and answering, so the failure was the CORS check  => CorsError
 *   otherwise                                                             => NetworkError
 *
 * A no-cors request never triggers a preflight and its (opaque) response is not checked, so it
 * only fails when the server cannot be reached at all. The heuristic can misfire when a
 * firewall or the browser's Private Network Access rules block the real request but not the
 * probe; the CorsError message then still points at the right place (the server's headers).
 *
 * A cross-origin isolated page (COEP: require-corp, which threaded WASM needs) blocks opaque
 * responses without a Cross-Origin-Resource-Policy header, so there the probe fails either way:
 * we skip it and return a NetworkError whose message names both possible causes.
 */
import { CorsError, NetworkError } from './errors';

// Header names a browser sends without a preflight (the CORS-safelisted request headers).
const SAFELISTED = new Set(['accept', 'accept-language', 'content-language']);
const SAFELISTED_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/**
 * The header names a browser would list in Access-Control-Request-Headers for these request
 * headers, lowercased and sorted: exactly what the server's Access-Control-Allow-Headers must allow.
 */
export function corsPreflightHeaders(headers: Record<string, string>): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (SAFELISTED.has(lower)) continue;
    if (lower === 'content-type') {
      const essence = value.split(';')[0]?.trim().toLowerCase() ?? '';
      if (SAFELISTED_CONTENT_TYPES.has(essence)) continue;
    }
    names.push(lower);
  }
  return [...new Set(names)].sort();
}

/** The origin of the page we run in, or null outside a browser (Node has no CORS). */
export function currentPageOrigin(): string | null {
  const location = (globalThis as { location?: { origin?: string } }).location;
  const origin = location?.origin;
  return origin && origin !== 'null' ? origin : null;
}

/** Why a fetch failed, in words: Node puts the useful part (ECONNREFUSED...) in `cause`. */
export function describeFetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return `${error.message}: ${cause.code}`;
  if (cause && typeof cause.message === 'string') return `${error.message}: ${cause.message}`;
  return error.message;
}

/** Settings of the CORS heuristic. */
export interface FetchFailureContext {
  url: string;
  /** The page's origin; null means "not in a browser", where CORS does not exist. */
  pageOrigin: string | null;
  /** Headers of the failed request, to tell the user what the preflight must allow. */
  requestHeaders: Record<string, string>;
  fetch: typeof fetch;
  /** How long the probe may take. */
  probeTimeoutMs?: number;
  /** Whether the page is cross-origin isolated; defaults to globalThis.crossOriginIsolated. */
  crossOriginIsolated?: boolean;
}

/** Turns a failed fetch (a thrown TypeError) into a CorsError or a NetworkError. */
export async function classifyFetchFailure(
  error: unknown,
  context: FetchFailureContext,
): Promise<CorsError | NetworkError> {
  const { url, pageOrigin } = context;
  const crossOrigin = pageOrigin !== null && new URL(url).origin !== pageOrigin;
  const isolated = context.crossOriginIsolated ?? globalThis.crossOriginIsolated === true;
  if (crossOrigin && isolated) {
    const headers = corsPreflightHeaders(context.requestHeaders).join(', ');
    return new NetworkError(
      url,
      `${describeFetchFailure(error)}; either the server is unreachable or it does not allow ` +
        `this page: it must send "Access-Control-Allow-Origin: ${pageOrigin}" and allow the ` +
        `headers ${headers}`,
      undefined,
      { cause: error },
    );
  }
  if (crossOrigin && error instanceof TypeError) {
    try {
      await context.fetch(url, {
        method: 'GET',
        mode: 'no-cors',
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(context.probeTimeoutMs ?? 5000),
      });
      return new CorsError(url, pageOrigin ?? '', corsPreflightHeaders(context.requestHeaders), {
        cause: error,
      });
    } catch {
      // The probe failed too: the server really is unreachable.
    }
  }
  return new NetworkError(url, describeFetchFailure(error), undefined, { cause: error });
}
