/** What the job queue is given and what it reports: jobs, options, hooks, snapshots and events. */

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

/**
 * What the queue works with. `doneKeys` and `run` are the job kind's own; the optional hooks let
 * a kind with more to do (generation: models to load, 'error' answers to store, the run to
 * touch) use the same loop, and leave the supervisor's behaviour as it is when absent.
 * `sleep` and `now` are test seams.
 */
export interface JobQueueDeps<J extends QueueJob> {
  /** Keys whose results are stored; read at the start of every pass, so start() also resumes. */
  doneKeys(): Promise<Set<string>>;
  /**
   * Sends one job's request and stores its result before resolving. Throws on failure; a caller's
   * abort (through `signal`) may throw anything. `attempt` counts from 1 within the pass (a log
   * entry's `attempts`).
   */
  run(job: J, signal: AbortSignal, attempt: number): Promise<void>;
  /**
   * Awaited before a job's first attempt (not counted as a request), e.g. loading its model.
   * Should resolve early when `signal` aborts; a throw stops the pass (state 'error').
   */
  prepare?(job: J, signal: AbortSignal): Promise<void>;
  /**
   * Whether a new attempt may fix `error`; otherwise the pass stops with it (state 'error').
   * Default: rate limits, server failures, timeouts, broken or bad replies, and never the
   * errors isFatalGenerationError names.
   */
  isRetryable?(error: unknown): boolean;
  /**
   * Awaited when a job failed its last attempt, after it is listed and before the worker takes
   * its next job (generation stores an 'error' answer here). A throw stops the pass. With
   * concurrency above 1, a retryFailed() meanwhile may start the job again before it returns.
   */
  onFailed?(job: J, error: unknown, attempts: number): Promise<void>;
  /**
   * Awaited when a pass ends, before its final state is announced (generation touches the
   * run). A throw turns the state into 'error', unless the pass already stopped with one.
   */
  afterPass?(state: JobQueueState): Promise<void>;
  /**
   * The name and message a fatal error is shown with. Default: a refused key gets
   * refusedKeyMessage (never the server's text), anything else errorSummary.
   */
  describeFatal?(error: unknown): { name: string; message: string };
  /** Waits `ms`; must resolve early when `signal` aborts. Default timerSleep. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock in ms (durations for the ETA). Default Date.now. */
  now?: () => number;
}

/**
 * idle: never started; running; done: every job stored or failed; capped: the spending cap was
 * reached with jobs left; paused or cancelled: the user stopped it (the same stop, told apart
 * for the view); error: a fatal error stopped it.
 */
export type JobQueueState =
  'idle' | 'running' | 'done' | 'capped' | 'paused' | 'cancelled' | 'error';

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
