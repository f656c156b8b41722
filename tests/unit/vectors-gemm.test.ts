import { afterEach, describe, expect, it } from 'vitest';
import {
  dotProducts,
  forEachDotTile,
  gramMatrix,
  pairwiseSquaredDistances,
  scatterMatrix,
} from '../../src/lib/core/vectors/gemm';
import { matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { dotAt, meanRow, squaredEuclideanAt } from '../../src/lib/core/vectors/ops';
import { createRng } from '../../src/lib/core/vectors/random';
import { wasmAvailable } from '../../src/lib/core/vectors/wasm';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

function randomMatrix(rows: number, dims: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = matrix(rows, dims);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.gaussian();
  return m;
}

function naiveDots(a: Matrix, b: Matrix): Float64Array {
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let d = 0; d < a.dims; d++) s += a.data[i * a.dims + d]! * b.data[j * b.dims + d]!;
      out[i * b.rows + j] = s;
    }
  }
  return out;
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

// Both paths: the WASM SIMD kernel and the plain-JS fallback.
const paths = [
  ['wasm', false],
  ['js', true],
] as const;

afterEach(() => {
  setWasmDisabled(false);
});

describe('WASM kernels', () => {
  it('are available in Node (as in every browser this app targets)', () => {
    expect(wasmAvailable()).toBe(true);
  });
});

describe.each(paths)('dot products (%s)', (_name, disable) => {
  it('matches a naive float64 loop for shapes that are not multiples of the tile', () => {
    setWasmDisabled(disable);
    for (const [m, n, d] of [
      [1, 1, 1],
      [7, 5, 13],
      [33, 17, 9],
      [70, 300, 31],
    ] as const) {
      const a = randomMatrix(m, d, m);
      const b = randomMatrix(n, d, n + 100);
      const got = dotProducts(a, b);
      expect([got.rows, got.dims]).toEqual([m, n]);
      expect(maxAbsDiff(got.data, naiveDots(a, b))).toBeLessThan(1e-4);
    }
  });

  it('builds symmetric gram and distance matrices', () => {
    setWasmDisabled(disable);
    const a = randomMatrix(41, 10, 3);
    const g = gramMatrix(a);
    expect(maxAbsDiff(g.data, naiveDots(a, a))).toBeLessThan(1e-4);
    const d = pairwiseSquaredDistances(a, a);
    for (let i = 0; i < 41; i++) {
      expect(d.data[i * 41 + i]).toBe(0);
      for (let j = 0; j < 41; j++) {
        const exact = squaredEuclideanAt(a.data, i * 10, a.data, j * 10, 10);
        expect(Math.abs(d.data[i * 41 + j]! - exact)).toBeLessThan(1e-3);
        expect(d.data[i * 41 + j]).toBe(d.data[j * 41 + i]);
      }
    }
  });

  it('computes the centred scatter matrix across row blocks', () => {
    setWasmDisabled(disable);
    // 600 rows: more than two 256-row blocks plus a ragged one; 13 dims: padded to 16.
    const x = randomMatrix(600, 13, 11);
    for (let i = 0; i < x.data.length; i++) x.data[i]! += 5; // a mean far from 0
    const mean = meanRow(x);
    const s = scatterMatrix(x, mean);
    for (let a = 0; a < 13; a++) {
      for (let b = 0; b < 13; b++) {
        let acc = 0;
        for (let i = 0; i < 600; i++) {
          acc += (x.data[i * 13 + a]! - mean[a]!) * (x.data[i * 13 + b]! - mean[b]!);
        }
        expect(Math.abs(s.data[a * 13 + b]! - acc)).toBeLessThan(1e-3 * Math.max(1, Math.abs(acc)));
      }
    }
  });

  it('visits every upper tile exactly once with `upper`', () => {
    setWasmDisabled(disable);
    const a = randomMatrix(300, 4, 1);
    const seen = new Uint8Array(300 * 300);
    forEachDotTile(
      a,
      a,
      (rs, re, cs, ce, block, ld) => {
        for (let i = rs; i < re; i++) {
          for (let j = cs; j < ce; j++) {
            seen[i * 300 + j]!++;
            const want = dotAt(a.data, i * 4, a.data, j * 4, 4);
            if (Math.abs(block[(i - rs) * ld + (j - cs)]! - want) > 1e-5)
              throw new Error('bad tile');
          }
        }
      },
      { upper: true },
    );
    for (let i = 0; i < 300; i++) for (let j = i; j < 300; j++) expect(seen[i * 300 + j]).toBe(1);
  });
});

describe('WASM and JS agree', () => {
  it('on a 384-d block to float32 rounding', () => {
    const a = randomMatrix(37, 384, 5);
    const b = randomMatrix(29, 384, 6);
    const w = dotProducts(a, b);
    setWasmDisabled(true);
    const j = dotProducts(a, b);
    expect(maxAbsDiff(w.data, j.data)).toBeLessThan(1e-3);
  });
});
