/**
 * One piece of user-started work a screen waits on (an import, an analysis, a save): whether it
 * is busy, what it is doing, its progress and the error it ended with. A new call supersedes the
 * one before it: the old call's signal is aborted and nothing it does afterwards (progress, its
 * error, its end) reaches the screen, so a stale "Cancelled." never covers the newer call.
 */
import type { ProgressUpdate } from '../workers/rpc';
import { describeError } from './describe-error';

/** What a task's work is given: its cancellation and where to report how far it is. */
export interface TaskContext {
  /** Aborted by cancel() or by a newer call of the same task. */
  signal: AbortSignal;
  /** Shows how far the current step is (ignored once the call is superseded). */
  progress(update: ProgressUpdate): void;
  /** Names the step under way, e.g. "Embedding answers" (ignored once superseded). */
  step(label: string): void;
}

/** Busy, step, progress and error of one kind of work; the latest call wins. */
export class Task {
  #busy = $state(false);
  #step = $state<string | null>(null);
  #progress = $state.raw<ProgressUpdate | null>(null);
  #error = $state<string | null>(null);
  #current: AbortController | null = null;

  /** True while the latest call runs. */
  get busy(): boolean {
    return this.#busy;
  }

  /** The step the latest call is on, or null when idle. */
  get step(): string | null {
    return this.#step;
  }

  /** The latest call's progress, or null when idle or not reported yet. */
  get progress(): ProgressUpdate | null {
    return this.#progress;
  }

  /** Why the latest call failed (one sentence for the user), or null. */
  get error(): string | null {
    return this.#error;
  }

  /**
   * Runs `work`, superseding any call still running. Resolves with its value, or undefined when
   * it failed (the error is then in `error`) or was superseded; never rejects.
   */
  async run<T>(work: (context: TaskContext) => Promise<T>): Promise<T | undefined> {
    this.#current?.abort();
    const controller = new AbortController();
    this.#current = controller;
    const latest = () => this.#current === controller;
    this.#busy = true;
    this.#error = null;
    this.#step = null;
    this.#progress = null;
    try {
      return await work({
        signal: controller.signal,
        progress: (update) => {
          if (latest()) this.#progress = update;
        },
        step: (label) => {
          if (latest()) this.#step = label;
        },
      });
    } catch (error) {
      if (latest()) this.#error = describeError(error);
      return undefined;
    } finally {
      if (latest()) {
        this.#busy = false;
        this.#step = null;
        this.#progress = null;
        this.#current = null;
      }
    }
  }

  /** Aborts the running call; its work decides what an abort leaves behind. */
  cancel(): void {
    this.#current?.abort();
  }

  /** Shows a problem found before any work could start (e.g. no file to import). */
  fail(message: string): void {
    this.#error = message;
  }

  /** Forgets the last error and progress, as when the user starts over. */
  clear(): void {
    this.#error = null;
    this.#progress = null;
  }
}
