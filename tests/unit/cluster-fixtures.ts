/**
 * Small fixed datasets and helpers for the clustering tests. The literals were drawn once with
 * numpy (default_rng(7)) and rounded to 2 decimals, so Python references can paste them as is.
 */
import { fromRows, matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';
import { createRng } from '../../src/lib/core/vectors/random';

/** 30 points in 2-D: three blobs of 10 (rows 0-9, 10-19, 20-29). */
export const KM_DATA: number[][] = [
  [0.0, 0.18],
  [-0.16, -0.53],
  [-0.27, -0.59],
  [0.04, 0.8],
  [-0.3, -0.37],
  [0.29, 0.21],
  [0.06, -0.56],
  [-0.02, 0.42],
  [-0.81, -0.27],
  [-1.14, -0.77],
  [2.89, 0.86],
  [3.24, 1.16],
  [4.09, 0.89],
  [2.49, 0.68],
  [3.97, 1.07],
  [3.08, 0.71],
  [3.41, 0.51],
  [4.64, 0.52],
  [3.98, 1.53],
  [3.65, 0.93],
  [1.07, 5.04],
  [0.26, 5.05],
  [1.82, 4.07],
  [1.52, 5.07],
  [0.62, 6.2],
  [1.46, 4.28],
  [1.04, 5.35],
  [0.89, 5.41],
  [0.96, 5.4],
  [1.86, 4.59],
];

/** 24 points in 3-D, loosely grouped by 8. */
export const WARD_DATA: number[][] = [
  [0.2, -0.46, 0.13],
  [-1.19, -0.58, -0.2],
  [0.9, 1.15, -1.32],
  [-0.79, 0.65, -1.99],
  [-0.46, -0.1, 1.26],
  [0.69, -0.33, -0.37],
  [-0.25, 1.52, -0.43],
  [-0.3, 0.35, -0.12],
  [2.8, 1.89, -0.01],
  [2.56, 4.17, 0.65],
  [2.98, 3.67, -0.34],
  [4.05, 2.99, 0.58],
  [1.71, 3.35, -1.69],
  [0.96, 2.7, -0.9],
  [3.16, 5.24, -0.83],
  [2.38, 3.21, 0.49],
  [-0.18, 3.79, 3.7],
  [0.52, 2.97, 2.92],
  [0.04, 2.95, 3.26],
  [-0.86, 4.97, 3.19],
  [0.09, 3.41, 2.88],
  [-2.0, 2.87, 3.36],
  [-2.13, 4.85, 1.25],
  [0.76, 3.15, 3.78],
];

/**
 * 76 points in 2-D: a dense blob (rows 0-24), a sparse one (25-49), an elongated one (50-69)
 * and six scattered points (70-75).
 */
export const HDB_DATA: number[][] = [
  [0.04, -0.46],
  [0.37, 0.43],
  [-0.02, -0.08],
  [-0.05, -0.29],
  [0.33, -0.16],
  [-0.02, -0.24],
  [-0.19, -0.38],
  [0.38, -0.05],
  [0.29, 0.0],
  [-0.21, -0.1],
  [-0.17, 0.0],
  [-0.11, -0.09],
  [-0.41, -0.24],
  [0.5, -0.2],
  [-0.32, 0.1],
  [0.42, -0.44],
  [-0.06, -0.19],
  [-0.53, 0.22],
  [-0.01, 0.02],
  [-0.23, 0.14],
  [-0.16, -0.04],
  [-0.33, -0.36],
  [0.4, -0.15],
  [0.09, -0.01],
  [-0.13, -0.15],
  [5.5, 4.76],
  [4.88, 5.02],
  [5.94, 5.54],
  [5.31, 4.55],
  [3.89, 5.76],
  [5.77, 4.89],
  [5.43, 5.63],
  [5.66, 5.74],
  [4.64, 6.21],
  [4.0, 5.69],
  [5.4, 5.7],
  [6.5, 6.19],
  [4.08, 3.65],
  [5.65, 4.19],
  [4.99, 5.67],
  [3.68, 3.31],
  [5.21, 5.04],
  [4.8, 5.03],
  [4.31, 3.79],
  [4.87, 4.22],
  [3.69, 5.4],
  [4.95, 5.33],
  [4.21, 4.47],
  [4.2, 4.29],
  [5.16, 4.37],
  [-0.81, -5.13],
  [3.56, -4.67],
  [0.5, -4.99],
  [2.95, -5.29],
  [5.61, -5.24],
  [1.66, -4.72],
  [0.77, -4.96],
  [2.2, -4.99],
  [3.6, -5.01],
  [-0.29, -4.99],
  [1.66, -4.8],
  [-0.06, -4.86],
  [3.64, -4.95],
  [4.81, -5.26],
  [1.64, -4.87],
  [1.6, -5.17],
  [2.78, -4.73],
  [0.51, -5.32],
  [0.73, -5.03],
  [1.31, -5.0],
  [5.24, -2.74],
  [5.46, 6.09],
  [6.73, 4.76],
  [0.82, -3.17],
  [2.74, 5.85],
  [-1.52, -0.54],
];

/** The literal as a Matrix. */
export function toMatrix(rows: number[][]): Matrix {
  return fromRows(rows);
}

/**
 * Seeded Gaussian blobs projected onto the unit sphere, like embedding clusters: centres are
 * random directions, each point a centre plus isotropic noise of std `spread`, normalised.
 */
export function sphereBlobs(
  n: number,
  dims: number,
  centers: number,
  seed: number,
  spread = 0.03,
): { m: Matrix; truth: Int32Array } {
  const rng = createRng(seed);
  const c = new Float64Array(centers * dims);
  for (let i = 0; i < c.length; i++) c[i] = rng.gaussian() / Math.sqrt(dims);
  const m = matrix(n, dims);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = i % centers;
    truth[i] = l;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const v = c[l * dims + d]! + spread * rng.gaussian();
      m.data[i * dims + d] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < dims; d++) m.data[i * dims + d]! *= inv;
  }
  return { m, truth };
}

/** Whether two labelings are the same partition with the same noise points (-1). */
export function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < 0 !== y < 0) return false;
    if (x < 0) continue;
    if ((ab.get(x) ?? y) !== y || (ba.get(y) ?? x) !== x) return false;
    ab.set(x, y);
    ba.set(y, x);
  }
  return true;
}

/** How a reference dataset is drawn: makeBlobs options, or unit-sphere blobs, then rounding. */
export interface ReferenceDataSpec {
  /** File stem under tests/fixtures/cluster-reference/. */
  name: string;
  kind: 'gaussian' | 'sphere';
  n: number;
  dims: number;
  centers: number;
  seed: number;
  spread: number;
  /** Coordinates are rounded to this many decimals, so every tool reads the same numbers. */
  decimals: number;
}

/**
 * The overlapping datasets of cluster-reference.test.ts, chosen so that the references do NOT
 * recover the generating labels (their ARI to the truth, truthAri in each reference file, is
 * 0.5-0.8 for sklearn's k-means): agreement there means the algorithm matches, not that the
 * data is easy.
 */
export const REFERENCE_DATA: readonly ReferenceDataSpec[] = [
  {
    name: 'gauss-500x5',
    kind: 'gaussian',
    n: 500,
    dims: 5,
    centers: 6,
    seed: 15,
    spread: 5.5,
    decimals: 3,
  },
  {
    name: 'sphere-300x16',
    kind: 'sphere',
    n: 300,
    dims: 16,
    centers: 6,
    seed: 16,
    spread: 0.3,
    decimals: 4,
  },
  {
    name: 'gauss-400x3',
    kind: 'gaussian',
    n: 400,
    dims: 3,
    centers: 6,
    seed: 17,
    spread: 2.5,
    decimals: 3,
  },
];

/** Builds a reference dataset from its spec (seeded, so the same numbers every time). */
export function referenceData(spec: ReferenceDataSpec): { m: Matrix; truth: Int32Array } {
  let drawn: { m: Matrix; truth: Int32Array };
  if (spec.kind === 'gaussian') {
    const blobs = makeBlobs(spec);
    drawn = { m: blobs.matrix, truth: blobs.labels };
  } else {
    drawn = sphereBlobs(spec.n, spec.dims, spec.centers, spec.seed, spec.spread);
  }
  const scale = 10 ** spec.decimals;
  const data = drawn.m.data;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * scale) / scale;
  return drawn;
}
