/**
 * The service worker that serves model folders picked on this computer ("Model from this
 * computer") to transformers.js and WebLLM as if they were remote files: a GET or HEAD under
 * `<scope>local-models/<token>/<path>` is answered with the File the page that picked the folder
 * hands over (asked through a MessageChannel), so the body streams from disk and nothing is
 * copied or stored here. Browsers stop idle service workers at will, so this one keeps no state:
 * every request asks the open tabs again. Built as one self-contained file (no imports) emitted
 * at the site root as `local-models-sw.js` (see vite.config.ts).
 */

// The DOM lib of this project has no service worker types; these are the parts used here.
interface SwClient {
  id: string;
  postMessage(message: unknown, transfer: Transferable[]): void;
}
interface SwExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SwFetchEvent extends SwExtendableEvent {
  request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface SwMessageEvent extends SwExtendableEvent {
  data: unknown;
}
interface SwGlobal {
  registration: { scope: string };
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<SwClient[]>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(
    type: 'install' | 'activate',
    listener: (event: SwExtendableEvent) => void,
  ): void;
  addEventListener(type: 'fetch', listener: (event: SwFetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: SwMessageEvent) => void): void;
}

/** What the page answers for one file: the File, or null when it has no such folder or file. */
interface FileReply {
  file: File | null;
}

const sw = self as unknown as SwGlobal;
/** The URL segment this worker answers under; everything else goes to the network untouched. */
const PREFIX = 'local-models/';
/** How long one tab may take to answer (a busy page still answers within a few seconds). */
const ANSWER_MS = 15_000;

const MIME: Record<string, string> = {
  json: 'application/json',
  wasm: 'application/wasm',
  txt: 'text/plain; charset=utf-8',
  model: 'application/octet-stream',
};

function contentType(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return MIME[ext] ?? 'application/octet-stream';
}

/** Asks one tab for the file; null when it has none or does not answer in time. */
function askClient(client: SwClient, token: string, path: string): Promise<File | null> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve(null);
    }, ANSWER_MS);
    channel.port1.onmessage = (event: MessageEvent<FileReply>) => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(event.data?.file ?? null);
    };
    client.postMessage({ type: 'local-models:file', token, path }, [channel.port2]);
  });
}

/** The first file any open tab has for `token`/`path`, asking them all at once. */
async function findFile(token: string, path: string): Promise<File | null> {
  const clients = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (clients.length === 0) return null;
  return new Promise((resolve) => {
    let left = clients.length;
    for (const client of clients) {
      askClient(client, token, path).then(
        (file) => {
          left -= 1;
          if (file) resolve(file);
          else if (left === 0) resolve(null);
        },
        () => {
          left -= 1;
          if (left === 0) resolve(null);
        },
      );
    }
  });
}

function notFound(message: string): Response {
  return new Response(message, {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/** One `bytes=a-b` range of `size` bytes, or null for none or a form not handled here. */
function byteRange(header: string | null, size: number): { start: number; end: number } | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return null;
  const [, from = '', to = ''] = match;
  if (!from && !to) return null;
  const start = from ? Number(from) : Math.max(0, size - Number(to));
  const end = from && to ? Math.min(Number(to), size - 1) : size - 1;
  return start <= end ? { start, end } : null;
}

/** The response for a picked file: streamed from disk by the browser (a File body is not read here). */
async function serve(request: Request, token: string, path: string): Promise<Response> {
  const file = await findFile(token, path);
  if (!file) {
    return notFound(
      `No open tab of this site has the model folder for "${path}" (token ${token}): ` +
        'pick the folder again ("Model from this computer"), then retry.',
    );
  }
  const headers: Record<string, string> = {
    'Content-Type': contentType(path),
    'Cache-Control': 'no-store',
    'Accept-Ranges': 'bytes',
  };
  const range = byteRange(request.headers.get('Range'), file.size);
  const head = request.method === 'HEAD';
  if (range) {
    headers['Content-Length'] = String(range.end - range.start + 1);
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${file.size}`;
    const body = head ? null : file.slice(range.start, range.end + 1);
    return new Response(body, { status: 206, headers });
  }
  headers['Content-Length'] = String(file.size);
  return new Response(head ? null : file, { status: 200, headers });
}

sw.addEventListener('install', (event) => {
  event.waitUntil(sw.skipWaiting());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(sw.clients.claim());
});

// After a shift-reload the page is not controlled until this worker claims it again.
sw.addEventListener('message', (event) => {
  const data = event.data as { type?: string } | null;
  if (data?.type === 'local-models:claim') event.waitUntil(sw.clients.claim());
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  const base = sw.registration.scope + PREFIX;
  if (!request.url.startsWith(base)) return;
  const rest = new URL(request.url).href.slice(base.length).split(/[?#]/)[0] ?? '';
  const slash = rest.indexOf('/');
  const token = slash > 0 ? rest.slice(0, slash) : rest;
  let path = slash > 0 ? rest.slice(slash + 1) : '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape cannot name a picked file; the lookup below then finds nothing.
  }
  event.respondWith(
    path ? serve(request, token, path) : Promise.resolve(notFound('Not a file of a model folder.')),
  );
});

// A module for the type checker; the build emits it as a plain script (no exports remain).
export {};
