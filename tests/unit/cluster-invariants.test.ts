import { describe, expect, it } from 'vitest';
import { kmeans, KMeansSession, type KMeansResult } from '../../src/lib/core/cluster/kmeans';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';
import type { Matrix } from '../../src/lib/core/vectors/matrix';

// Properties every k-means result must have, checked by brute force in float64: they hold
// whatever the seeding, so they need no reference run, and they hold on overlapping data where
// many points change cluster during Lloyd's iterations (what a mistake in the running sums
// breaks).

/** Overlapping Gaussian blobs: 500 points, 5 dimensions, 6 centres in a box of 3 (spread 1). */
const overlapping = makeBlobs({ n: 500, dims: 5, centers: 6, seed: 11, box: 3 }).matrix;

function squaredDistance(m: Matrix, i: number, centres: Matrix, c: number): number {
  let s = 0;
  for (let d = 0; d < m.dims; d++) {
    const diff = m.data[i * m.dims + d]! - centres.data[c * m.dims + d]!;
    s += diff * diff;
  }
  return s;
}

/** Every point's label is a nearest centre (ties allowed), and inertia is their total. */
function expectNearestLabels(m: Matrix, result: KMeansResult, k: number): void {
  let inertia = 0;
  for (let i = 0; i < m.rows; i++) {
    const own = squaredDistance(m, i, result.centroids, result.labels[i]!);
    let nearest = Infinity;
    for (let c = 0; c < k; c++)
      nearest = Math.min(nearest, squaredDistance(m, i, result.centroids, c));
    // Distances come from the float32 kernel: allow its rounding.
    expect(own).toBeLessThanOrEqual(nearest + 1e-4 * (1 + nearest));
    inertia += own;
  }
  expect(result.inertia).toBeCloseTo(inertia, 6);
}

/** Sizes count the labels, and every centre is the mean of its points. */
function expectMeanCentres(m: Matrix, result: KMeansResult, k: number): void {
  const sums = new Float64Array(k * m.dims);
  const sizes = new Int32Array(k);
  for (let i = 0; i < m.rows; i++) {
    const c = result.labels[i]!;
    sizes[c]!++;
    for (let d = 0; d < m.dims; d++) sums[c * m.dims + d]! += m.data[i * m.dims + d]!;
  }
  expect(Array.from(result.sizes)).toEqual(Array.from(sizes));
  for (let c = 0; c < k; c++) {
    expect(sizes[c]).toBeGreaterThan(0);
    for (let d = 0; d < m.dims; d++) {
      expect(result.centroids.data[c * m.dims + d]).toBeCloseTo(
        sums[c * m.dims + d]! / sizes[c]!,
        4,
      );
    }
  }
}

describe('k-means invariants on overlapping blobs', () => {
  it('converges to a Lloyd fixed point: centres are means, labels are nearest centres', () => {
    for (const backend of ['wasm', 'js'] as const) {
      const result = kmeans(overlapping, { k: 6, seed: 3, tolerance: 0, backend });
      expect(result.iterations).toBeGreaterThan(2); // points did move between clusters
      expectMeanCentres(overlapping, result, 6);
      expectNearestLabels(overlapping, result, 6);
    }
  });

  it('labels match the final centres even when stopped after one iteration', () => {
    const result = kmeans(overlapping, { k: 6, seed: 3, maxIterations: 1 });
    expect(result.iterations).toBe(1);
    expectNearestLabels(overlapping, result, 6);
    expect(Array.from(result.sizes).reduce((a, b) => a + b, 0)).toBe(overlapping.rows);
  });

  it('keeps the best restart: more restarts never raise the inertia', () => {
    // Restart r has its own random stream, so the first restart of a 4-restart run is the
    // 1-restart run: the best of four can only be as good or better.
    const one = kmeans(overlapping, { k: 6, seed: 5, restarts: 1 });
    const four = kmeans(overlapping, { k: 6, seed: 5, restarts: 4 });
    expect(four.inertia).toBeLessThanOrEqual(one.inertia);
    const runs = [0, 1, 2, 3].map((r) => kmeans(overlapping, { k: 6, seed: 5, restarts: r + 1 }));
    for (let r = 1; r < runs.length; r++) {
      expect(runs[r]!.inertia).toBeLessThanOrEqual(runs[r - 1]!.inertia);
    }
  });

  it('fills every cluster when there are as many clusters as distinct points', () => {
    // Four distinct points, each repeated: k = 4 must put each distinct point in its own
    // cluster with inertia 0, whatever the seeding picks first.
    const rows = [
      [0, 0],
      [10, 0],
      [0, 10],
      [10, 10],
    ];
    const data = new Float32Array(rows.flatMap((r) => [...r, ...r, ...r]));
    const m = { rows: 12, dims: 2, data };
    for (const seed of [0, 1, 2, 3, 4]) {
      const result = kmeans(m, { k: 4, seed, restarts: 1 });
      expect(result.inertia).toBe(0);
      expect(Array.from(result.sizes).sort()).toEqual([3, 3, 3, 3]);
    }
  });

  it('rejects a k outside 1..n, in the session and per run', () => {
    expect(() => kmeans(overlapping, { k: 0 })).toThrow('k must be an integer in 1..500, got 0');
    expect(() => kmeans(overlapping, { k: 501 })).toThrow(RangeError);
    expect(() => kmeans(overlapping, { k: 2.5 })).toThrow(RangeError);
    const session = new KMeansSession(overlapping, 4);
    expect(() => session.run({ k: 5 })).toThrow('k must be an integer in 1..4, got 5');
    expect(() => session.run({ k: 0 })).toThrow(RangeError);
    expect(() => session.run({ k: 1.5 })).toThrow(RangeError);
    expect(session.run({ k: 1 }).sizes[0]).toBe(500);
  });
});
