/**
 * HDBSCAN on a dense distance table: core distances, mutual reachability, a minimum spanning
 * tree by Prim's algorithm (O(n^2), no heap: on a dense graph a linear scan per step is
 * optimal), the single-linkage tree, then hdbscan-tree.ts for condensing and excess-of-mass
 * selection. Matches sklearn.cluster.HDBSCAN(min_cluster_size, min_samples) with its defaults
 * (alpha 1, eom, allow_single_cluster False, epsilon 0) up to label names and exact ties.
 *
 * Everything works on squared distances (max and min commute with squaring) and takes one
 * square root per tree edge.
 */
import type { Matrix } from '../vectors/matrix';
import { extractClusters, condenseTree, type CondensedTree } from './hdbscan-tree';
import { roundUp4 } from './distance-arena';
import type { Linkage } from './linkage';
import { squaredDistanceMatrix, type SquareDistances } from './pairwise';

/** Options of hdbscan. */
export interface HdbscanOptions {
  /** Smallest group that counts as a cluster (sklearn's min_cluster_size); default 5. */
  minClusterSize?: number;
  /** Neighbours (the point itself included) defining a point's core distance; default
   * minClusterSize, as in sklearn. */
  minSamples?: number;
}

/** Result of hdbscan. */
export interface HdbscanResult {
  /** Cluster per point, 0..clusterCount-1, or -1 for noise. */
  labels: Int32Array;
  /** Membership strength per point in [0, 1]; 0 for noise. */
  probabilities: Float64Array;
  clusterCount: number;
  /** Excess-of-mass stability of each cluster, by label. */
  stabilities: Float64Array;
  /** The condensed cluster tree, for a hierarchy view. */
  condensed: CondensedTree;
}

/**
 * Distances of exact duplicates are floored at this value so that lambda = 1 / distance and the
 * stabilities stay finite (sklearn would produce infinities and NaNs there).
 */
const MIN_DISTANCE = 1e-12;

/** HDBSCAN clustering of the rows of `m` (noise is -1). Throws RangeError on bad options. */
export function hdbscan(m: Matrix, options: HdbscanOptions = {}): HdbscanResult {
  const minClusterSize = options.minClusterSize ?? 5;
  const minSamples = options.minSamples ?? minClusterSize;
  if (!Number.isInteger(minClusterSize) || minClusterSize < 2) {
    throw new RangeError(`hdbscan: minClusterSize must be an integer >= 2, got ${minClusterSize}`);
  }
  if (!Number.isInteger(minSamples) || minSamples < 1) {
    throw new RangeError(`hdbscan: minSamples must be an integer >= 1, got ${minSamples}`);
  }
  const n = m.rows;
  if (n < 2 || minSamples > n) {
    // Too few points to form any cluster: everything is noise.
    const empty: CondensedTree = {
      n,
      parent: new Int32Array(0),
      child: new Int32Array(0),
      lambda: new Float64Array(0),
      size: new Int32Array(0),
    };
    return {
      labels: new Int32Array(n).fill(-1),
      probabilities: new Float64Array(n),
      clusterCount: 0,
      stabilities: new Float64Array(0),
      condensed: empty,
    };
  }
  const table = squaredDistanceMatrix(m, mstScratchFloats(n));
  const core = coreSquaredDistances(table, minSamples);
  const tree = singleLinkageOfMst(table, core);
  const condensed = condenseTree(tree, minClusterSize);
  return { ...extractClusters(condensed), condensed };
}

/**
 * Squared core distance of every point: the distance to its minSamples-th nearest neighbour
 * counting the point itself as the first (sklearn's convention), so minSamples = 1 gives 0.
 */
export function coreSquaredDistances(table: SquareDistances, minSamples: number): Float64Array {
  const { arena, offset, n, stride } = table;
  const f = arena.f32;
  const k = minSamples;
  const core = new Float64Array(n);
  // The k smallest entries of the row (its own zero included), kept sorted; the kernel skips
  // ahead to the next entry under the current k-th, so most of each row is never touched by JS.
  const best = new Float64Array(k);
  // Stryker disable next-line EqualityOperator: row n only reads memory past the table, and core[n] is dropped
  for (let i = 0; i < n; i++) {
    best.fill(Infinity);
    let worst = Infinity;
    const row = offset + i * stride;
    for (let j = arena.firstBelow(row, 0, n, worst); j < n;) {
      const v = f[row + j]!;
      let p = k - 1;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: best[-1] is undefined, which stops the shift like p > 0; equal values may go either side
      while (p > 0 && best[p - 1]! > v) {
        best[p] = best[p - 1]!;
        p--;
      }
      best[p] = v;
      worst = best[k - 1]!;
      j = arena.firstBelow(row, j + 1, n, worst);
    }
    core[i] = best[k - 1]!;
  }
  return core;
}

/** Floats singleLinkageOfMst needs in the table's arena beyond the table itself. */
export function mstScratchFloats(n: number): number {
  return 3 * roundUp4(n) + 16;
}

/**
 * Prim's minimum spanning tree of the mutual-reachability graph, max(core_a, core_b, d(a, b)),
 * turned into a single-linkage tree (edges sorted stably by weight, then union-find, with the
 * tree side of each edge first as sklearn's make_single_linkage does). Each step is one kernel
 * pass over the newest vertex's row; ties go to the lowest index, as sklearn's argmin. The
 * table's arena must have mstScratchFloats(n) floats free (squaredDistanceMatrix's extraFloats).
 */
export function singleLinkageOfMst(table: SquareDistances, core: Float64Array): Linkage {
  const { arena, offset, n, stride } = table;
  const f = arena.f32;
  const ints = new Int32Array(f.buffer, f.byteOffset, f.length);
  const coreAt = arena.alloc(stride);
  const bestAt = arena.alloc(stride);
  const fromAt = arena.alloc(stride);
  // Padding and visited vertices carry +inf core and best: never updated, never chosen.
  f.fill(Infinity, coreAt, coreAt + stride);
  f.fill(Infinity, bestAt, bestAt + stride);
  for (let u = 0; u < n; u++) f[coreAt + u] = core[u]!;
  // Stryker disable next-line ArithmeticOperator: only the first n - 1 edges are written and read
  const edgeA = new Int32Array(n - 1);
  // Stryker disable next-line ArithmeticOperator: only the first n - 1 edges are written and read
  const edgeB = new Int32Array(n - 1);
  // Stryker disable next-line ArithmeticOperator: only the first n - 1 edges are written and read
  const weight = new Float64Array(n - 1);
  let current = 0;
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: Prim steps after the last edge write past the edge arrays (dropped) and nothing reads their state
  for (let e = 0; e < n - 1; e++) {
    const cc = f[coreAt + current]!;
    f[coreAt + current] = Infinity;
    f[bestAt + current] = Infinity;
    const next = arena.primStep(
      offset + current * stride,
      coreAt,
      bestAt,
      fromAt,
      stride,
      cc,
      current,
    );
    edgeA[e] = ints[fromAt + next]!;
    edgeB[e] = next;
    weight[e] = Math.max(Math.sqrt(f[bestAt + next]!), MIN_DISTANCE);
    current = next;
  }
  return singleLinkage(n, edgeA, edgeB, weight);
}

/** Single-linkage tree (scipy format) from spanning-tree edges. */
function singleLinkage(
  n: number,
  edgeA: Int32Array,
  edgeB: Int32Array,
  weight: Float64Array,
): Linkage {
  const order = Array.from({ length: n - 1 }, (_, i) => i);
  order.sort((i, j) => weight[i]! - weight[j]!);
  // Stryker disable next-line ArithmeticOperator: ids stop at 2n - 2, so longer arrays are never read further
  const parent = new Int32Array(2 * n - 1).fill(-1);
  // Stryker disable next-line ArithmeticOperator: ids stop at 2n - 2, so longer arrays are never read further
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (x: number) => {
    let root = x;
    // Stryker disable next-line EqualityOperator: parent ids are n + r >= 1, never 0
    while (parent[root]! >= 0) root = parent[root]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: path compression only saves time; inverted, it points a root at itself just before the merge re-parents it
    while (parent[x]! >= 0) {
      const up = parent[x]!;
      parent[x] = root;
      x = up;
    }
    return root;
  };
  const merges = new Float64Array(4 * (n - 1));
  for (let r = 0; r < n - 1; r++) {
    const e = order[r]!;
    const a = find(edgeA[e]!);
    const b = find(edgeB[e]!);
    const id = n + r;
    parent[a] = id;
    parent[b] = id;
    size[id] = size[a]! + size[b]!;
    merges.set([a, b, weight[e]!, size[id]!], 4 * r);
  }
  return { n, merges };
}
