/**
 * Redacting known secret values from stored records. Field names tell scrub-credentials.ts what
 * to drop; this catches a secret value wherever it landed instead (a key pasted into a prompt, a
 * server echoing it into a reply or an error), given the values the session holds.
 */

/** What a secret value is replaced with (the same mark as backends/llm/redact.ts). */
export const REDACTED_VALUE = '[redacted]';

/** Values shorter than this are ignored: replacing "a" or "abc" everywhere would garble text. */
const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of each secret in `text` (longest secrets first). */
function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets)
    if (out.includes(secret)) out = out.split(secret).join(REDACTED_VALUE);
  return out;
}

/** Deep copy of `value` with `secrets` replaced in every string, record keys included. */
function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === 'object') {
    // Only plain records: typed arrays, dates and the like hold no text and are kept as they are.
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redactString(k, secrets), redactDeep(v, secrets)]),
    );
  }
  return value;
}

/**
 * A copy of `value` (a log entry, a record) in which every occurrence of any of `secrets`, in
 * any string anywhere inside it, is replaced by "[redacted]". Secrets shorter than 4 characters
 * (after trimming) are ignored; the input is not changed.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const usable = [...new Set(secrets.map((s) => s.trim()))]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (usable.length === 0) return value;
  return redactDeep(value, usable) as T;
}
