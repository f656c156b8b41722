/**
 * The one error type for bad input files. Every problem with a file the user gave us is
 * reported as an InputError that names the file, where in it (line, row or JSON path) and what
 * was expected there, so the message alone is enough to fix the file.
 */

/** What an InputError is built from. */
export interface InputErrorDetails {
  /** File name as the user knows it, e.g. "answers.jsonl". */
  file: string;
  /** Where in the file: "line 12", "row 4 (line 5)", "answers[3].side"; absent for the whole file. */
  location?: string;
  /** What should have been there, phrased to follow "expected": 'a JSON object with a "prompt" field'. */
  expected: string;
  /** What was there instead, already described for people (see describeValue). */
  got?: string;
  /** Replaces the generated message when the standard "expected ..., got ..." phrasing reads badly. */
  message?: string;
}

/** A problem with an input file; the message reads `file, location: expected X, got Y`. */
export class InputError extends Error {
  readonly file: string;
  readonly location?: string;
  readonly expected: string;
  readonly got?: string;

  constructor(details: InputErrorDetails) {
    super(details.message ?? formatInputError(details));
    this.name = 'InputError';
    this.file = details.file;
    if (details.location !== undefined) this.location = details.location;
    this.expected = details.expected;
    if (details.got !== undefined) this.got = details.got;
  }
}

/** The standard message of an InputError. */
export function formatInputError(details: InputErrorDetails): string {
  const where = details.location ? `${details.file}, ${details.location}` : details.file;
  const got = details.got === undefined ? '' : `, got ${details.got}`;
  return `${where}: expected ${details.expected}${got}`;
}

const MAX_SHOWN_CHARS = 60;
const MAX_SHOWN_KEYS = 6;

/** Quotes a string for a message, shortened so a 10 kB answer does not flood the error. */
export function quoteForMessage(text: string, max = MAX_SHOWN_CHARS): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(short);
}

/** Describes any parsed value for the "got ..." part of an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return value.trim() === ''
      ? `an empty string ${JSON.stringify(value)}`
      : quoteForMessage(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? 'an empty array' : `an array of ${value.length} items`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, MAX_SHOWN_KEYS).map((k) => JSON.stringify(k));
    const more = keys.length > MAX_SHOWN_KEYS ? `, … (${keys.length} in all)` : '';
    return `an object with fields ${shown.join(', ')}${more}`;
  }
  return typeof value;
}
