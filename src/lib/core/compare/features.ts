/**
 * Paired comparison of per-answer features (style features, or any number per answer). Prompts
 * are the unit: for each prompt answered by both sides, d_p = mean over B's samples - mean over
 * A's samples; the d_p go through the Wilcoxon signed-rank test (wilcoxon.ts). Effect sizes: the
 * matched-pairs rank-biserial correlation (+1: B higher on every prompt) and the mean of d_p.
 * Benjamini-Hochberg q-values across features.
 */
import { requireBothSides, type PairedDesign } from './design';
import { bhQValuesNullable } from './fdr';
import { wilcoxonSignedRank } from './wilcoxon';

/** Comparison of one feature. */
export interface FeatureComparison {
  name: string;
  /** Mean over all of A's answers. */
  meanA: number;
  /** Mean over all of B's answers. */
  meanB: number;
  /** Mean over paired prompts of (B's mean - A's mean). */
  meanDifference: number | null;
  /** Rank-biserial correlation in [-1, 1], positive when B is higher; null when no d_p != 0. */
  effect: number | null;
  pValue: number | null;
  qValue: number | null;
  /** Prompts with answers from both sides. */
  nPairs: number;
  /** Prompts whose difference was zero (dropped by the test). */
  nZeros: number;
  test: 'exact' | 'approx' | null;
}

/** A named per-answer feature column. */
export interface FeatureColumn {
  name: string;
  values: ArrayLike<number>;
}

/** Per-prompt differences are rounded to this many decimals (see below). */
const DIFF_DECIMALS = 1e9;

/**
 * Per-prompt paired differences B - A of one feature (prompts with both sides only). Means of
 * counts such as 5/3 - 2/3 and 4/3 - 1/3 differ in the last bit; rounding to 1e-9 keeps such
 * values equal, so zeros and ties are recognised as the test needs.
 */
export function pairedDifferences(design: PairedDesign, values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let p = 0; p < design.nPrompts; p++) {
    let sA = 0;
    let sB = 0;
    let nA = 0;
    let nB = 0;
    for (let m = design.groupStart[p]!; m < design.groupStart[p + 1]!; m++) {
      const i = design.members[m]!;
      if (design.isB[i]) {
        sB += values[i]!;
        nB++;
      } else {
        sA += values[i]!;
        nA++;
      }
    }
    if (nA > 0 && nB > 0) out.push(Math.round((sB / nB - sA / nA) * DIFF_DECIMALS) / DIFF_DECIMALS);
  }
  return out;
}

/**
 * Compares every feature column between A and B.
 * Throws when a side has no answers, a column's length differs from the answer count or holds a non-finite value.
 */
export function compareFeatures(
  design: PairedDesign,
  columns: readonly FeatureColumn[],
): FeatureComparison[] {
  requireBothSides(design, 'compareFeatures');
  const rows = columns.map(({ name, values }) => {
    if (values.length !== design.n) {
      throw new Error(
        `compareFeatures: feature ${name} has ${values.length} values for ${design.n} answers`,
      );
    }
    let sA = 0;
    let sB = 0;
    for (let i = 0; i < design.n; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v))
        throw new Error(`compareFeatures: feature ${name}, answer ${i} is ${v}`);
      if (design.isB[i]) sB += v;
      else sA += v;
    }
    const d = pairedDifferences(design, values);
    const test = wilcoxonSignedRank(d);
    return {
      name,
      meanA: sA / design.nA,
      meanB: sB / design.nB,
      meanDifference: d.length ? d.reduce((s, v) => s + v, 0) / d.length : null,
      effect: test.rankBiserial,
      pValue: test.pValue,
      qValue: null as number | null,
      nPairs: d.length,
      nZeros: test.nZeros,
      test: test.method,
    };
  });
  const q = bhQValuesNullable(rows.map((r) => r.pValue));
  rows.forEach((r, i) => (r.qValue = q[i] ?? null));
  return rows;
}
