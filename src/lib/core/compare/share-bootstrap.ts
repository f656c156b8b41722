/**
 * Interval for the difference of cluster shares shareB - shareA by a prompt-clustered
 * (paired) percentile bootstrap: resample prompts with replacement, each resampled prompt bringing
 * all of its A and B answers, and recompute every cluster's shareB - shareA.
 *
 * Why not Newcombe's hybrid score interval: it assumes two independent binomial samples of
 * independent answers. Here answers to one prompt are correlated (several samples per prompt)
 * and A and B are paired by prompt, which Newcombe ignores: its interval is too narrow in the
 * first case and too wide in the second. Resampling prompts, the real unit, keeps both.
 * Caveat: with few prompts (< ~20) percentile bootstrap intervals are somewhat too narrow.
 */
import { createRng } from '../vectors/random';
import type { PairedDesign } from './design';

/** Settings of the share bootstrap. */
export interface ShareBootstrapOptions {
  /** Number of bootstrap resamples (default 2000). */
  nBootstrap?: number;
  /** Two-sided coverage (default 0.95). */
  confidence?: number;
  seed?: number;
}

/** Lower and upper interval bounds per cluster (NaN when there are fewer than 2 prompts). */
export interface ShareIntervals {
  low: Float64Array;
  high: Float64Array;
}

/** Default number of bootstrap resamples. */
export const DEFAULT_BOOTSTRAP = 2000;

/** Linear-interpolation quantile of sorted values (numpy's default 'linear' method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Percentile bootstrap intervals of shareB - shareA for clusters 0..k-1 (`cluster[i]` is the
 * compact cluster index of answer i, or -1 for answers in no listed cluster).
 */
export function shareDifferenceIntervals(
  design: PairedDesign,
  cluster: Int32Array,
  k: number,
  options: ShareBootstrapOptions = {},
): ShareIntervals {
  const nBoot = options.nBootstrap ?? DEFAULT_BOOTSTRAP;
  const alpha = 1 - (options.confidence ?? 0.95);
  const low = new Float64Array(k).fill(NaN);
  const high = new Float64Array(k).fill(NaN);
  // Only prompts with answers can be drawn; empty prompts would just add noise to the weights.
  const used: number[] = [];
  for (let p = 0; p < design.nPrompts; p++) {
    if (design.groupStart[p + 1]! > design.groupStart[p]!) used.push(p);
  }
  const np = used.length;
  if (np < 2 || k === 0) return { low, high };
  // Per-prompt counts make one resample O(prompts x clusters), independent of the answer count.
  const cA = new Float64Array(np * k);
  const cB = new Float64Array(np * k);
  const totA = new Float64Array(np);
  const totB = new Float64Array(np);
  used.forEach((p, u) => {
    for (let m = design.groupStart[p]!; m < design.groupStart[p + 1]!; m++) {
      const i = design.members[m]!;
      const c = cluster[i]!;
      if (design.isB[i]) {
        totB[u]!++;
        if (c >= 0) cB[u * k + c]!++;
      } else {
        totA[u]!++;
        if (c >= 0) cA[u * k + c]!++;
      }
    }
  });
  const rng = createRng(options.seed ?? 1);
  const diffs = new Float64Array(nBoot * k);
  const sumA = new Float64Array(k);
  const sumB = new Float64Array(k);
  let kept = 0;
  for (let r = 0; r < nBoot; r++) {
    sumA.fill(0);
    sumB.fill(0);
    let nA = 0;
    let nB = 0;
    for (let t = 0; t < np; t++) {
      const u = rng.int(np);
      nA += totA[u]!;
      nB += totB[u]!;
      const off = u * k;
      for (let c = 0; c < k; c++) {
        sumA[c]! += cA[off + c]!;
        sumB[c]! += cB[off + c]!;
      }
    }
    if (nA === 0 || nB === 0) continue; // a resample without one side has no shares
    for (let c = 0; c < k; c++) diffs[c * nBoot + kept] = sumB[c]! / nB - sumA[c]! / nA;
    kept++;
  }
  if (kept === 0) return { low, high };
  for (let c = 0; c < k; c++) {
    const col = diffs.subarray(c * nBoot, c * nBoot + kept).sort();
    low[c] = quantileSorted(col, alpha / 2);
    high[c] = quantileSorted(col, 1 - alpha / 2);
  }
  return { low, high };
}
