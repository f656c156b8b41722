/** Turns the first valibot issue into an InputError with a readable path and expectation. */
import * as v from 'valibot';
import { InputError, describeValue } from './errors';

type Issue = v.BaseIssue<unknown>;

/** Appends one path step to a JSON path: `answers` + 3 -> `answers[3]`, + side -> `answers[3].side`. */
export function joinPath(base: string, key: unknown): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const name = String(key);
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return base ? `${base}.${name}` : name;
  return `${base}[${JSON.stringify(name)}]`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  Object: 'a JSON object',
  Array: 'an array',
  null: 'null',
};

function expectedText(issue: Issue): string {
  if (issue.kind === 'validation') return issue.message;
  const expected = issue.expected ?? '';
  if (expected in TYPE_WORDS) return TYPE_WORDS[expected]!;
  // Picklists and unions arrive as '("A" | "B")'.
  const choices = /^\((.*)\)$/.exec(expected)?.[1];
  if (choices) {
    const words = choices.split(' | ').map((c) => TYPE_WORDS[c] ?? c);
    return `one of ${words.join(', ')}`;
  }
  return expected || issue.message;
}

// When a value had the right type for one branch of a union but failed its check (a string
// that is not base64), that branch's complaint is the useful one, not "one of X, Y".
function explainingIssue(issue: Issue): Issue {
  if (issue.type !== 'union' || !issue.issues) return issue;
  const typed = issue.issues.find((i) => i.kind !== 'schema');
  return typed ? explainingIssue(typed) : issue;
}

/** Builds the InputError for one valibot issue; `prefix` is the path of the validated value. */
export function issueToInputError(issue: Issue, file: string, prefix = ''): InputError {
  const path = issue.path ?? [];
  const last = path[path.length - 1];
  // A missing required field: point at its parent and name the field, as people describe it.
  if (last && issue.input === undefined && !(String(last.key) in Object(last.input))) {
    const parentPath = path.slice(0, -1).reduce<string>((p, item) => joinPath(p, item.key), prefix);
    return new InputError({
      file,
      location: parentPath || undefined,
      expected: `an object with a ${JSON.stringify(String(last.key))} field`,
      got: describeValue(last.input),
    });
  }
  const location = path.reduce<string>((p, item) => joinPath(p, item.key), prefix);
  const explaining = explainingIssue(issue);
  return new InputError({
    file,
    location: location || undefined,
    expected: expectedText(explaining),
    got: describeValue(explaining.input),
  });
}

/**
 * Validates `value` against `schema`, returning the parsed output.
 * @throws InputError at the first problem, located by its path under `prefix`.
 */
export function parseWithSchema<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  file: string,
  prefix = '',
): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  throw issueToInputError(result.issues[0], file, prefix);
}
