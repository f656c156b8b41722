import { describe, expect, it } from 'vitest';
import { fromRows, matrix, row, selectRows } from '../../src/lib/core/vectors/matrix';
import {
  centerRows,
  cosineDistance,
  cosineSimilarity,
  dot,
  meanRow,
  norm,
  normalizeRows,
  rowSquaredNorms,
  squaredEuclidean,
  transpose,
} from '../../src/lib/core/vectors/ops';
import {
  createRng,
  gaussianArray,
  sampleWithoutReplacement,
  shuffle,
} from '../../src/lib/core/vectors/random';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';

const f32 = (...v: number[]) => Float32Array.from(v);

describe('matrix', () => {
  it('row() is a view into the data', () => {
    const m = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(row(m, 1))).toEqual([4, 5, 6]);
    row(m, 0)[1] = 9;
    expect(m.data[1]).toBe(9);
  });

  it('checks shapes and selects rows', () => {
    expect(() => matrix(2, 3, new Float32Array(5))).toThrow(/length 5/);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1/);
    const m = fromRows([[1], [2], [3]]);
    expect(Array.from(selectRows(m, [2, 0]).data)).toEqual([3, 1]);
    expect(fromRows([]).rows).toBe(0);
  });
});

describe('vector ops', () => {
  it('computes dot, norms and distances by hand', () => {
    const a = f32(1, 2, 3, 4, 5);
    const b = f32(5, 4, 3, 2, 1);
    expect(dot(a, b)).toBe(35);
    expect(squaredEuclidean(a, b)).toBe(16 + 4 + 0 + 4 + 16);
    expect(norm(f32(3, 4))).toBe(5);
    expect(cosineSimilarity(f32(1, 0), f32(0, 2))).toBe(0);
    expect(cosineSimilarity(f32(1, 1), f32(2, 2))).toBeCloseTo(1, 7);
    expect(cosineDistance(f32(1, 0), f32(-3, 0))).toBeCloseTo(2, 7);
    expect(cosineSimilarity(f32(0, 0), f32(1, 1))).toBe(0);
    expect(() => dot(f32(1), f32(1, 2))).toThrow(/differ/);
  });

  it('normalises rows, keeping zero rows at zero', () => {
    const m = fromRows([
      [3, 4],
      [0, 0],
      [0, -2],
    ]);
    const u = normalizeRows(m);
    expect(Array.from(u.data)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, 0, -1]);
    expect(Array.from(rowSquaredNorms(u))).toEqual(
      [1.0000000298023224, 0, 1].map((v) => expect.closeTo(v, 6)),
    );
    normalizeRows(m, m);
    expect(m.data[0]).toBeCloseTo(0.6, 6);
  });

  it('means, centres and transposes', () => {
    const m = fromRows([
      [1, 2],
      [3, 6],
      [5, 10],
    ]);
    expect(Array.from(meanRow(m))).toEqual([3, 6]);
    expect(Array.from(meanRow(m, [0, 1]))).toEqual([2, 4]);
    expect(Array.from(centerRows(m).data)).toEqual([-2, -4, 0, 0, 2, 4]);
    const t = transpose(m);
    expect([t.rows, t.dims]).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 3, 5, 2, 6, 10]);
    // Larger than one 32 x 32 block, odd sizes.
    const big = matrix(37, 45);
    big.data.forEach((_, i) => (big.data[i] = i));
    const bt = transpose(big);
    expect(bt.data[44 * 37 + 36]).toBe(36 * 45 + 44);
    expect(bt.data[3 * 37 + 35]).toBe(35 * 45 + 3);
  });
});

describe('seeded random', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('draws uniforms in [0, 1), integers in range, standard normals', () => {
    const rng = createRng(1);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10000; i++) {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const k = rng.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const g = gaussianArray(20000, rng);
    const mean = g.reduce((s, v) => s + v, 0) / g.length;
    const variance = g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('shuffles into a permutation and samples distinct values', () => {
    const rng = createRng(5);
    const arr = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffle(arr, rng);
    expect(Array.from(arr).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(arr)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const [n, k] of [
      [100, 10],
      [10, 10],
      [1000, 900],
    ] as const) {
      const s = sampleWithoutReplacement(n, k, rng);
      expect(new Set(s).size).toBe(k);
      expect(Math.max(...s)).toBeLessThan(n);
    }
    expect(() => sampleWithoutReplacement(3, 4, rng)).toThrow();
  });
});

describe('makeBlobs', () => {
  it('is seeded, balanced and clustered around its centres', () => {
    const a = makeBlobs({ n: 300, dims: 5, centers: 3, seed: 9 });
    const b = makeBlobs({ n: 300, dims: 5, centers: 3, seed: 9 });
    expect(a.matrix.data).toEqual(b.matrix.data);
    expect(Array.from(a.labels).filter((l) => l === 2)).toHaveLength(100);
    // Spread 1 around centres about 8 apart per dimension: points of a blob stay close.
    const c0 = meanRow(
      a.matrix,
      Array.from(a.labels.keys()).filter((i) => a.labels[i] === 0),
    );
    const i0 = a.labels.indexOf(0);
    expect(squaredEuclidean(row(a.matrix, i0), c0)).toBeLessThan(5 * 9);
  });
});
