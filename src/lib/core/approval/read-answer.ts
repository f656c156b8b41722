/** Reading a yes/no answer: the strict first-word parse, and P(Yes) from scores or log probabilities. */
import type { ApprovalChoice } from './types';

/** Every casing and leading-space form of "Yes" the scorer tries (CONTRACT: filled in by the implementation). */
export const YES_CONTINUATIONS: readonly string[] = ['Yes', 'yes', 'YES', ' Yes', ' yes', ' YES'];
/** Every casing and leading-space form of "No". */
export const NO_CONTINUATIONS: readonly string[] = ['No', 'no', 'NO', ' No', ' no', ' NO'];

/** The strict parse of a reply's first word: "yes", "no", or "unclear" (never mapped to yes or no). */
export function parseChoice(text: string): ApprovalChoice {
  void text;
  throw new Error('not built yet');
}

/** P(Yes) from the log probabilities of YES_CONTINUATIONS and NO_CONTINUATIONS (same order). */
export function pYesFromScores(yes: readonly number[], no: readonly number[]): number | null {
  void yes;
  void no;
  throw new Error('not built yet');
}

/** P(Yes) from a first token's top alternatives: yes-ish mass over yes-ish plus no-ish; null when neither appears. */
export function pYesFromTopLogprobs(
  top: readonly { token: string; logprob: number }[],
): number | null {
  void top;
  throw new Error('not built yet');
}
