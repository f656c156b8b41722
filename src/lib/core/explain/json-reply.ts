/**
 * Reading a JSON object out of a supervisor's reply. Models wrap JSON in code fences, put prose
 * around it, leave trailing commas or think aloud first; each of these is undone here and marked
 * `repaired`, so the caller can count how often the supervisor strayed from the format. Nothing is
 * invented: a reply with no readable JSON fails with a reason a person can act on.
 */
import type { Parsed } from './types';

/** How many `{`/`[` positions are tried as the start of the JSON before giving up. */
const MAX_CANDIDATES = 50;
/** How much of a refusing reply is quoted in the failure reason. */
const QUOTE_CHARS = 80;

const THINKING = /<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi;
const CODE_FENCE = /```[A-Za-z]*[ \t]*\n?([\s\S]*?)```/g;
const REFUSAL =
  /^\W*(?:I\s+(?:can(?:no|['’])?t|cannot|won['’]?t|will not|am (?:not able|unable)|must decline)|I['’]m (?:sorry|not able|unable)|I am sorry|Sorry\b|As an AI\b|Unfortunately\b)/i;

/** The reply without reasoning blocks (`<think>...</think>`) some models put before the answer. */
export function withoutThinking(text: string): string {
  return text.replace(THINKING, '').trim();
}

/** Whether a reply opens like a refusal ("I can't help with that", "I'm sorry, ..."). */
export function looksLikeRefusal(text: string): boolean {
  return REFUSAL.test(text);
}

/** The reply's first `QUOTE_CHARS` characters on one line, for a failure reason. */
export function quoteReply(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > QUOTE_CHARS ? `${line.slice(0, QUOTE_CHARS)}...` : line;
}

/** `json` with commas before a closing `}` or `]` removed (outside strings). */
export function dropTrailingCommas(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      out += c;
      if (c === '\\') out += json[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      const next = json.slice(i + 1).match(/^\s*([}\]])?/);
      if (next?.[1]) continue;
    }
    out += c;
  }
  return out;
}

/**
 * The balanced `{...}` or `[...]` that starts at `start` (brackets inside strings ignored), or
 * null when the text ends before it closes.
 */
export function balancedAt(text: string, start: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}

/** JSON.parse that returns undefined instead of throwing. */
function tryParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** `text` parsed as is or without trailing commas (then repaired), if either is wanted. */
function parseLenient(
  text: string,
  wanted: (value: unknown) => boolean,
): { value: unknown; commas: boolean } | undefined {
  const strict = tryParse(text);
  if (strict && wanted(strict.value)) return { value: strict.value, commas: false };
  const fixed = dropTrailingCommas(text);
  if (fixed === text) return undefined;
  const loose = tryParse(fixed);
  return loose && wanted(loose.value) ? { value: loose.value, commas: true } : undefined;
}

/**
 * The first JSON value in `text` that `wanted` accepts: the whole reply (not repaired), else a
 * code-fenced block, else a balanced `{...}`/`[...]` found in prose, each also tried without
 * trailing commas (repaired). `what` names the expected shape in the failure reason, e.g.
 * `an object with a "properties" list`.
 */
export function readJsonReply(
  text: string,
  wanted: (value: unknown) => boolean,
  what: string,
): Parsed<unknown> {
  const body = withoutThinking(text);
  if (!body) return { ok: false, reason: 'the reply is empty' };
  const whole = tryParse(body);
  if (whole && wanted(whole.value)) return { ok: true, value: whole.value, repaired: false };

  for (const match of body.matchAll(CODE_FENCE)) {
    const found = parseLenient((match[1] ?? '').trim(), wanted);
    if (found) return { ok: true, value: found.value, repaired: true };
  }

  let sawJson = whole !== undefined;
  let sawOpenEnded = false;
  let tried = 0;
  // A list inside an object that is valid JSON but not wanted is one of its fields ("ideas": [...]),
  // not a bare reply, so it is not tried; an object inside one may be the reply wrapped, so it is.
  let insideObjectUntil = -1;
  for (let i = 0; i < body.length && tried < MAX_CANDIDATES; i++) {
    if (body[i] !== '{' && (body[i] !== '[' || i < insideObjectUntil)) continue;
    tried++;
    const candidate = balancedAt(body, i);
    if (candidate === null) {
      sawOpenEnded ||= body[i] === '{';
      continue;
    }
    if (tryParse(candidate) || tryParse(dropTrailingCommas(candidate))) {
      sawJson = true;
      if (body[i] === '{') insideObjectUntil = Math.max(insideObjectUntil, i + candidate.length);
    }
    const found = parseLenient(candidate, wanted);
    if (found) return { ok: true, value: found.value, repaired: true };
  }

  if (sawJson) return { ok: false, reason: `the reply's JSON is not ${what}` };
  if (sawOpenEnded) {
    return {
      ok: false,
      reason: 'the reply\'s JSON is cut off (a "{" never closes); it may have hit its token limit',
    };
  }
  if (looksLikeRefusal(body)) {
    return { ok: false, reason: `the supervisor declined: "${quoteReply(body)}"` };
  }
  return { ok: false, reason: `the reply holds no JSON (it begins "${quoteReply(body)}")` };
}

/** Whether `value` is a plain object (not an array or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
