/**
 * Principal component analysis, seeded. Choice: rather than a randomized SVD of the n x d data
 * (Halko et al. 2011; what scikit-learn does), we form the small s x s matrix S = Xc^T Xc/(n-1)
 * (or Xc Xc^T/(n-1) when d > n; s = min(n, d)) with the SIMD kernel, n s^2 / 2 multiply-adds, then
 * run randomized subspace iteration (Halko's Algorithm 4.4 applied to S) with Rayleigh-Ritz. Each
 * iteration costs s^2 l, not n d l, so we can afford many, which matters when the spectrum tail
 * is flat (embeddings' noise dimensions). Small problems (s <= l) get an exact Jacobi solve.
 */
import { DotTiler, dotProducts, gramMatrix, scatterMatrix } from '../vectors/gemm';
import { matrix, type Matrix } from '../vectors/matrix';
import { centerRows, meanRow, transpose } from '../vectors/ops';
import { createRng } from '../vectors/random';
import { choleskyQr, orthonormalizeRows, symmetricEigen } from './eigen';

/** Options of pca. */
export interface PcaOptions {
  /** Number of components to keep (default 2), at most min(rows, dims). */
  components?: number;
  /** Seed of the random starting subspace (default 0). */
  seed?: number;
  /** Extra subspace vectors beyond `components` (default 10, as scikit-learn). */
  oversamples?: number;
  /**
   * Subspace iterations on S (default 6: with the Rayleigh-Ritz product, 7 powers of S, where
   * scikit-learn's 4 iterations on X amount to 5).
   */
  iterations?: number;
}

/** The fitted projection. */
export interface PcaResult {
  /** Data projected on the components: rows x components. */
  projected: Matrix;
  /** Unit principal axes, one per row: components x dims. Sign: largest |loading| positive. */
  components: Matrix;
  /** Column means subtracted before projecting. */
  mean: Float32Array;
  /** Variance along each component (ddof = 1, as scikit-learn). */
  explainedVariance: Float64Array;
  /** explainedVariance / total variance (0 when the data has no variance). */
  explainedVarianceRatio: Float64Array;
  /** Sum of the per-dimension variances. */
  totalVariance: number;
}

/** Fits PCA to the rows of `m` and projects them (see the module comment for the method). */
export function pca(m: Matrix, options: PcaOptions = {}): PcaResult {
  const { rows: n, dims: d } = m;
  const s = Math.min(n, d);
  const k = options.components ?? 2;
  if (!Number.isInteger(k) || k < 1 || k > s) {
    throw new Error(`pca: components must be an integer in 1..${s}, got ${k}`);
  }
  const mean = meanRow(m);
  // S: the s x s matrix whose eigenvalues are the component variances.
  const wide = d > n;
  const xc = wide ? centerRows(m, mean) : null;
  const small = xc ? gramMatrix(xc) : scatterMatrix(m, mean);
  const denom = Math.max(n - 1, 1);
  const sf = small.data;
  for (let i = 0; i < sf.length; i++) sf[i]! /= denom;
  let total = 0;
  for (let i = 0; i < s; i++) total += sf[i * s + i]!;

  const { values, vectors } = topEigen(small, k, options);
  // Axes in data space: directly for S = covariance, via Xc^T u / sqrt((n-1) lambda) otherwise.
  const comps = matrix(k, d);
  if (!xc) {
    for (let t = 0; t < k * d; t++) comps.data[t] = vectors[t]!;
  } else {
    const ut = matrix(k, n);
    for (let t = 0; t < k * n; t++) ut.data[t] = vectors[t]!;
    const raw = dotProducts(ut, transpose(xc));
    for (let t = 0; t < k; t++) {
      const scale = values[t]! > 0 ? 1 / Math.sqrt(denom * values[t]!) : 0;
      for (let j = 0; j < d; j++) comps.data[t * d + j] = raw.data[t * d + j]! * scale;
    }
  }
  fixSigns(comps);
  const projected = project(m, mean, comps);
  const explainedVariance = Float64Array.from(values.subarray(0, k), (v) => Math.max(v, 0));
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  return {
    projected,
    components: comps,
    mean,
    explainedVariance,
    explainedVarianceRatio,
    totalVariance: total,
  };
}

/** Applies a fitted PCA to new rows. */
export function pcaTransform(fit: PcaResult, m: Matrix): Matrix {
  return project(m, fit.mean, fit.components);
}

/** (X - mean) V^T computed as X V^T - mean V^T: no centred copy of X is needed. */
function project(m: Matrix, mean: Float32Array, comps: Matrix): Matrix {
  const out = dotProducts(m, comps);
  const k = comps.rows;
  const shift = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    for (let j = 0; j < comps.dims; j++) shift[t]! += mean[j]! * comps.data[t * comps.dims + j]!;
  }
  for (let i = 0; i < m.rows; i++) for (let t = 0; t < k; t++) out.data[i * k + t]! -= shift[t]!;
  return out;
}

/** Top-k eigenpairs of the symmetric s x s matrix S (float32 storage). */
function topEigen(
  S: Matrix,
  k: number,
  options: PcaOptions,
): { values: Float64Array; vectors: Float64Array } {
  const s = S.rows;
  const l = Math.min(s, k + (options.oversamples ?? 10));
  if (l >= s) {
    // Small: exact.
    const { values, vectors } = symmetricEigen(Float64Array.from(S.data), s);
    return { values, vectors };
  }
  const rng = createRng(options.seed ?? 0);
  const qf = matrix(l, s);
  for (let i = 0; i < qf.data.length; i++) qf.data[i] = rng.gaussian();
  orthonormalize(qf, qf, 1);
  // S is packed into kernel memory once; each iteration only repacks Q.
  const tiler = new DotTiler(qf, S, 64);
  const iterations = options.iterations ?? 6;
  let w = qf;
  try {
    for (let it = 0; it <= iterations; it++) {
      tiler.setA(qf);
      // Rows of Q S^T = (S Q^T)^T, S symmetric: one power step per iteration.
      w = tiler.product();
      if (it === iterations) break;
      // The final basis must be orthonormal for Rayleigh-Ritz: two passes then.
      orthonormalize(w, qf, it === iterations - 1 ? 2 : 1);
    }
  } finally {
    tiler.dispose();
  }
  // Rayleigh-Ritz: T = (Q S) Q^T with the last Q, then its eigenvectors rotate Q.
  const tq = dotProducts(w, qf);
  const t = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    for (let j = i; j < l; j++) {
      // Symmetrised: the float32 product is only symmetric to rounding.
      const v = (tq.data[i * l + j]! + tq.data[j * l + i]!) / 2;
      t[i * l + j] = v;
      t[j * l + i] = v;
    }
  }
  const eig = symmetricEigen(t, l);
  const u = matrix(k, l);
  for (let i = 0; i < k * l; i++) u.data[i] = eig.vectors[i]!;
  const rotated = dotProducts(u, transpose(qf));
  const vectors = Float64Array.from(rotated.data);
  return { values: eig.values.subarray(0, k), vectors };
}

/**
 * Orthonormal rows for `out` spanning the rows of w: Cholesky QR on the kernel (CholeskyQR2
 * when passes = 2), falling back to float64 Gram-Schmidt when w is too ill-conditioned.
 */
function orthonormalize(w: Matrix, out: Matrix, passes: number): void {
  if (choleskyQr(w, out) && (passes < 2 || choleskyQr(out, out))) return;
  const q = Float64Array.from(w.data);
  orthonormalizeRows(q, w.rows, w.dims, 2);
  for (let i = 0; i < q.length; i++) out.data[i] = q[i]!;
}

/** Flips each axis so that its largest-magnitude loading is positive (deterministic signs). */
function fixSigns(comps: Matrix): void {
  for (let t = 0; t < comps.rows; t++) {
    const o = t * comps.dims;
    let best = 0;
    for (let j = 0; j < comps.dims; j++) {
      if (Math.abs(comps.data[o + j]!) > Math.abs(best)) best = comps.data[o + j]!;
    }
    if (best < 0) for (let j = 0; j < comps.dims; j++) comps.data[o + j] = -comps.data[o + j]!;
  }
}
