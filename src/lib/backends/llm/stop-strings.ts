/**
 * Stop strings for backends that only stop on tokens (transformers.js). Streamed text is held
 * back while it could still be the start of a stop string, so a stop string split across two
 * pieces never leaks into the output.
 */

/** Filters streamed text: everything before the first stop string, nothing after. */
export class StopStringFilter {
  readonly #stops: string[];
  #held = '';
  #stopped = false;

  constructor(stops: readonly string[] = []) {
    this.#stops = stops.filter((s) => s.length > 0);
  }

  /** True once a stop string was seen; later text is dropped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Adds streamed text; returns the part that is safe to show now. */
  push(text: string): string {
    if (this.#stopped) return '';
    if (this.#stops.length === 0) return text;
    const buffer = this.#held + text;
    let cut = -1;
    for (const stop of this.#stops) {
      const at = buffer.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.#stopped = true;
      this.#held = '';
      return buffer.slice(0, cut);
    }
    const keep = this.#heldLength(buffer);
    this.#held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /** Ends the stream: text held back turned out not to be a stop string. */
  flush(): string {
    const rest = this.#stopped ? '' : this.#held;
    this.#held = '';
    return rest;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of a stop string. */
  #heldLength(buffer: string): number {
    let best = 0;
    for (const stop of this.#stops) {
      for (let n = Math.min(stop.length - 1, buffer.length); n > best; n--) {
        if (buffer.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
