/**
 * The report's vocabulary: the significance level and how p- and q-values, percentages, ratios
 * and counts are written. The app, the Markdown and HTML reports and the plots all import these,
 * so a number reads the same wherever it is shown.
 */

/** Significance level for q-values (FDR) and p-values, everywhere results are judged. */
export const ALPHA = 0.05;

/** Numbers written with the long-established English grouping, e.g. "6,278". */
const GROUPED = new Intl.NumberFormat('en-US');

/** A p- or q-value as people read it: small ones in scientific notation; "–" when missing. */
export function formatP(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** A q-value (Benjamini-Hochberg), written like a p-value; "–" when missing. */
export function formatQ(q: number | null): string {
  return formatP(q);
}

/** The smallest p-value a permutation test with `nPermutations` shuffles can give: 1/(N+1). */
export function permutationFloor(nPermutations: number): number {
  return 1 / (nPermutations + 1);
}

/**
 * "p = 0.013", or "p ≤ 0.001" for a permutation p-value at its floor 1/(N+1): no shuffle was as
 * extreme as the data, so the true p-value is only known to be at most that.
 */
export function pText(p: number, nPermutations?: number): string {
  // A relative tolerance: the floor arrives as (1 + 0) / (N + 1), computed in floating point.
  if (nPermutations !== undefined && p <= permutationFloor(nPermutations) * (1 + 1e-9)) {
    return `p ≤ ${formatP(permutationFloor(nPermutations))}`;
  }
  return `p = ${formatP(p)}`;
}

/** A share (0..1) as a percentage, one decimal by default: "12.5%"; `digits` 0 gives "49%". */
export function formatPercent(share: number, digits = 1): string {
  // Math.round keeps halves rounding up for whole percentages, as prose readers expect.
  const shown = digits === 0 ? String(Math.round(share * 100)) : (share * 100).toFixed(digits);
  return `${shown}%`;
}

/** A share that may be missing (saved before it existed): a percentage or "–". */
export function formatShare(share: number | null | undefined): string {
  return share === null || share === undefined ? '–' : formatPercent(share);
}

/** A difference of shares in percentage points with its sign: "+12.5 pp", "−3.0 pp". */
export function formatPoints(difference: number, digits = 1): string {
  const shown = Math.abs(difference * 100).toFixed(digits);
  if (Number(shown) === 0) return `0 pp`;
  return `${difference > 0 ? '+' : '−'}${shown} pp`;
}

/** A ratio as "2.6×": whole above 10, one decimal from 1, two below 1 ("0.40×"). */
export function formatRatio(ratio: number): string {
  const digits = ratio >= 10 ? 0 : ratio >= 1 ? 1 : 2;
  return `${ratio.toFixed(digits)}×`;
}

/** A count with thousands grouped, and its noun when given: "6,278", "1 answer", "30 answers". */
export function formatCount(count: number, noun?: string): string {
  const shown = GROUPED.format(count);
  if (noun === undefined) return shown;
  return `${shown} ${count === 1 ? noun : `${noun}s`}`;
}

/** A number to fixed decimals, "–" when missing (table cells of means, rates, effects). */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? '–' : x.toFixed(digits);
}
