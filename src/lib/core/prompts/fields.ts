/** Reading the prompt, category and id of one row (CSV) or object (JSONL), with precise errors. */
import { InputError, describeValue } from '../run/errors';

/** The first of `names` that `values` has (as a key), or undefined. */
export function firstField(
  values: Record<string, unknown>,
  names: readonly string[],
): string | undefined {
  return names.find((name) => Object.hasOwn(values, name));
}

/** Lists field names for a message: "prompt", "text", "question" or "instruction". */
export function listFields(names: readonly string[]): string {
  const quoted = names.map((n) => JSON.stringify(n));
  return quoted.length < 2
    ? (quoted[0] ?? '')
    : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Where a problem is, and how its field is called ("column" in CSV, "field" in JSON). */
export interface FieldPlace {
  file: string;
  location: string;
  kind: 'column' | 'field';
}

function fieldError(place: FieldPlace, name: string, expected: string, value: unknown): InputError {
  return new InputError({
    file: place.file,
    location: `${place.location}, ${place.kind} ${JSON.stringify(name)}`,
    expected,
    got: describeValue(value),
  });
}

/** The prompt text in field `name`: a string, possibly blank (the caller reports blanks). */
export function readPromptText(place: FieldPlace, name: string, value: unknown): string {
  if (typeof value !== 'string') throw fieldError(place, name, 'the prompt as a string', value);
  return value;
}

/**
 * An optional category or id: text or a number, trimmed; blank, null or missing means none
 * (for an id: "make one up"). `what` names it in the error: "category", "prompt id".
 */
export function readLabel(
  place: FieldPlace,
  name: string,
  value: unknown,
  what: string,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  throw fieldError(place, name, `a ${what} (text or a number)`, value);
}
