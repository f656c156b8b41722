/**
 * The generation queue (workflow step 2): runs a run's missing (prompt, side, sample) jobs one
 * at a time and writes each answer to the run repository the moment it completes, so a closed
 * tab, a crash or a lost GPU loses at most the answer in flight, and `start()` on a new queue
 * over the same run resumes where the old one stopped. Plain TypeScript (no runes) so it runs in
 * Node; a Svelte state class mirrors its snapshots through `subscribe`.
 */
import type { ChatBackend } from '../backends/llm/types';
import {
  jobKey,
  missingJobs,
  planJobs,
  type GenerationJob,
  type JobOrder,
} from '../core/generate/jobs';
import { estimateRate, type Completion } from '../core/generate/rate';
import { SIDES, type Answer, type ModelSpec, type Prompt, type Side } from '../core/run/types';
import type { RunRepository } from '../persistence/runs';
import {
  errorSummary,
  isFatalGenerationError,
  jobRequest,
  retryAfterMs,
  streamAnswer,
  timerSleep,
  type StreamedAnswer,
} from './generation-job';
import type {
  InFlightJob,
  QueueEvent,
  QueueFailure,
  QueueListener,
  QueueSnapshot,
  QueueState,
  SideProgress,
} from './generation-progress';

export type * from './generation-progress';

/** What to generate: the run, its prompts and both models. */
export interface QueueConfig {
  runId: string;
  prompts: readonly Prompt[];
  models: Record<Side, ModelSpec>;
  samplesPerPrompt: number;
  order?: JobOrder;
  /**
   * Unload the other side's model before loading one (GPU memory is short). Default: true for
   * one-model-at-a-time order; with side-by-side order it would reload a model for every job.
   */
  oneModelAtATime?: boolean;
}

/** How often a failing job is tried (in total, per pass) and the first backoff step. */
export interface QueueRetry {
  attempts: number;
  baseDelayMs: number;
}

/** What the queue works with; `now` and `sleep` are test seams. */
export interface QueueDeps {
  repo: Pick<RunRepository, 'appendAnswer' | 'answers' | 'touch'>;
  /** The (constructed, maybe not loaded) backend of a side; both sides may share one. */
  backendFor(side: Side): ChatBackend;
  /** Wall clock in ms since the epoch (createdAt, latency). Default Date.now. */
  now?: () => number;
  /** Default 2 attempts, 1 s first backoff. */
  retry?: QueueRetry;
  /** Waits `ms`; must reject or resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** One start()..stop span; its own controller so a late pause cannot hit the next session. */
interface Session {
  controller: AbortController;
  pending: GenerationJob[];
  /** Why it stops, once pause() or cancel() was called. */
  stop?: 'paused' | 'cancelled';
  /** Backends loaded (or checked loaded) in this pass. */
  ready: Set<ChatBackend>;
  /** The job loop has exited; the session only finishes its bookkeeping. */
  closed: boolean;
  finished: Promise<QueueSnapshot>;
}

/** Runs a run's missing generation jobs, one at a time, persisting every answer at once. */
export class GenerationQueue {
  readonly #config: QueueConfig;
  readonly #deps: QueueDeps;
  readonly #now: () => number;
  readonly #retry: QueueRetry;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #oneModelAtATime: boolean;
  readonly #plan: GenerationJob[];
  readonly #planKeys: Set<string>;
  readonly #prompts: Map<string, Prompt>;
  readonly #listeners = new Set<QueueListener>();
  /** Backends that may hold a model, so one-model-at-a-time can unload them. */
  readonly #loaded = new Set<ChatBackend>();
  /** Keys of jobs with a stored, non-error answer, and their count per side. */
  #doneKeys = new Set<string>();
  #doneBySide: Record<Side, number> = { A: 0, B: 0 };
  #completions: Completion[] = [];
  #failures: readonly QueueFailure[] = [];
  #state: QueueState = 'idle';
  #current: InFlightJob | null = null;
  #loading: QueueSnapshot['loading'] = null;
  #error: QueueSnapshot['error'] = null;
  #session: Session | undefined;
  /** start() was called while the previous pass was still winding down. */
  #restart = false;

  /**
   * Plans the jobs; nothing runs until `start()`.
   * @throws RangeError for a negative or fractional samplesPerPrompt or duplicate prompt ids.
   */
  constructor(config: QueueConfig, deps: QueueDeps) {
    if (!Number.isInteger(config.samplesPerPrompt) || config.samplesPerPrompt < 0) {
      throw new RangeError(
        `samplesPerPrompt must be a whole number ≥ 0, not ${config.samplesPerPrompt}.`,
      );
    }
    this.#prompts = new Map(config.prompts.map((p) => [p.id, p]));
    if (this.#prompts.size !== config.prompts.length) {
      throw new RangeError('Prompt ids must be unique: two prompts would share their answers.');
    }
    this.#config = config;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#retry = deps.retry ?? { attempts: 2, baseDelayMs: 1000 };
    this.#sleep = deps.sleep ?? timerSleep;
    const order = config.order ?? 'side-by-side';
    this.#oneModelAtATime = config.oneModelAtATime ?? order === 'one-model-at-a-time';
    this.#plan = planJobs(config.prompts, config.samplesPerPrompt, order);
    this.#planKeys = new Set(this.#plan.map(jobKey));
  }

  /** The current progress (a new object per call). */
  get snapshot(): QueueSnapshot {
    const bySide = {} as Record<Side, SideProgress>;
    const perSide = this.#config.prompts.length * this.#config.samplesPerPrompt;
    for (const side of SIDES) bySide[side] = { done: 0, total: perSide, failed: 0 };
    for (const side of SIDES) bySide[side].done = this.#doneBySide[side];
    for (const f of this.#failures) bySide[f.side].failed++;
    const done = this.#doneKeys.size;
    const session = this.#session;
    const remaining = session
      ? session.pending.length + (this.#current ? 1 : 0)
      : this.#plan.length - done;
    const rate = estimateRate(this.#completions, remaining);
    return {
      state: this.#state,
      done,
      total: this.#plan.length,
      failed: this.#failures.length,
      bySide,
      current: this.#current,
      tokensPerSecond: rate.tokensPerSecond,
      etaSeconds: rate.etaSeconds,
      failures: this.#failures,
      loading: this.#loading,
      error: this.#error,
    };
  }

  /** Calls `listener` after every change (not immediately); returns the unsubscribe function. */
  subscribe(listener: QueueListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs every missing job (stored answers are read first, so this also resumes) and resolves
   * when all are done, or the queue was paused, cancelled or stopped by an error. Never
   * rejects: a fatal error lands in the snapshot (state 'error') with everything done so far
   * kept. While running, returns the running session's promise.
   */
  start(): Promise<QueueSnapshot> {
    const session = this.#session;
    if (session && !session.stop && !session.closed) return session.finished;
    if (session) {
      // A pass is still winding down (aborting the job in flight, or its last write): start
      // once it has, unless pause() or cancel() came in between.
      this.#restart = true;
      return session.finished.then(() => (this.#restart ? this.start() : this.snapshot));
    }
    let settle!: (snapshot: QueueSnapshot) => void;
    const next: Session = {
      controller: new AbortController(),
      pending: [],
      ready: new Set(),
      closed: false,
      finished: new Promise((resolve) => (settle = resolve)),
    };
    this.#session = next;
    this.#restart = false;
    this.#error = null;
    void this.#run(next).then((final) => {
      // Cleared before the final state is announced, so a listener may start() again at once.
      this.#session = undefined;
      if (final) this.#setState(final);
      settle(this.snapshot);
    });
    return next.finished;
  }

  /** Stops after aborting the job in flight, which is not stored and reruns on resume. */
  pause(): void {
    this.#stop('paused');
  }

  /** Continues a paused queue (same as start: it re-reads what is stored). */
  resume(): Promise<QueueSnapshot> {
    return this.start();
  }

  /**
   * Stops like pause but ends in 'cancelled' (the user gave up on this pass). Answers stored so
   * far are kept; a later start() can still finish the run.
   */
  cancel(): void {
    this.#stop('cancelled');
    if (this.#state === 'paused' && !this.#session) this.#setState('cancelled');
  }

  /** Retries the failed jobs: appended to the running pass, or a new pass if stopped. */
  retryFailed(): Promise<QueueSnapshot> {
    const session = this.#session;
    if (!session || session.stop || session.closed) return this.start();
    const queued = new Set(session.pending.map(jobKey));
    for (const f of this.#failures) {
      if (!queued.has(jobKey(f))) {
        session.pending.push({ promptId: f.promptId, side: f.side, sample: f.sample });
      }
    }
    return session.finished;
  }

  #stop(reason: 'paused' | 'cancelled'): void {
    this.#restart = false;
    const session = this.#session;
    if (!session) return;
    session.stop = reason;
    session.controller.abort();
    this.#setState(reason);
  }

  /** One pass over the missing jobs; resolves with the state to end in (none if stopped). */
  async #run(session: Session): Promise<'done' | 'error' | undefined> {
    const { signal } = session.controller;
    let appended = false;
    let final: 'done' | 'error' | undefined;
    try {
      this.#setState('running');
      const stored = await this.#deps.repo.answers(this.#config.runId);
      this.#doneKeys = new Set();
      this.#doneBySide = { A: 0, B: 0 };
      for (const a of stored) if (a.finishReason !== 'error') this.#markDone(a);
      session.pending = missingJobs(this.#plan, stored);
      // A job listed as failed may have been answered since (another pass, an import).
      this.#failures = this.#failures.filter((f) => !this.#doneKeys.has(jobKey(f)));
      while (session.pending.length > 0 && !signal.aborted) {
        const job = session.pending[0]!;
        const backend = this.#deps.backendFor(job.side);
        if (!session.ready.has(backend)) {
          await this.#load(job.side, backend, session);
          if (signal.aborted) break;
        }
        // Off the list while it runs, so retryFailed() from a failure listener can requeue it.
        session.pending.shift();
        const finished = await this.#runJob(job, backend, signal);
        appended ||= finished;
        if (!finished) {
          session.pending.unshift(job);
          break;
        }
      }
      if (!signal.aborted) final = 'done';
    } catch (error) {
      this.#error = errorSummary(error);
      final = 'error';
    }
    session.closed = true;
    this.#current = null;
    this.#loading = null;
    // appendAnswer bumps updatedAt only every so often; mark the run's real last change.
    if (appended) {
      await this.#deps.repo.touch(this.#config.runId).catch((error: unknown) => {
        if (final === 'error') return;
        this.#error = errorSummary(error);
        final = 'error';
      });
    }
    return final;
  }

  /** Counts a stored answer of a planned job as done (once). */
  #markDone(job: GenerationJob): void {
    const key = jobKey(job);
    if (!this.#planKeys.has(key) || this.#doneKeys.has(key)) return;
    this.#doneKeys.add(key);
    this.#doneBySide[job.side]++;
  }

  /**
   * Loads `backend` (a no-op if it already is), first unloading the other model when only one
   * may be in memory. Any load failure is fatal: every job of this model would fail too.
   */
  async #load(side: Side, backend: ChatBackend, session: Session): Promise<void> {
    const { signal } = session.controller;
    if (this.#oneModelAtATime) {
      for (const other of this.#loaded) {
        if (other === backend) continue;
        // Best effort: if freeing fails, the load below reports the memory problem itself.
        await other.unload().catch(() => undefined);
        this.#loaded.delete(other);
        session.ready.delete(other);
      }
    }
    const label = this.#config.models[side].label;
    this.#loading = { side, label, progress: null };
    this.#setState('loading');
    this.#emit({ type: 'load', side, progress: null });
    this.#loaded.add(backend);
    const loading = backend.load((progress) => {
      if (signal.aborted) return;
      this.#loading = { side, label, progress };
      this.#emit({ type: 'load', side, progress });
    });
    // Loads cannot be aborted; a pause stops waiting and lets the load finish in the background.
    loading.catch(() => undefined);
    const aborted = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([loading, aborted]);
    this.#loading = null;
    if (signal.aborted) return;
    session.ready.add(backend);
    this.#setState('running');
  }

  /**
   * Generates one job with retries and stores the answer (or, after the last attempt, an
   * 'error' answer). Returns false when aborted by pause/cancel: nothing stored.
   * @throws fatal backend errors (isFatalGenerationError) and storage errors, which stop the queue.
   */
  async #runJob(job: GenerationJob, backend: ChatBackend, signal: AbortSignal): Promise<boolean> {
    const { messages, options } = jobRequest(
      this.#config.models[job.side],
      this.#prompts.get(job.promptId)!.text,
      job.sample,
      signal,
    );
    const onToken = (text: string, tokens: number) => {
      if (this.#current) this.#current = { ...this.#current, text, tokens };
      this.#emit({ type: 'token', text });
    };
    for (let attempt = 1; ; attempt++) {
      this.#current = { ...job, attempt, text: '', tokens: 0, retryInMs: null };
      this.#emit({ type: 'job', job: this.#current });
      const started = this.#now();
      let result: StreamedAnswer;
      try {
        result = await streamAnswer(backend, messages, options, onToken);
      } catch (error) {
        if (signal.aborted) return false;
        if (isFatalGenerationError(error)) throw error;
        if (attempt >= this.#retry.attempts) {
          await this.#storeFailure(job, attempt, error);
          return true;
        }
        const delayMs = retryAfterMs(error) ?? this.#retry.baseDelayMs * 2 ** (attempt - 1);
        this.#current = { ...this.#current, retryInMs: delayMs };
        const reason = errorSummary(error).message;
        this.#emit({ type: 'retry', job: this.#current, delayMs, reason });
        await this.#sleep(delayMs, signal).catch(() => undefined);
        if (signal.aborted) return false;
        continue;
      }
      // A complete answer is kept even if pause came after its last token: no work is lost.
      const latencyMs = Math.max(0, this.#now() - started);
      const answer: Answer = {
        ...job,
        text: result.text,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        finishReason: result.finishReason,
        latencyMs: Math.round(latencyMs),
        createdAt: new Date(this.#now()).toISOString(),
      };
      await this.#deps.repo.appendAnswer(this.#config.runId, answer);
      this.#markDone(job);
      const key = jobKey(job);
      this.#failures = this.#failures.filter((f) => jobKey(f) !== key);
      this.#completions.push({
        at: this.#now(),
        tokens: answer.completionTokens!,
        durationMs: latencyMs,
      });
      if (this.#completions.length > 100) this.#completions.splice(0, 50);
      this.#current = null;
      this.#emit({ type: 'answer', answer });
      return true;
    }
  }

  /** Stores an 'error' answer so the failure is on record (and retried later), and lists it. */
  async #storeFailure(job: GenerationJob, attempts: number, error: unknown): Promise<void> {
    const at = new Date(this.#now()).toISOString();
    const answer: Answer = { ...job, text: '', finishReason: 'error', createdAt: at };
    await this.#deps.repo.appendAnswer(this.#config.runId, answer);
    const failure: QueueFailure = { ...job, attempts, ...errorSummary(error), at };
    const key = jobKey(job);
    this.#failures = [...this.#failures.filter((f) => jobKey(f) !== key), failure];
    this.#current = null;
    this.#emit({ type: 'failure', failure });
  }

  #setState(state: QueueState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #emit(event: QueueEvent): void {
    if (this.#listeners.size === 0) return;
    const snapshot = this.snapshot;
    for (const listener of this.#listeners) {
      try {
        listener(snapshot, event);
      } catch (error) {
        // A broken view must not stop generation; surface the bug outside the queue.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
