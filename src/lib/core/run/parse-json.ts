/** JSON.parse that fails with an InputError naming the file, line and column. */
import { InputError, quoteForMessage } from './errors';
import { findJsonSyntaxError, lineColumnAt } from './json-syntax';

/** Where a piece of JSON text sits in its file, for texts that are one line of a larger file. */
export interface JsonTextPlace {
  /** The 1-based line of the file where `text` starts (JSONL lines); default 1. */
  line?: number;
}

/**
 * Parses JSON text from file `file`.
 * @throws InputError for an empty text or a syntax error, with line and column.
 */
export function parseJson(text: string, file: string, place: JsonTextPlace = {}): unknown {
  // A UTF-8 byte order mark is invisible in editors but fatal to JSON.parse.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    throw jsonError(body, file, place, error);
  }
}

function jsonError(text: string, file: string, place: JsonTextPlace, error: unknown): InputError {
  if (text.trim() === '') {
    return new InputError({
      file,
      location: place.line === undefined ? undefined : `line ${place.line}`,
      expected: 'JSON content',
      got: place.line === undefined ? 'an empty file' : 'an empty line',
    });
  }
  const problem = findJsonSyntaxError(text);
  if (!problem) {
    // Valid syntax that JSON.parse still refused (e.g. absurd nesting): pass its reason on.
    const reason = error instanceof Error ? error.message : String(error);
    return new InputError({ file, expected: 'JSON that this browser can read', got: reason });
  }
  const { line, column } = lineColumnAt(text, problem.offset);
  const fileLine = (place.line ?? 1) + line - 1;
  const got =
    problem.offset >= text.length
      ? 'the end of the text'
      : quoteForMessage(text.slice(problem.offset, problem.offset + 24), 24);
  return new InputError({
    file,
    location: `line ${fileLine}, column ${column}`,
    expected: `valid JSON: ${problem.expected}`,
    got,
  });
}
