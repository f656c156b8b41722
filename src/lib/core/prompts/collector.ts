/**
 * Gathers prompts the way every parser must: text trimmed, blank entries and repeated texts
 * reported rather than dropped silently, ids unique, and an empty result refused.
 */
import { InputError, quoteForMessage } from '../run/errors';
import { promptIdAt } from '../run/prompt-ids';
import type { Prompt } from '../run/types';
import type { ParsedPrompts, PromptParseReport } from './types';

/** One prompt as a parser found it. */
export interface FoundPrompt {
  text: string;
  /** Where it is, for messages: "line 3", "row 2 (line 3)". */
  location: string;
  category?: string;
  /** The id the file gave it; made up (p0001, ...) when absent. */
  id?: string;
}

/** Collects the prompts of one file (or one pasted text) and reports what it skipped. */
export class PromptCollector {
  readonly #file: string;
  readonly #entries: { prompt: Omit<Prompt, 'id'>; id?: string }[] = [];
  readonly #seenTexts = new Set<string>();
  readonly #explicitIds = new Map<string, string>();
  readonly #report: PromptParseReport = { duplicates: [], emptyLines: [], warnings: [] };

  /** `file` names the input in errors and warnings ("prompts.csv", "pasted text"). */
  constructor(file: string) {
    this.#file = file;
  }

  /** Records a blank line (or an empty prompt) at 1-based `line`. */
  empty(line: number): void {
    this.#report.emptyLines.push(line);
  }

  /** Adds a warning for the report. */
  warn(message: string): void {
    this.#report.warnings.push(message);
  }

  /**
   * Adds a prompt; returns its index among kept prompts, or null when its text came before.
   * Blank text is the caller's to report with `empty`, since only it knows the line.
   * @throws InputError when the file gives an id that an earlier, different prompt already has.
   */
  add(found: FoundPrompt): number | null {
    const text = found.text.trim();
    if (this.#seenTexts.has(text)) {
      this.#report.duplicates.push({ text, location: found.location });
      return null;
    }
    if (found.id !== undefined) {
      const earlier = this.#explicitIds.get(found.id);
      if (earlier !== undefined) {
        throw new InputError({
          file: this.#file,
          location: found.location,
          expected: `a unique prompt id (${quoteForMessage(found.id)} is already used at ${earlier})`,
          got: 'the same id on a different prompt',
        });
      }
      this.#explicitIds.set(found.id, found.location);
    }
    const index = this.#entries.length;
    this.#seenTexts.add(text);
    const prompt: Omit<Prompt, 'id'> =
      found.category === undefined ? { text } : { text, category: found.category };
    this.#entries.push(found.id === undefined ? { prompt } : { prompt, id: found.id });
    return index;
  }

  /** How many prompts were kept so far. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * The prompts and the report. Prompts without an id get p0001-style ids from their position,
   * made unique against the ids the file gave.
   * @throws InputError "no prompts found" when nothing was kept; `why` says what was read instead.
   */
  finish(why?: string): ParsedPrompts {
    if (this.#entries.length === 0) {
      const blank = this.#report.emptyLines.length;
      const detail =
        why ?? (blank > 0 ? `it has only blank lines or empty prompts (${blank})` : 'it is empty');
      throw new InputError({
        file: this.#file,
        expected: 'at least one prompt',
        message: `${this.#file}: no prompts found; ${detail}`,
      });
    }
    let madeUp = 0;
    const prompts = this.#entries.map(({ prompt, id }, i): Prompt => {
      if (id !== undefined) return { id, ...prompt };
      madeUp++;
      const base = promptIdAt(i);
      let made = base;
      for (let n = 2; this.#explicitIds.has(made); n++) made = `${base}-${n}`;
      return { id: made, ...prompt };
    });
    // Only worth saying when the file mixes given and missing ids.
    if (madeUp > 0 && this.#explicitIds.size > 0) {
      const some = madeUp === 1 ? '1 prompt has' : `${madeUp} prompts have`;
      this.warn(`${this.#file}: ${some} no id; ids were made from their position (p0001, …).`);
    }
    return { prompts, report: this.#report };
  }
}
