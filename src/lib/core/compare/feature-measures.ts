/**
 * Every style feature as share and rate, each tested on its primary measure (issue 9 item 3):
 * - `presence` (detectors that mark an answer): whether an answer shows it, paired by prompt
 *   with the words' presence test (exact McNemar with one sample per prompt, within-prompt
 *   permutation otherwise; word-presence.ts);
 * - `rate` (counts): occurrences per 100 words of each answer, Wilcoxon signed-rank on the
 *   per-prompt differences, so a model that writes 3x more does not "hedge more" by length alone
 *   and one answer with 236 emoji is one rank, not a mean;
 * - `length` (length_words): words, Wilcoxon.
 * The effect is the matched-pairs rank-biserial correlation of the primary measure's per-prompt
 * differences (for presence: (B-only - A-only) / discordant prompts). Benjamini-Hochberg across
 * all features. Share, pooled rate per 100 words and median sit next to the mean count.
 */
import { requireBothSides, type PairedDesign } from './design';
import { pairedDifferences, type FeatureColumn, type FeatureComparison } from './features';
import { bhQValuesNullable } from './fdr';
import { wilcoxonSignedRank } from './wilcoxon';
import { presenceTests } from './word-presence';

/** A feature column with the measure it is tested on. */
export interface MeasuredFeatureColumn extends FeatureColumn {
  measure: 'presence' | 'rate' | 'length';
}

/** What a feature gains over its count comparison: its measure, share, rate and median. */
export interface FeatureMeasureFields {
  /** The measure pValue/effect come from: presence per answer, rate per 100 words, or words. */
  measure: 'presence' | 'rate' | 'length';
  /** The presence test used, for presence features. */
  presenceTest?: 'mcnemar-exact' | 'permutation';
  /** Fraction of A's / B's answers where the feature occurs (value > 0). */
  shareA: number;
  shareB: number;
  /** Occurrences per 100 words over all of a side's answers (pooled). */
  per100wA: number;
  per100wB: number;
  /** Median per answer of the value. */
  medianA: number;
  medianB: number;
  /**
   * A count whose rate per 100 words moves the other way from its count, both directions taken
   * as the paired test sees them (the sign of the rank-biserial effect): say so.
   */
  rateOpposesCount: boolean;
}

/**
 * One feature's comparison on its primary measure; `test` is the Wilcoxon method (null for a
 * presence test), `meanA`/`meanB` the mean value per answer.
 */
export type MeasuredFeature = FeatureComparison & FeatureMeasureFields;

/** Settings of the presence test when some prompt has several samples. */
export interface FeatureMeasureOptions {
  nPermutations?: number;
  seed?: number;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/**
 * Compares every feature on its primary measure. `words[i]` is the word count of answer i (the
 * rate's denominator; an answer of 0 words has rate 0).
 * Throws when a side has no answers, or a column's or `words`' length differs from the answers.
 */
export function compareFeatureMeasures(
  design: PairedDesign,
  columns: readonly MeasuredFeatureColumn[],
  words: ArrayLike<number>,
  options: FeatureMeasureOptions = {},
): MeasuredFeature[] {
  requireBothSides(design, 'compareFeatureMeasures');
  if (words.length !== design.n) {
    throw new Error(`compareFeatureMeasures: ${words.length} word counts for ${design.n} answers`);
  }
  const presenceColumns = columns.filter((c) => c.measure === 'presence');
  const presence = presenceP(design, presenceColumns, options);
  const rows: MeasuredFeature[] = columns.map(({ name, values, measure }) => {
    if (values.length !== design.n) {
      throw new Error(
        `compareFeatureMeasures: feature ${name} has ${values.length} values for ${design.n} answers`,
      );
    }
    const side = { A: [] as number[], B: [] as number[] };
    const wordsOf = { A: 0, B: 0 };
    const present = new Float64Array(design.n);
    const rate = new Float64Array(design.n);
    for (let i = 0; i < design.n; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) {
        throw new Error(`compareFeatureMeasures: feature ${name}, answer ${i} is ${v}`);
      }
      const s = design.isB[i] ? 'B' : 'A';
      side[s].push(v);
      wordsOf[s] += words[i]!;
      present[i] = v > 0 ? 1 : 0;
      rate[i] = words[i]! > 0 ? (100 * v) / words[i]! : 0;
    }
    const total = (xs: number[]) => xs.reduce((s, v) => s + v, 0);
    const countDiffs = pairedDifferences(design, values);
    const primary =
      measure === 'presence' ? present : measure === 'rate' ? rate : (values as ArrayLike<number>);
    const diffs = pairedDifferences(design, primary);
    const wilcoxon = wilcoxonSignedRank(diffs);
    const p = presence.get(name);
    // Directions compared as the test sees them (rank-biserial), so one outlier answer cannot
    // flip the count's direction.
    const countEffect = measure === 'rate' ? wilcoxonSignedRank(countDiffs).rankBiserial : null;
    return {
      name,
      meanA: total(side.A) / side.A.length,
      meanB: total(side.B) / side.B.length,
      effect: wilcoxon.rankBiserial,
      meanDifference: mean(diffs),
      pValue: p ? p.pValue : wilcoxon.pValue,
      qValue: null,
      nPairs: diffs.length,
      nZeros: wilcoxon.nZeros,
      test: p ? null : wilcoxon.method,
      measure,
      ...(p ? { presenceTest: p.test } : {}),
      shareA: side.A.filter((v) => v > 0).length / side.A.length,
      shareB: side.B.filter((v) => v > 0).length / side.B.length,
      per100wA: wordsOf.A > 0 ? (100 * total(side.A)) / wordsOf.A : 0,
      per100wB: wordsOf.B > 0 ? (100 * total(side.B)) / wordsOf.B : 0,
      medianA: median(side.A),
      medianB: median(side.B),
      rateOpposesCount:
        countEffect !== null &&
        wilcoxon.rankBiserial !== null &&
        Math.sign(countEffect) * Math.sign(wilcoxon.rankBiserial) < 0,
    };
  });
  const q = bhQValuesNullable(rows.map((r) => r.pValue));
  rows.forEach((r, i) => (r.qValue = q[i] ?? null));
  return rows;
}

/** The presence test of each presence feature, by name (null p when no prompt is discordant). */
function presenceP(
  design: PairedDesign,
  columns: readonly MeasuredFeatureColumn[],
  options: FeatureMeasureOptions,
): Map<string, { pValue: number | null; test: 'mcnemar-exact' | 'permutation' }> {
  const out = new Map<string, { pValue: number | null; test: 'mcnemar-exact' | 'permutation' }>();
  if (columns.length === 0) return out;
  const start = new Int32Array(design.n + 1);
  const ids: number[] = [];
  for (let i = 0; i < design.n; i++) {
    columns.forEach((c, f) => {
      if (c.values[i]! > 0) ids.push(f);
    });
    start[i + 1] = ids.length;
  }
  const table = {
    vocabulary: columns.map((c) => c.name),
    start,
    termIds: Int32Array.from(ids),
  };
  const { pValues, test } = presenceTests(design, table, options);
  columns.forEach((c, f) => {
    // A detector no paired prompt disagrees on has no test (like Wilcoxon with only zeros).
    const differs = pairedDifferences(
      design,
      Array.from(c.values as ArrayLike<number>, (v) => (v > 0 ? 1 : 0)),
    ).some((d) => d !== 0);
    out.set(c.name, {
      pValue: differs ? pValues[f]! : null,
      test: test === 'mcnemar-exact' ? 'mcnemar-exact' : 'permutation',
    });
  });
  return out;
}
