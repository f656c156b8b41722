/**
 * Scalar vector and matrix primitives on Float32Array. Loops are unrolled by four with
 * separate accumulators: that roughly doubles V8's throughput over a plain loop (no dependency
 * chain on one sum) and keeps the summation order fixed, so results are reproducible.
 */
import { matrix, type Matrix } from './matrix';

/** Dot product of a[ao .. ao+len) and b[bo .. bo+len) (offsets let callers skip subarrays). */
export function dotAt(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  len: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
    s2 += a[ao + i + 2]! * b[bo + i + 2]!;
    s3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < len; i++) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1 + (s2 + s3);
}

/** Dot product of two equal-length vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length} differ`);
  return dotAt(a, 0, b, 0, a.length);
}

/** Squared Euclidean distance between a[ao..] and b[bo..] over len values. */
export function squaredEuclideanAt(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  len: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const d0 = a[ao + i]! - b[bo + i]!;
    const d1 = a[ao + i + 1]! - b[bo + i + 1]!;
    const d2 = a[ao + i + 2]! - b[bo + i + 2]!;
    const d3 = a[ao + i + 3]! - b[bo + i + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < len; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** Squared Euclidean distance between two equal-length vectors. */
export function squaredEuclidean(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`squaredEuclidean: lengths ${a.length}, ${b.length}`);
  return squaredEuclideanAt(a, 0, b, 0, a.length);
}

/** Euclidean norm of a vector. */
export function norm(a: Float32Array): number {
  return Math.sqrt(dotAt(a, 0, a, 0, a.length));
}

/** Cosine similarity; 0 when either vector is all zeros (rather than NaN). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** Cosine distance, 1 - cosine similarity (0 for identical directions, 2 for opposite). */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  return 1 - cosineSimilarity(a, b);
}

/** Squared L2 norm of every row. */
export function rowSquaredNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = dotAt(m.data, i * m.dims, m.data, i * m.dims, m.dims);
  return out;
}

/**
 * Scales every row to unit L2 norm, in place unless `out` is given (it may be `m`). All-zero
 * rows stay zero: an empty embedding has no direction to keep.
 */
export function normalizeRows(m: Matrix, out: Matrix = matrix(m.rows, m.dims)): Matrix {
  const { data, dims } = m;
  for (let i = 0; i < m.rows; i++) {
    const o = i * dims;
    const n = Math.sqrt(dotAt(data, o, data, o, dims));
    const s = n > 0 ? 1 / n : 0;
    for (let d = 0; d < dims; d++) out.data[o + d] = data[o + d]! * s;
  }
  return out;
}

/** Mean of the rows (the centroid); `indices` restricts it to some rows. Float64 sums. */
export function meanRow(m: Matrix, indices?: ArrayLike<number>): Float32Array {
  const acc = new Float64Array(m.dims);
  const count = indices ? indices.length : m.rows;
  for (let k = 0; k < count; k++) {
    const o = (indices ? indices[k]! : k) * m.dims;
    for (let d = 0; d < m.dims; d++) acc[d]! += m.data[o + d]!;
  }
  const out = new Float32Array(m.dims);
  if (count > 0) for (let d = 0; d < m.dims; d++) out[d] = acc[d]! / count;
  return out;
}

/** Centroid of a group of rows: alias of meanRow kept for readability at call sites. */
export const centroid = meanRow;

/** Returns a copy of m with `mean` (default: the column means) subtracted from every row. */
export function centerRows(m: Matrix, mean: Float32Array = meanRow(m)): Matrix {
  const out = matrix(m.rows, m.dims);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.dims;
    for (let d = 0; d < m.dims; d++) out.data[o + d] = m.data[o + d]! - mean[d]!;
  }
  return out;
}

/** Transposes a matrix (dims x rows result). */
export function transpose(m: Matrix): Matrix {
  const out = matrix(m.dims, m.rows);
  // Blocked so both the reads and the writes stay within a few cache lines.
  const B = 32;
  for (let i0 = 0; i0 < m.rows; i0 += B) {
    const i1 = Math.min(i0 + B, m.rows);
    for (let d0 = 0; d0 < m.dims; d0 += B) {
      const d1 = Math.min(d0 + B, m.dims);
      for (let i = i0; i < i1; i++) {
        for (let d = d0; d < d1; d++) out.data[d * m.rows + i] = m.data[i * m.dims + d]!;
      }
    }
  }
  return out;
}
