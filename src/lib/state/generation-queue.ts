/**
 * The generation queue (workflow step 2): runs a run's missing (prompt, side, sample) jobs one
 * at a time and writes each answer to the run repository the moment it completes, so a closed
 * tab, a crash or a lost GPU loses at most the answer in flight, and `start()` on a new queue
 * over the same run resumes where the old one stopped.
 *
 * The loop itself (passes, pause/cancel, retries with backoff honouring Retry-After, fatal
 * errors, retryFailed) is the JobQueue the supervisor uses too, at concurrency 1 and without a
 * cap; this class adds what answers need through its hooks: the side's model loaded (and the
 * other one unloaded) before a job, tokens streamed into `current`, an 'error' answer stored
 * after a job's last attempt, the run touched when a pass ends. Plain TypeScript (no runes) so
 * it runs in Node; a Svelte state class mirrors its snapshots through `subscribe`.
 */
import { notifyListeners } from './notify-listeners';
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
  answerPYes,
  errorSummary,
  isFatalGenerationError,
  jobRequest,
  streamAnswer,
  timerSleep,
} from './generation-job';
import type {
  QueueEvent,
  QueueFailure,
  QueueListener,
  QueueSnapshot,
  QueueState,
  SideProgress,
} from './generation-progress';
import { JobQueue, type JobQueueEvent, type JobQueueState } from './job-queue';

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

/** A generation job as the JobQueue sees it: keyed by jobKey, its kind the side. */
interface AnswerJob {
  key: string;
  kind: Side;
  job: GenerationJob;
}

/**
 * A write to the run repository failed: no retry of the generation fixes that, so the pass
 * stops with the storage error itself (a full disk, a closed database).
 */
class StoreError extends Error {
  override name = 'StoreError';
  constructor(readonly failure: unknown) {
    super(errorSummary(failure).message);
  }
}

/** Runs a run's missing generation jobs, one at a time, persisting every answer at once. */
export class GenerationQueue {
  readonly #config: QueueConfig;
  readonly #deps: QueueDeps;
  readonly #now: () => number;
  readonly #oneModelAtATime: boolean;
  readonly #plan: GenerationJob[];
  readonly #planKeys: Set<string>;
  readonly #prompts: Map<string, Prompt>;
  readonly #jobs: JobQueue<AnswerJob>;
  readonly #listeners = new Set<QueueListener>();
  /** Backends that may hold a model, so one-model-at-a-time can unload them. */
  readonly #loaded = new Set<ChatBackend>();
  /** Backends loaded (or checked loaded) in this pass. */
  #ready = new Set<ChatBackend>();
  /** Whether this pass stored anything (an answer or an 'error' answer), so touch() is due. */
  #appended = false;
  /** Keys of jobs with a stored, non-error answer, and their count per side. */
  #doneKeys = new Set<string>();
  #doneBySide: Record<Side, number> = { A: 0, B: 0 };
  #completions: Completion[] = [];
  #failures: readonly QueueFailure[] = [];
  #state: QueueState = 'idle';
  #current: QueueSnapshot['current'] = null;
  #loading: QueueSnapshot['loading'] = null;

  /**
   * Plans the jobs; nothing runs until `start()`.
   * @throws RangeError for a negative or fractional samplesPerPrompt, duplicate prompt ids, or
   * retry attempts below 1.
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
    const order = config.order ?? 'side-by-side';
    this.#oneModelAtATime = config.oneModelAtATime ?? order === 'one-model-at-a-time';
    const plan = planJobs(config.prompts, config.samplesPerPrompt, order);
    this.#plan = plan;
    this.#planKeys = new Set(plan.map(jobKey));
    this.#jobs = new JobQueue<AnswerJob>(
      {
        jobs: plan.map((job) => ({ key: jobKey(job), kind: job.side, job })),
        // One model generates at a time: browsers have one GPU, and a local server one model.
        concurrency: 1,
        maxRequests: null,
        retry: deps.retry ?? { attempts: 2, baseDelayMs: 1000 },
      },
      {
        doneKeys: () => this.#startPass(),
        prepare: (job, signal) => this.#prepare(job.job.side, signal),
        run: (job, signal, attempt) => this.#generate(job.job, signal, attempt),
        // Any backend error but the fatal ones may be a passing fault; a failed write is not.
        isRetryable: (error) => !(error instanceof StoreError) && !isFatalGenerationError(error),
        onFailed: (job, error, attempts) => this.#storeFailure(job.job, attempts, error),
        afterPass: (state) => this.#endPass(state),
        // The backends' own messages (already free of keys) say what to fix.
        describeFatal: (error) => errorSummary(error instanceof StoreError ? error.failure : error),
        sleep: deps.sleep ?? timerSleep,
      },
    );
    this.#jobs.subscribe((_, event) => this.#onJobEvent(event));
  }

  /** The current progress (a new object per call). */
  get snapshot(): QueueSnapshot {
    const bySide = {} as Record<Side, SideProgress>;
    const perSide = this.#config.prompts.length * this.#config.samplesPerPrompt;
    for (const side of SIDES)
      bySide[side] = { done: this.#doneBySide[side], total: perSide, failed: 0 };
    for (const f of this.#failures) bySide[f.side].failed++;
    const done = this.#doneKeys.size;
    const waiting = this.#jobs.waiting;
    // The job being loaded for or generated is off the waiting list but not done.
    const remaining =
      waiting === null
        ? this.#plan.length - done
        : waiting + (this.#current || this.#loading ? 1 : 0);
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
      error: this.#jobs.error,
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
   * kept. While running, returns the running pass's promise.
   */
  start(): Promise<QueueSnapshot> {
    return this.#jobs.start().then(() => this.snapshot);
  }

  /** Stops after aborting the job in flight, which is not stored and reruns on resume. */
  pause(): void {
    this.#jobs.pause();
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
    this.#jobs.cancel();
  }

  /** Retries the failed jobs: appended to the running pass, or a new pass if stopped. */
  retryFailed(): Promise<QueueSnapshot> {
    return this.#jobs.retryFailed().then(() => this.snapshot);
  }

  /** The start of a pass: reads what is stored; the JobQueue runs the keys it lacks. */
  async #startPass(): Promise<Set<string>> {
    this.#ready = new Set();
    this.#appended = false;
    const stored = await this.#deps.repo.answers(this.#config.runId);
    this.#doneKeys = new Set();
    this.#doneBySide = { A: 0, B: 0 };
    for (const a of stored) if (a.finishReason !== 'error') this.#markDone(a);
    // A job listed as failed may have been answered since (another pass, an import).
    this.#failures = this.#failures.filter((f) => !this.#doneKeys.has(jobKey(f)));
    // 'error' answers count as missing, so their jobs run again.
    const missing = new Set(missingJobs(this.#plan, stored).map(jobKey));
    return new Set([...this.#planKeys].filter((key) => !missing.has(key)));
  }

  /** The end of a pass: nothing in flight, and the run's real last change marked. */
  async #endPass(state: JobQueueState): Promise<void> {
    this.#current = null;
    this.#loading = null;
    // appendAnswer bumps updatedAt only every so often; mark the run's real last change.
    if (!this.#appended) return;
    try {
      await this.#deps.repo.touch(this.#config.runId);
    } catch (error) {
      if (state !== 'error') throw new StoreError(error);
    }
  }

  /** Mirrors the JobQueue's states and retries into this queue's snapshots and events. */
  #onJobEvent(event: JobQueueEvent): void {
    if (event.type === 'state') {
      if (event.state !== 'idle' && event.state !== 'capped') this.#setState(event.state);
    } else if (event.type === 'retry' && this.#current) {
      this.#current = { ...this.#current, retryInMs: event.delayMs };
      this.#emit({
        type: 'retry',
        job: this.#current,
        delayMs: event.delayMs,
        reason: event.reason,
      });
    }
  }

  /** Counts a stored answer of a planned job as done (once). */
  #markDone(job: GenerationJob): void {
    const key = jobKey(job);
    if (!this.#planKeys.has(key) || this.#doneKeys.has(key)) return;
    this.#doneKeys.add(key);
    this.#doneBySide[job.side]++;
  }

  /**
   * Loads the side's backend (a no-op if it already is), first unloading the other model when
   * only one may be in memory. Any load failure is fatal: every job of this model would fail too.
   */
  async #prepare(side: Side, signal: AbortSignal): Promise<void> {
    const backend = this.#deps.backendFor(side);
    if (this.#ready.has(backend)) return;
    if (this.#oneModelAtATime) {
      for (const other of this.#loaded) {
        if (other === backend) continue;
        // Best effort: if freeing fails, the load below reports the memory problem itself.
        await other.unload().catch(() => undefined);
        this.#loaded.delete(other);
        this.#ready.delete(other);
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
    this.#ready.add(backend);
    this.#setState('running');
  }

  /**
   * One attempt at a job: streams the answer into `current` and stores it.
   * @throws the backend's errors (the JobQueue retries or stops on them) and StoreError.
   */
  async #generate(job: GenerationJob, signal: AbortSignal, attempt: number): Promise<void> {
    const backend = this.#deps.backendFor(job.side);
    const prompt = this.#prompts.get(job.promptId)!;
    const spec = this.#config.models[job.side];
    const { messages, options } = jobRequest(spec, prompt, job.sample, signal, backend);
    this.#current = { ...job, attempt, text: '', tokens: 0, retryInMs: null };
    this.#emit({ type: 'job', job: this.#current });
    const started = this.#now();
    const result = await streamAnswer(backend, messages, options, (text, tokens) => {
      if (this.#current) this.#current = { ...this.#current, text, tokens };
      this.#emit({ type: 'token', text });
    });
    const latencyMs = Math.max(0, this.#now() - started);
    // Scored without the signal: a complete answer is kept even if pause came after its last
    // token (no work is lost), and one forward pass is short.
    const pYes = prompt.approval ? await answerPYes(backend, messages, result) : undefined;
    const answer: Answer = {
      ...job,
      text: result.text,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      finishReason: result.finishReason,
      latencyMs: Math.round(latencyMs),
      createdAt: new Date(this.#now()).toISOString(),
      ...(pYes !== undefined ? { pYes } : {}),
    };
    await this.#append(answer);
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
  }

  /** Stores an 'error' answer so the failure is on record (and retried later), and lists it. */
  async #storeFailure(job: GenerationJob, attempts: number, error: unknown): Promise<void> {
    const at = new Date(this.#now()).toISOString();
    await this.#append({ ...job, text: '', finishReason: 'error', createdAt: at });
    const failure: QueueFailure = { ...job, attempts, ...errorSummary(error), at };
    const key = jobKey(job);
    this.#failures = [...this.#failures.filter((f) => jobKey(f) !== key), failure];
    this.#current = null;
    this.#emit({ type: 'failure', failure });
  }

  /** Writes one answer row; a failed write becomes a StoreError, which stops the pass. */
  async #append(answer: Answer): Promise<void> {
    try {
      await this.#deps.repo.appendAnswer(this.#config.runId, answer);
    } catch (error) {
      throw new StoreError(error);
    }
    this.#appended = true;
  }

  #setState(state: QueueState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #emit(event: QueueEvent): void {
    notifyListeners(this.#listeners, () => this.snapshot, event);
  }
}
