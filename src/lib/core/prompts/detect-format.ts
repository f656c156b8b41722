/**
 * Telling a dropped prompt file's format from its name and first line. Content decides when it
 * can (JSON lines are unmistakable); a plain line of text could be a prompt or a CSV header,
 * so there the extension decides, and a known prompt column name for files without one.
 */
import { PERSONA_MATCHING_FIELD, PROMPT_FIELDS, type PromptFileFormat } from './types';

function extension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot === -1 ? '' : fileName.slice(dot + 1).toLowerCase();
}

function tryJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const JSONL_EXTENSIONS = new Set(['jsonl', 'ndjson', 'json']);
const CSV_EXTENSIONS = new Set(['csv', 'tsv']);

/** Guesses the format of a prompt file from its name and the start of its text. */
export function detectPromptFormat(fileName: string, head: string): PromptFileFormat {
  const ext = extension(fileName);
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const first = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');

  if (first === undefined) {
    // Nothing to look at: the parser for the named type reports the empty file.
    if (CSV_EXTENSIONS.has(ext)) return 'csv';
    return JSONL_EXTENSIONS.has(ext) ? 'jsonl' : 'text';
  }
  if (first.startsWith('{')) {
    const value = tryJson(first);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return 'question' in value && PERSONA_MATCHING_FIELD in value ? 'persona' : 'jsonl';
    }
    // Broken JSON still goes to the JSONL parser, which says which line and column is wrong.
    if (!CSV_EXTENSIONS.has(ext) && ext !== 'txt') return 'jsonl';
  }
  if (
    first.startsWith('"') &&
    !CSV_EXTENSIONS.has(ext) &&
    ext !== 'txt' &&
    typeof tryJson(first) === 'string'
  ) {
    return 'jsonl';
  }
  if (JSONL_EXTENSIONS.has(ext)) return 'jsonl';
  if (CSV_EXTENSIONS.has(ext)) return 'csv';
  if (ext === 'txt') return 'text';
  // No telling extension: a header naming a prompt column and a delimiter makes it a table.
  const cells = first.split(/[,\t;|]/).map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase(),
  );
  const isHeader =
    cells.length > 1 && cells.some((c) => (PROMPT_FIELDS as readonly string[]).includes(c));
  return isHeader ? 'csv' : 'text';
}
