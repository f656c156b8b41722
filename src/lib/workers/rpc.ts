/**
 * The typed request/response protocol between the main thread and the workers.
 * A worker module only calls `registerHandlers`; the app talks to it through `WorkerClient`.
 * Errors cross the boundary by name and own fields so named errors (InputError, ...) survive.
 */

/** Context every handler receives besides its arguments. */
export interface HandlerContext {
  /** Reports progress to the caller; cheap, may be called often. */
  progress(value: ProgressUpdate): void;
  /** Aborted when the caller cancels the request. */
  signal: AbortSignal;
}

/** A progress report: `done` of `total` units (bytes, items...), with an optional phase label. */
export interface ProgressUpdate {
  phase: string;
  done: number;
  total?: number;
  /** Payload text, e.g. a streamed token or the file being downloaded. */
  text?: string;
  /** Fraction done in [0, 1] when the unit counts are unknown. */
  fraction?: number;
}

type Handler = (arg: never, ctx: HandlerContext) => unknown;

/** A worker's handler table: method name -> handler of one argument. */
export type Handlers = Record<string, Handler>;

/** A serialised error: its name, message and any own enumerable fields. */
export interface WireError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

type Request = { id: number; method: string; arg: unknown } | { id: number; cancel: true };

type Response =
  | { id: number; kind: 'ok'; value: unknown }
  | { id: number; kind: 'error'; error: WireError }
  | { id: number; kind: 'progress'; progress: ProgressUpdate };

/** Turns any thrown value into a WireError that keeps its name and fields. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(error)) {
      if (typeof value !== 'function') fields[key] = value;
    }
    return { name: error.name, message: error.message, fields };
  }
  return { name: 'Error', message: String(error), fields: {} };
}

/** An Error rebuilt on the main thread from a WireError; `name` and fields are preserved. */
export class RemoteError extends Error {
  readonly fields: Record<string, unknown>;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.fields = wire.fields;
  }
}

/**
 * Collects the buffers of typed arrays (vectors, labels, coordinates) that own their whole
 * buffer, so results move to the caller by transfer instead of by copy.
 */
function transferables(value: unknown, out = new Set<ArrayBuffer>(), depth = 0): Set<ArrayBuffer> {
  if (depth > 4 || value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (
      buffer instanceof ArrayBuffer &&
      value.byteOffset === 0 &&
      value.byteLength === buffer.byteLength
    ) {
      out.add(buffer);
    }
    return out;
  }
  if (Array.isArray(value)) {
    // Long arrays of plain records hold no vectors worth walking.
    for (const item of value.slice(0, 100)) transferables(item, out, depth + 1);
    return out;
  }
  for (const item of Object.values(value)) transferables(item, out, depth + 1);
  return out;
}

/** Registers a worker's handlers; call once at the top of a `*.worker.ts` module. */
export function registerHandlers(handlers: Handlers): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<Request>) => void) | null;
    postMessage(message: Response, transfer?: Transferable[]): void;
  };
  const running = new Map<number, AbortController>();
  scope.onmessage = (event) => {
    const request = event.data;
    if ('cancel' in request) {
      running.get(request.id)?.abort();
      return;
    }
    const handler = handlers[request.method];
    const controller = new AbortController();
    running.set(request.id, controller);
    const ctx: HandlerContext = {
      signal: controller.signal,
      progress: (progress) => scope.postMessage({ id: request.id, kind: 'progress', progress }),
    };
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`Unknown worker method "${request.method}"`);
        return handler(request.arg as never, ctx);
      })
      .then(
        (value) => {
          scope.postMessage({ id: request.id, kind: 'ok', value }, [...transferables(value)]);
        },
        (error: unknown) =>
          scope.postMessage({ id: request.id, kind: 'error', error: toWireError(error) }),
      )
      .finally(() => running.delete(request.id));
  };
}

/** Options of one call. */
export interface CallOptions {
  onProgress?: (progress: ProgressUpdate) => void;
  signal?: AbortSignal;
  /** Buffers to transfer with the argument (they become unusable on the caller's side). */
  transfer?: Transferable[];
}

type ArgOf<H, M extends keyof H> = H[M] extends (arg: infer A, ctx: HandlerContext) => unknown
  ? A
  : never;
type ResultOf<H, M extends keyof H> = H[M] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

/**
 * The main-thread side of a worker. The worker starts on the first call; if starting fails,
 * the failed start is forgotten so the next call can retry.
 */
export class WorkerClient<H extends Handlers> {
  #worker: Promise<Worker> | undefined;
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; onProgress?: (p: ProgressUpdate) => void }
  >();

  constructor(private readonly create: () => Worker) {}

  #start(): Promise<Worker> {
    this.#worker ??= new Promise<Worker>((resolve) => {
      const worker = this.create();
      worker.onmessage = (event: MessageEvent<Response>) => this.#receive(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.#failAll(new Error(`The worker stopped: ${event.message || 'it failed to start'}`));
      };
      resolve(worker);
    });
    return this.#worker;
  }

  #receive(message: Response): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    this.#pending.delete(message.id);
    if (message.kind === 'ok') pending.resolve(message.value);
    else pending.reject(new RemoteError(message.error));
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#worker?.then((w) => w.terminate());
    this.#worker = undefined;
  }

  /** Calls `method` in the worker; rejects with a RemoteError carrying the worker's error. */
  async call<M extends keyof H & string>(
    method: M,
    arg: ArgOf<H, M>,
    options: CallOptions = {},
  ): Promise<ResultOf<H, M>> {
    options.signal?.throwIfAborted();
    const worker = await this.#start();
    const id = this.#nextId++;
    return new Promise<ResultOf<H, M>>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress,
      });
      options.signal?.addEventListener(
        'abort',
        () => {
          worker.postMessage({ id, cancel: true } satisfies Request);
          this.#pending.delete(id);
          reject(options.signal?.reason ?? new DOMException('Cancelled', 'AbortError'));
        },
        { once: true },
      );
      worker.postMessage({ id, method, arg } satisfies Request, options.transfer ?? []);
    });
  }

  /** Stops the worker; the next call starts a new one. */
  terminate(): void {
    this.#failAll(new Error('The worker was stopped'));
  }
}
