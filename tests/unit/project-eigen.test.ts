/**
 * Direct tests of core/project/eigen.ts on matrices whose eigen-structure is known by
 * construction (A = Q diag(lambda) Q^T with an explicit orthogonal Q, classic tridiagonal
 * matrices with closed-form spectra, block-diagonal and diagonal matrices), so no reference
 * numbers from another library are needed: the expected eigenvalues are the lambdas put in.
 * Random matrices are checked by the defining properties (A v = lambda v, V V^T = I).
 */
import { describe, expect, it } from 'vitest';
import {
  choleskyQr,
  dot64,
  orthonormalizeRows,
  symmetricEigen,
} from '../../src/lib/core/project/eigen';
import { fromRows, matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { createRng } from '../../src/lib/core/vectors/random';

/** Q diag(values) Q^T for Q = I - 2 u u^T / (u^T u), a symmetric orthogonal (Householder) matrix. */
function withSpectrum(values: number[], u: number[]): Float64Array {
  const n = values.length;
  const uu = u.reduce((s, x) => s + x * x, 0);
  const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i]! * u[j]!) / uu;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += q(i, t) * values[t]! * q(j, t);
      a[i * n + j] = s;
    }
  }
  // Exactly symmetric, as the callers' matrices are.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  return a;
}

/** Places the symmetric blocks on the given coordinates of an n x n matrix, zeros elsewhere. */
function blockDiagonal(n: number, blocks: { at: number[]; a: Float64Array }[]): Float64Array {
  const out = new Float64Array(n * n);
  for (const { at, a } of blocks) {
    const m = at.length;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) out[at[i]! * n + at[j]!] = a[i * m + j]!;
    }
  }
  return out;
}

const maxAbs = (a: ArrayLike<number>) =>
  Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Checks the contract of symmetricEigen: values descending (and equal to `expected`, sorted,
 * when given), rows of `vectors` orthonormal, and A v = lambda v for each pair, all relative
 * to the size of A.
 */
function expectEigenDecomposition(a: Float64Array, n: number, expected?: number[]) {
  const { values, vectors } = symmetricEigen(a, n);
  expect(values.length).toBe(n);
  expect(vectors.length).toBe(n * n);
  const scale = Math.max(maxAbs(a), Number.MIN_VALUE);
  for (let t = 1; t < n; t++) expect(values[t]).toBeLessThanOrEqual(values[t - 1]!);
  if (expected) {
    const want = [...expected].sort((x, y) => y - x);
    want.forEach((w, t) => expect(Math.abs(values[t]! - w)).toBeLessThan(1e-12 * scale));
  }
  for (let s = 0; s < n; s++) {
    for (let t = 0; t <= s; t++) {
      const d = dot64(vectors, s * n, vectors, t * n, n);
      expect(Math.abs(d - (s === t ? 1 : 0))).toBeLessThan(1e-12);
    }
    for (let i = 0; i < n; i++) {
      const av = dot64(a, i * n, vectors, s * n, n);
      expect(Math.abs(av - values[s]! * vectors[s * n + i]!)).toBeLessThan(1e-9 * scale);
    }
  }
  return { values, vectors };
}

/** Worst |A v - lambda v| (relative to max |A|) and |V V^T - I|, and whether values descend. */
function decompositionErrors(a: Float64Array, n: number) {
  const { values, vectors } = symmetricEigen(a, n);
  const scale = Math.max(maxAbs(a), Number.MIN_VALUE);
  let residual = 0;
  let orthogonality = 0;
  let sorted = true;
  for (let s = 0; s < n; s++) {
    if (s > 0 && !(values[s]! <= values[s - 1]!)) sorted = false;
    for (let i = 0; i < n; i++) {
      const r = Math.abs(dot64(a, i * n, vectors, s * n, n) - values[s]! * vectors[s * n + i]!);
      residual = Math.max(residual, Number.isNaN(r) ? Infinity : r / scale);
    }
    for (let t = 0; t <= s; t++) {
      const o = Math.abs(dot64(vectors, s * n, vectors, t * n, n) - (s === t ? 1 : 0));
      orthogonality = Math.max(orthogonality, Number.isNaN(o) ? Infinity : o);
    }
  }
  return { residual, orthogonality, sorted };
}

/** Row t of `vectors` equals the unit vector `want` up to sign. */
function expectVectorUpToSign(vectors: Float64Array, t: number, want: number[]) {
  const n = want.length;
  const got = Array.from(vectors.subarray(t * n, (t + 1) * n));
  const sign = Math.sign(dot64(Float64Array.from(got), 0, Float64Array.from(want), 0, n));
  got.forEach((v, i) => expect(Math.abs(v * sign - want[i]!)).toBeLessThan(1e-12));
}

describe('symmetricEigen on matrices of known eigen-structure', () => {
  it('handles sizes 0 and 1', () => {
    const empty = symmetricEigen(new Float64Array(0), 0);
    expect([empty.values.length, empty.vectors.length]).toEqual([0, 0]);
    const one = symmetricEigen(Float64Array.of(-3.5), 1);
    expect(Array.from(one.values)).toEqual([-3.5]);
    expect(Array.from(one.vectors)).toEqual([1]);
  });

  it('size 2: [[2, 1], [1, 2]] and a zero diagonal [[0, 1], [1, 0]]', () => {
    const { vectors } = expectEigenDecomposition(Float64Array.of(2, 1, 1, 2), 2, [3, 1]);
    expectVectorUpToSign(vectors, 0, [Math.SQRT1_2, Math.SQRT1_2]);
    expectVectorUpToSign(vectors, 1, [Math.SQRT1_2, -Math.SQRT1_2]);
    const swap = expectEigenDecomposition(Float64Array.of(0, 1, 1, 0), 2, [1, -1]);
    expectVectorUpToSign(swap.vectors, 1, [Math.SQRT1_2, -Math.SQRT1_2]);
  });

  it('size 3 with a repeated eigenvalue: J + I has 4 once and 1 twice', () => {
    const a = Float64Array.of(2, 1, 1, 1, 2, 1, 1, 1, 2);
    const { vectors } = expectEigenDecomposition(a, 3, [4, 1, 1]);
    const third = 1 / Math.sqrt(3);
    expectVectorUpToSign(vectors, 0, [third, third, third]);
  });

  it('recovers a planted spectrum with repeated and zero eigenvalues', () => {
    const u = [1, -2, 0.5, 3, -1, 0.25];
    expectEigenDecomposition(withSpectrum([2, 2, 2, -1, -1, 0], u), 6, [2, 2, 2, -1, -1, 0]);
    expectEigenDecomposition(withSpectrum([0, 0, 0, 5], [1, 1, 1, 1]), 4, [5, 0, 0, 0]);
  });

  it('the identity: every unit vector is an eigenvector', () => {
    const n = 4;
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const { vectors } = expectEigenDecomposition(eye, n, [1, 1, 1, 1]);
    // Each returned vector is one axis, each axis used once.
    const axes = Array.from({ length: n }, (_, t) =>
      Array.from(vectors.subarray(t * n, (t + 1) * n)).findIndex((v) => Math.abs(v) === 1),
    );
    expect([...axes].sort()).toEqual([0, 1, 2, 3]);
  });

  it('a diagonal matrix gives its entries, sorted, with the coordinate axes', () => {
    const diag = [3, -1, 7, 0, 2];
    const n = diag.length;
    const a = new Float64Array(n * n);
    diag.forEach((v, i) => (a[i * n + i] = v));
    const { vectors } = expectEigenDecomposition(a, n, diag);
    // Descending 7, 3, 2, 0, -1 sit on axes 2, 0, 4, 3, 1.
    [2, 0, 4, 3, 1].forEach((axis, t) => {
      const want = Array.from({ length: n }, (_, i) => (i === axis ? 1 : 0));
      expectVectorUpToSign(vectors, t, want);
    });
  });

  it('block-diagonal matrices (coordinates that do not interact), decoupled rows anywhere', () => {
    const dense3 = withSpectrum([5, 2, -1], [1, 2, -1]);
    const dense4 = withSpectrum([6, 3, -2, 0.5], [2, -1, 1, 3]);
    const pair = Float64Array.of(1, 2, 2, 1); // eigenvalues 3, -1
    const single = (v: number) => Float64Array.of(v);
    const cases: { n: number; blocks: { at: number[]; a: Float64Array }[]; values: number[] }[] = [
      // The last row decoupled: the very first Householder step has nothing to reduce.
      {
        n: 4,
        blocks: [
          { at: [0, 1, 2], a: dense3 },
          { at: [3], a: single(4) },
        ],
        values: [5, 2, -1, 4],
      },
      {
        n: 5,
        blocks: [
          { at: [0, 1, 2, 3], a: dense4 },
          { at: [4], a: single(-3) },
        ],
        values: [6, 3, -2, 0.5, -3],
      },
      // Interleaved blocks and a decoupled row in the middle.
      {
        n: 5,
        blocks: [
          { at: [0, 2, 4], a: dense3 },
          { at: [1, 3], a: pair },
        ],
        values: [5, 2, -1, 3, -1],
      },
      {
        n: 5,
        blocks: [
          { at: [0, 1], a: pair },
          { at: [2], a: single(7) },
          { at: [3, 4], a: pair },
        ],
        values: [3, -1, 7, 3, -1],
      },
      {
        n: 6,
        blocks: [
          { at: [1, 2, 5], a: dense3 },
          { at: [0], a: single(0) },
          { at: [3, 4], a: pair },
        ],
        values: [5, 2, -1, 0, 3, -1],
      },
    ];
    for (const { n, blocks, values } of cases) {
      expectEigenDecomposition(blockDiagonal(n, blocks), n, values);
    }
  });

  it('tridiagonal matrices with closed-form spectra, including a zero diagonal', () => {
    const n = 10;
    const laplacian = new Float64Array(n * n);
    const adjacency = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      laplacian[i * n + i] = 2;
      if (i > 0) {
        laplacian[i * n + i - 1] = laplacian[(i - 1) * n + i] = -1;
        adjacency[i * n + i - 1] = adjacency[(i - 1) * n + i] = 1;
      }
    }
    const angle = (k: number) => (k * Math.PI) / (n + 1);
    const ks = Array.from({ length: n }, (_, t) => t + 1);
    const { vectors } = expectEigenDecomposition(
      laplacian,
      n,
      ks.map((k) => 2 - 2 * Math.cos(angle(k))),
    );
    // The largest eigenvalue's vector is sin(j k pi / (n + 1)) with k = n, normalised.
    const top = ks.map((j) => Math.sin(j * angle(n)) * Math.sqrt(2 / (n + 1)));
    expectVectorUpToSign(vectors, 0, top);
    expectEigenDecomposition(
      adjacency,
      n,
      ks.map((k) => 2 * Math.cos(angle(k))),
    );
  });

  it('scales with the matrix: tiny and huge entries give lambda times the scale', () => {
    const spectrum = [3, 1.5, 0.2, -0.7, -2, 0.01];
    const a = withSpectrum(spectrum, [0.3, -1, 2, 0.7, -0.4, 1.1]);
    for (const c of [1e-12, 1e-6, 1e6, 1e12]) {
      const scaled = a.map((v) => v * c);
      expectEigenDecomposition(
        scaled,
        6,
        spectrum.map((v) => v * c),
      );
    }
  });

  it('random symmetric matrices of every size 1-30: uniform, integer, zero diagonal', () => {
    const failures: string[] = [];
    for (const kind of ['uniform', 'integer', 'zero diagonal'] as const) {
      for (let seed = 1; seed <= 3; seed++) {
        for (let n = 1; n <= 30; n++) {
          const rng = createRng(seed * 100 + n);
          const a = new Float64Array(n * n);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j <= i; j++) {
              let v = rng.next() * 2 - 1;
              if (kind === 'integer') v = Math.round(2 * v);
              if (kind === 'zero diagonal' && i === j) v = 0;
              a[i * n + j] = a[j * n + i] = v;
            }
          }
          const { residual, orthogonality, sorted } = decompositionErrors(a, n);
          if (!(residual < 1e-12 && orthogonality < 1e-12 && sorted)) {
            failures.push(
              `${kind} n=${n} seed=${seed}: residual ${residual}, orthogonality ${orthogonality}, sorted ${sorted}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a dense random 40 x 40 matrix: A = sum lambda v v^T, input left as it was', () => {
    const n = 40;
    const rng = createRng(11);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.next() * 2 - 1;
    }
    const before = Float64Array.from(a);
    const { values, vectors } = symmetricEigen(a, n);
    expect(a).toEqual(before);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += values[t]! * vectors[t * n + i]! * vectors[t * n + j]!;
        worst = Math.max(worst, Math.abs(s - a[i * n + j]!));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });
});

/** Largest |q_s . q_t - delta_st| over the first `count` rows. */
function orthonormalityError(q: Float64Array, count: number, len: number): number {
  let worst = 0;
  for (let s = 0; s < count; s++) {
    for (let t = 0; t <= s; t++) {
      worst = Math.max(worst, Math.abs(dot64(q, s * len, q, t * len, len) - (s === t ? 1 : 0)));
    }
  }
  return worst;
}

/** Share of `v`'s norm outside the span of the first `rows` (orthonormal) rows of q. */
function residualOutsideSpan(q: Float64Array, rows: number, v: Float64Array, len: number): number {
  const r = Float64Array.from(v);
  for (let t = 0; t < rows; t++) {
    const d = dot64(q, t * len, r, 0, len);
    for (let k = 0; k < len; k++) r[k]! -= d * q[t * len + k]!;
  }
  return Math.sqrt(dot64(r, 0, r, 0, len) / dot64(v, 0, v, 0, len));
}

describe('orthonormalizeRows', () => {
  it('gives orthonormal rows spanning the same space, in Gram-Schmidt order', () => {
    const len = 7;
    const rng = createRng(5);
    const rows = Array.from({ length: 4 }, () =>
      Float64Array.from({ length: len }, () => rng.next() - 0.5),
    );
    const q = new Float64Array(4 * len);
    rows.forEach((r, i) => q.set(r, i * len));
    orthonormalizeRows(q, 4, len);
    expect(orthonormalityError(q, 4, len)).toBeLessThan(1e-15);
    rows.forEach((r) => expect(residualOutsideSpan(q, 4, r, len)).toBeLessThan(1e-14));
    // Gram-Schmidt order: row 0 is the first input row normalised.
    const n0 = Math.sqrt(dot64(rows[0]!, 0, rows[0]!, 0, len));
    for (let k = 0; k < len; k++) expect(q[k]).toBeCloseTo(rows[0]![k]! / n0, 15);
  });

  it('touches only the first `count` rows of a longer buffer', () => {
    const q = Float64Array.of(3, 4, 0, 1, 1, 0, 5, 6, 7);
    orthonormalizeRows(q, 2, 3);
    expect(Array.from(q.subarray(6))).toEqual([5, 6, 7]);
    expect(orthonormalityError(q, 2, 3)).toBeLessThan(1e-15);
  });

  it('leaves a zero row zero and still orthonormalises the rows after it', () => {
    const q = Float64Array.of(0, 0, 0, 2, 0, 0, 1, 1, 0);
    orthonormalizeRows(q, 3, 3);
    expect(Array.from(q.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(q.subarray(3, 6))).toEqual([1, 0, 0]);
    expect(q[6]).toBe(0);
    expect(q[7]).toBeCloseTo(1, 15);
  });

  it('treats a row whose squared norm underflows (entries ~1e-160) as zero', () => {
    // Its squared norm is a subnormal with a few significant bits: no direction to trust.
    const q = Float64Array.of(1, 0, 0, 0, 3e-160, 4e-160);
    orthonormalizeRows(q, 2, 3);
    expect(Array.from(q)).toEqual([1, 0, 0, 0, 0, 0]);
    // Just above the cut-off it is normalised.
    const big = Float64Array.of(1, 0, 0, 0, 3e-140, 4e-140);
    orthonormalizeRows(big, 2, 3);
    expect(big[4]).toBeCloseTo(0.6, 12);
    expect(big[5]).toBeCloseTo(0.8, 12);
  });

  it('zeroes rows in the span of earlier ones, at any scale, and keeps independent ones', () => {
    for (const c of [1e-10, 1, 1e5, 1e10]) {
      const rng = createRng(9);
      const len = 6;
      const a = Array.from({ length: len }, () => rng.next() - 0.5);
      const b = Array.from({ length: len }, () => rng.next() - 0.5);
      const dependent = a.map((v, k) => 0.3 * v - 1.7 * b[k]!);
      const q = Float64Array.from(
        [...a, ...b, ...dependent, ...a.map((v, k) => v * b[k]!)],
        (v) => v * c,
      );
      orthonormalizeRows(q, 4, len);
      expect(maxAbs(q.subarray(2 * len, 3 * len))).toBe(0);
      // Rows 0, 1 and 3 are independent: normalised whatever their scale.
      const kept = Float64Array.from([...q.subarray(0, 2 * len), ...q.subarray(3 * len)]);
      expect(orthonormalityError(kept, 3, len)).toBeLessThan(1e-14);
    }
  });

  it('one pass loses orthogonality on ill-conditioned rows; the second pass restores it', () => {
    // Rows 1e-7 apart: one modified Gram-Schmidt pass leaves an error of about eps * cond.
    const len = 8;
    const rng = createRng(2);
    const base = Array.from({ length: len }, () => rng.next() - 0.5);
    const rows = Array.from({ length: 5 }, (_, i) =>
      base.map((v) => v + (i === 0 ? 0 : 1e-7 * (rng.next() - 0.5))),
    ).flat();
    const once = Float64Array.from(rows);
    orthonormalizeRows(once, 5, len, 1);
    const twice = Float64Array.from(rows);
    orthonormalizeRows(twice, 5, len, 2);
    expect(orthonormalityError(once, 5, len)).toBeGreaterThan(1e-12);
    expect(orthonormalityError(twice, 5, len)).toBeLessThan(1e-15);
  });
});

describe('dot64', () => {
  it('sums slices of every length, at offsets', () => {
    for (let len = 0; len <= 9; len++) {
      const a = Float64Array.from({ length: len + 3 }, (_, i) => i + 1);
      const b = Float64Array.from({ length: len + 2 }, (_, i) => (i % 3) - 1);
      let want = 0;
      for (let k = 0; k < len; k++) want += a[3 + k]! * b[2 + k]!;
      expect(dot64(a, 3, b, 2, len)).toBe(want);
    }
  });
});

/** Float64 copy of a float32 matrix's rows. */
const rowsOf = (m: Matrix) => Float64Array.from(m.data);

describe('choleskyQr', () => {
  /** Correlated but well-conditioned float32 rows: independent noise plus a growing shared part. */
  function correlatedRows(count: number, len: number, seed: number, scale = 1): Matrix {
    const rng = createRng(seed);
    const shared = Array.from({ length: len }, () => rng.next() - 0.5);
    return fromRows(
      Array.from({ length: count }, (_, i) =>
        shared.map((s) => scale * ((i + 1) * 0.4 * s + (rng.next() - 0.5))),
      ),
    );
  }

  it('returns the Gram-Schmidt (Q of QR) rows of a well-conditioned matrix', () => {
    const w = correlatedRows(5, 24, 3);
    const out = matrix(5, 24);
    expect(choleskyQr(w, out)).toBe(true);
    // Q = R^-T W with R's diagonal positive is exactly what Gram-Schmidt produces.
    const q = rowsOf(w);
    orthonormalizeRows(q, 5, 24);
    for (let i = 0; i < q.length; i++) expect(Math.abs(out.data[i]! - q[i]!)).toBeLessThan(1e-4);
    expect(orthonormalityError(rowsOf(out), 5, 24)).toBeLessThan(1e-4);
  });

  it('twice (CholeskyQR2, in place) is orthonormal to float32 precision', () => {
    const w = correlatedRows(6, 40, 8);
    const original = rowsOf(w);
    expect(choleskyQr(w, w)).toBe(true);
    expect(choleskyQr(w, w)).toBe(true);
    expect(orthonormalityError(rowsOf(w), 6, 40)).toBeLessThan(2e-6);
    for (let i = 0; i < 6; i++) {
      const v = original.subarray(i * 40, (i + 1) * 40);
      expect(residualOutsideSpan(rowsOf(w), 6, v, 40)).toBeLessThan(1e-5);
    }
  });

  it('works at any scale of W', () => {
    for (const c of [1e-3, 1e3]) {
      const w = correlatedRows(4, 16, 12, c);
      const out = matrix(4, 16);
      expect(choleskyQr(w, out)).toBe(true);
      expect(orthonormalityError(rowsOf(out), 4, 16)).toBeLessThan(1e-4);
    }
  });

  it('refuses, leaving out untouched, a zero row or nearly dependent rows at any scale', () => {
    const zeroRow = [
      [1, 2, 3, 4],
      [0, 1, 0, 1],
    ];
    // A zero row anywhere, including last (where no later pivot would notice it).
    for (const at of [0, 1, 2]) {
      const rows = [...zeroRow];
      rows.splice(at, 0, [0, 0, 0, 0]);
      const out = matrix(3, 4, new Float32Array(12).fill(9));
      expect(choleskyQr(fromRows(rows), out)).toBe(false);
      expect(out.data.every((v) => v === 9)).toBe(true);
    }
    for (const c of [0.1, 1, 10]) {
      // The second pivot keeps 1e-6 of its row's squared norm: under the 1e-5 that float32 G
      // resolves, whatever the scale.
      const nearlyDependent = fromRows([
        [c, 0, 0, 0],
        [c, c * 1e-3, 0, 0],
        [0, 0, c, 0],
      ]);
      const target = matrix(3, 4, new Float32Array(12).fill(9));
      expect(choleskyQr(nearlyDependent, target)).toBe(false);
      expect(target.data.every((v) => v === 9)).toBe(true);
    }
  });
});
