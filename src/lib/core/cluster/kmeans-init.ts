/**
 * Greedy k-means++ seeding (Arthur and Vassilvitskii 2007, with the 2 + ln k local trials
 * sklearn uses): each new centre is the best of a few candidates drawn with probability
 * proportional to the squared distance to the nearest chosen centre, "best" meaning the lowest
 * resulting potential. The candidate-to-all distances go through the arena's kernel.
 */
import type { Rng } from '../vectors/random';
import type { DistanceArena, PointBlock } from './distance-arena';

/** Buffers a seeding run reuses across restarts (allocated once in the arena). */
export interface SeedingScratch {
  /** Block of up to `trials` candidate rows. */
  candidates: PointBlock;
  /** Table of trials (rounded up to 4) x points.rowsPad squared distances. */
  table: number;
  trials: number;
}

/** Local trials per new centre, as sklearn: 2 + floor(ln k). */
export function seedingTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** Reserves the seeding buffers for `points` and `k` centres. */
export function allocSeeding(arena: DistanceArena, points: PointBlock, k: number): SeedingScratch {
  const trials = seedingTrials(k);
  const candidates = arena.allocBlock(trials, points.dp);
  return { candidates, table: arena.alloc(candidates.rowsPad * points.rowsPad), trials };
}

/** Floats seeding needs in an arena (see allocSeeding). */
export function seedingFloats(rowsPad: number, dp: number, k: number): number {
  const trialsPad = (seedingTrials(k) + 3) & ~3;
  return trialsPad * (dp + 1) + trialsPad * rowsPad + 16;
}

/** Initial centres and, as a by-product, the first assignment of points to them. */
export interface Seeding {
  /** Row indices of the k chosen centres. */
  chosen: Int32Array;
  /** Index (0..k-1) of each point's nearest chosen centre: Lloyd's first assignment, free. */
  nearest: Int32Array;
  /** Squared distance of each point to that centre. */
  closest: Float64Array;
}

/** Chooses `k` initial centres among the rows of `points`. */
export function kmeansPlusPlus(
  arena: DistanceArena,
  points: PointBlock,
  k: number,
  rng: Rng,
  scratch: SeedingScratch,
): Seeding {
  const n = points.rows;
  const f = arena.f32;
  const { candidates, table, trials } = scratch;
  const chosen = new Int32Array(k);
  const closest = new Float64Array(n);
  const nearest = new Int32Array(n);
  const cumulative = new Float64Array(n);
  const picks = new Int32Array(trials);

  const loadCandidates = (ids: ArrayLike<number>, count: number) => {
    // Stryker disable next-line EqualityOperator: one more candidate row is copied into padding but never scored (sqdist reads `count` rows)
    for (let t = 0; t < count; t++) {
      const src = points.offset + ids[t]! * points.dp;
      f.copyWithin(candidates.offset + t * candidates.dp, src, src + points.dp);
      f[candidates.norms + t] = f[points.norms + ids[t]!]!;
    }
    arena.sqdist(candidates, 0, count, points, 0, n, table, points.rowsPad);
  };

  chosen[0] = rng.int(n);
  loadCandidates(chosen, 1);
  let potential = 0;
  for (let j = 0; j < n; j++) {
    closest[j] = f[table + j]!;
    potential += closest[j]!;
  }
  for (let c = 1; c < k; c++) {
    let sum = 0;
    // Stryker disable next-line EqualityOperator: a write past the end of a typed array is dropped
    for (let j = 0; j < n; j++) cumulative[j] = sum += closest[j]!;
    for (let t = 0; t < trials; t++) {
      picks[t] = searchSorted(cumulative, rng.next() * potential);
    }
    loadCandidates(picks, trials);
    let bestTrial = 0;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const base = table + t * points.rowsPad;
      let pot = 0;
      for (let j = 0; j < n; j++) {
        const v = f[base + j]!;
        // Stryker disable next-line EqualityOperator: both branches are the minimum when v equals closest[j]
        pot += v < closest[j]! ? v : closest[j]!;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestTrial = t;
      }
    }
    chosen[c] = picks[bestTrial]!;
    const base = table + bestTrial * points.rowsPad;
    // Stryker disable next-line EqualityOperator: closest[n] is undefined, so the extra step changes nothing
    for (let j = 0; j < n; j++) {
      const v = f[base + j]!;
      if (v < closest[j]!) {
        closest[j] = v;
        nearest[j] = c;
      }
    }
    potential = bestPotential;
  }
  return { chosen, nearest, closest };
}

/**
 * First index whose cumulative sum exceeds `value`, clipped to n - 1: like sklearn's
 * searchsorted, except that a point of zero weight is never drawn on an exact tie.
 */
function searchSorted(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
