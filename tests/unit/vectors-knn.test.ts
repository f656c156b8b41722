import { describe, expect, it } from 'vitest';
import { exactKnn, knnRecall, type KnnGraph } from '../../src/lib/core/vectors/knn';
import { fromRows, matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { cosineDistance, squaredEuclideanAt } from '../../src/lib/core/vectors/ops';
import { createRng } from '../../src/lib/core/vectors/random';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

function randomMatrix(rows: number, dims: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = matrix(rows, dims);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.gaussian();
  return m;
}

/** Brute force: indices sorted by (distance, index), self included. */
function bruteKnn(m: Matrix, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    const d = Array.from({ length: m.rows }, (_, j) =>
      squaredEuclideanAt(m.data, i * m.dims, m.data, j * m.dims, m.dims),
    );
    const order = d.map((_, j) => j).sort((x, y) => d[x]! - d[y]! || x - y);
    out.push(order.slice(0, k));
  }
  return out;
}

const rowOf = (g: KnnGraph, i: number) => Array.from(g.indices.subarray(i * g.k, (i + 1) * g.k));

describe('exactKnn', () => {
  it('finds hand-checked neighbours on a line, self first', async () => {
    const m = fromRows([[0], [1], [3], [7], [8]]);
    const g = await exactKnn(m, 3);
    expect(rowOf(g, 0)).toEqual([0, 1, 2]);
    expect(rowOf(g, 3)).toEqual([3, 4, 2]);
    expect(Array.from(g.distances.subarray(9, 12))).toEqual([0, 1, 4]);
    const noSelf = await exactKnn(m, 2, { includeSelf: false });
    expect(rowOf(noSelf, 2)).toEqual([1, 0]);
  });

  it('matches brute force on random data, with WASM and without', async () => {
    // 700 rows crosses tile and column-block edges.
    const m = randomMatrix(700, 19, 2);
    const want = bruteKnn(m, 10);
    for (const disable of [false, true]) {
      setWasmDisabled(disable);
      try {
        const g = await exactKnn(m, 10);
        for (let i = 0; i < m.rows; i++) expect(rowOf(g, i)).toEqual(want[i]);
        expect(knnRecall(g, g)).toBe(1);
        // Distances are exact Euclidean ones, not the ranking scores.
        const j = g.indices[5 * 10 + 4]!;
        expect(g.distances[5 * 10 + 4]).toBeCloseTo(
          Math.sqrt(squaredEuclideanAt(m.data, 5 * 19, m.data, j * 19, 19)),
          5,
        );
      } finally {
        setWasmDisabled(false);
      }
    }
  });

  it('ranks by cosine distance with metric cosine', async () => {
    const m = fromRows([
      [1, 0],
      [10, 1],
      [0, 1],
      [-1, -1],
    ]);
    const g = await exactKnn(m, 2, { metric: 'cosine', includeSelf: false });
    expect(rowOf(g, 0)).toEqual([1, 2]);
    expect(g.distances[0]).toBeCloseTo(
      cosineDistance(Float32Array.of(1, 0), Float32Array.of(10, 1)),
      6,
    );
  });

  it('keeps self first among exact duplicates and reports progress', async () => {
    const m = fromRows([
      [2, 2],
      [2, 2],
      [2, 2],
      [5, 5],
    ]);
    const g = await exactKnn(m, 3);
    for (let i = 0; i < 3; i++) expect(g.indices[i * 3]).toBe(i);
    expect(Array.from(g.distances.subarray(0, 3))).toEqual([0, 0, 0]);
    const seen: number[] = [];
    await exactKnn(randomMatrix(50, 3, 1), 5, { onProgress: (d, t) => seen.push(d / t) });
    expect(seen.at(-1)).toBe(1);
  });

  it('rejects impossible k and stops when aborted', async () => {
    await expect(exactKnn(randomMatrix(3, 2, 1), 4)).rejects.toThrow(/k=4/);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      exactKnn(randomMatrix(300, 4, 4), 5, { signal: controller.signal }),
    ).rejects.toThrow(/stop/);
  });
});
