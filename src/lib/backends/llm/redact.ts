/**
 * Keeping credentials out of error texts. Servers echo what they were sent ("Incorrect API key
 * provided: sk-…"), and our own messages name the request URL, whose query may hold a key; error
 * messages are shown on screen and kept in failure lists, so every HTTP backend passes its errors
 * through `redactError` with the secrets of the request that failed.
 */
import { isCredentialParam, isSecretKey } from '../../core/run/scrub-credentials';

/** What a secret, or the part of it a server echoed, is replaced with. */
export const REDACTED = '[redacted]';

/** Values shorter than this are not treated as secrets: redacting "1" or "abc" would garble text. */
const MIN_SECRET_LENGTH = 4;

/** A run of this many characters of a secret is an echo of it, wherever it appears. */
const MIN_ECHO_LENGTH = 8;

/**
 * Masked echoes such as `sk-proj-****abcd`, `sk-abc...xyz` or `sk-…wxyz`. The visible ends are
 * bounded so that a long run of word characters cannot make the search quadratic.
 */
const MASKED_ECHO = /([\w-]{0,64})(?:\*{3,}|\.{3}|…|•{3,})([\w-]{0,64})/g;

/** At least this many characters of a masked echo must match the secret's start and end. */
const MIN_MASKED_REVEAL = 4;

// Error fields that are not server or URL text: the model's own output is the user's data.
const UNREDACTED_FIELDS = new Set(['name', 'partialText']);

/**
 * The credentials a request carries: the values of credential headers (without the "Bearer"
 * scheme), the URL's user name and password, and the values of its credential query parameters,
 * each also percent-encoded when that spelling differs. Longest first.
 */
export function requestSecrets(url: string, headers: Record<string, string> = {}): string[] {
  const found = new Set<string>();
  const add = (value: string) => {
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    found.add(trimmed);
    const encoded = encodeURIComponent(trimmed);
    if (encoded !== trimmed) found.add(encoded);
  };
  for (const [name, value] of Object.entries(headers)) {
    if (isSecretKey(name)) add(value.replace(/^(?:bearer|basic|token|key)\s+/i, ''));
  }
  try {
    const parsed = new URL(url);
    add(decodeURIComponent(parsed.username));
    add(decodeURIComponent(parsed.password));
    for (const [name, value] of parsed.searchParams) if (isCredentialParam(name)) add(value);
  } catch {
    // Not a URL: nothing to take from it.
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Positions of `text` covered by a run of at least `minLength` characters of `secret`. */
function markEchoes(text: string, secret: string, minLength: number, marked: Uint8Array): void {
  // Longest common substring table, one row at a time: run[j] = length of the common run of
  // characters ending at text[i] and secret[j - 1].
  let previous = new Uint32Array(secret.length + 1);
  let current = new Uint32Array(secret.length + 1);
  for (let i = 0; i < text.length; i++) {
    let longest = 0;
    for (let j = 1; j <= secret.length; j++) {
      current[j] = text[i] === secret[j - 1] ? previous[j - 1]! + 1 : 0;
      if (current[j]! > longest) longest = current[j]!;
    }
    if (longest >= minLength) marked.fill(1, i - longest + 1, i + 1);
    [previous, current] = [current, previous];
  }
}

/**
 * `text` with every secret replaced by REDACTED: whole values, any run of 8 or more of a
 * secret's characters (shorter secrets: whole values only), and masked echoes that show the
 * secret's first and last characters around `***`, `...` or `…`.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  const usable = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
  if (usable.length === 0 || text === '') return text;
  const masked = text.replace(MASKED_ECHO, (match, head: string, tail: string) => {
    if (head.length + tail.length < MIN_MASKED_REVEAL) return match;
    const echoes = usable.some(
      (s) => s.length > head.length + tail.length && s.startsWith(head) && s.endsWith(tail),
    );
    return echoes ? REDACTED : match;
  });
  const marked = new Uint8Array(masked.length);
  for (const secret of usable) {
    markEchoes(masked, secret, Math.min(MIN_ECHO_LENGTH, secret.length), marked);
  }
  if (!marked.includes(1)) return masked;
  let out = '';
  for (let i = 0; i < masked.length; i++) {
    if (!marked[i]) out += masked[i];
    else if (i === 0 || !marked[i - 1]) out += REDACTED;
  }
  return out;
}

/**
 * Redacts `secrets` (see redactText) from an error's message, stack and other text fields
 * (url, detail, ...) and from its causes, in place, and returns it. The text a model generated
 * before a failure (`partialText`) is left alone. Non-objects are returned unchanged.
 */
export function redactError<T>(error: T, secrets: readonly string[], depth = 0): T {
  if (secrets.length === 0 || typeof error !== 'object' || error === null || depth > 3) {
    return error;
  }
  const target = error as Record<string, unknown>;
  const names = new Set([...Object.keys(target), 'message', 'stack']);
  for (const name of names) {
    if (UNREDACTED_FIELDS.has(name)) continue;
    let value: unknown;
    try {
      value = target[name];
    } catch {
      continue;
    }
    if (typeof value !== 'string') continue;
    const redacted = redactText(value, secrets);
    if (redacted === value) continue;
    try {
      // An own data property shadows getters such as DOMException's read-only `message`.
      Object.defineProperty(target, name, {
        value: redacted,
        writable: true,
        configurable: true,
        enumerable: Object.prototype.propertyIsEnumerable.call(target, name),
      });
    } catch {
      // A frozen error cannot be changed; its other fields still are.
    }
  }
  if ('cause' in target && target.cause !== error) redactError(target.cause, secrets, depth + 1);
  return error;
}
