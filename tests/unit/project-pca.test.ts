import { describe, expect, it } from 'vitest';
import { orthonormalizeRows, symmetricEigen } from '../../src/lib/core/project/eigen';
import { pca, pcaTransform, type PcaResult } from '../../src/lib/core/project/pca';
import { fromRows, matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';
import { PCA_REF, pcaLowRank, pcaSmall, pcaWide } from './project-fixtures';

/** Components match up to sign (PCA axes have no intrinsic sign). */
function expectSameAxes(got: Matrix, want: number[][], tol: number): void {
  want.forEach((axis, t) => {
    const g = Array.from(got.data.subarray(t * got.dims, (t + 1) * got.dims));
    const dotp = g.reduce((s, v, j) => s + v * axis[j]!, 0);
    const sign = Math.sign(dotp) || 1;
    g.forEach((v, j) => expect(Math.abs(v * sign - axis[j]!)).toBeLessThan(tol));
  });
}

function expectMatchesSklearn(fit: PcaResult, ref: (typeof PCA_REF)['small'], tol: number): void {
  ref.ratio.forEach((r, t) => expect(fit.explainedVarianceRatio[t]).toBeCloseTo(r, 5));
  ref.variance.forEach((v, t) =>
    expect(Math.abs(fit.explainedVariance[t]! - v) / v).toBeLessThan(1e-4),
  );
  expectSameAxes(fit.components, ref.components, tol);
}

describe('symmetricEigen', () => {
  it('matches numpy.linalg.eigh on a hand-sized matrix', () => {
    // numpy.linalg.eigvalsh([[2,1,0],[1,2,1],[0,1,2]]) = 2 - sqrt 2, 2, 2 + sqrt 2.
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 0, 1, 2, 1, 0, 1, 2), 3);
    expect(values[0]).toBeCloseTo(2 + Math.SQRT2, 12);
    expect(values[1]).toBeCloseTo(2, 12);
    expect(values[2]).toBeCloseTo(2 - Math.SQRT2, 12);
    // Top eigenvector (1/2, 1/sqrt 2, 1/2) up to sign.
    const s = Math.sign(vectors[0]!);
    expect(vectors[0]! * s).toBeCloseTo(0.5, 12);
    expect(vectors[1]! * s).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('diagonalises a 60 x 60 matrix to float64 precision', () => {
    const n = 60;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.cos(i * j + 0.5);
    }
    const { values, vectors } = symmetricEigen(a, n);
    for (let t = 0; t < n; t++) {
      if (t > 0) expect(values[t]).toBeLessThanOrEqual(values[t - 1]!);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j]! * vectors[t * n + j]!;
        expect(Math.abs(s - values[t]! * vectors[t * n + i]!)).toBeLessThan(1e-10);
      }
    }
  });

  it('orthonormalises rows', () => {
    const q = Float64Array.of(1, 1, 0, 1, 0, 1, 2, 2, 0);
    orthonormalizeRows(q, 3, 3);
    expect(q[0]).toBeCloseTo(Math.SQRT1_2, 12);
    let d01 = 0;
    for (let k = 0; k < 3; k++) d01 += q[k]! * q[3 + k]!;
    expect(d01).toBeCloseTo(0, 12);
    // The third row was dependent on the first: it collapses to zero.
    expect(Array.from(q.subarray(6)).every((v) => Math.abs(v) < 1e-12)).toBe(true);
  });
});

describe('pca against scikit-learn (PCA(svd_solver="full"), constants in project-fixtures.ts)', () => {
  it('small exact problem: 40 x 6, 3 components', () => {
    expectMatchesSklearn(pca(pcaSmall(), { components: 3 }), PCA_REF.small, 1e-4);
  });

  it('randomised subspace path: 300 x 40, 3 components (l = 13 < 40)', () => {
    const fit = pca(pcaLowRank(), { components: 3, seed: 7 });
    expectMatchesSklearn(fit, PCA_REF.lowrank, 1e-4);
    expect(fit.projected.rows).toBe(300);
    expect(fit.projected.dims).toBe(3);
  });

  it('wide data (dims > rows) through the gram matrix', () => {
    expectMatchesSklearn(pca(pcaWide(), { components: 3 }), PCA_REF.wide, 1e-4);
  });

  it('gives the same answer without WASM', () => {
    setWasmDisabled(true);
    try {
      expectMatchesSklearn(pca(pcaLowRank(), { components: 3 }), PCA_REF.lowrank, 1e-4);
    } finally {
      setWasmDisabled(false);
    }
  });
});

describe('pca', () => {
  it('projects onto the axes of a hand-checked 2-D example', () => {
    // Points on the line y = x: one component carries everything.
    const m = fromRows([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const fit = pca(m, { components: 2 });
    expect(fit.explainedVarianceRatio[0]).toBeCloseTo(1, 6);
    expect(fit.explainedVariance[0]).toBeCloseTo(10 / 3, 5);
    expect(Math.abs(fit.components.data[0]!)).toBeCloseTo(Math.SQRT1_2, 6);
    const xs = Array.from({ length: 4 }, (_, i) => fit.projected.data[i * 2]!);
    expect(xs.map((v) => Math.abs(v))).toEqual(
      [1.5, 0.5, 0.5, 1.5].map((v) => expect.closeTo(v * Math.SQRT2, 5)),
    );
    // Deterministic sign: the largest loading is positive.
    expect(fit.components.data[0]! + fit.components.data[1]!).toBeGreaterThan(0);
  });

  it('is reproducible, transforms new rows consistently, and validates k', () => {
    const x = pcaLowRank();
    const a = pca(x, { components: 5, seed: 1 });
    const b = pca(x, { components: 5, seed: 1 });
    expect(a.projected.data).toEqual(b.projected.data);
    const again = pcaTransform(a, x);
    for (let i = 0; i < again.data.length; i++) {
      expect(Math.abs(again.data[i]! - a.projected.data[i]!)).toBeLessThan(1e-3);
    }
    expect(() => pca(x, { components: 41 })).toThrow(/1\.\.40/);
    expect(() => pca(x, { components: 0 })).toThrow();
  });

  it('handles data without variance', () => {
    const fit = pca(matrix(5, 3, new Float32Array(15).fill(2)), { components: 2 });
    expect(Array.from(fit.explainedVarianceRatio)).toEqual([0, 0]);
    expect(fit.projected.data.every((v) => v === 0)).toBe(true);
  });
});
