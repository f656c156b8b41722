import { describe, expect, it } from 'vitest';
import { medoidExemplars } from '../../src/lib/core/compare/cluster-medoids';
import type { Matrix } from '../../src/lib/core/vectors/matrix';
import { createRng } from '../../src/lib/core/vectors/random';

function randomMatrix(rows: number, dims: number, seed: number, unit: boolean): Matrix {
  const rng = createRng(seed);
  const data = new Float32Array(rows * dims);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = 0; k < dims; k++) {
      const v = rng.next() - 0.3;
      data[i * dims + k] = v;
      s += v * v;
    }
    if (unit) for (let k = 0; k < dims; k++) data[i * dims + k]! /= Math.sqrt(s);
  }
  return { data, rows, dims };
}

function cosineDistance(m: Matrix, i: number, j: number): number {
  let dot = 0;
  let ni = 0;
  let nj = 0;
  for (let k = 0; k < m.dims; k++) {
    const a = m.data[i * m.dims + k]!;
    const b = m.data[j * m.dims + k]!;
    dot += a * b;
    ni += a * a;
    nj += b * b;
  }
  return 1 - dot / Math.sqrt(ni * nj);
}

/** Brute force: candidates sorted by summed distance to all candidates, then index. */
function bruteMedoids(m: Matrix, candidates: number[]): number[] {
  return candidates
    .map((i) => ({ i, d: candidates.reduce((s, j) => s + cosineDistance(m, i, j), 0) }))
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .map((x) => x.i);
}

describe('medoidExemplars', () => {
  for (const unit of [true, false]) {
    it(`each side's exemplars are its brute-force medoids in the cluster (${unit ? 'unit' : 'raw'} vectors)`, () => {
      const n = 90;
      const m = randomMatrix(n, 6, unit ? 3 : 4, unit);
      const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
      const isB = Uint8Array.from({ length: n }, (_, i) => (i % 5 < 2 ? 1 : 0));
      const result = medoidExemplars(m, labels, isB, { perSide: 4 });
      expect(result.map((c) => c.id)).toEqual([0, 1, 2]);
      for (const c of result) {
        for (const side of [0, 1]) {
          const members = Array.from({ length: n }, (_, i) => i).filter(
            (i) => labels[i] === c.id && isB[i] === side,
          );
          const got = side ? c.b : c.a;
          expect(got).toEqual(bruteMedoids(m, members).slice(0, 4));
        }
      }
    });
  }

  it('gives a 24:0 cluster its A exemplars, and no side exemplars it does not have', () => {
    const n = 40;
    const m = randomMatrix(n, 5, 9, true);
    // Cluster 1: 24 answers, all A; cluster 0: the rest, mixed.
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 24 ? 1 : 0));
    const isB = Uint8Array.from({ length: n }, (_, i) => (i >= 24 && i % 2 ? 1 : 0));
    const [mixed, onlyA] = medoidExemplars(m, labels, isB);
    expect(onlyA!.a).toHaveLength(3);
    expect(onlyA!.b).toEqual([]);
    expect(mixed!.a).toHaveLength(3);
    expect(mixed!.b).toHaveLength(3);
  });

  it('never picks nor counts excluded (degenerate) answers, skips repeated texts, and gives noise none', () => {
    const n = 30;
    const m = randomMatrix(n, 4, 11, true);
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 5 ? -1 : 0));
    const isB = new Uint8Array(n);
    const plain = medoidExemplars(m, labels, isB, { perSide: 25 });
    const best = plain[1]!.a[0]!;
    const excluded = Array.from({ length: n }, (_, i) => i === best);
    const without = medoidExemplars(m, labels, isB, { perSide: 3, excluded });
    expect(without[0]).toEqual({ id: -1, a: [], b: [] });
    const rest = Array.from({ length: n }, (_, i) => i).filter((i) => i >= 5 && i !== best);
    expect(without[1]!.a).toEqual(bruteMedoids(m, rest).slice(0, 3));
    // The two best medoids say the same thing: the second is skipped.
    const [first, second] = plain[1]!.a;
    const texts = Array.from({ length: n }, (_, i) => (i === second ? 't-first' : `t-${i}`));
    texts[first!] = 't-first';
    const deduped = medoidExemplars(m, labels, isB, { perSide: 2, texts });
    expect(deduped[1]!.a).toEqual([first, plain[1]!.a[2]]);
  });

  it('says which inputs disagree', () => {
    const m = randomMatrix(3, 2, 1, true);
    expect(() => medoidExemplars(m, [0, 0], new Uint8Array(3))).toThrow(
      /3 vectors, 2 labels, 3 sides/,
    );
  });
});
