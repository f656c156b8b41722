/**
 * How a style feature or detector is worded wherever it is shown (app summary, style table,
 * Markdown and HTML reports): its share of answers, its rate per 100 words and its median next
 * to the mean count, and the direction of its primary measure. Works on features saved before
 * the measures existed (they have only the mean count, and say so).
 */
import type { FeatureMeasureFields } from '../compare/feature-measures';
import { formatPercent } from './vocabulary';

/** The fields of a feature these texts read (FeatureResult and REPORT.json rows alike). */
export interface FeatureLike {
  name: string;
  meanA: number;
  meanB: number;
  effect: number | null;
  measure?: FeatureMeasureFields['measure'] | null;
  shareA?: number | null;
  shareB?: number | null;
  per100wA?: number | null;
  per100wB?: number | null;
  medianA?: number | null;
  medianB?: number | null;
  rateOpposesCount?: boolean | null;
}

const percent = (x: number): string => formatPercent(x, 0);
const rate = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
const median = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** The measure the feature's test used, in words ("share of answers", "per 100 words", ...). */
export function featureMeasureName(f: FeatureLike): string {
  switch (f.measure) {
    case 'presence':
      return 'share of answers';
    case 'rate':
      return 'per 100 words';
    case 'length':
      return 'words per answer';
    default:
      return 'count per answer';
  }
}

/** A vs B on the feature's primary measure, e.g. "49% of A's answers vs 10% of B's". */
export function featureMeasureText(f: FeatureLike): string {
  if (f.measure === 'presence' && f.shareA != null && f.shareB != null) {
    return `${percent(f.shareA)} of A's answers vs ${percent(f.shareB)} of B's`;
  }
  if (f.measure === 'rate' && f.per100wA != null && f.per100wB != null) {
    const pooled = `${rate(f.per100wA)} vs ${rate(f.per100wB)} per 100 words`;
    // The rates are pooled over all of a side's words, the test pairs each prompt's rates: when
    // the two disagree (a few long answers outweigh many short ones), say which way the test went.
    const effect = f.effect ?? 0;
    if (effect !== 0 && f.per100wA !== f.per100wB && f.per100wB > f.per100wA !== effect > 0) {
      return `${pooled} over all words, but B's rate is ${effect > 0 ? 'higher' : 'lower'} prompt by prompt`;
    }
    return pooled;
  }
  if (f.measure === 'length' && f.medianA != null && f.medianB != null) {
    return `median ${median(f.medianA)} → ${median(f.medianB)}`;
  }
  return `mean ${f.meanA.toFixed(2)} → ${f.meanB.toFixed(2)}`;
}

/**
 * Whether B is higher on the primary measure: the effect's sign (it comes from that measure);
 * the means for a feature saved before the measures existed, or without an effect.
 */
function featureHigherInB(f: FeatureLike): boolean {
  return f.measure && f.effect !== null && f.effect !== 0 ? f.effect > 0 : f.meanB > f.meanA;
}

/**
 * The note for a count whose rate per 100 words moves against it, e.g. "more per answer (mean
 * 1.2 → 2.9), because B writes more", or null.
 */
export function featureOpposesNote(f: FeatureLike): string | null {
  if (!f.rateOpposesCount) return null;
  // The count moves against the rate, whose direction is the effect's sign.
  const way = (f.effect ?? 0) > 0 ? 'fewer' : 'more';
  // The flag comes from the paired count test; the means can point the other way (a few
  // outliers), and "more in B: mean 6.08 → 5.86" would contradict itself.
  const meansAgree = way === 'more' ? f.meanB > f.meanA : f.meanB < f.meanA;
  const evidence = meansAgree
    ? `: mean ${f.meanA.toFixed(2)} → ${f.meanB.toFixed(2)}`
    : ' prompt by prompt';
  return `the count per answer moves the other way (${way} in B${evidence}), from answer length`;
}

/** One line for a significant feature: "Hedging phrases: lower in B (2.1 vs 0.8 per 100 words)". */
export function featureFindingText(f: FeatureLike, label: string): string {
  const note = featureOpposesNote(f);
  return `${label}: ${featureHigherInB(f) ? 'higher' : 'lower'} in B (${featureMeasureText(f)}${note ? `; ${note}` : ''}).`;
}

/** How the features are tested, in one paragraph for the reports. */
export const FEATURES_METHOD =
  'Each feature is tested on its primary measure, paired by prompt: detectors that mark an ' +
  'answer (refusals, pushback, AI disclaimers, repeats the prompt, only a question, very short, ' +
  'repetition loops, other language, tables, code blocks) by whether an answer shows it (exact ' +
  'McNemar test with one sample per prompt, within-prompt permutation otherwise); counts by ' +
  'their rate per 100 words and length by words, with the Wilcoxon signed-rank test; ' +
  'q-values by Benjamini-Hochberg across all features. `refusals` marks answers that decline ' +
  'the task (before issue 9 it counted apology and disclaimer phrases).';
