/**
 * UMAP to 2-D (McInnes, Healy and Melville 2018), following umap-learn 0.5's defaults and steps:
 * exact kNN (vectors/knn.ts; umap-learn uses NN-descent above 4,096 points, we stay exact up to
 * EXACT_KNN_MAX_ROWS because the SIMD kernel makes exact cheaper here), fuzzy simplicial set,
 * then SGD with negative sampling. One documented difference: the starting layout is the 2-D PCA
 * of the data (umap-learn's default is a spectral embedding of the graph, which needs a sparse
 * eigensolver); the optimisation then rearranges it, and the tests check the result's
 * trustworthiness against umap-learn's. Seeded: same data and options, same layout.
 */
import { exactKnn, yieldAndCheck, type KnnGraph, type Metric } from '../vectors/knn';
import { matrix, type Matrix } from '../vectors/matrix';
import { createRng } from '../vectors/random';
import { fuzzySimplicialSet } from './fuzzy-graph';
import { nnDescent } from './nn-descent';
import { pca } from './pca';
import { findAbParams } from './umap-curve';
import { UmapLayout } from './umap-layout';

/**
 * Above this many rows the kNN graph comes from NN-descent instead of the exact search. Measured
 * here at 10,000 x 384: exact 3.6 s (recall 1), NN-descent 9 s (recall 0.92 on isotropic blobs);
 * exact grows as n^2, NN-descent about as n, so they cross near 30,000 rows.
 */
export const EXACT_KNN_MAX_ROWS = 30_000;

/** Stage reported to onProgress. */
export type UmapStage = 'neighbours' | 'layout';

/** Options of umap. */
export interface UmapOptions {
  /** Neighbours per point, the point itself included (default 15). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDist?: number;
  /** Scale of embedded distances (default 1). */
  spread?: number;
  /** SGD epochs (default as umap-learn: 500 up to 10,000 points, 200 above). */
  nEpochs?: number;
  /** Input distance (default 'euclidean'; 'cosine' for unnormalised embeddings). */
  metric?: Metric;
  /** Seed for the initial noise and the negative samples (default 0). */
  seed?: number;
  /** Negative samples per positive one (default 5). */
  negativeSampleRate?: number;
  /** Starting layout: 'pca' (default), 'random', or an n x 2 matrix. */
  init?: 'pca' | 'random' | Matrix;
  /** kNN method: 'auto' (default: exact up to EXACT_KNN_MAX_ROWS), 'exact' or 'nn-descent'. */
  knnMethod?: 'auto' | 'exact' | 'nn-descent';
  /** A precomputed kNN graph (self first in every row) to skip the search. */
  knn?: KnnGraph;
  /** Progress: `done` of `total` units of the current stage (kNN blocks, then epochs). */
  onProgress?: (done: number, total: number, stage: UmapStage) => void;
  /** Aborting rejects with the signal's reason between chunks of work. */
  signal?: AbortSignal;
}

/** The embedding and what produced it. */
export interface UmapResult {
  /** n x 2 coordinates. */
  embedding: Matrix;
  knn: KnnGraph;
  a: number;
  b: number;
  nEpochs: number;
}

const YIELD_MS = 50;

/** Embeds the rows of `m` in 2-D with UMAP (see the module comment). */
export async function umap(m: Matrix, options: UmapOptions = {}): Promise<UmapResult> {
  const n = m.rows;
  const seed = options.seed ?? 0;
  const { a, b } = findAbParams(options.spread ?? 1, options.minDist ?? 0.1);
  const nEpochs = options.nEpochs ?? (n <= 10_000 ? 500 : 200);
  if (n <= 2) {
    // Nothing to learn: umap-learn also returns trivial layouts for tiny inputs.
    const embedding = matrix(n, 2);
    // Stryker disable next-line ConditionalExpression: for 0 or 1 point, data[2] lies past the end
    if (n === 2) embedding.data[2] = 1;
    return {
      embedding,
      knn: { indices: new Int32Array(0), distances: new Float32Array(0), n, k: 0 },
      a,
      b,
      nEpochs,
    };
  }
  const k = Math.min(options.nNeighbors ?? 15, n);
  const progress = (stage: UmapStage) => (done: number, total: number) =>
    options.onProgress?.(done, total, stage);
  const knnOptions = {
    // Stryker disable next-line StringLiteral: both searches treat every metric but 'cosine' as Euclidean
    metric: options.metric ?? 'euclidean',
    onProgress: progress('neighbours'),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const method = options.knnMethod ?? 'auto';
  const knn =
    options.knn ??
    (method === 'nn-descent' || (method === 'auto' && n > EXACT_KNN_MAX_ROWS)
      ? await nnDescent(m, k, { ...knnOptions, seed })
      : await exactKnn(m, k, knnOptions));
  const graph = fuzzySimplicialSet(knn);
  // Stryker disable next-line StringLiteral: initialLayout takes every string but 'random' as 'pca'
  const embedding = initialLayout(m, options.init ?? 'pca', seed);
  const layout = new UmapLayout(graph, embedding.data, {
    a,
    b,
    nEpochs,
    seed: seed + 1,
    ...(options.negativeSampleRate ? { negativeSampleRate: options.negativeSampleRate } : {}),
  });
  let last = Date.now();
  while (!layout.step(1)) {
    options.signal?.throwIfAborted();
    // Stryker disable next-line EqualityOperator: exactly 50 ms or just over makes no difference to anyone
    if (Date.now() - last > YIELD_MS) {
      options.onProgress?.(layout.epoch, nEpochs, 'layout');
      await yieldAndCheck(options.signal);
      last = Date.now();
    }
  }
  options.onProgress?.(nEpochs, nEpochs, 'layout');
  return { embedding, knn, a, b, nEpochs };
}

/**
 * The starting layout, scaled like umap-learn's: max |coordinate| 10 plus N(0, 1e-4) noise,
 * then each axis stretched to [0, 10].
 */
function initialLayout(m: Matrix, init: 'pca' | 'random' | Matrix, seed: number): Matrix {
  const n = m.rows;
  const rng = createRng(seed);
  const out = matrix(n, 2);
  if (init === 'random') {
    // Stryker disable next-line EqualityOperator: a typed array ignores the write one past its end
    for (let i = 0; i < 2 * n; i++) out.data[i] = rng.next() * 20 - 10;
    return out;
  }
  if (typeof init === 'object') {
    if (init.rows !== n || init.dims !== 2) throw new Error(`umap: init must be ${n} x 2`);
    out.data.set(init.data);
    return out;
  }
  const start = pca(m, { components: Math.min(2, m.dims, n), seed }).projected;
  // Stryker disable next-line EqualityOperator: a typed array ignores the writes one row past its end
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < Math.min(2, start.dims); d++)
      out.data[2 * i + d] = start.data[i * start.dims + d]!;
  }
  let maxAbs = 0;
  for (const v of out.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  const expansion = maxAbs > 0 ? 10 / maxAbs : 1;
  // Stryker disable next-line EqualityOperator: a typed array ignores the write one past its end
  for (let i = 0; i < 2 * n; i++) out.data[i] = out.data[i]! * expansion + 1e-4 * rng.gaussian();
  for (let d = 0; d < 2; d++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, out.data[2 * i + d]!);
      hi = Math.max(hi, out.data[2 * i + d]!);
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the noise above keeps hi > lo for n >= 3
    const scale = hi > lo ? 10 / (hi - lo) : 0;
    // Stryker disable next-line EqualityOperator: a typed array ignores the writes one row past its end
    for (let i = 0; i < n; i++) out.data[2 * i + d] = (out.data[2 * i + d]! - lo) * scale;
  }
  return out;
}
