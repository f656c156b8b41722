/**
 * Distances between answer embeddings. On unit vectors the cosine distance 1 - cos(a, b) equals
 * half the squared Euclidean distance, so the two metrics rank pairs identically but are not
 * interchangeable inside an energy distance (see energy.ts).
 */
import type { Matrix } from '../vectors/matrix';

/** Which distance: `euclidean` = ||a - b||, `cosine` = 1 - a.b / (||a|| ||b||). */
export type DistanceMetric = 'euclidean' | 'cosine';

/** Distance between rows i and j of `m`. */
export function rowDistance(m: Matrix, i: number, j: number, metric: DistanceMetric): number {
  const { data, dims } = m;
  const oi = i * dims;
  const oj = j * dims;
  if (metric === 'euclidean') {
    // Differences, not |a|^2 + |b|^2 - 2ab: no cancellation for nearby points.
    let s = 0;
    for (let k = 0; k < dims; k++) {
      const d = data[oi + k]! - data[oj + k]!;
      s += d * d;
    }
    return Math.sqrt(s);
  }
  let dot = 0;
  let ni = 0;
  let nj = 0;
  for (let k = 0; k < dims; k++) {
    const a = data[oi + k]!;
    const b = data[oj + k]!;
    dot += a * b;
    ni += a * a;
    nj += b * b;
  }
  const denom = Math.sqrt(ni * nj);
  return denom > 0 ? 1 - dot / denom : 1;
}

/** Full symmetric n x n distance matrix of the rows of `m` (row-major, zero diagonal). */
export function pairwiseDistances(m: Matrix, metric: DistanceMetric): Float32Array {
  const n = m.rows;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = rowDistance(m, i, j, metric);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}
