/** What the generation queue reports: its states, progress snapshots, events and failures. */
import type { LoadProgress } from '../backends/llm/types';
import type { GenerationJob } from '../core/generate/jobs';
import type { Answer, Side } from '../core/run/types';

/** Where the queue is: 'loading' a model, 'running' jobs, or stopped for one of the reasons. */
export type QueueState = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

/** A job that failed every attempt: stored as an 'error' answer and listed with its reason. */
export interface QueueFailure extends GenerationJob {
  attempts: number;
  /** The error's name (e.g. 'NetworkError') and its user-facing message. */
  name: string;
  message: string;
  at: string;
}

/** The job being generated now. */
export interface InFlightJob extends GenerationJob {
  /** 1-based attempt number. */
  attempt: number;
  /** Text streamed so far. */
  text: string;
  /** Token chunks received so far. */
  tokens: number;
  /** Set while waiting before a retry (a backoff or the server's Retry-After). */
  retryInMs: number | null;
}

/** Counts of one side: answers stored, jobs planned, jobs failed. */
export interface SideProgress {
  done: number;
  total: number;
  failed: number;
}

/** Everything a progress view shows; a new object on every change. */
export interface QueueSnapshot {
  state: QueueState;
  done: number;
  total: number;
  failed: number;
  bySide: Record<Side, SideProgress>;
  current: InFlightJob | null;
  tokensPerSecond: number | null;
  etaSeconds: number | null;
  failures: readonly QueueFailure[];
  /** The model being loaded and its latest progress. */
  loading: { side: Side; label: string; progress: LoadProgress | null } | null;
  /** Why the queue stopped in state 'error'. */
  error: { name: string; message: string } | null;
}

/** What changed, passed to listeners alongside the new snapshot. */
export type QueueEvent =
  | { type: 'state'; state: QueueState }
  | { type: 'load'; side: Side; progress: LoadProgress | null }
  | { type: 'job'; job: InFlightJob }
  /** Text streamed so far (also in `current`). */
  | { type: 'token'; text: string }
  | { type: 'retry'; job: InFlightJob; delayMs: number; reason: string }
  | { type: 'answer'; answer: Answer }
  | { type: 'failure'; failure: QueueFailure };

/** A snapshot listener. */
export type QueueListener = (snapshot: QueueSnapshot, event: QueueEvent) => void;
