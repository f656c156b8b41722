/**
 * A resumable, concurrent queue for jobs of several kinds: generation's answers (through
 * GenerationQueue) and the supervisor's properties, names, labels, proposals and judgements. Each
 * job is one request: `run` sends it and stores its result at once, so a pause, a cancel, a crash
 * or a refused key loses only the jobs in flight, and `start()` again (or a new queue over the
 * same store) runs only the keys `doneKeys` lacks.
 *
 * Retries with backoff honour Retry-After, errors no retry fixes stop the pass, a spending cap
 * stops it cleanly, and progress snapshots go to subscribers. Optional hooks (see JobQueueDeps)
 * carry what one kind needs beyond that: GenerationQueue loads and unloads models in `prepare`,
 * stores an 'error' answer in `onFailed`, touches the run in `afterPass`, and streams tokens to
 * its own view from inside `run`.
 *
 * Plain TypeScript (no runes) so it runs in Node (the CLI, the tests, the benchmark).
 */
import { notifyListeners } from './notify-listeners';
import { errorSummary, retryAfterMs, timerSleep } from './generation-job';
import { describeFatalJobError, isRetryableJobError } from './job-errors';
import type {
  JobFailure,
  JobQueueConfig,
  JobQueueDeps,
  JobQueueEvent,
  JobQueueListener,
  JobQueueSnapshot,
  JobQueueState,
  KindProgress,
  QueueJob,
} from './job-queue-types';

export type * from './job-queue-types';
export { refusedKeyMessage } from './job-errors';

/** How many recent job durations the ETA averages. */
const ETA_WINDOW = 20;

/** Why a pass stops early. */
type Stop = 'paused' | 'cancelled' | 'error' | 'capped';

/** One start()..end span of the queue. */
interface Session<J> {
  controller: AbortController;
  pending: J[];
  /** Why it stops early, once decided. */
  stop?: Stop;
  /** Every worker has exited: the pass only finishes its bookkeeping (afterPass). */
  closed: boolean;
  finished: Promise<JobQueueSnapshot>;
}

/** Runs a set of keyed jobs, `concurrency` at a time, each result stored as it completes. */
export class JobQueue<J extends QueueJob> {
  readonly #config: JobQueueConfig<J>;
  readonly #deps: JobQueueDeps<J>;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #isRetryable: (error: unknown) => boolean;
  readonly #describeFatal: (error: unknown) => { name: string; message: string };
  readonly #byKey: Map<string, J>;
  /** Jobs per kind, in the order kinds first appear. */
  readonly #totals = new Map<string, number>();
  readonly #listeners = new Set<JobQueueListener>();
  #maxRequests: number | null;
  #done = new Set<string>();
  /** Stored jobs per kind, kept with #done so a snapshot costs O(kinds), not O(jobs). */
  #doneByKind = new Map<string, number>();
  /** Jobs taken off the pending list and not finished yet (preparing, in flight, backing off). */
  #active = new Set<string>();
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
    this.#byKey = new Map(config.jobs.map((j) => [j.key, j]));
    if (this.#byKey.size !== config.jobs.length) {
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
    this.#isRetryable = deps.isRetryable ?? isRetryableJobError;
    this.#describeFatal = deps.describeFatal ?? describeFatalJobError;
    this.#maxRequests = config.maxRequests;
    for (const job of config.jobs)
      this.#totals.set(job.kind, (this.#totals.get(job.kind) ?? 0) + 1);
  }

  /** The current progress (a new object per call). */
  get snapshot(): JobQueueSnapshot {
    const byKind: Record<string, KindProgress> = {};
    for (const [kind, total] of this.#totals) {
      byKind[kind] = { done: this.#doneByKind.get(kind) ?? 0, total, failed: 0 };
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

  /** Jobs waiting their turn in the running pass (not yet taken by a worker); null between passes. */
  get waiting(): number | null {
    return this.#session ? this.#session.pending.length : null;
  }

  /** Why the queue stopped in state 'error' (the snapshot's `error`, without building one). */
  get error(): JobQueueSnapshot['error'] {
    return this.#error;
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
   * Runs every job whose key is not stored (so this also continues after a pause, a cancel, a
   * cap or an error) and resolves when the pass ends. Never rejects: a fatal error lands in the
   * snapshot (state 'error'). While running, returns the running pass's promise.
   */
  start(): Promise<JobQueueSnapshot> {
    const session = this.#session;
    if (session && !session.stop && !session.closed) return session.finished;
    if (session) {
      // A pass is still winding down (waiting for its aborted requests, or its afterPass):
      // start once it has, unless pause() or cancel() comes in between.
      this.#restart = true;
      return session.finished.then(() => (this.#restart ? this.start() : this.snapshot));
    }
    this.#restart = false;
    let settle!: (snapshot: JobQueueSnapshot) => void;
    const next: Session<J> = {
      controller: new AbortController(),
      pending: [],
      closed: false,
      finished: new Promise((resolve) => (settle = resolve)),
    };
    this.#session = next;
    this.#error = null;
    void this.#run(next).then((final) => {
      // Cleared before the final state is announced, so a listener may start() again at once.
      this.#session = undefined;
      this.#setState(final);
      settle(this.snapshot);
    });
    return next.finished;
  }

  /**
   * Stops: aborts the requests in flight (not stored; they run again on continue) and ends in
   * 'paused'. Everything stored so far is kept.
   */
  pause(): void {
    this.#stop('paused');
  }

  /** Stops like pause() but ends in 'cancelled' (also turns a paused queue into a cancelled one). */
  cancel(): void {
    this.#stop('cancelled');
  }

  /**
   * Tries the jobs listed as failed again: appended to the running pass (run by the workers
   * still busy), or a new pass when none runs.
   */
  retryFailed(): Promise<JobQueueSnapshot> {
    const session = this.#session;
    if (!session || session.stop || session.closed) return this.start();
    const queued = new Set(session.pending.map((j) => j.key));
    for (const { key } of this.#failures) {
      if (!queued.has(key) && !this.#active.has(key)) session.pending.push(this.#byKey.get(key)!);
    }
    return session.finished;
  }

  #stop(reason: 'paused' | 'cancelled'): void {
    this.#restart = false;
    const session = this.#session;
    if (!session) {
      if (reason === 'cancelled' && this.#state === 'paused') this.#setState('cancelled');
      return;
    }
    if (session.stop === 'error' || session.stop === reason) return;
    session.stop = reason;
    session.controller.abort();
    this.#setState(reason);
  }

  /** One pass; resolves with the state to end in. */
  async #run(session: Session<J>): Promise<JobQueueState> {
    this.#setState('running');
    let final: JobQueueState;
    try {
      const stored = await this.#deps.doneKeys();
      this.#done = new Set();
      this.#doneByKind = new Map();
      for (const key of stored) {
        const job = this.#byKey.get(key);
        if (job) this.#markDone(job);
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
      final = session.stop ?? 'done';
    } catch (error) {
      // What is stored could not be read: nothing ran.
      session.stop = 'error';
      this.#error = errorSummary(error);
      final = 'error';
    }
    session.closed = true;
    if (this.#deps.afterPass) {
      try {
        await this.#deps.afterPass(final);
      } catch (error) {
        if (final !== 'error') {
          this.#error = this.#describeFatal(error);
          final = 'error';
        }
      }
    }
    // A pause or cancel during afterPass still ends the pass as the user asked.
    if (final === 'done' && session.stop) final = session.stop;
    return final;
  }

  /** Takes jobs off the pending list until it is empty or the pass stops. */
  async #worker(session: Session<J>): Promise<void> {
    while (!session.stop) {
      const job = session.pending.shift();
      if (!job) return;
      this.#active.add(job.key);
      const finished = await this.#runJob(job, session).finally(() => this.#active.delete(job.key));
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

  /** Counts a job as stored (once). */
  #markDone(job: J): void {
    if (this.#done.has(job.key)) return;
    this.#done.add(job.key);
    this.#doneByKind.set(job.kind, (this.#doneByKind.get(job.kind) ?? 0) + 1);
  }

  /**
   * Prepares and runs one job with retries. Returns true when it was stored or listed as failed,
   * false when the pass stopped first (cap, pause, cancel, a fatal error here or elsewhere).
   */
  async #runJob(job: J, session: Session<J>): Promise<boolean> {
    const { signal } = session.controller;
    if (session.stop || this.#capped(session)) return false;
    if (this.#deps.prepare) {
      try {
        await this.#deps.prepare(job, signal);
      } catch (error) {
        if (!signal.aborted) this.#fail(session, error);
        return false;
      }
    }
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
        // Stored, even if a stop came after its reply: no finished work is thrown away.
        this.#markDone(job);
        if (this.#failures.some((f) => f.key === job.key)) {
          this.#failures = this.#failures.filter((f) => f.key !== job.key);
        }
        this.#durations.push(this.#now() - started);
        if (this.#durations.length > ETA_WINDOW) this.#durations.shift();
        this.#emit({ type: 'stored', key: job.key });
        return true;
      }
      if (signal.aborted) return false;
      if (!this.#isRetryable(failure)) {
        this.#fail(session, failure);
        return false;
      }
      if (attempt >= this.#config.retry.attempts)
        return this.#listFailure(job, failure, attempt, session);
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
   * Lists a job that failed its last attempt (replacing an older listing of it), then awaits
   * onFailed. Returns false when onFailed threw (the pass stops), else true.
   */
  async #listFailure(
    job: J,
    error: unknown,
    attempts: number,
    session: Session<J>,
  ): Promise<boolean> {
    const listed: JobFailure = { key: job.key, kind: job.kind, ...errorSummary(error) };
    this.#failures = [...this.#failures.filter((f) => f.key !== job.key), listed];
    // Its attempts are over: retryFailed() from here (a listener, onFailed) may requeue it.
    this.#active.delete(job.key);
    this.#emit({ type: 'failure', failure: listed });
    if (!this.#deps.onFailed) return true;
    try {
      await this.#deps.onFailed(job, error, attempts);
      return true;
    } catch (failure) {
      this.#fail(session, failure);
      return false;
    }
  }

  /**
   * Stops the pass for an error no retry fixes (a refused key, CORS, a model that will not
   * load) or one the queue does not know (a full disk, a bug): it would fail every job the same
   * way. The other requests in flight are aborted.
   */
  #fail(session: Session<J>, error: unknown): void {
    if (session.stop === 'paused' || session.stop === 'cancelled' || session.stop === 'error') {
      return;
    }
    session.stop = 'error';
    this.#error = this.#describeFatal(error);
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
    notifyListeners(this.#listeners, () => this.snapshot, event);
  }
}
