/**
 * Clustering stability: how much a clustering changes when only the seed changes, as the
 * adjusted Rand index between every pair of runs. Users see it next to the clusters: a low
 * minimum says the clusters are partly an accident of initialisation.
 */
import { adjustedRandIndex } from './ari';

/** Pairwise ARI summary over several labelings of the same points. */
export interface StabilitySummary {
  /** Mean ARI over all pairs (1 when fewer than two labelings). */
  mean: number;
  /** Lowest ARI over all pairs (1 when fewer than two labelings). */
  min: number;
  /** ARI of every pair (i < j), in order (0,1), (0,2), ..., (1,2), ... */
  pairs: number[];
}

/** ARI between every pair of `labelings` (all of the same points), with mean and minimum. */
export function pairwiseStability(labelings: readonly ArrayLike<number>[]): StabilitySummary {
  const pairs: number[] = [];
  for (let i = 0; i < labelings.length; i++) {
    for (let j = i + 1; j < labelings.length; j++) {
      pairs.push(adjustedRandIndex(labelings[i]!, labelings[j]!));
    }
  }
  if (pairs.length === 0) return { mean: 1, min: 1, pairs };
  const mean = pairs.reduce((s, v) => s + v, 0) / pairs.length;
  return { mean, min: Math.min(...pairs), pairs };
}

/** Runs `cluster` once per seed and summarises the ARI between the runs. */
export function seedStability(
  cluster: (seed: number) => ArrayLike<number>,
  seeds: readonly number[],
): StabilitySummary {
  return pairwiseStability(seeds.map((seed) => cluster(seed)));
}
