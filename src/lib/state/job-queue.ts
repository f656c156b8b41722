/**
 * A resumable, concurrent queue for jobs of several kinds (the supervisor's properties, names,
 * labels, proposals and judgements). Each job is one request: `run` sends it and stores its
 * result at once, so a cancel, a crash or a refused key loses only the jobs in flight, and
 * `start()` again (or a new queue over the same store) runs only the keys `doneKeys` lacks.
 *
 * It generalises GenerationQueue's loop (retries with backoff honouring Retry-After, fatal errors
 * stopping everything, progress snapshots to subscribers) to any job kind and to several jobs at
 * once. GenerationQueue keeps its own answer-specific loop for now (model loading and unloading,
 * token streaming into the progress view, 'error' answers stored for failed jobs); it shares
 * errorSummary, retryAfterMs, timerSleep and isFatalGenerationError with this queue.
 *
 * Plain TypeScript (no runes) so it runs in Node (the CLI, the tests, the benchmark).
 */
import { errorSummary, isFatalGenerationError, retryAfterMs, timerSleep } from './generation-job';

/** What every job needs: a key unique within the queue (stable across sessions) and a kind. */
export interface QueueJob {
  key: string;
  kind: string;
}

/** How often a job is tried in total per pass, and the first backoff step (it doubles). */
export interface JobRetry {
  attempts: number;
  baseDelayMs: number;
}

/** What to run. */
export interface JobQueueConfig<J extends QueueJob> {
  jobs: readonly J[];
  /** Jobs run at once (≥ 1). */
  concurrency: number;
  /**
   * Spending cap: requests sent over the queue's life, retries included; null for none. The
   * backend should not retry by itself (OpenAiBackend: `retry: { maxRetries: 0 }`), or the
   * requests it repeats are not counted.
   */
  maxRequests: number | null;
  retry: JobRetry;
}

/** What the queue works with; `sleep` and `now` are test seams. */
export interface JobQueueDeps<J extends QueueJob> {
  /** Keys whose results are stored; read at every start, so start() also resumes. */
  doneKeys(): Promise<Set<string>>;
  /**
   * Sends one job's request and stores its result before resolving. Throws on failure; a caller's
   * abort (through `signal`) may throw anything. `attempt` counts from 1 within the pass (a log
   * entry's `attempts`).
   */
  run(job: J, signal: AbortSignal, attempt: number): Promise<void>;
  /** Waits `ms`; must resolve early when `signal` aborts. Default timerSleep. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock in ms (durations for the ETA). Default Date.now. */
  now?: () => number;
}

/**
 * idle: never started; running; done: every job stored or failed; capped: the spending cap was
 * reached with jobs left; cancelled: the user stopped it; error: a fatal error stopped it.
 */
export type JobQueueState = 'idle' | 'running' | 'done' | 'capped' | 'cancelled' | 'error';

/** Progress of one job kind. */
export interface KindProgress {
  done: number;
  total: number;
  failed: number;
}

/** A job that failed its last attempt this pass (not stored; a later start() tries it again). */
export interface JobFailure {
  key: string;
  kind: string;
  name: string;
  message: string;
}

/** The queue's progress, for a progress view. */
export interface JobQueueSnapshot {
  state: JobQueueState;
  /** Per job kind, in the order kinds first appear in the jobs. */
  byKind: Record<string, KindProgress>;
  /** Requests sent so far, retries included (what the cap counts). */
  requestsSpent: number;
  maxRequests: number | null;
  /** Requests in flight now. */
  inFlight: number;
  /** Seconds left at the recent pace; null until a job has finished or when nothing runs. */
  etaSeconds: number | null;
  failures: readonly JobFailure[];
  /** Why the queue stopped in state 'error'. */
  error: { name: string; message: string } | null;
}

/** What changed, passed to listeners with the new snapshot. */
export type JobQueueEvent =
  | { type: 'state'; state: JobQueueState }
  | { type: 'request'; key: string; attempt: number }
  | { type: 'stored'; key: string }
  | { type: 'retry'; key: string; attempt: number; delayMs: number; reason: string }
  | { type: 'failure'; failure: JobFailure };

/** Called after every change. */
export type JobQueueListener = (snapshot: JobQueueSnapshot, event: JobQueueEvent) => void;

/** Errors a new attempt can fix: rate limits, server failures, timeouts, broken or bad replies. */
const RETRYABLE = new Set([
  'RateLimitError',
  'ServerError',
  'TimeoutError',
  'NetworkError',
  'IncompleteAnswerError',
  'BadResponseError',
]);

/** How many recent job durations the ETA averages. */
const ETA_WINDOW = 20;

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

/** One start()..end span of the queue. */
interface Session<J> {
  controller: AbortController;
  pending: J[];
  /** Why it stops early, once decided. */
  stop?: 'cancelled' | 'error' | 'capped';
  finished: Promise<JobQueueSnapshot>;
}

/** Runs a set of keyed jobs, `concurrency` at a time, each result stored as it completes. */
export class JobQueue<J extends QueueJob> {
  readonly #config: JobQueueConfig<J>;
  readonly #deps: JobQueueDeps<J>;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #kinds: string[];
  readonly #listeners = new Set<JobQueueListener>();
  #maxRequests: number | null;
  #done = new Set<string>();
  #failures: JobFailure[] = [];
  #durations: number[] = [];
  #requestsSpent = 0;
  #inFlight = 0;
  #state: JobQueueState = 'idle';
  #error: JobQueueSnapshot['error'] = null;
  #session: Session<J> | undefined;
  /** start() was called while a stopped pass was still winding down. */
  #restart = false;

  /**
   * Nothing runs until `start()`.
   * @throws RangeError for duplicate keys, a concurrency below 1 or fewer than 1 attempt.
   */
  constructor(config: JobQueueConfig<J>, deps: JobQueueDeps<J>) {
    if (new Set(config.jobs.map((j) => j.key)).size !== config.jobs.length) {
      throw new RangeError('Job keys must be unique: two jobs would share one stored result.');
    }
    if (!Number.isInteger(config.concurrency) || config.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number ≥ 1, not ${config.concurrency}.`);
    }
    if (!Number.isInteger(config.retry.attempts) || config.retry.attempts < 1) {
      throw new RangeError(`retry.attempts must be a whole number ≥ 1.`);
    }
    this.#config = config;
    this.#deps = deps;
    this.#sleep = deps.sleep ?? timerSleep;
    this.#now = deps.now ?? Date.now;
    this.#maxRequests = config.maxRequests;
    this.#kinds = [...new Set(config.jobs.map((j) => j.kind))];
  }

  /** The current progress (a new object per call). */
  get snapshot(): JobQueueSnapshot {
    const byKind: Record<string, KindProgress> = {};
    for (const kind of this.#kinds) byKind[kind] = { done: 0, total: 0, failed: 0 };
    for (const job of this.#config.jobs) {
      const progress = byKind[job.kind]!;
      progress.total++;
      if (this.#done.has(job.key)) progress.done++;
    }
    for (const f of this.#failures) byKind[f.kind]!.failed++;
    return {
      state: this.#state,
      byKind,
      requestsSpent: this.#requestsSpent,
      maxRequests: this.#maxRequests,
      inFlight: this.#inFlight,
      etaSeconds: this.#eta(),
      failures: this.#failures,
      error: this.#error,
    };
  }

  /** Calls `listener` after every change (not immediately); returns the unsubscribe function. */
  subscribe(listener: JobQueueListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Changes the spending cap (e.g. the user raised it after the queue stopped 'capped'); takes
   * effect for the next request.
   */
  setMaxRequests(maxRequests: number | null): void {
    this.#maxRequests = maxRequests;
  }

  /**
   * Runs every job whose key is not stored (so this also continues after a cancel, a cap or an
   * error) and resolves when the pass ends. Never rejects: a fatal error lands in the snapshot
   * (state 'error'). While running, returns the running pass's promise.
   */
  start(): Promise<JobQueueSnapshot> {
    const session = this.#session;
    if (session && !session.stop) return session.finished;
    if (session) {
      // A stopping pass is still waiting for its aborted requests: start once they are out,
      // unless cancel() comes in between.
      this.#restart = true;
      return session.finished.then(() => (this.#restart ? this.start() : this.snapshot));
    }
    this.#restart = false;
    let settle!: (snapshot: JobQueueSnapshot) => void;
    const next: Session<J> = {
      controller: new AbortController(),
      pending: [],
      finished: new Promise((resolve) => (settle = resolve)),
    };
    this.#session = next;
    this.#error = null;
    void this.#run(next).then((final) => {
      this.#session = undefined;
      this.#setState(final);
      settle(this.snapshot);
    });
    return next.finished;
  }

  /**
   * Stops: aborts the requests in flight (not stored; they run again on continue) and ends in
   * 'cancelled'. Everything stored so far is kept.
   */
  cancel(): void {
    this.#restart = false;
    const session = this.#session;
    if (!session || session.stop === 'cancelled' || session.stop === 'error') return;
    session.stop = 'cancelled';
    session.controller.abort();
    this.#setState('cancelled');
  }

  /** One pass; resolves with the state to end in. */
  async #run(session: Session<J>): Promise<JobQueueState> {
    this.#setState('running');
    try {
      const stored = await this.#deps.doneKeys();
      this.#done = new Set(this.#config.jobs.filter((j) => stored.has(j.key)).map((j) => j.key));
    } catch (error) {
      this.#error = errorSummary(error);
      return 'error';
    }
    // Every missing job runs again, the ones that failed last pass included.
    this.#failures = [];
    session.pending = this.#config.jobs.filter((j) => !this.#done.has(j.key));
    // The counts changed with what is stored: show them before the first request.
    this.#emit({ type: 'state', state: 'running' });
    const workers = Array.from(
      { length: Math.min(this.#config.concurrency, session.pending.length) },
      () => this.#worker(session),
    );
    await Promise.all(workers);
    if (session.stop) return session.stop;
    return 'done';
  }

  /** Takes jobs off the pending list until it is empty or the pass stops. */
  async #worker(session: Session<J>): Promise<void> {
    while (!session.stop) {
      const job = session.pending.shift();
      if (!job) return;
      const finished = await this.#runJob(job, session);
      // Not finished: the cap or a stop left it unstored; continue runs it again.
      if (!finished) return;
    }
  }

  /** Whether the cap forbids another request; marks the pass capped the first time. */
  #capped(session: Session<J>): boolean {
    if (this.#maxRequests === null || this.#requestsSpent < this.#maxRequests) return false;
    session.stop ??= 'capped';
    return true;
  }

  /**
   * Runs one job with retries. Returns true when it was stored or listed as failed, false when
   * the pass stopped first (cap, cancel, a fatal error elsewhere).
   */
  async #runJob(job: J, session: Session<J>): Promise<boolean> {
    const { signal } = session.controller;
    for (let attempt = 1; ; attempt++) {
      if (session.stop || this.#capped(session)) return false;
      this.#requestsSpent++;
      this.#inFlight++;
      this.#emit({ type: 'request', key: job.key, attempt });
      const started = this.#now();
      let failure: unknown;
      let ok = false;
      try {
        await this.#deps.run(job, signal, attempt);
        ok = true;
      } catch (error) {
        failure = error;
      }
      this.#inFlight--;
      if (ok) {
        // Stored, even if a cancel came after its reply: no finished work is thrown away.
        this.#done.add(job.key);
        this.#durations.push(this.#now() - started);
        if (this.#durations.length > ETA_WINDOW) this.#durations.shift();
        this.#emit({ type: 'stored', key: job.key });
        return true;
      }
      if (signal.aborted) return false;
      const { name } = errorSummary(failure);
      if (isFatalGenerationError(failure) || !RETRYABLE.has(name)) {
        this.#fail(session, failure);
        return false;
      }
      if (attempt >= this.#config.retry.attempts) {
        const listed: JobFailure = { key: job.key, kind: job.kind, ...errorSummary(failure) };
        this.#failures = [...this.#failures, listed];
        this.#emit({ type: 'failure', failure: listed });
        return true;
      }
      const delayMs = retryAfterMs(failure) ?? this.#config.retry.baseDelayMs * 2 ** (attempt - 1);
      this.#emit({
        type: 'retry',
        key: job.key,
        attempt,
        delayMs,
        reason: errorSummary(failure).message,
      });
      await this.#sleep(delayMs, signal).catch(() => undefined);
    }
  }

  /**
   * Stops the pass for an error no retry fixes (a refused key, CORS, a model that will not
   * load) or one the queue does not know (a full disk, a bug): it would fail every job the same
   * way. The other requests in flight are aborted.
   */
  #fail(session: Session<J>, error: unknown): void {
    if (session.stop === 'cancelled' || session.stop === 'error') return;
    session.stop = 'error';
    this.#error =
      errorSummary(error).name === 'AuthError'
        ? { name: 'AuthError', message: refusedKeyMessage(error) }
        : errorSummary(error);
    session.controller.abort();
  }

  /** Remaining jobs × mean recent duration / concurrency, while a pass runs. */
  #eta(): number | null {
    const session = this.#session;
    if (!session || session.stop || this.#durations.length === 0) return null;
    const remaining = session.pending.length + this.#inFlight;
    const mean = this.#durations.reduce((a, b) => a + b, 0) / this.#durations.length;
    const parallel = Math.max(1, Math.min(this.#config.concurrency, remaining));
    return (remaining * mean) / parallel / 1000;
  }

  #setState(state: JobQueueState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #emit(event: JobQueueEvent): void {
    if (this.#listeners.size === 0) return;
    const snapshot = this.snapshot;
    for (const listener of this.#listeners) {
      try {
        listener(snapshot, event);
      } catch (error) {
        // A broken view must not stop the queue; surface the bug outside it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
