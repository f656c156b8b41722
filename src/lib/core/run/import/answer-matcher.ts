/**
 * Matching answers across the two models: every importer feeds raw answers in file order and
 * gets back the prompts both models answered, their answers, and a report of what did not
 * match. Prompts match by the given prompt id when there is one, else by their trimmed text.
 */
import { promptIdAt } from '../prompt-ids';
import type { Answer, Prompt, Side } from '../types';
import type { ImportedAnswers, ImportedModel, ReportedRow } from './types';

/** One answer as read from a file, before sides are known. */
export interface RawAnswer {
  /** Which model answered, as the file names it (model column value, or the file's model). */
  model: string;
  /** The prompt id given by the file; when the matcher matches by id it must be set. */
  promptId?: string;
  /** The prompt text; callers reject empty prompts before adding. */
  prompt: string;
  category?: string;
  sample: number;
  text: string;
  location: string;
}

interface StoredAnswer {
  text: string;
  location: string;
}

interface PromptEntry {
  givenId?: string;
  text: string;
  category?: string;
  /** model -> sample -> answer */
  byModel: Map<string, Map<number, StoredAnswer>>;
}

/** What the matcher found. */
export interface MatchResult {
  prompts: Prompt[];
  answers: Answer[];
  unmatched: ReportedRow[];
  duplicates: ReportedRow[];
  warnings: string[];
}

/**
 * An importer's result from what the matcher found: the matched prompts and answers and the
 * report, with `warnings` in the order the importer wants them shown (its own and the matcher's).
 */
export function importedAnswers(
  models: Record<Side, ImportedModel>,
  result: MatchResult,
  warnings: string[],
): ImportedAnswers {
  return {
    models,
    prompts: result.prompts,
    answers: result.answers,
    report: {
      matchedPrompts: result.prompts.length,
      unmatched: result.unmatched,
      duplicates: result.duplicates,
      warnings,
    },
  };
}

/** Collects raw answers and matches them across two models. */
export class AnswerMatcher {
  readonly #entries = new Map<string, PromptEntry>();
  readonly #models: string[] = [];
  readonly #modelSet = new Set<string>();
  readonly #duplicates: { model: string; prompt: string; location: string }[] = [];
  #textMismatches = 0;
  #firstMismatch = '';

  /** `matchBy` 'id' matches prompts by RawAnswer.promptId, 'text' by trimmed prompt text. */
  constructor(readonly matchBy: 'id' | 'text') {}

  /** Model names in the order they were first seen. */
  get models(): readonly string[] {
    return this.#models;
  }

  /** Adds one answer; a repeated (prompt, model, sample) is recorded as a duplicate and dropped. */
  add(raw: RawAnswer): void {
    const key = this.matchBy === 'id' ? (raw.promptId ?? '') : raw.prompt.trim();
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { text: raw.prompt, byModel: new Map() };
      if (this.matchBy === 'id') entry.givenId = key;
      this.#entries.set(key, entry);
    } else if (this.matchBy === 'id' && entry.text.trim() !== raw.prompt.trim()) {
      if (this.#textMismatches++ === 0)
        this.#firstMismatch = `${raw.location} (prompt id ${JSON.stringify(key)})`;
    }
    if (entry.category === undefined && raw.category) entry.category = raw.category;
    let samples = entry.byModel.get(raw.model);
    if (!samples) {
      samples = new Map();
      entry.byModel.set(raw.model, samples);
      if (!this.#modelSet.has(raw.model)) {
        this.#modelSet.add(raw.model);
        this.#models.push(raw.model);
      }
    }
    if (samples.has(raw.sample)) {
      this.#duplicates.push({ model: raw.model, prompt: raw.prompt, location: raw.location });
      return;
    }
    samples.set(raw.sample, { text: raw.text, location: raw.location });
  }

  /** Matches the two chosen models; answers of other models are ignored. */
  finish(sides: Record<Side, string>, createdAt: string): MatchResult {
    const prompts: Prompt[] = [];
    const answers: Answer[] = [];
    const unmatched: ReportedRow[] = [];
    for (const entry of this.#entries.values()) {
      const a = entry.byModel.get(sides.A);
      const b = entry.byModel.get(sides.B);
      if (!a || !b) {
        const [side, only] = a ? (['A', a] as const) : (['B', b] as const);
        const first = only?.values().next().value;
        if (first) unmatched.push({ side, prompt: entry.text, location: first.location });
        continue;
      }
      const id = entry.givenId ?? promptIdAt(prompts.length);
      prompts.push(
        entry.category === undefined
          ? { id, text: entry.text }
          : { id, text: entry.text, category: entry.category },
      );
      for (const [side, samples] of [
        ['A', a],
        ['B', b],
      ] as const) {
        const sorted = [...samples.entries()].sort((x, y) => x[0] - y[0]);
        for (const [sample, answer] of sorted) {
          answers.push({
            promptId: id,
            side,
            sample,
            text: answer.text,
            finishReason: 'unknown',
            createdAt,
          });
        }
      }
    }
    const sideOf = new Map<string, Side>([
      [sides.A, 'A'],
      [sides.B, 'B'],
    ]);
    const duplicates: ReportedRow[] = [];
    for (const d of this.#duplicates) {
      const side = sideOf.get(d.model);
      if (side) duplicates.push({ side, prompt: d.prompt, location: d.location });
    }
    const warnings: string[] = [];
    if (this.#textMismatches > 0) {
      warnings.push(
        `${this.#textMismatches} row(s) give a prompt id a different prompt text than its first row (first at ${this.#firstMismatch}); the first text was kept.`,
      );
    }
    return { prompts, answers, unmatched, duplicates, warnings };
  }
}

/** The ISO timestamp stored on imported answers: `now` as given, or the current time. */
export function importTimestamp(now?: Date | string): string {
  if (typeof now === 'string') return now;
  return (now ?? new Date()).toISOString();
}
