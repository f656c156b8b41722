/**
 * How a distinctive word is quoted everywhere (app, Markdown, HTML): with the answers that
 * contain it on each side and its q-value, so the claim can be checked by reading the answers.
 */
import type { WordsResult } from '../compare/result-types';
import type { ReportWord } from '../analysis/report-json';
import type { Side } from '../run/types';
import { formatQ } from './vocabulary';

/**
 * "in 4 of A's answers vs 123 of B's, q = 1.3e-30"; for results saved before presence testing
 * (no q) "log-odds z 2.7".
 */
export function wordEvidence(w: ReportWord): string {
  if (w.qValue === null || w.countA === null || w.countB === null) {
    return `log-odds z ${w.z.toFixed(1)}`;
  }
  return `in ${w.countA} of A's answers vs ${w.countB} of B's, q = ${formatQ(w.qValue)}`;
}

/** One sentence saying how the words were found, for the words section of every view. */
export function wordsMethod(words: Pick<WordsResult, 'test' | 'tested'>, minAnswers = 5): string {
  if (words.test === 'log-odds') {
    return 'Ranked by per-token log-odds (this analysis was saved before words were tested by the answers that contain them; run it again for counts and q-values).';
  }
  const test =
    words.test === 'mcnemar-exact'
      ? 'exact McNemar test on the prompts where only one side’s answer contains it'
      : 'within-prompt permutation test';
  return `Each word or two-word phrase found in at least ${minAnswers} answers is tested by whether an answer contains it, paired by prompt (${test}), with Benjamini-Hochberg q-values across the ${words.tested} terms tested; so a side that writes more does not use every word "more".`;
}

/** The words a report lists, B's first then A's, at most `max` a side, each with its side. */
export function reportedWords(
  words: { moreInA: readonly ReportWord[]; moreInB: readonly ReportWord[] },
  max = 15,
): { side: Side; w: ReportWord }[] {
  return (['B', 'A'] as const).flatMap((side) =>
    (side === 'B' ? words.moreInB : words.moreInA).slice(0, max).map((w) => ({ side, w })),
  );
}

/** What a report says when no word leans to either side. */
export const NO_WORDS = 'No word is used clearly more by one side.';
