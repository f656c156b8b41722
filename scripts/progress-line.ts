/** The progress lines the batch commands print on stderr: count, rate and ETA. */

/** At most one line a second, and the last one always: `A 12/40 answers, 1.50/s, ETA 19 s`. */
export class ProgressLine {
  readonly #started = performance.now();
  #printed = 0;
  #done = 0;

  constructor(
    private readonly log: (line: string) => void,
    /** What is counted, e.g. `A` (the side). */
    private readonly label: string,
    /** Items this run will do. */
    private readonly total: number,
    /** The plural noun of an item, e.g. `answers`. */
    private readonly unit: string,
    /** Items already done by an earlier run (counted in the line, not in the rate). */
    private readonly before = 0,
  ) {}

  /** Counts one item done; `note` (e.g. "(2 failed)") follows the count. */
  tick(note = ''): void {
    this.#done++;
    const now = performance.now();
    if (this.#done < this.total && now - this.#printed < 1000) return;
    this.#printed = now;
    const seconds = (now - this.#started) / 1000;
    const rate = this.#done / Math.max(seconds, 1e-3);
    const eta = (this.total - this.#done) / rate;
    const count = `${this.before + this.#done}/${this.before + this.total} ${this.unit}`;
    this.log(
      `${this.label} ${count}${note ? ` ${note}` : ''}, ${rate.toFixed(rate < 10 ? 2 : 1)}/s, ETA ${eta < 60 ? `${eta.toFixed(0)} s` : `${(eta / 60).toFixed(1)} min`}`,
    );
  }
}
