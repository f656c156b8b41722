/** The shapes every importer shares: one result type, one report, one options bag. */
import type { Answer, Prompt, Side } from '../types';

/** Who answered on each side, as the file names them. */
export interface ImportedModel {
  label: string;
  modelId: string;
}

/** A problem row or prompt, where it was found. */
export interface ReportedRow {
  side: Side;
  prompt: string;
  /** "line 12", "row 4 (line 5)", "[12]", "examples[3]", with the file name when two files are read. */
  location: string;
}

/** What the importer matched and what it could not, so nothing is dropped silently. */
export interface ImportReport {
  /** Prompts answered by both models (the returned prompts). */
  matchedPrompts: number;
  /** Prompts answered by one model only; they are left out of the returned prompts. */
  unmatched: ReportedRow[];
  /** Repeated (prompt, model, sample) rows; the first of each was kept. */
  duplicates: ReportedRow[];
  /** Things the user should know (choices made for them, skipped rows). */
  warnings: string[];
}

/** The result of every importer: prompts answered by both models, and their answers. */
export interface ImportedAnswers {
  models: Record<Side, ImportedModel>;
  prompts: Prompt[];
  answers: Answer[];
  report: ImportReport;
}

/** Progress of a long import: `done` characters read of about `total` (the file size in bytes). */
export interface ImportProgress {
  phase: string;
  done: number;
  total?: number;
}

/** Options every importer takes. */
export interface ImportOptions {
  /** Stored as the answers' createdAt; default now. */
  now?: Date | string;
  /** Stops reading between chunks (rejects with the signal's reason, an AbortError). */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

/** Formats of answer tables (one answer per row). */
export type TableFormat = 'jsonl' | 'json-array' | 'csv';

/** Every format detectFormat can recognise. */
export type FileFormat = 'run-file' | 'alpaca-eval' | 'llm-comparator' | TableFormat;

/**
 * Which column (CSV) or field (JSON) holds what. Empty strings count as "not mapped", so a
 * form can bind to it directly.
 */
export interface FieldMapping {
  prompt: string;
  answer: string;
  model: string;
  sample?: string;
  category?: string;
  promptId?: string;
  /** The model value whose rows are side A (before); with modelB, other models are skipped. */
  modelA?: string;
  /** The model value whose rows are side B (after). */
  modelB?: string;
}

/** What inspectTable learns about a table so the UI can offer a mapping with good defaults. */
export interface TableInspection {
  format: TableFormat;
  /** Column names (CSV header) or the union of the rows' top-level fields (JSON), in first-seen order. */
  columns: string[];
  /** The first few rows, values shown as text. */
  sampleRows: Record<string, string>[];
  rowCount: number;
  /** A guess for every field that has a likely column; '' where there is none. */
  suggestedMapping: FieldMapping;
  /** Distinct values of the suggested model column, in first-seen order (when there is one). */
  modelValues?: string[];
  /** Per column: its distinct values in first-seen order if there are at most 20, else null. */
  distinctValues: Record<string, string[] | null>;
}
