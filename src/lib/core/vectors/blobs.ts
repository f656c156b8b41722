/**
 * Seeded Gaussian blobs with known labels: test and benchmark data for projection and
 * clustering (bench/blobs.ts writes them to files the Python references read).
 */
import { matrix, type Matrix } from './matrix';
import { createRng } from './random';

/** Options of makeBlobs. */
export interface BlobOptions {
  /** Number of points. */
  n: number;
  /** Dimensions per point. */
  dims: number;
  /** Number of clusters. */
  centers: number;
  /** PRNG seed: the same options always give the same data. */
  seed: number;
  /** Standard deviation of each blob around its centre (default 1, like make_blobs). */
  spread?: number;
  /** Centres are uniform in [-box, box] per dimension (default 10, like make_blobs). */
  box?: number;
}

/** Generated points and their true cluster labels. */
export interface Blobs {
  matrix: Matrix;
  labels: Int32Array;
}

/**
 * Gaussian blobs in the manner of sklearn's make_blobs: centres uniform in a box, isotropic
 * noise of std `spread`, labels balanced (i mod centers) then shuffled.
 */
export function makeBlobs(options: BlobOptions): Blobs {
  const { n, dims, centers, seed } = options;
  const spread = options.spread ?? 1;
  const box = options.box ?? 10;
  const rng = createRng(seed);
  const centres = new Float32Array(centers * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = (rng.next() * 2 - 1) * box;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % centers;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = labels[i]!;
    labels[i] = labels[j]!;
    labels[j] = t;
  }
  const m = matrix(n, dims);
  for (let i = 0; i < n; i++) {
    const c = labels[i]! * dims;
    const o = i * dims;
    for (let d = 0; d < dims; d++) m.data[o + d] = centres[c + d]! + spread * rng.gaussian();
  }
  return { matrix: m, labels };
}
