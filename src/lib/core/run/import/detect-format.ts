/**
 * Recognising a dropped file from its name and first few kB, so the user never has to say
 * what kind of file it is. Content wins over the extension: people rename files freely.
 */
import type { FileFormat } from './types';

const RUN_FILE = /"format"\s*:\s*"behaviour-diff-run"/;
const RUN_FILE_V0 = /"version"\s*:\s*0\s*[,}]/;
const COMPARATOR = /"output_text_a"\s*:|"examples"\s*:\s*\[/;
const GENERATOR = /"generator"\s*:\s*("(?:[^"\\]|\\.)*")/g;

function parseFirstLine(text: string): Record<string, unknown> | null {
  const nl = text.indexOf('\n');
  const line = (nl === -1 ? text : text.slice(0, nl)).trim();
  if (!line.startsWith('{') || !line.endsWith('}')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function isJsonScalar(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value === null || typeof value !== 'object';
  } catch {
    return false;
  }
}

/**
 * The model an alpaca_eval file's head names in its `generator` fields (the first one), so
 * two files both called model_outputs.json can be told apart before they are read.
 */
export function alpacaGenerator(head: string): string | undefined {
  const match = new RegExp(GENERATOR.source).exec(head);
  if (!match) return undefined;
  try {
    const name: unknown = JSON.parse(match[1]!);
    return typeof name === 'string' && name.trim() !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

// Only for files with no content to look at: the importer then reports the empty file.
function formatFromName(name: string): FileFormat {
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  if (/\.json$/i.test(name)) return 'json-array';
  return 'csv';
}

/** Guesses a file's format from its name and the start of its text (64 kB is plenty). */
export function detectFormat(name: string, head: string): FileFormat {
  const text = (head.charCodeAt(0) === 0xfeff ? head.slice(1) : head).trimStart();
  if (text === '') return formatFromName(name);
  if (text.startsWith('[')) {
    // alpaca_eval model_outputs.json: {instruction, output, generator, dataset?} rows, all from
    // one generator; several generators make it a table with a model column instead.
    if (!/"instruction"\s*:/.test(text) || !/"output"\s*:/.test(text)) return 'json-array';
    const generators = new Set([...text.matchAll(GENERATOR)].map((m) => m[1]));
    return generators.size === 1 ? 'alpaca-eval' : 'json-array';
  }
  // A whole file that is one JSON null, number, string or boolean: the JSON reader says so.
  if (!text.startsWith('{')) return isJsonScalar(text) ? 'json-array' : 'csv';

  // A first line that is a whole object is either a small one-line document or a JSONL row.
  const first = parseFirstLine(text);
  if (first) {
    if (first.format === 'behaviour-diff-run' || (first.version === 0 && 'items' in first))
      return 'run-file';
    if (Array.isArray(first.examples) && Array.isArray(first.models)) return 'llm-comparator';
    return 'jsonl';
  }
  // Otherwise one document, pretty-printed or longer than the head.
  if (RUN_FILE.test(text) || (RUN_FILE_V0.test(text) && /"items"\s*:/.test(text)))
    return 'run-file';
  if (COMPARATOR.test(text) && /"models"\s*:/.test(text)) return 'llm-comparator';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  if (/"schemaVersion"\s*:/.test(text)) return 'run-file';
  // Not a table we can read as rows either; the json-array reader says so clearly.
  return 'json-array';
}
