/**
 * k-means: greedy k-means++ seeding, then Lloyd iterations, several seeded restarts, the lowest
 * inertia kept (sklearn's KMeans(init='k-means++', n_init=restarts, algorithm='lloyd')).
 *
 * Speed: the assignment step is the arena's squared-distance kernel (WASM SIMD) over blocks of
 * points against all centres, and centre sums are updated only for points whose label changed,
 * so late iterations cost little beyond the kernel. Seeding's first assignment is reused as
 * Lloyd's first E-step. Elkan/Hamerly bounds were not added: on embedding-like clusters Lloyd
 * converges in 2-3 iterations and the profile is dominated by k-means++ seeding, so they
 * could save little.
 */
import { matrix, type Matrix } from '../vectors/matrix';
import { createRng } from '../vectors/random';
import { DistanceArena, roundUp4, type PointBlock } from './distance-arena';
import {
  allocSeeding,
  kmeansPlusPlus,
  seedingFloats,
  type Seeding,
  type SeedingScratch,
} from './kmeans-init';

/** Options of kmeans. */
export interface KMeansOptions {
  /** Number of clusters, 1..n. */
  k: number;
  /** Independent seeded runs; the lowest inertia wins. Default 3. */
  restarts?: number;
  /** Seed: the same data, options and seed give the same result. Default 0. */
  seed?: number;
  /** Lloyd iterations per run at most. Default 300 (sklearn's). */
  maxIterations?: number;
  /** Stop when centres move less than this times the mean per-feature variance (squared,
   * summed over centres), as sklearn's tol. Default 1e-4. */
  tolerance?: number;
}

/** Result of kmeans. */
export interface KMeansResult {
  /** Cluster per point, 0..k-1. */
  labels: Int32Array;
  /** k x dims centre coordinates. */
  centroids: Matrix;
  /** Sum of squared distances of points to their centre (computed exactly, in float64). */
  inertia: number;
  /** Points per cluster. */
  sizes: Int32Array;
  /** Lloyd iterations of the winning restart. */
  iterations: number;
}

/** Rows of points per kernel sweep in the assignment step (bounds the distance table). */
const ASSIGN_ROWS = 512;

/** k-means++ and Lloyd with restarts. Throws RangeError for k outside 1..n. */
export function kmeans(m: Matrix, options: KMeansOptions): KMeansResult {
  return new KMeansSession(m, options.k).run(options);
}

/**
 * The data copied once into an arena with room for up to `kMax` centres, so that choosing k
 * runs many k-means on the same points without copying them again.
 */
export class KMeansSession {
  private readonly m: Matrix;
  private readonly arena: DistanceArena;
  private readonly points: PointBlock;
  private readonly centres: PointBlock;
  private readonly table: number;
  private readonly seeding: SeedingScratch;
  private readonly toleranceScale: number;

  /** Copies `m` into a new arena sized for up to `kMax` centres. */
  constructor(m: Matrix, kMax: number) {
    if (!Number.isInteger(kMax) || kMax < 1 || kMax > m.rows) {
      throw new RangeError(`kmeans: k must be an integer in 1..${m.rows}, got ${kMax}`);
    }
    this.m = m;
    const dp = roundUp4(m.dims);
    const rowsPad = roundUp4(m.rows);
    const kPad = roundUp4(kMax);
    this.arena = DistanceArena.create(
      DistanceArena.blockFloats(m.rows, m.dims) +
        DistanceArena.blockFloats(kMax, m.dims) +
        ASSIGN_ROWS * kPad +
        seedingFloats(rowsPad, dp, kMax) +
        32,
    );
    this.points = this.arena.putRows(m);
    this.centres = this.arena.allocBlock(kMax, m.dims);
    this.table = this.arena.alloc(ASSIGN_ROWS * kPad);
    this.seeding = allocSeeding(this.arena, this.points, kMax);
    this.toleranceScale = meanVariance(m, this.arena.f32, this.points);
  }

  /** Runs k-means with `options` (k at most the session's kMax). */
  run(options: KMeansOptions): KMeansResult {
    const { k } = options;
    if (!Number.isInteger(k) || k < 1 || k > this.centres.rows) {
      throw new RangeError(`kmeans: k must be an integer in 1..${this.centres.rows}, got ${k}`);
    }
    const restarts = options.restarts ?? 3;
    const seed = options.seed ?? 0;
    const tol = (options.tolerance ?? 1e-4) * this.toleranceScale;
    let best: KMeansResult | null = null;
    for (let r = 0; r < restarts; r++) {
      // Each restart has its own stream, so restart r is the same whatever the count.
      const rng = createRng((seed + Math.imul(r, 0x9e3779b1)) >>> 0);
      const seeding = kmeansPlusPlus(this.arena, this.points, k, rng, this.seeding);
      const result = this.lloyd(seeding, k, options.maxIterations ?? 300, tol);
      if (!best || result.inertia < best.inertia) best = result;
    }
    // Restarts compare kernel-precision inertias; the winner's is recomputed exactly.
    best!.inertia = exactInertia(this.m, best!.centroids, best!.labels);
    return best!;
  }

  /** Lloyd iterations from a seeding, whose nearest-centre labels are the first E-step. */
  private lloyd(seeding: Seeding, k: number, maxIterations: number, tol: number): KMeansResult {
    const { m, arena, centres } = this;
    const f = arena.f32;
    const n = m.rows;
    const dims = m.dims;
    const x = m.data;
    // Stryker disable next-line UnaryOperator: every label is overwritten from the seeding just below
    const labels = new Int32Array(n).fill(-1);
    const dist = seeding.closest;
    const sums = new Float64Array(k * dims);
    const counts = new Int32Array(k);
    // Stryker disable next-line EqualityOperator: point n does not exist; its writes past the typed arrays are dropped
    for (let i = 0; i < n; i++) {
      labels[i] = seeding.nearest[i]!;
      moveBetweenSums(x, dims, i, -1, labels[i]!, sums, counts);
    }
    for (let c = 0; c < k; c++) {
      const row = seeding.chosen[c]!;
      f.set(x.subarray(row * dims, (row + 1) * dims), centres.offset + c * centres.dp);
    }
    let changed = n;
    let iterations = 0;
    let strict = false;
    for (;;) {
      iterations++;
      relocateEmpty(x, dims, k, labels, dist, sums, counts);
      let shift = 0;
      for (let c = 0; c < k; c++) {
        const o = centres.offset + c * centres.dp;
        const inv = 1 / counts[c]!;
        for (let d = 0; d < dims; d++) {
          const v = Math.fround(sums[c * dims + d]! * inv);
          shift += (v - f[o + d]!) ** 2;
          f[o + d] = v;
        }
      }
      arena.updateNorms(centres, 0, k);
      // Stryker disable next-line ConditionalExpression,BlockStatement: without it, a converged run (shift 0) stops on shift <= tol in the same iteration, and the final assignment changes nothing
      if (changed === 0) {
        // Stryker disable next-line BooleanLiteral: re-assigning points to converged centres changes nothing
        strict = true;
        break;
      }
      if (shift <= tol || iterations >= maxIterations) break;
      changed = this.assign(k, labels, dist, sums, counts, true);
    }
    // Labels must match the final centres (sklearn re-runs the assignment step likewise).
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: after convergence the re-assignment changes nothing, and updating the running sums (true) leaves the same counts as recounting
    if (!strict) this.assign(k, labels, dist, sums, counts, false);
    const centroids = matrix(k, dims);
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += dist[i]!;
    for (let c = 0; c < k; c++) {
      const o = centres.offset + c * centres.dp;
      centroids.data.set(f.subarray(o, o + dims), c * dims);
    }
    return { labels, centroids, inertia, sizes: counts, iterations };
  }

  /**
   * Assigns every point to its nearest centre; with `update`, moves changed points between the
   * running sums. Returns how many labels changed.
   */
  private assign(
    k: number,
    labels: Int32Array,
    dist: Float64Array,
    sums: Float64Array,
    counts: Int32Array,
    update: boolean,
  ): number {
    const { m, arena, points, centres, table } = this;
    const f = arena.f32;
    const n = m.rows;
    const dims = m.dims;
    const x = m.data;
    const stride = roundUp4(k);
    let changed = 0;
    // Stryker disable next-line EqualityOperator: a sweep starting at n (a multiple of 512) covers no point
    for (let i0 = 0; i0 < n; i0 += ASSIGN_ROWS) {
      const i1 = Math.min(i0 + ASSIGN_ROWS, n);
      arena.sqdist(points, i0, i1, centres, 0, k, table, stride);
      for (let i = i0; i < i1; i++) {
        const base = table + (i - i0) * stride;
        let bestC = 0;
        let bestD = f[base]!;
        for (let c = 1; c < k; c++) {
          const v = f[base + c]!;
          if (v < bestD) {
            bestD = v;
            bestC = c;
          }
        }
        dist[i] = bestD;
        const old = labels[i]!;
        if (old === bestC) continue;
        // Stryker disable next-line UpdateOperator: only changed === 0 is ever tested, and a negative count is as non-zero as a positive one
        changed++;
        labels[i] = bestC;
        // Stryker disable next-line ConditionalExpression: without update the sums are never read again (counts are recounted below)
        if (!update) continue;
        moveBetweenSums(x, dims, i, old, bestC, sums, counts);
      }
    }
    if (!update) {
      counts.fill(0);
      // Stryker disable next-line EqualityOperator: labels[n] is undefined, and counts[undefined]++ changes nothing
      for (let i = 0; i < n; i++) counts[labels[i]!]!++;
    }
    return changed;
  }
}

/** Moves point i's coordinates from cluster `from` (none if -1) to `to` in the running sums. */
function moveBetweenSums(
  x: Float32Array,
  dims: number,
  i: number,
  from: number,
  to: number,
  sums: Float64Array,
  counts: Int32Array,
): void {
  const xo = i * dims;
  const to0 = to * dims;
  // Stryker disable next-line ConditionalExpression: with from = -1 the subtractions write to negative indices, which typed arrays drop, and the additions are the same
  if (from >= 0) {
    const from0 = from * dims;
    for (let d = 0; d < dims; d++) {
      sums[from0 + d] = sums[from0 + d]! - x[xo + d]!;
      sums[to0 + d] = sums[to0 + d]! + x[xo + d]!;
    }
    counts[from]!--;
  } else {
    for (let d = 0; d < dims; d++) sums[to0 + d] = sums[to0 + d]! + x[xo + d]!;
  }
  counts[to]!++;
}

/**
 * Gives each empty cluster the point farthest from its centre (sklearn's relocation), taken
 * from clusters that keep at least one point.
 */
function relocateEmpty(
  x: Float32Array,
  dims: number,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
  sums: Float64Array,
  counts: Int32Array,
): void {
  for (let c = 0; c < k; c++) {
    if (counts[c]! > 0) continue;
    let far = -1;
    for (let i = 0; i < labels.length; i++) {
      if (counts[labels[i]!]! > 1 && (far < 0 || dist[i]! > dist[far]!)) far = i;
    }
    if (far < 0) return;
    moveBetweenSums(x, dims, far, labels[far]!, c, sums, counts);
    labels[far] = c;
    dist[far] = 0;
  }
}

/**
 * Mean over features of the per-feature variance (sklearn scales tol by it), as
 * (mean squared norm - squared norm of the mean) / dims, reusing the arena's row norms.
 */
function meanVariance(m: Matrix, f: Float32Array, points: PointBlock): number {
  const { data, rows, dims } = m;
  const mean = new Float64Array(dims);
  let norms = 0;
  for (let i = 0; i < rows; i++) {
    norms += f[points.norms + i]!;
    const o = i * dims;
    for (let d = 0; d < dims; d++) mean[d] = mean[d]! + data[o + d]!;
  }
  let meanNorm = 0;
  for (let d = 0; d < dims; d++) meanNorm += (mean[d]! / rows) ** 2;
  return Math.max(0, norms / rows - meanNorm) / dims;
}

/** Sum of squared distances to assigned centres, in float64 from the coordinates. */
export function exactInertia(m: Matrix, centroids: Matrix, labels: Int32Array): number {
  const { data, rows, dims } = m;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const c = labels[i]! * dims;
    let s = 0;
    for (let d = 0; d < dims; d++) {
      const diff = data[i * dims + d]! - centroids.data[c + d]!;
      s += diff * diff;
    }
    total += s;
  }
  return total;
}
