/** Reading a yes/no answer: the strict first-word parse, and P(Yes) from scores or log probabilities. */
import type { ApprovalChoice } from './types';

/** Every casing and leading-space form of "Yes" the scorer tries (CONTRACT: filled in by the implementation). */
export const YES_CONTINUATIONS: readonly string[] = ['Yes', 'yes', 'YES', ' Yes', ' yes', ' YES'];
/** Every casing and leading-space form of "No". */
export const NO_CONTINUATIONS: readonly string[] = ['No', 'no', 'NO', ' No', ' no', ' NO'];

// What may come before the first word: whitespace, straight and curly quotes, backticks and
// markdown emphasis (`**Yes**`, `_No_`). Nothing else: "Answer: Yes" stays unclear.
const LEADING = /^[\s"'`*_\u2018\u2019\u201c\u201d]*/u;
// The word must end there: "Yes." and "No, because" count, "Yesterday" and "Nope" do not.
const FIRST_WORD = /^(yes|no)(?!\p{L})/iu;

/**
 * The strict parse of a reply's first word: "yes", "no", or "unclear" (never mapped to yes or no).
 * Leading whitespace, quotes and markdown emphasis are skipped; the word may be in any casing
 * and must be followed by a non-letter or the end, so "I know that..." and "Nope" are unclear.
 */
export function parseChoice(text: string): ApprovalChoice {
  const match = FIRST_WORD.exec(text.replace(LEADING, ''));
  if (!match) return 'unclear';
  return match[1]!.toLowerCase() === 'yes' ? 'yes' : 'no';
}

/** log(sum(exp(x))) over the finite entries; -Infinity when there are none. */
function logSumExp(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return -Infinity;
  const top = Math.max(...finite);
  let sum = 0;
  for (const v of finite) sum += Math.exp(v - top);
  return top + Math.log(sum);
}

/**
 * P(Yes) from the natural-log probabilities of YES_CONTINUATIONS and NO_CONTINUATIONS (same
 * order): the yes forms' mass over the yes and no forms' mass. Entries that are -Infinity, NaN
 * or +Infinity (a scorer's failure) are left out; null when none is left on either side.
 */
export function pYesFromScores(yes: readonly number[], no: readonly number[]): number | null {
  const ly = logSumExp(yes);
  const ln = logSumExp(no);
  if (ly === -Infinity && ln === -Infinity) return null;
  if (ly === -Infinity) return 0;
  if (ln === -Infinity) return 1;
  // 1 / (1 + e^(ln - ly)) never overflows into NaN, whatever the gap.
  return 1 / (1 + Math.exp(ln - ly));
}

/**
 * The word a top-log-probability token stands for: the token without surrounding whitespace
 * and trailing punctuation, lower-cased, when that is exactly "yes" or "no" (" Yes", "YES",
 * "yes." count; "Y", "Yeah" and "Nope" do not: a prefix could begin other words too).
 */
function yesNoToken(token: string): 'yes' | 'no' | null {
  const word = token
    .trim()
    .replace(/\p{P}+$/u, '')
    .toLowerCase();
  return word === 'yes' ? 'yes' : word === 'no' ? 'no' : null;
}

/**
 * P(Yes) from a first token's top alternatives: yes-ish mass over yes-ish plus no-ish; null when
 * neither appears. A token counts when it is "yes" or "no" in any casing, with or without
 * surrounding whitespace, optionally followed by punctuation; non-finite log probabilities are
 * left out.
 */
export function pYesFromTopLogprobs(
  top: readonly { token: string; logprob: number }[],
): number | null {
  const yes: number[] = [];
  const no: number[] = [];
  for (const { token, logprob } of top) {
    const word = yesNoToken(token);
    if (word === 'yes') yes.push(logprob);
    else if (word === 'no') no.push(logprob);
  }
  return pYesFromScores(yes, no);
}
