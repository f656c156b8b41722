/**
 * Small dense linear algebra for the projection code: symmetric eigen-decomposition in float64
 * (for matrices of at most a few hundred rows) and orthonormalisation of row sets.
 */
import { dotProducts } from '../vectors/gemm';
import { matrix, type Matrix } from '../vectors/matrix';
import { transpose } from '../vectors/ops';

/** Eigenvalues (descending) and matching unit eigenvectors (row t of `vectors`, length n). */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix by Householder tridiagonalisation and the
 * implicit QL algorithm (tred2/tql2 from EISPACK, as ported in the public-domain JAMA library).
 * O(n^3) with small constants: ~5 n^3 flops, versus ~10 sweeps of 3 n^3 for Jacobi.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  // V holds the matrix, then the accumulated transformations (row-major, V[i][j] = v[i*n+j]).
  const V = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(V, d, e, n);
  tql2(V, d, e, n);
  // tql2 sorts ascending; we want descending, eigenvectors as rows.
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  // Stryker disable next-line EqualityOperator: t = n writes values[n] and vectors[n * n + k], past the ends (ignored)
  for (let t = 0; t < n; t++) {
    const col = n - 1 - t;
    values[t] = d[col]!;
    // Stryker disable next-line EqualityOperator: k = n writes vectors[(t + 1) * n], rewritten by row t + 1, or past the end
    for (let k = 0; k < n; k++) vectors[t * n + k] = V[k * n + col]!;
  }
  return { values, vectors };
}

function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  // Stryker disable next-line EqualityOperator: j = n writes d[n], past the end (ignored)
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j]!;
  // Stryker disable next-line EqualityOperator: an i = 0 pass only writes e[0] and d[0], both rewritten before they are read
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    // Stryker disable next-line AssignmentOperator: a negative scale negates the Householder vector (exactly), leaving the reflection, e and V the same
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[j * n + i] = f;
        g = e[j]! + V[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j]! * d[k]!;
          e[k]! += V[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i]!;
    V[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1]! * V[k * n + j]!;
        for (let k = 0; k <= i; k++) V[k * n + j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  // Stryker disable next-line EqualityOperator: j = n writes d[n] and V[n * n], past the ends (ignored)
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j]!;
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  // Stryker disable next-line EqualityOperator: i = n writes e[n - 1], set to 0 on the next line
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  // Stryker disable next-line EqualityOperator: l = n only writes d[n] and e[n], past the ends (ignored)
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    // Stryker disable next-line EqualityOperator: e[n - 1] is always 0 here, so the search stops at m <= n - 1
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      // Stryker disable next-line EqualityOperator,UpdateOperator: the cap is never reached: at most 7 sweeps per eigenvalue over 1,200 random, graded, zero-diagonal, Wilkinson and clustered matrices
      for (let iter = 0; iter < 60; iter++) {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        // Stryker disable next-line EqualityOperator: i = n writes d[n], past the end (ignored)
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          // Stryker disable next-line EqualityOperator: k = n writes V[n * n + i] and V[n * n + i + 1], past the end (ignored)
          for (let k = 0; k < n; k++) {
            h = V[k * n + i + 1]!;
            V[k * n + i + 1] = s * V[k * n + i]! + c * h;
            V[k * n + i] = c * V[k * n + i]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  // Sort ascending (selection sort, as JAMA), moving vector columns along.
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: i = n - 1 and i = n find no j > i, so nothing moves
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    // Stryker disable next-line EqualityOperator: d[n] is undefined and undefined < p is false
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    // Stryker disable next-line ConditionalExpression: with k === i the swap exchanges a column (and d[i]) with itself
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      // Stryker disable next-line EqualityOperator: j = n reads and writes V[n * n + i | k], past the end (ignored)
      for (let j = 0; j < n; j++) {
        const t = V[j * n + i]!;
        V[j * n + i] = V[j * n + k]!;
        V[j * n + k] = t;
      }
    }
  }
}

/**
 * Orthonormalises the `count` rows (length `len`) of `q` in place by modified Gram-Schmidt.
 * Two passes ("twice is enough", Giraud et al. 2005) give float64-level orthogonality; one is
 * enough between power iterations. A row that collapses to zero is left zero.
 */
export function orthonormalizeRows(q: Float64Array, count: number, len: number, passes = 2): void {
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < count; i++) {
      const oi = i * len;
      const before = dot64(q, oi, q, oi, len);
      for (let j = 0; j < i; j++) {
        const oj = j * len;
        const d = dot64(q, oi, q, oj, len);
        for (let k = 0; k < len; k++) q[oi + k]! -= d * q[oj + k]!;
      }
      const nrm = dot64(q, oi, q, oi, len);
      // What is left of a row that lay in the span of earlier ones is rounding noise: zero it.
      const s = nrm > 1e-20 * before && nrm > 1e-300 ? 1 / Math.sqrt(nrm) : 0;
      for (let k = 0; k < len; k++) q[oi + k]! *= s;
    }
  }
}

/** Dot product of float64 slices, four accumulators (no single dependency chain). */
export function dot64(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  len: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ao + k]! * b[bo + k]!;
    s1 += a[ao + k + 1]! * b[bo + k + 1]!;
    s2 += a[ao + k + 2]! * b[bo + k + 2]!;
    s3 += a[ao + k + 3]! * b[bo + k + 3]!;
  }
  for (; k < len; k++) s0 += a[ao + k]! * b[bo + k]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Orthonormalises the rows of w (count x len, float32) into `out` by Cholesky QR: G = W W^T
 * on the SIMD kernel, G = R^T R, Q = R^-T W. O(count^2 len) kernel work and O(count^3) float64
 * JS work, against MGS's O(count^2 len) in JS. Float32 G limits it to well-conditioned W
 * (cond < ~1e3): returns false, leaving `out` untouched, when a pivot shows otherwise, so
 * callers can fall back to orthonormalizeRows. Applied twice (CholeskyQR2) rows are orthonormal
 * to float32 precision.
 */
export function choleskyQr(w: Matrix, out: Matrix): boolean {
  const l = w.rows;
  const g = dotProducts(w, w).data;
  const r = new Float64Array(l * l);
  for (let j = 0; j < l; j++) {
    for (let i = 0; i <= j; i++) {
      // Symmetrised: the float32 product is only symmetric to rounding.
      let v = (g[i * l + j]! + g[j * l + i]!) / 2;
      // Stryker disable next-line EqualityOperator: the extra k = i term is r[i][i] * r[i][j], and r[i][j] is still 0 here
      for (let k = 0; k < i; k++) v -= r[k * l + i]! * r[k * l + j]!;
      if (i < j) {
        r[i * l + j] = v / r[i * l + i]!;
      } else {
        // A pivot lost to float32 rounding of G means W is too ill-conditioned for this.
        if (!(v > 1e-5 * g[j * l + j]!)) return false;
        r[j * l + j] = Math.sqrt(v);
      }
    }
  }
  // A = R^-T (lower triangular), row i of Q = sum_k A[i][k] w_k.
  const inv = new Float64Array(l * l);
  // Stryker disable next-line EqualityOperator: i = l writes inv[l * l + l], past the end (ignored), and its j loop is empty
  for (let i = 0; i < l; i++) {
    inv[i * l + i] = 1 / r[i * l + i]!;
    for (let j = i + 1; j < l; j++) {
      let v = 0;
      for (let k = i; k < j; k++) v -= inv[i * l + k]! * r[k * l + j]!;
      inv[i * l + j] = v / r[j * l + j]!;
    }
  }
  const a = matrix(l, l);
  for (let i = 0; i < l; i++) for (let k = 0; k <= i; k++) a.data[i * l + k] = inv[k * l + i]!;
  out.data.set(dotProducts(a, transpose(w)).data);
  return true;
}
