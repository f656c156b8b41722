import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../src/lib/core/cluster/ari';
import { kmeans } from '../../src/lib/core/cluster/kmeans';
import { pairwiseStability, seedStability } from '../../src/lib/core/cluster/stability';
import { sphereBlobs } from './cluster-fixtures';

// sklearn 1.2.1: sklearn.metrics.adjusted_rand_score(a, b) for each pair.
const CASES: [number[], number[], number][] = [
  [[0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2], 0.4444444444444444],
  [[0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0], 1.0],
  [[0, 1, 2, 3], [0, 0, 0, 0], 0.0],
  [[0, 0, 1, 1], [0, 1, 0, 1], -0.5],
  [[1, 1, 2, 2, 3, 3, -1, -1], [5, 5, 5, 6, 6, 6, 7, 7], 0.4444444444444444],
];

describe('adjustedRandIndex', () => {
  it('equals sklearn constants', () => {
    for (const [a, b, want] of CASES) {
      expect(adjustedRandIndex(a, b)).toBeCloseTo(want, 12);
      expect(adjustedRandIndex(b, a)).toBeCloseTo(want, 12);
    }
  });

  it('is 1 for identical trivial partitions and rejects length mismatches', () => {
    expect(adjustedRandIndex([3, 3, 3], [7, 7, 7])).toBe(1);
    expect(adjustedRandIndex([0, 1, 2], [2, 1, 0])).toBe(1);
    expect(adjustedRandIndex([], [])).toBe(1);
    expect(() => adjustedRandIndex([0], [0, 1])).toThrow(RangeError);
  });
});

describe('stability', () => {
  it('summarises pairwise ARI (mean and min)', () => {
    const s = pairwiseStability([
      [0, 0, 1, 1, 2, 2],
      [0, 0, 1, 1, 2, 2],
      [0, 0, 1, 2, 2, 2],
    ]);
    expect(s.pairs).toHaveLength(3);
    expect(s.pairs[0]).toBe(1);
    expect(s.min).toBeCloseTo(0.4444444444444444, 12);
    expect(s.mean).toBeCloseTo((1 + 2 * 0.4444444444444444) / 3, 12);
    expect(pairwiseStability([[0, 1]])).toEqual({ mean: 1, min: 1, pairs: [] });
  });

  it('is 1 across seeds on separated blobs, lower when k is wrong', () => {
    const { m } = sphereBlobs(800, 32, 4, 8);
    const run = (k: number) => (seed: number) => kmeans(m, { k, restarts: 1, seed }).labels;
    expect(seedStability(run(4), [0, 1, 2, 3]).min).toBe(1);
    expect(seedStability(run(7), [0, 1, 2, 3]).mean).toBeLessThan(1);
  });
});
