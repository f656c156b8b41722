/**
 * Within-prompt label permutation tests. Under the null hypothesis "the intervention changed
 * nothing", the A and B answers to one prompt are exchangeable, but answers to different prompts
 * are not (prompts differ far more than models do). So each permutation re-draws, independently
 * per prompt, which of that prompt's answers are called B, keeping each prompt's numbers of A and
 * B answers. Several samples per prompt are then handled honestly: the prompt effect stays put.
 */
import { createRng, type Rng } from '../vectors/random';
import type { PairedDesign } from './design';

/** A statistic (or several sharing the same permutations) of an A/B labelling; larger = more different. */
export interface PermutationStatistic {
  /** How many statistics one evaluation writes. */
  readonly size: number;
  /** Writes the statistics of labelling `isB` (1 = B) into `out`. */
  evaluate(isB: Uint8Array, out: Float64Array): void;
  /**
   * Optional incremental form: `out` holds the statistics of the previous labelling, the answers
   * in flips[0 .. nFlips) changed side and `isB` is already the new labelling.
   */
  update?(isB: Uint8Array, flips: Int32Array, nFlips: number, out: Float64Array): void;
}

/** Settings of a permutation test. */
export interface PermutationOptions {
  /** Number of random permutations (default 999, so p-values step by 0.001). */
  nPermutations?: number;
  /** Seed of the permutation stream (default 1). */
  seed?: number;
}

/** Observed statistics and their permutation p-values. */
export interface PermutationResult {
  observed: Float64Array;
  /** (1 + #{permuted >= observed}) / (1 + nPermutations), per statistic. */
  pValues: Float64Array;
  /** #{permuted >= observed} per statistic. */
  exceed: Int32Array;
  nPermutations: number;
}

/** Default number of permutations. */
export const DEFAULT_PERMUTATIONS = 999;

/**
 * A within-prompt permuter: each call of `next` turns `isB` into a fresh independent random
 * labelling with the same per-prompt B counts and reports which answers changed side.
 */
export class WithinPromptPermuter {
  /** Current labelling (starts as the observed one). */
  readonly isB: Uint8Array;
  /** Answers that changed side in the last `next` call: flips[0 .. nFlips). */
  readonly flips: Int32Array;
  nFlips = 0;
  private readonly order: Int32Array;
  private readonly design: PairedDesign;
  private readonly rng: Rng;

  constructor(design: PairedDesign, rng: Rng) {
    this.design = design;
    this.rng = rng;
    this.isB = design.isB.slice();
    this.flips = new Int32Array(design.n);
    this.order = design.members.slice();
  }

  /** Draws the next permutation in place. */
  next(): void {
    const { groupStart, bCount, nPrompts } = this.design;
    const { order, isB, flips, rng } = this;
    let nFlips = 0;
    for (let p = 0; p < nPrompts; p++) {
      const start = groupStart[p]!;
      const k = groupStart[p + 1]! - start;
      const b = bCount[p]!;
      if (b === 0 || b === k) continue; // one-sided prompt: nothing to swap
      // Partial Fisher-Yates: the first b slots become a uniform random b-subset, whatever
      // order the slice was left in by earlier permutations.
      for (let i = 0; i < b; i++) {
        const j = i + rng.int(k - i);
        const t = order[start + i]!;
        order[start + i] = order[start + j]!;
        order[start + j] = t;
      }
      for (let i = 0; i < k; i++) {
        const a = order[start + i]!;
        const label = i < b ? 1 : 0;
        if (isB[a] !== label) {
          isB[a] = label;
          flips[nFlips++] = a;
        }
      }
    }
    this.nFlips = nFlips;
  }
}

/**
 * Runs a within-prompt permutation test of `statistic` (all its components on the same
 * permutations). Ties count as exceedances, with a relative tolerance of 1e-9 so that
 * rounding in incremental updates never turns an identical labelling into a "smaller" one.
 */
export function permutationTest(
  design: PairedDesign,
  statistic: PermutationStatistic,
  options: PermutationOptions = {},
): PermutationResult {
  const nPermutations = options.nPermutations ?? DEFAULT_PERMUTATIONS;
  if (!Number.isInteger(nPermutations) || nPermutations < 1) {
    throw new Error(
      `permutationTest: nPermutations must be a positive integer, got ${nPermutations}`,
    );
  }
  const size = statistic.size;
  const observed = new Float64Array(size);
  statistic.evaluate(design.isB, observed);
  const threshold = new Float64Array(size);
  for (let s = 0; s < size; s++) {
    const o = observed[s]!;
    threshold[s] = o - 1e-9 * Math.max(1, Math.abs(o));
  }
  const exceed = new Int32Array(size);
  const permuter = new WithinPromptPermuter(design, createRng(options.seed ?? 1));
  const current = observed.slice();
  for (let r = 0; r < nPermutations; r++) {
    permuter.next();
    if (statistic.update) {
      statistic.update(permuter.isB, permuter.flips, permuter.nFlips, current);
    } else {
      statistic.evaluate(permuter.isB, current);
    }
    for (let s = 0; s < size; s++) if (current[s]! >= threshold[s]!) exceed[s]!++;
  }
  const pValues = new Float64Array(size);
  for (let s = 0; s < size; s++) pValues[s] = (1 + exceed[s]!) / (1 + nPermutations);
  return { observed, pValues, exceed, nPermutations };
}
