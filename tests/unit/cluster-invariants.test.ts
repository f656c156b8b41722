import { afterEach, describe, expect, it } from 'vitest';
import { kmeans, KMeansSession, type KMeansResult } from '../../src/lib/core/cluster/kmeans';
import { chooseK } from '../../src/lib/core/cluster/choose-k';
import {
  coreSquaredDistances,
  hdbscan,
  mstScratchFloats,
  singleLinkageOfMst,
} from '../../src/lib/core/cluster/hdbscan';
import { clusterStabilities } from '../../src/lib/core/cluster/hdbscan-tree';
import { cutTree, type Linkage } from '../../src/lib/core/cluster/linkage';
import { squaredDistanceMatrix } from '../../src/lib/core/cluster/pairwise';
import {
  sampleDistances,
  silhouetteOfSample,
  silhouetteScore,
} from '../../src/lib/core/cluster/silhouette';
import { DistanceArena } from '../../src/lib/core/cluster/distance-arena';
import { allocSeeding, kmeansPlusPlus } from '../../src/lib/core/cluster/kmeans-init';
import { createRng } from '../../src/lib/core/vectors/random';
import { wardLinkage } from '../../src/lib/core/cluster/ward';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';
import type { Matrix } from '../../src/lib/core/vectors/matrix';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

afterEach(() => {
  setWasmDisabled(false);
});

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

/** Sizes count the labels, and every centre is the mean of its points (none empty unless allowed). */
function expectMeanCentres(m: Matrix, result: KMeansResult, k: number, allowEmpty = false): void {
  const sums = new Float64Array(k * m.dims);
  const sizes = new Int32Array(k);
  for (let i = 0; i < m.rows; i++) {
    const c = result.labels[i]!;
    sizes[c]!++;
    for (let d = 0; d < m.dims; d++) sums[c * m.dims + d]! += m.data[i * m.dims + d]!;
  }
  expect(Array.from(result.sizes)).toEqual(Array.from(sizes));
  for (let c = 0; c < k; c++) {
    if (allowEmpty && sizes[c] === 0) continue;
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
      setWasmDisabled(backend === 'js');
      const result = kmeans(overlapping, { k: 6, seed: 3, tolerance: 0 });
      expect(result.iterations).toBeGreaterThan(2); // points did move between clusters
      expectMeanCentres(overlapping, result, 6);
      expectNearestLabels(overlapping, result, 6);
    }
  });

  it('labels match the final centres even when stopped after one iteration', () => {
    const result = kmeans(overlapping, { k: 6, seed: 3, maxIterations: 1 });
    expect(result.iterations).toBe(1);
    expectNearestLabels(overlapping, result, 6);
    const sizes = new Int32Array(6);
    for (const label of result.labels) sizes[label]!++;
    expect(Array.from(result.sizes)).toEqual(Array.from(sizes));
  });

  it("stops at the first iteration whose centre shift is within tolerance x mean feature variance (sklearn's tol)", () => {
    const m = overlapping;
    // Mean over features of the population variance, in float64.
    let meanVariance = 0;
    for (let d = 0; d < m.dims; d++) {
      let sum = 0;
      let sumSquares = 0;
      for (let i = 0; i < m.rows; i++) {
        const v = m.data[i * m.dims + d]!;
        sum += v;
        sumSquares += v * v;
      }
      meanVariance += (sumSquares / m.rows - (sum / m.rows) ** 2) / m.dims;
    }
    // The same seeded run stopped after 1, 2, ... iterations gives the centres of each
    // iteration; shift[i] is how far they moved in iteration i (squared, summed over centres).
    const centresAfter = (i: number) =>
      kmeans(m, { k: 6, seed: 3, restarts: 1, tolerance: 0, maxIterations: i }).centroids.data;
    const shift = [NaN, NaN];
    for (let i = 2; i <= 12; i++) {
      const before = centresAfter(i - 1);
      const after = centresAfter(i);
      shift.push(after.reduce((s, v, j) => s + (v - before[j]!) ** 2, 0));
    }
    for (const stopAt of [3, 5]) {
      // A tolerance just above shift[stopAt] and below every earlier shift stops there.
      const earlier = Math.min(...shift.slice(2, stopAt));
      expect(shift[stopAt]).toBeLessThan(earlier);
      const tolerance = (shift[stopAt]! + Math.min(earlier, 2 * shift[stopAt]!)) / 2 / meanVariance;
      expect(kmeans(m, { k: 6, seed: 3, restarts: 1, tolerance }).iterations).toBe(stopAt);
      // The tolerance is relative: scaling the data scales variance and shifts alike.
      const scaled = { ...m, data: m.data.map((v) => v * 10) };
      expect(kmeans(scaled, { k: 6, seed: 3, restarts: 1, tolerance }).iterations).toBe(stopAt);
    }
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

  it('stays consistent when k exceeds the distinct points (empty clusters relocated)', () => {
    // Five clusters for four distinct values: seeding must pick a duplicate, so a centre starts
    // empty and Lloyd relocates a point into it. A relocated point shares its value with
    // another cluster, and the final assignment gives ties to the lower index (as sklearn,
    // which warns about fewer distinct clusters than k): one cluster may end empty, with a
    // centre equal to another one.
    for (const values of [
      [10, 7, 3, 10, 3, 6, 3],
      [1, 7, 1, 7, 9, 7, 1, 9, 6, 1, 1],
    ]) {
      const m = { rows: values.length, dims: 1, data: Float32Array.from(values) };
      const distinct = new Set(values);
      for (const seed of [0, 1, 2]) {
        const result = kmeans(m, { k: 5, seed, restarts: 1 });
        expectMeanCentres(m, result, 5, true);
        expectNearestLabels(m, result, 5);
        expect(result.inertia).toBe(0);
        expect(new Set(result.labels).size).toBe(distinct.size);
        expect(new Set(result.centroids.data)).toEqual(distinct);
        // Ties go to the lower-numbered centre, so an empty cluster has a twin before it.
        const centres = Array.from(result.centroids.data);
        result.sizes.forEach((size, c) => {
          if (size === 0) expect(centres.slice(0, c)).toContain(centres[c]);
        });
      }
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

/** Leaves of every cluster id of a linkage: ids 0..n-1 are points, n + r the cluster of row r. */
function membersOf(tree: Linkage): number[][] {
  const members: number[][] = Array.from({ length: tree.n }, (_, i) => [i]);
  for (let r = 0; r < tree.n - 1; r++) {
    members.push([...members[tree.merges[4 * r]!]!, ...members[tree.merges[4 * r + 1]!]!]);
  }
  return members;
}

function centroidOf(m: Matrix, points: number[]): Float64Array {
  const c = new Float64Array(m.dims);
  for (const i of points) for (let d = 0; d < m.dims; d++) c[d]! += m.data[i * m.dims + d]!;
  return c.map((v) => v / points.length);
}

/** Ward's merge height as scipy reports it: sqrt(2 |u| |v| / (|u| + |v|)) * |mean u - mean v|. */
function wardHeight(m: Matrix, u: number[], v: number[]): number {
  const cu = centroidOf(m, u);
  const cv = centroidOf(m, v);
  let s = 0;
  for (let d = 0; d < m.dims; d++) s += (cu[d]! - cv[d]!) ** 2;
  return Math.sqrt(((2 * u.length * v.length) / (u.length + v.length)) * s);
}

/** Greedy Ward by brute force: merge the cheapest pair of current clusters, n - 1 times. */
function greedyWardHeights(m: Matrix): number[] {
  let clusters = Array.from({ length: m.rows }, (_, i) => [i]);
  const heights: number[] = [];
  while (clusters.length > 1) {
    let best = [0, 1, Infinity];
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        const h = wardHeight(m, clusters[a]!, clusters[b]!);
        if (h < best[2]!) best = [a, b, h];
      }
    }
    const [a, b, h] = best as [number, number, number];
    heights.push(h);
    clusters = [
      ...clusters.filter((_, i) => i !== a && i !== b),
      [...clusters[a]!, ...clusters[b]!],
    ];
  }
  return heights;
}

describe('Ward invariants on overlapping blobs', () => {
  const small = makeBlobs({ n: 40, dims: 3, centers: 4, seed: 2, box: 2 }).matrix;

  it('merges like greedy Ward, each height the Ward distance of the two clusters it joins', () => {
    const greedy = greedyWardHeights(small);
    for (const backend of ['wasm', 'js'] as const) {
      setWasmDisabled(backend === 'js');
      const tree = wardLinkage(small);
      const members = membersOf(tree);
      for (let r = 0; r < small.rows - 1; r++) {
        const [a, b, height, size] = tree.merges.subarray(4 * r, 4 * r + 4);
        expect(a).toBeLessThan(b!);
        expect(b).toBeLessThan(small.rows + r); // only clusters that already exist
        expect(size).toBe(members[a!]!.length + members[b!]!.length);
        // float32 distances: a relative 1e-4
        expect(height).toBeCloseTo(wardHeight(small, members[a!]!, members[b!]!), 3);
        expect(height).toBeCloseTo(greedy[r]!, 3);
      }
    }
  });

  it('cuts into k clusters that are the components after the first n - k merges', () => {
    const tree = wardLinkage(small);
    for (const k of [1, 2, 3, 5, 40]) {
      const labels = cutTree(tree, k);
      expect(new Set(labels).size).toBe(k);
      // Union the first n - k merges by brute force, then compare partitions exactly.
      const group = Array.from({ length: small.rows }, (_, i) => i);
      const members = membersOf(tree);
      for (let r = 0; r < small.rows - k; r++) {
        const all = members[small.rows + r]!;
        for (const i of all) group[i] = all[0]!;
      }
      const first = new Map<number, number>();
      for (let i = 0; i < small.rows; i++) {
        if (!first.has(group[i]!)) first.set(group[i]!, first.size);
        expect(labels[i]).toBe(first.get(group[i]!));
      }
    }
    expect(() => cutTree(tree, 0)).toThrow('cutTree: k must be an integer in 1..40, got 0');
    expect(() => wardLinkage({ rows: 0, dims: 3, data: new Float32Array(0) })).toThrow(
      'wardLinkage: no points',
    );
    expect(() => cutTree(tree, 41)).toThrow(RangeError);
    expect(() => cutTree(tree, 1.5)).toThrow(RangeError);
  });
});

/** Squared Euclidean distance of rows i and j, in float64. */
function pointDistance2(m: Matrix, i: number, j: number): number {
  let s = 0;
  for (let d = 0; d < m.dims; d++) s += (m.data[i * m.dims + d]! - m.data[j * m.dims + d]!) ** 2;
  return s;
}

describe('HDBSCAN building blocks on overlapping blobs', () => {
  // 61 points: not a multiple of 4, so the padded slots of the kernels' rows are in play.
  const points = makeBlobs({ n: 61, dims: 4, centers: 3, seed: 9, box: 2 }).matrix;
  const n = points.rows;

  /** The k-th smallest squared distance of each point, itself (0) counted first. */
  const bruteCore = (k: number) =>
    Array.from({ length: n }, (_, i) => {
      const row = Array.from({ length: n }, (_, j) => (i === j ? 0 : pointDistance2(points, i, j)));
      return row.sort((a, b) => a - b)[k - 1]!;
    });

  it('core distances are the distance to the minSamples-th neighbour, the point itself first', () => {
    for (const backend of ['wasm', 'js'] as const) {
      setWasmDisabled(backend === 'js');
      const table = squaredDistanceMatrix(points, mstScratchFloats(n));
      for (const k of [1, 2, 5, 17]) {
        const core = coreSquaredDistances(table, k);
        const want = bruteCore(k);
        for (let i = 0; i < n; i++) expect(core[i]).toBeCloseTo(want[i]!, 4);
      }
    }
  });

  it('the single-linkage tree has the weights of the minimum spanning tree of mutual reachability', () => {
    const k = 5;
    const core = bruteCore(k);
    // Prim's algorithm in float64 on max(core_a, core_b, d(a, b)), square-rooted at the end.
    const reach = (a: number, b: number) =>
      Math.max(core[a]!, core[b]!, pointDistance2(points, a, b));
    const inTree = new Array<boolean>(n).fill(false);
    const best = new Array<number>(n).fill(Infinity);
    best[0] = 0;
    const want: number[] = [];
    for (let step = 0; step < n; step++) {
      let u = -1;
      for (let v = 0; v < n; v++) if (!inTree[v] && (u < 0 || best[v]! < best[u]!)) u = v;
      inTree[u] = true;
      if (step > 0) want.push(Math.sqrt(best[u]!));
      for (let v = 0; v < n; v++) if (!inTree[v]) best[v] = Math.min(best[v]!, reach(u, v));
    }
    want.sort((a, b) => a - b);
    for (const backend of ['wasm', 'js'] as const) {
      setWasmDisabled(backend === 'js');
      const table = squaredDistanceMatrix(points, mstScratchFloats(n));
      const tree = singleLinkageOfMst(table, coreSquaredDistances(table, k));
      const members = membersOf(tree);
      for (let r = 0; r < n - 1; r++) {
        const [a, b, height, size] = tree.merges.subarray(4 * r, 4 * r + 4);
        expect(height).toBeCloseTo(want[r]!, 3);
        expect(b).toBeLessThan(n + r);
        expect(a).toBeLessThan(n + r);
        expect(size).toBe(members[a!]!.length + members[b!]!.length);
      }
      expect(tree.merges).toHaveLength(4 * (n - 1));
      expect(tree.merges[4 * (n - 2) + 3]).toBe(n);
    }
  });
});

/** Silhouette by its definition (Rousseeuw 1987), in float64, over the listed points only. */
function bruteSilhouette(m: Matrix, labels: ArrayLike<number>, among: number[]): number {
  const scoredPoints = among.filter((i) => labels[i]! >= 0);
  const clusters = [...new Set(scoredPoints.map((i) => labels[i]!))];
  if (clusters.length < 2) return NaN;
  let total = 0;
  for (const i of scoredPoints) {
    const meanTo = (c: number, skipSelf: boolean) => {
      const others = scoredPoints.filter((j) => labels[j] === c && !(skipSelf && j === i));
      return others.reduce((s, j) => s + Math.sqrt(pointDistance2(m, i, j)), 0) / others.length;
    };
    const own = labels[i]!;
    if (scoredPoints.filter((j) => labels[j] === own).length < 2) continue; // alone: 0
    const a = meanTo(own, true);
    const b = Math.min(...clusters.filter((c) => c !== own).map((c) => meanTo(c, false)));
    total += (b - a) / Math.max(a, b);
  }
  return total / scoredPoints.length;
}

describe('silhouette and seeding invariants', () => {
  const points = makeBlobs({ n: 80, dims: 3, centers: 3, seed: 4, box: 2 }).matrix;
  const all = Array.from({ length: points.rows }, (_, i) => i);

  it('equals the silhouette by definition, with noise left out and lone points scoring 0', () => {
    const labels = kmeans(points, { k: 4, seed: 1 }).labels.slice();
    labels[0] = -1; // noise
    labels[1] = -1;
    labels[2] = 7; // a cluster of one
    for (const backend of ['wasm', 'js'] as const) {
      setWasmDisabled(backend === 'js');
      expect(silhouetteScore(points, labels)).toBeCloseTo(bruteSilhouette(points, labels, all), 5);
    }
    // A sample scores only its own points, against each other.
    const sample = sampleDistances(points, { sampleSize: 30, seed: 2 });
    expect(sample.indices).toHaveLength(30);
    expect(new Set(sample.indices).size).toBe(30);
    expect([...sample.indices]).toEqual([...sample.indices].sort((a, b) => a - b));
    expect(silhouetteOfSample(sample, labels)).toBeCloseTo(
      bruteSilhouette(points, labels, [...sample.indices]),
      5,
    );
    expect(() => silhouetteScore(points, labels.subarray(1))).toThrow(
      'silhouetteScore: 79 labels for 80 points',
    );
  });

  it('k-means++ picks distinct points, each point labelled with its nearest chosen one', () => {
    const arena = DistanceArena.create(200_000);
    const block = arena.putRows(points);
    const k = 6;
    const scratch = allocSeeding(arena, block, k);
    for (const seed of [0, 1, 2]) {
      const seeding = kmeansPlusPlus(arena, block, k, createRng(seed), scratch);
      expect(new Set(seeding.chosen).size).toBe(k);
      for (let i = 0; i < points.rows; i++) {
        const d = Array.from(seeding.chosen, (c) => pointDistance2(points, i, c));
        const nearest = Math.min(...d);
        expect(seeding.closest[i]).toBeCloseTo(nearest, 4);
        expect(d[seeding.nearest[i]!]).toBeCloseTo(nearest, 4);
      }
    }
  });

  it('k-means++ draws in proportion to squared distance: a far outlier is always a centre', () => {
    // Twenty points within 1 of the origin and one at 1000: after any first centre, the
    // outlier (or, if it was first, a cluster point) holds nearly all of the D^2 mass.
    const values = [...Array.from({ length: 20 }, (_, i) => Math.sin(i)), 1000];
    const m = { rows: 21, dims: 1, data: Float32Array.from(values) };
    const arena = DistanceArena.create(10_000);
    const block = arena.putRows(m);
    const scratch = allocSeeding(arena, block, 2);
    for (let seed = 0; seed < 12; seed++) {
      const { chosen } = kmeansPlusPlus(arena, block, 2, createRng(seed), scratch);
      expect(Array.from(chosen)).toContain(20);
    }
  });

  it('k-means++ never draws a point already chosen, even when every point must be chosen', () => {
    const eight = makeBlobs({ n: 8, dims: 2, centers: 2, seed: 6 }).matrix;
    const arena = DistanceArena.create(10_000);
    const block = arena.putRows(eight);
    const scratch = allocSeeding(arena, block, 8);
    for (const seed of [0, 1, 2, 3]) {
      const { chosen, closest } = kmeansPlusPlus(arena, block, 8, createRng(seed), scratch);
      expect([...chosen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // Every point is a centre: distances to the nearest are zero up to float32 rounding.
      expect(Math.max(...closest)).toBeLessThan(1e-4);
    }
  });
});

describe('HDBSCAN options and tiny inputs', () => {
  const points = makeBlobs({ n: 30, dims: 2, centers: 2, seed: 1 }).matrix;

  it('accepts the smallest sizes and names the option it rejects', () => {
    expect(hdbscan(points, { minClusterSize: 2 }).labels).toHaveLength(30);
    expect(hdbscan(points, { minClusterSize: 5, minSamples: 1 }).clusterCount).toBeGreaterThan(0);
    expect(() => hdbscan(points, { minClusterSize: 1 })).toThrow(
      'hdbscan: minClusterSize must be an integer >= 2, got 1',
    );
    expect(() => hdbscan(points, { minSamples: 0 })).toThrow(
      'hdbscan: minSamples must be an integer >= 1, got 0',
    );
  });

  it('calls everything noise, with an empty tree, when no point has minSamples neighbours', () => {
    for (const [m, minSamples] of [
      [{ rows: 1, dims: 2, data: new Float32Array([1, 2]) }, 1],
      [points, 31],
    ] as const) {
      const result = hdbscan(m, { minClusterSize: 2, minSamples });
      expect(Array.from(result.labels)).toEqual(new Array(m.rows).fill(-1));
      expect(Array.from(result.probabilities)).toEqual(new Array(m.rows).fill(0));
      expect(result.clusterCount).toBe(0);
      expect(result.stabilities).toHaveLength(0);
      expect(result.condensed.n).toBe(m.rows);
      for (const column of ['parent', 'child', 'lambda', 'size'] as const) {
        expect(result.condensed[column]).toHaveLength(0);
      }
    }
  });
});

describe('HDBSCAN condensed tree invariants on overlapping blobs', () => {
  const points = makeBlobs({ n: 120, dims: 3, centers: 4, seed: 21, box: 3 }).matrix;
  const n = points.rows;

  for (const minClusterSize of [4, 10]) {
    it(`condenses, selects and labels consistently (min_cluster_size ${minClusterSize})`, () => {
      const result = hdbscan(points, { minClusterSize });
      const { parent, child, lambda, size } = result.condensed;
      // Every point leaves the tree exactly once, as a row of size 1.
      const pointRows = Array.from(child).filter((c) => c < n);
      expect(pointRows.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      // A cluster row carries the points below it, at least minClusterSize of them, and is
      // born no earlier (lambda no smaller) than its parent.
      const birth = new Map<number, number>([[n, 0]]);
      const pointsUnder = (c: number): number => {
        let total = 0;
        for (let r = 0; r < child.length; r++) {
          if (parent[r] !== c) continue;
          total += child[r]! < n ? 1 : pointsUnder(child[r]!);
        }
        return total;
      };
      for (let r = 0; r < child.length; r++) {
        expect(lambda[r]).toBeGreaterThanOrEqual(birth.get(parent[r]!)!);
        if (child[r]! >= n) {
          birth.set(child[r]!, lambda[r]!);
          expect(size[r]).toBeGreaterThanOrEqual(minClusterSize);
          expect(size[r]).toBe(pointsUnder(child[r]!));
        } else {
          expect(size[r]).toBe(1);
        }
      }
      // Stability by its definition: sum over rows leaving C of (lambda - birth(C)) * size.
      const stability = clusterStabilities(result.condensed);
      for (const [c, b] of birth) {
        let want = 0;
        for (let r = 0; r < child.length; r++) {
          if (parent[r] === c) want += (lambda[r]! - b) * size[r]!;
        }
        expect(stability[c - n]).toBeCloseTo(want, 9);
      }
      // Labels: one per selected cluster, members in (0, 1], noise at 0.
      expect(new Set(Array.from(result.labels).filter((l) => l >= 0)).size).toBe(
        result.clusterCount,
      );
      expect(result.stabilities).toHaveLength(result.clusterCount);
      for (let i = 0; i < n; i++) {
        const p = result.probabilities[i]!;
        if (result.labels[i]! < 0) expect(p).toBe(0);
        else {
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThanOrEqual(1);
        }
      }
      // Each label is one selected cluster: the cluster whose points are exactly that label's.
      // Its stability is its own (excess of mass keeps a cluster only when its children
      // together are no more stable), and a member's strength is min(lambda, death) / death,
      // death being the largest lambda at which anything leaves that cluster (sklearn).
      const under = (c: number): number[] =>
        Array.from(child.keys()).flatMap((r) =>
          parent[r] !== c ? [] : child[r]! < n ? [child[r]!] : under(child[r]!),
        );
      for (let label = 0; label < result.clusterCount; label++) {
        const members = Array.from(result.labels.keys()).filter((i) => result.labels[i] === label);
        const c = [...birth.keys()].find(
          (id) =>
            id !== n &&
            under(id)
              .sort((a, b) => a - b)
              .join() === members.join(),
        )!;
        expect(c).toBeDefined();
        expect(result.stabilities[label]).toBeCloseTo(stability[c - n]!, 9);
        const death = Math.max(
          ...Array.from(parent.keys())
            .filter((r) => parent[r] === c)
            .map((r) => lambda[r]!),
        );
        for (const i of members) {
          const leaves = lambda[Array.from(child).indexOf(i)]!;
          const want =
            death === 0 || !Number.isFinite(leaves) ? 1 : Math.min(leaves, death) / death;
          expect(result.probabilities[i]).toBeCloseTo(want, 12);
        }
      }
      // Four overlapping blobs are more than one cluster (the root is never selected).
      expect(result.clusterCount).toBeGreaterThan(1);
    });
  }
});

describe('chooseK', () => {
  const points = makeBlobs({ n: 90, dims: 3, centers: 3, seed: 8, box: 4 }).matrix;

  it('scores every k of the range and keeps the best silhouette (the smaller k on a tie)', () => {
    const chosen = chooseK(points, { kMin: 2, kMax: 6, seed: 1 });
    expect(chosen.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const best = Math.max(...chosen.scores.map((s) => s.silhouette));
    expect(chosen.k).toBe(chosen.scores.find((s) => s.silhouette === best)!.k);
    expect(new Set(chosen.result.labels).size).toBe(chosen.k);
  });

  it('clamps the range to 2..n - 1 and says why it cannot run', () => {
    const five = { ...points, rows: 5, data: points.data.subarray(0, 15) };
    expect(chooseK(five, { kMin: 0 }).scores.map((s) => s.k)).toEqual([2, 3, 4]);
    const three = { ...points, rows: 3, data: points.data.subarray(0, 9) };
    expect(chooseK(three).k).toBe(2);
    expect(chooseK(points, { kMin: 4, kMax: 4 }).k).toBe(4);
    expect(() => chooseK({ ...points, rows: 2, data: points.data.subarray(0, 6) })).toThrow(
      'chooseK: needs at least 3 points, got 2',
    );
    expect(() => chooseK(points, { kMin: 5, kMax: 4 })).toThrow('chooseK: empty range 5..4');
  });
});
