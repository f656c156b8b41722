/**
 * Degenerate answers: text a model produced while stuck, which must not name a cluster or stand
 * for it as an exemplar. An answer of at least DEGENERATE_MIN_WORDS words is degenerate when
 *   - one word makes up at least half of its words ('one-token': "banana banana banana ..."), or
 *   - it is a repetition loop as the `repetition_loops` detector defines it ('loop'), so the
 *     report has one meaning of "loop".
 * Shorter answers are never called degenerate: too few words to tell a loop from a short list.
 */
import { isRepetitionLoop } from './detectors';
import { words } from './tokenize';

/** Fewest words an answer needs before it can be called degenerate. */
export const DEGENERATE_MIN_WORDS = 20;
/** Share of the words one word must reach to make a 'one-token' answer. */
const ONE_TOKEN_SHARE = 0.5;

/** Why an answer is degenerate. */
export type Degeneration = 'one-token' | 'loop';

/**
 * The kind of degeneration of `text`, or null when it reads as an ordinary answer.
 * `repetitionLoop` is isRepetitionLoop(words(text), text) when the caller already has it (the
 * style feature repetition_loops): its regex scan is the costly part, so it is not run twice.
 */
export function degeneration(text: string, repetitionLoop?: boolean): Degeneration | null {
  const tokens = words(text);
  const n = tokens.length;
  if (n < DEGENERATE_MIN_WORDS) return null;
  const counts = new Map<string, number>();
  let most = 0;
  for (const t of tokens) {
    const c = (counts.get(t) ?? 0) + 1;
    counts.set(t, c);
    if (c > most) most = c;
  }
  if (most >= ONE_TOKEN_SHARE * n) return 'one-token';
  return (repetitionLoop ?? isRepetitionLoop(tokens, text)) ? 'loop' : null;
}

/** True when `text` is degenerate (see degeneration). */
export function isDegenerateAnswer(text: string, repetitionLoop?: boolean): boolean {
  return degeneration(text, repetitionLoop) !== null;
}
