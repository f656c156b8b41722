import { afterEach, describe, expect, it } from 'vitest';
import { DistanceArena, wasmDistanceAvailable } from '../../src/lib/core/cluster/distance-arena';
import { squaredDistanceMatrix } from '../../src/lib/core/cluster/pairwise';
import { matrix } from '../../src/lib/core/vectors/matrix';
import { createRng } from '../../src/lib/core/vectors/random';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

afterEach(() => {
  setWasmDisabled(false);
});

/** Random rows with an odd count and odd dimensions, so every padding path runs. */
function randomMatrix(rows: number, dims: number, seed: number) {
  const rng = createRng(seed);
  const m = matrix(rows, dims);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.gaussian();
  return m;
}

function direct(a: Float32Array, ao: number, b: Float32Array, bo: number, dims: number): number {
  let s = 0;
  for (let d = 0; d < dims; d++) s += (a[ao + d]! - b[bo + d]!) ** 2;
  return s;
}

describe('squared-distance kernel', () => {
  it('has WASM SIMD here (Node 20)', () => {
    expect(wasmDistanceAvailable()).toBe(true);
  });

  it('WASM and JS arenas agree with direct differences on uneven blocks', () => {
    const a = randomMatrix(37, 19, 1);
    const b = randomMatrix(53, 19, 2);
    const tables = (['wasm', 'js'] as const).map((backend) => {
      setWasmDisabled(backend === 'js');
      const arena = DistanceArena.create(10_000);
      expect(arena.backend).toBe(backend);
      const ba = arena.putRows(a);
      const bb = arena.putRows(b);
      const stride = 56;
      const out = arena.alloc(40 * stride);
      arena.sqdist(ba, 0, 37, bb, 0, 53, out, stride);
      return { f: arena.f32, out, stride };
    });
    for (const { f, out, stride } of tables) {
      for (let i = 0; i < 37; i++) {
        for (let j = 0; j < 53; j++) {
          const want = direct(a.data, i * 19, b.data, j * 19, 19);
          expect(Math.abs(f[out + i * stride + j]! - want)).toBeLessThan(1e-4 * (1 + want));
        }
      }
    }
  });

  it('computes sub-blocks at offsets (starts are multiples of 4)', () => {
    const a = randomMatrix(40, 8, 3);
    const arena = DistanceArena.create(10_000);
    const block = arena.putRows(a);
    const out = arena.alloc(12 * 16);
    arena.sqdist(block, 8, 18, block, 20, 33, out, 16);
    expect(f(arena, out, 16, 3, 5)).toBeCloseTo(direct(a.data, 11 * 8, a.data, 25 * 8, 8), 3);
    expect(() => arena.sqdist(block, 2, 10, block, 0, 8, out, 16)).toThrow(/multiples of 4/);
  });

  it('builds a symmetric table with a zero diagonal, equal on both backends', () => {
    const m = randomMatrix(301, 7, 4);
    const w = squaredDistanceMatrix(m);
    setWasmDisabled(true);
    const j = squaredDistanceMatrix(m);
    expect(w.stride).toBe(304);
    for (let i = 0; i < 301; i += 7) {
      expect(w.d[i * w.stride + i]).toBe(0);
      for (let k = 0; k < 301; k += 5) {
        const v = w.d[i * w.stride + k]!;
        expect(v).toBe(w.d[k * w.stride + i]);
        expect(Math.abs(v - j.d[i * j.stride + k]!)).toBeLessThan(1e-4 * (1 + v));
        if (i !== k) expect(v).toBeCloseTo(direct(m.data, i * 7, m.data, k * 7, 7), 3);
      }
    }
  });

  it('row kernels (Prim step, masked argmin, Ward update, first-below) match their JS twins', () => {
    const n = 64;
    const results = (['wasm', 'js'] as const).map((backend) => {
      setWasmDisabled(backend === 'js');
      const arena = DistanceArena.create(8 * n);
      const f = arena.f32;
      const rng = createRng(9);
      const [row, core, best, from, other, sizes] = [0, 1, 2, 3, 4, 5].map(() => arena.alloc(n));
      for (let u = 0; u < n; u++) {
        // Coarse values so that ties occur: the lowest index must win them.
        f[row! + u] = Math.floor(rng.next() * 8);
        f[other! + u] = Math.floor(rng.next() * 8);
        f[core! + u] = u % 5 === 0 ? Infinity : Math.floor(rng.next() * 4);
        f[best! + u] = u % 3 === 0 ? Infinity : 5;
        f[sizes! + u] = u % 7 === 0 ? 0 : 1 + (u % 3);
      }
      const prim = arena.primStep(row!, core!, best!, from!, n, 2, 7);
      const bests = Array.from(f.subarray(best!, best! + n));
      const froms = Array.from(new Int32Array(f.buffer, f.byteOffset + from! * 4, n));
      const arg = arena.argminMasked(row!, core!, n);
      const below = [0, 5, 17, 63].map((start) => arena.firstBelow(row!, start, n - 3, 2));
      arena.wardUpdate(other!, row!, sizes!, n, 2, 3, 1.5);
      return { prim, bests, froms, arg, below, updated: Array.from(f.subarray(row!, row! + n)) };
    });
    const [w, j] = results;
    expect(w!.prim).toBe(j!.prim);
    expect(w!.bests).toEqual(j!.bests);
    expect(w!.froms).toEqual(j!.froms);
    expect(w!.arg).toBe(j!.arg);
    expect(w!.below).toEqual(j!.below);
    w!.updated.forEach((v, u) => expect(v).toBeCloseTo(j!.updated[u]!, 5));
  });

  it('refuses tables beyond the 4 GiB a wasm32 memory holds', () => {
    expect(() => DistanceArena.create(2 ** 30 + 1)).toThrow(RangeError);
  });
});

function f(arena: DistanceArena, out: number, stride: number, i: number, j: number): number {
  return arena.f32[out + i * stride + j]!;
}
