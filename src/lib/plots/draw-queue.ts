/**
 * Chart draws, one per task. A results view opens with five Plotly charts at once; drawn in the
 * same task they blocked the page for the sum of their draws (~0.8 s with a 10,000-point map).
 * Queued, the page handles input between any two draws, and charts on screen go first.
 */

import { nextTask } from '../core/next-task';

/** A chart waiting for its turn. */
export interface QueuedDraw {
  /** Draws the chart; the queue waits for it before starting the next draw. */
  draw(): Promise<unknown> | unknown;
  /** Whether the chart is on screen now; those are drawn before the rest. */
  onScreen?(): boolean;
}

/** Waits for a fresh task, so that input and rendering get their turn first. */
export type Yield = () => Promise<void>;

/** Runs queued chart draws one at a time, each in a task of its own. */
export class DrawQueue {
  readonly #waiting: QueuedDraw[] = [];
  #running = false;

  constructor(private readonly yieldToPage: Yield = nextTask) {}

  /** How many draws wait for their turn. */
  get size(): number {
    return this.#waiting.length;
  }

  /**
   * Queues `item` unless it is already waiting (a chart that changes twice before its turn is
   * drawn once, with its latest data). A draw that throws is the caller's to report; the
   * queue goes on.
   */
  add(item: QueuedDraw): void {
    if (this.#waiting.includes(item)) return;
    this.#waiting.push(item);
    if (!this.#running) void this.#drain();
  }

  /** Drops `item` if it is still waiting (its chart went away). */
  remove(item: QueuedDraw): void {
    const at = this.#waiting.indexOf(item);
    if (at >= 0) this.#waiting.splice(at, 1);
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) {
        await this.yieldToPage();
        const at = Math.max(
          0,
          this.#waiting.findIndex((w) => w.onScreen?.() ?? false),
        );
        const [item] = this.#waiting.splice(at, 1);
        if (!item) continue;
        try {
          await item.draw();
        } catch {
          // The chart shows its own error; one failed chart must not stall the others.
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** The page's one queue, shared by every chart. */
export const drawQueue = new DrawQueue();
