/**
 * A small HTTP server for backend tests, on 127.0.0.1 and a random port: each test sets how it
 * answers, and every request is recorded. It also implements a CORS preflight the way a browser
 * checks it, because Node's fetch does no CORS at all (see answerPreflight).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the server answers; `index` counts requests to this handler, from 0. */
export type Route = (
  request: RecordedRequest,
  res: ServerResponse,
  index: number,
) => void | Promise<void>;

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler (and resets the request counter). */
  handle(route: Route): void;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 with a random free port. */
export async function startTestServer(
  route: Route = (_r, res) => sendJson(res, 404, {}),
): Promise<TestServer> {
  let current = route;
  let index = 0;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(current(recorded, res, index++)).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 599, { error: String(error) });
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      current = next;
      index = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON reply. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Starts an SSE reply. */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** One SSE event: `data` is JSON-encoded unless it is a string. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

/** Writes raw text to a streamed reply, waiting so the client gets it as its own chunk. */
export async function writeSlowly(res: ServerResponse, pieces: string[], gapMs = 5): Promise<void> {
  for (const piece of pieces) {
    res.write(piece);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

/** Waits `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a server allows cross-origin. */
export interface CorsPolicy {
  allowOrigin: string;
  allowMethods: string[];
  /** Lowercase header names. */
  allowHeaders: string[];
}

/** What a browser asks in a preflight. */
export interface PreflightQuery {
  origin: string;
  method: string;
  /** Lowercase names, as in Access-Control-Request-Headers. */
  requestHeaders: string[];
}

/** Whether a browser would let the real request through after this server's preflight reply. */
export function preflightAllows(policy: CorsPolicy, query: PreflightQuery): boolean {
  const originOk = policy.allowOrigin === '*' || policy.allowOrigin === query.origin;
  const methodOk = policy.allowMethods
    .map((m) => m.toUpperCase())
    .includes(query.method.toUpperCase());
  // With a wildcard origin, '*' in allow-headers also allows every header except authorization.
  const headersOk = query.requestHeaders.every(
    (h) =>
      policy.allowHeaders.includes(h) ||
      (policy.allowHeaders.includes('*') && h !== 'authorization'),
  );
  return originOk && methodOk && headersOk;
}

/**
 * Answers an OPTIONS preflight: 204 with the Access-Control-Allow-* headers when the policy
 * allows the request, 403 without them otherwise (the browser then blocks the real request).
 * Returns false for requests that are not preflights.
 */
export function answerPreflight(
  request: RecordedRequest,
  res: ServerResponse,
  policy: CorsPolicy,
): boolean {
  if (request.method !== 'OPTIONS') return false;
  const query: PreflightQuery = {
    origin: String(request.headers.origin ?? ''),
    method: String(request.headers['access-control-request-method'] ?? ''),
    requestHeaders: String(request.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  };
  if (!preflightAllows(policy, query)) {
    res.writeHead(403);
    res.end();
    return true;
  }
  res.writeHead(204, {
    'access-control-allow-origin': policy.allowOrigin,
    'access-control-allow-methods': policy.allowMethods.join(', '),
    'access-control-allow-headers': policy.allowHeaders.join(', '),
    'access-control-max-age': '600',
    vary: 'Origin',
  });
  res.end();
  return true;
}

/**
 * Headers a browser's fetch sets itself (forbidden or automatic), so a page's code never sends
 * them and they never need a preflight; what remains of a recorded request is what our client sent.
 */
const BROWSER_CONTROLLED = new Set([
  'host',
  'connection',
  'content-length',
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  'sec-fetch-mode',
  'origin',
  'referer',
]);

/** The header names our client set on a recorded request. */
export function clientHeaderNames(request: RecordedRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!BROWSER_CONTROLLED.has(name) && value !== undefined) headers[name] = String(value);
  }
  return headers;
}
