/**
 * Wilcoxon signed-rank test of paired differences, two-sided, following scipy.stats.wilcoxon's
 * defaults (zero_method='wilcox': zero differences are dropped before ranking; correction=False:
 * no continuity correction):
 * - exact null distribution when there are at most 50 differences, none zero and no tied |d|;
 * - otherwise the normal approximation with the tie correction of the variance, on the non-zero
 *   differences. (scipy 1.10's method='auto' would still use its exact table with tied ranks,
 *   which is wrong for ties; later scipy versions also move to the approximation there.)
 */
import { normalSf } from './normal';

/** Outcome of the signed-rank test. */
export interface WilcoxonResult {
  /** min(R+, R-), scipy's two-sided statistic. */
  statistic: number;
  /** Two-sided p-value; null when every difference is zero (or there are none). */
  pValue: number | null;
  method: 'exact' | 'approx' | null;
  /** Number of non-zero differences (the ones ranked). */
  n: number;
  nZeros: number;
  rPlus: number;
  rMinus: number;
  /** Normal deviate of the approximation, null for the exact test. */
  z: number | null;
  /** Matched-pairs rank-biserial correlation (R+ - R-) / (R+ + R-) in [-1, 1]; null if n = 0. */
  rankBiserial: number | null;
}

/** Largest n for which the exact distribution is used (scipy's threshold). */
export const WILCOXON_EXACT_MAX_N = 50;

const exactCounts = new Map<number, Float64Array>();

/** Number of sign assignments of ranks 1..n with positive-rank sum s, for s = 0..n(n+1)/2. */
function signedRankCounts(n: number): Float64Array {
  const cached = exactCounts.get(n);
  if (cached) return cached;
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  // Counts reach 2^50 at most: exact in doubles.
  for (let k = 1; k <= n; k++) {
    for (let s = (k * (k + 1)) / 2; s >= k; s--) c[s]! += c[s - k]!;
  }
  exactCounts.set(n, c);
  return c;
}

/** Average ranks (1-based) of `values`, plus the sizes of tie groups larger than one. */
function averageRanks(values: Float64Array): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    const avg = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k]!] = avg;
    if (j - i > 1) ties.push(j - i);
    i = j;
  }
  return { ranks, ties };
}

/** Two-sided Wilcoxon signed-rank test of the differences `d` (e.g. B - A per prompt). */
export function wilcoxonSignedRank(d: ArrayLike<number>): WilcoxonResult {
  const total = d.length;
  const nonZero: number[] = [];
  for (let i = 0; i < total; i++) {
    const v = d[i]!;
    if (Number.isNaN(v)) throw new Error(`wilcoxonSignedRank: difference ${i} is NaN`);
    if (v !== 0) nonZero.push(v);
  }
  const n = nonZero.length;
  const nZeros = total - n;
  if (n === 0) {
    return {
      statistic: 0,
      pValue: null,
      method: null,
      n,
      nZeros,
      rPlus: 0,
      rMinus: 0,
      z: null,
      rankBiserial: null,
    };
  }
  const { ranks, ties } = averageRanks(Float64Array.from(nonZero, Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (nonZero[i]! > 0) rPlus += ranks[i]!;
    else rMinus += ranks[i]!;
  }
  const statistic = Math.min(rPlus, rMinus);
  const rankBiserial = (rPlus - rMinus) / (rPlus + rMinus);
  const base = { statistic, n, nZeros, rPlus, rMinus, rankBiserial };
  if (total <= WILCOXON_EXACT_MAX_N && nZeros === 0 && ties.length === 0) {
    const counts = signedRankCounts(n);
    const max = counts.length - 1;
    const r = Math.round(rPlus);
    let pValue = 1;
    if (r !== Math.floor(max / 2)) {
      let below = 0;
      let above = 0;
      for (let s = 0; s <= r; s++) below += counts[s]!;
      for (let s = r; s <= max; s++) above += counts[s]!;
      pValue = Math.min(1, (2 * Math.min(below, above)) / 2 ** n);
    }
    return { ...base, pValue, method: 'exact', z: null };
  }
  const mean = (n * (n + 1)) / 4;
  let variance = n * (n + 1) * (2 * n + 1);
  for (const t of ties) variance -= 0.5 * t * (t * t - 1);
  const se = Math.sqrt(variance / 24);
  const z = (statistic - mean) / se;
  return { ...base, pValue: Math.min(1, 2 * normalSf(Math.abs(z))), method: 'approx', z };
}
