/** The shapes every prompt parser shares: one result, one report, one options bag. */
import type { Prompt } from '../run/types';
import type { ImportOptions } from '../run/import/types';

/** A prompt left out because the same text came earlier; the first one was kept. */
export interface DuplicatePrompt {
  text: string;
  /** Where the dropped copy was: "line 12", "row 4 (line 5)". */
  location: string;
}

/** Everything a parser skipped or decided, so nothing is dropped silently. */
export interface PromptParseReport {
  /** Repeated prompt texts (after trimming); the first of each was kept. */
  duplicates: DuplicatePrompt[];
  /** 1-based lines that were blank, or rows whose prompt was empty; they were skipped. */
  emptyLines: number[];
  /** Choices made for the user (which column was used, ids that were made up, ...). */
  warnings: string[];
}

/** The result of every prompt parser: the prompts in file order, and the report. */
export interface ParsedPrompts {
  prompts: Prompt[];
  report: PromptParseReport;
}

/** Prompt file formats: one prompt a line, a CSV table, JSONL rows, or a model-written-evals persona file. */
export type PromptFileFormat = 'text' | 'csv' | 'jsonl' | 'persona';

/** Options every file parser takes: cancellation and progress, as for answer imports. */
export type PromptParseOptions = Pick<ImportOptions, 'signal' | 'onProgress'>;

/** The persona-file field that says which answer (Yes or No) matches the persona's behaviour. */
export const PERSONA_MATCHING_FIELD = 'answer_matching_behavior';

/** Column (CSV) or field (JSONL) names that hold the prompt, in order of preference. */
export const PROMPT_FIELDS = ['prompt', 'text', 'question', 'instruction'] as const;

/** Column or field names that hold a prompt's category. */
export const CATEGORY_FIELDS = ['category'] as const;

/** Column or field names that hold a prompt's id. */
export const ID_FIELDS = ['id', 'prompt_id'] as const;
