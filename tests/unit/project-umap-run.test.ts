/**
 * core/project/umap.ts called directly on small inputs: the pipeline's steps (kNN search,
 * fuzzy graph, starting layout, SGD layout), each option's way into them, the starting layouts,
 * the small-n results, progress, aborts and errors. The layout's quality against umap-learn is
 * project-umap.test.ts's (2,000-point runs, too slow to repeat for every mutant).
 */
import { describe, expect, it, vi } from 'vitest';
import { fuzzySimplicialSet } from '../../src/lib/core/project/fuzzy-graph';
import { nnDescent } from '../../src/lib/core/project/nn-descent';
import { pca } from '../../src/lib/core/project/pca';
import { EXACT_KNN_MAX_ROWS, umap, type UmapStage } from '../../src/lib/core/project/umap';
import { findAbParams } from '../../src/lib/core/project/umap-curve';
import { UmapLayout } from '../../src/lib/core/project/umap-layout';
import { makeBlobs } from '../../src/lib/core/vectors/blobs';
import { exactKnn, type KnnGraph } from '../../src/lib/core/vectors/knn';
import { fromRows, matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { createRng } from '../../src/lib/core/vectors/random';

/** 120 points in 6-d, three overlapping blobs off the origin (cosine and Euclidean differ). */
const blobs = (): Matrix =>
  makeBlobs({ n: 120, dims: 6, centers: 3, seed: 21, spread: 2, box: 6 }).matrix;

/** Column d of an n x 2 layout. */
const axis = (m: Matrix, d: number): number[] =>
  Array.from({ length: m.rows }, (_, i) => m.data[2 * i + d]!);

/** The stages and [done, total] pairs reported through onProgress. */
function progressLog(): {
  calls: [UmapStage, number, number][];
  onProgress: (done: number, total: number, stage: UmapStage) => void;
} {
  const calls: [UmapStage, number, number][] = [];
  return { calls, onProgress: (done, total, stage) => calls.push([stage, done, total]) };
}

/** A kNN graph of points 0, 1, 2, ... on a line: self, then the next (or previous) point. */
function lineKnn(n: number): KnnGraph {
  const indices = new Int32Array(2 * n);
  const distances = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    indices[2 * i] = i;
    indices[2 * i + 1] = i + 1 < n ? i + 1 : i - 1;
    distances[2 * i + 1] = 1;
  }
  return { indices, distances, n, k: 2 };
}

/** An n x 1 matrix of 0, 1, 2, ... */
const line = (n: number): Matrix =>
  matrix(
    n,
    1,
    Float32Array.from({ length: n }, (_, i) => i),
  );

describe('umap: the pipeline', () => {
  it('is exact kNN, fuzzy graph, PCA start, then the SGD layout seeded with seed + 1', async () => {
    const x = blobs();
    const seed = 4;
    const result = await umap(x, { seed, nEpochs: 40, nNeighbors: 8, minDist: 0.3 });
    const knn = await exactKnn(x, 8);
    expect(result.knn).toEqual(knn);
    const { a, b } = findAbParams(1, 0.3);
    expect([result.a, result.b, result.nEpochs]).toEqual([a, b, 40]);
    // The same steps by hand: the start is umap's own layout after no epoch.
    const start = (await umap(x, { seed, nEpochs: 0, nNeighbors: 8 })).embedding;
    const layout = new UmapLayout(fuzzySimplicialSet(knn), Float32Array.from(start.data), {
      a,
      b,
      nEpochs: 40,
      seed: seed + 1,
    });
    layout.step(40);
    expect([result.embedding.rows, result.embedding.dims]).toEqual([120, 2]);
    expect(result.embedding.data).toEqual(layout.embedding);
    expect(result.embedding.data).not.toEqual(start.data);
  });

  it('is the same layout for the same seed, another for another seed', async () => {
    const x = blobs();
    const a = await umap(x, { seed: 2, nEpochs: 30 });
    const b = await umap(x, { seed: 2, nEpochs: 30 });
    const c = await umap(x, { seed: 3, nEpochs: 30 });
    expect(a.embedding.data).toEqual(b.embedding.data);
    expect(a.embedding.data).not.toEqual(c.embedding.data);
    expect((await umap(x, { nEpochs: 30 })).embedding.data).toEqual(
      (await umap(x, { seed: 0, nEpochs: 30 })).embedding.data,
    );
  });

  it('defaults to 15 neighbours, min_dist 0.1 and spread 1', async () => {
    const x = blobs();
    const r = await umap(x, { nEpochs: 5 });
    expect(r.knn.k).toBe(15);
    expect(r.knn).toEqual(await exactKnn(x, 15));
    const { a, b } = findAbParams(1, 0.1);
    expect([r.a, r.b]).toEqual([a, b]);
    const wide = findAbParams(2, 0.5);
    const r2 = await umap(x, { nEpochs: 5, spread: 2, minDist: 0.5 });
    expect([r2.a, r2.b]).toEqual([wide.a, wide.b]);
    expect(r2.embedding.data).not.toEqual(r.embedding.data);
  });

  it('takes at most n neighbours', async () => {
    const x = blobs();
    expect((await umap(x, { nEpochs: 5, nNeighbors: 4 })).knn.k).toBe(4);
    const ten = fromRows(Array.from({ length: 10 }, (_, i) => [i, (i * 7) % 10]));
    const r = await umap(ten, { nEpochs: 5 });
    expect(r.knn.k).toBe(10);
    expect(r.knn).toEqual(await exactKnn(ten, 10));
  });

  it('passes the metric to the search', async () => {
    const x = blobs();
    const cosine = await exactKnn(x, 15, { metric: 'cosine' });
    expect(cosine.indices).not.toEqual((await exactKnn(x, 15)).indices);
    expect((await umap(x, { metric: 'cosine', nEpochs: 0 })).knn).toEqual(cosine);
  });

  it('searches by NN-descent, seeded like the layout, when asked', async () => {
    const x = makeBlobs({ n: 150, dims: 8, centers: 3, seed: 11, spread: 3, box: 5 }).matrix;
    const knnOf = async (options: Parameters<typeof umap>[1]) =>
      (await umap(x, { nEpochs: 0, ...options })).knn;
    const seeded = await nnDescent(x, 15, { seed: 5, metric: 'cosine' });
    // NN-descent misses a few neighbours here, and which ones depends on the seed.
    expect(seeded.indices).not.toEqual((await nnDescent(x, 15, { metric: 'cosine' })).indices);
    expect(await knnOf({ knnMethod: 'nn-descent', seed: 5, metric: 'cosine' })).toEqual(seeded);
    expect(await knnOf({ knnMethod: 'exact', seed: 5, metric: 'cosine' })).toEqual(
      await exactKnn(x, 15, { metric: 'cosine' }),
    );
    expect(await knnOf({ knnMethod: 'auto' })).toEqual(await exactKnn(x, 15));
  });

  it('uses a given kNN graph as it is', async () => {
    const x = blobs();
    const knn = await exactKnn(x, 5);
    const r = await umap(x, { knn, nEpochs: 20, knnMethod: 'nn-descent' });
    expect(r.knn).toBe(knn);
    expect(r.embedding.data).toEqual(
      (await umap(x, { nNeighbors: 5, nEpochs: 20 })).embedding.data,
    );
  });

  it('passes the negative sample rate to the layout', async () => {
    const x = blobs();
    const run = (negativeSampleRate?: number) =>
      umap(x, {
        nEpochs: 30,
        nNeighbors: 8,
        ...(negativeSampleRate ? { negativeSampleRate } : {}),
      });
    const two = (await run(2)).embedding.data;
    expect(two).not.toEqual((await run()).embedding.data);
    expect((await run(5)).embedding.data).toEqual((await run()).embedding.data);
    const knn = await exactKnn(x, 8);
    const start = (await umap(x, { nEpochs: 0 })).embedding;
    const { a, b } = findAbParams(1, 0.1);
    const layout = new UmapLayout(fuzzySimplicialSet(knn), Float32Array.from(start.data), {
      a,
      b,
      nEpochs: 30,
      seed: 1,
      negativeSampleRate: 2,
    });
    layout.step(30);
    expect(two).toEqual(layout.embedding);
  });
});

describe('umap: starting layouts (after no epoch)', () => {
  it('stretches the 2-D PCA of the data to [0, 10] on each axis, plus a little noise', async () => {
    // The noise is 1e-4 at the scale where max |coordinate| is 10, whatever the data's scale.
    for (const scale of [1e-3, 1, 1e3]) {
      const x = blobs();
      for (let t = 0; t < x.data.length; t++) x.data[t]! *= scale;
      const start = (await umap(x, { nEpochs: 0, seed: 3 })).embedding;
      const projected = pca(x, { components: 2, seed: 3 }).projected;
      // umap-learn's recipe by hand: scale to max |coordinate| 10, add N(0, 1e-4) noise drawn
      // from the seed's stream in row-major order, then stretch each axis to [0, 10].
      let maxAbs = 0;
      for (const v of projected.data) maxAbs = Math.max(maxAbs, Math.abs(v));
      const rng = createRng(3);
      const noisy = Array.from(projected.data, (v) => (v * 10) / maxAbs + 1e-4 * rng.gaussian());
      for (const d of [0, 1]) {
        const got = axis(start, d);
        expect(Math.min(...got)).toBe(0);
        expect(Math.max(...got)).toBeCloseTo(10, 5);
        const q = Array.from({ length: 120 }, (_, i) => noisy[2 * i + d]!);
        const lo = Math.min(...q);
        const hi = Math.max(...q);
        // float32 storage: about 1e-6 at 10; the noise itself is about 5e-5 here.
        const off = got.map((v, i) => Math.abs(v - ((q[i]! - lo) * 10) / (hi - lo)));
        expect(Math.max(...off)).toBeLessThan(5e-6);
        const p = Array.from({ length: 120 }, (_, i) => projected.data[2 * i + d]!);
        const [pLo, pHi] = [Math.min(...p), Math.max(...p)];
        const noise = got.map((v, i) => Math.abs(v - ((p[i]! - pLo) * 10) / (pHi - pLo)));
        expect(Math.max(...noise)).toBeGreaterThan(2e-5);
      }
    }
  });

  it('draws a random start uniform in [-10, 10) for each seed', async () => {
    const x = blobs();
    const start = async (seed: number) =>
      (await umap(x, { init: 'random', nEpochs: 0, seed })).embedding.data;
    const a = await start(1);
    expect(a.every((v) => v >= -10 && v < 10)).toBe(true);
    expect(Math.min(...a)).toBeLessThan(-9);
    expect(Math.max(...a)).toBeGreaterThan(9);
    expect(await start(1)).toEqual(a);
    expect(await start(2)).not.toEqual(a);
    const pcaStart = (await umap(x, { nEpochs: 0, seed: 1 })).embedding.data;
    expect(pcaStart).not.toEqual(a);
  });

  it('starts from a given n x 2 matrix, copied, and checks its shape', async () => {
    const x = blobs();
    const init = matrix(120, 2);
    for (let t = 0; t < 240; t++) init.data[t] = Math.sin(t) * 5;
    const kept = Float32Array.from(init.data);
    expect((await umap(x, { init, nEpochs: 0 })).embedding.data).toEqual(kept);
    const moved = (await umap(x, { init, nEpochs: 10 })).embedding.data;
    expect(moved).not.toEqual(kept);
    expect(init.data).toEqual(kept);
    await expect(umap(x, { init: matrix(119, 2) })).rejects.toThrow('umap: init must be 120 x 2');
    await expect(umap(x, { init: matrix(120, 3) })).rejects.toThrow('umap: init must be 120 x 2');
  });

  it('identical rows: noise alone, stretched to [0, 10]', async () => {
    const x = matrix(6, 3);
    for (let t = 0; t < 18; t++) x.data[t] = [1, -2, 3][t % 3]!;
    const start = (await umap(x, { nEpochs: 0 })).embedding;
    for (const d of [0, 1]) {
      expect(Math.min(...axis(start, d))).toBe(0);
      expect(Math.max(...axis(start, d))).toBeCloseTo(10, 5);
    }
  });

  it('one-dimensional data: one PCA axis, the other only noise, both stretched', async () => {
    const x = fromRows([[3], [1], [4], [1.5], [9], [2.6], [5]]);
    const start = (await umap(x, { nEpochs: 0 })).embedding;
    const first = axis(start, 0);
    // PCA of one column is the column, centred, up to sign: the order is kept or reversed.
    const order = (v: number[]) => v.map((_, i) => i).sort((i, j) => v[i]! - v[j]!);
    const byData = order([3, 1, 4, 1.5, 9, 2.6, 5]);
    expect([byData, [...byData].reverse()]).toContainEqual(order(first));
    for (const d of [0, 1]) {
      expect(Math.min(...axis(start, d))).toBe(0);
      expect(Math.max(...axis(start, d))).toBeCloseTo(10, 5);
    }
  });
});

describe('umap: small inputs', () => {
  it('returns fixed layouts for 0, 1 and 2 points', async () => {
    const { a, b } = findAbParams(1, 0.1);
    const none = await umap(matrix(0, 3));
    expect([none.embedding.rows, none.embedding.dims, none.a, none.b, none.nEpochs]).toEqual([
      0,
      2,
      a,
      b,
      500,
    ]);
    expect(none.knn).toEqual({
      indices: new Int32Array(0),
      distances: new Float32Array(0),
      n: 0,
      k: 0,
    });
    const one = await umap(fromRows([[5, 5, 5]]), { nEpochs: 7 });
    expect(Array.from(one.embedding.data)).toEqual([0, 0]);
    expect([one.knn.n, one.knn.k, one.nEpochs]).toEqual([1, 0, 7]);
    const two = await umap(fromRows([[0], [4]]), { minDist: 0.5 });
    expect(Array.from(two.embedding.data)).toEqual([0, 0, 1, 0]);
    expect([two.knn.n, two.a]).toEqual([2, findAbParams(1, 0.5).a]);
  });

  it('embeds three points with all three as neighbours', async () => {
    const r = await umap(fromRows([[0], [1], [5]]), { nEpochs: 10 });
    expect(r.knn.k).toBe(3);
    expect(r.embedding.rows).toBe(3);
    expect(r.embedding.data.every(Number.isFinite)).toBe(true);
  });

  it('counts epochs from 500 up to 10,000 rows and 200 above', async () => {
    // A given graph and an abort at the first layout report skip all but the epochs' count.
    const totalEpochs = async (n: number) => {
      const controller = new AbortController();
      let total = -1;
      const run = umap(line(n), {
        knn: lineKnn(n),
        signal: controller.signal,
        onProgress: (_done, t, stage) => {
          if (stage === 'layout') {
            total = t;
            controller.abort(new Error('counted'));
          }
        },
      });
      await expect(run).rejects.toThrow('counted');
      return total;
    };
    expect(await totalEpochs(10_000)).toBe(500);
    expect(await totalEpochs(10_001)).toBe(200);
  });

  it('switches to NN-descent above EXACT_KNN_MAX_ROWS', async () => {
    // The first neighbour report tells the searches apart: NN-descent counts rounds
    // (max(5, round(log2 n)) = 15 here), the exact search column blocks (hundreds).
    const firstTotal = async (n: number, knnMethod?: 'exact') => {
      const controller = new AbortController();
      let total = -1;
      const run = umap(line(n), {
        ...(knnMethod ? { knnMethod } : {}),
        nNeighbors: 2,
        signal: controller.signal,
        onProgress: (_done, t) => {
          total = t;
          controller.abort(new Error('seen'));
        },
      });
      await expect(run).rejects.toThrow('seen');
      return total;
    };
    expect(EXACT_KNN_MAX_ROWS).toBe(30_000);
    expect(await firstTotal(EXACT_KNN_MAX_ROWS + 1)).toBe(15);
    expect(await firstTotal(EXACT_KNN_MAX_ROWS)).toBeGreaterThan(15);
    // Asked for, the exact search runs at any size.
    expect(await firstTotal(EXACT_KNN_MAX_ROWS + 1, 'exact')).toBeGreaterThan(15);
  });
});

describe('umap: progress and aborts', () => {
  it('reports the neighbours, then the epochs, ending at nEpochs of nEpochs', async () => {
    const x = blobs();
    const { calls, onProgress } = progressLog();
    await umap(x, { nEpochs: 60, onProgress });
    const stages = calls.map((c) => c[0]);
    expect(stages[0]).toBe('neighbours');
    expect(stages.at(-1)).toBe('layout');
    expect(stages.indexOf('layout')).toBeGreaterThan(stages.lastIndexOf('neighbours'));
    expect(calls.at(-1)).toEqual(['layout', 60, 60]);
    // 120 points take far less than the 50 ms between reports: no report per epoch.
    expect(calls.filter((c) => c[0] === 'layout').length).toBeLessThan(10);
    const nn = progressLog();
    await umap(x, { nEpochs: 0, knnMethod: 'nn-descent', onProgress: nn.onProgress });
    expect(nn.calls[0]).toEqual(['neighbours', 1, 7]);
  });

  it('reports every epoch when each takes over 50 ms, with or without a listener', async () => {
    const x = blobs();
    // A clock that moves 100 ms at every reading: every epoch looks slow.
    let clock = 0;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 100));
    try {
      const { calls, onProgress } = progressLog();
      const heard = await umap(x, { nEpochs: 20, nNeighbors: 8, onProgress });
      expect(calls.filter((c) => c[0] === 'layout')).toEqual(
        Array.from({ length: 20 }, (_, e) => ['layout', e + 1, 20]),
      );
      // Without a listener the same layout comes out: reporting changes nothing.
      const quiet = await umap(x, { nEpochs: 20, nNeighbors: 8 });
      expect(quiet.embedding.data).toEqual(heard.embedding.data);
    } finally {
      now.mockRestore();
    }
  });

  it('rejects an aborted signal before any search, and stops the layout when aborted', async () => {
    const x = blobs();
    const aborted = new AbortController();
    aborted.abort(new Error('user cancelled'));
    const before = progressLog();
    await expect(
      umap(x, { signal: aborted.signal, onProgress: before.onProgress }),
    ).rejects.toThrow(/user cancelled/);
    expect(before.calls).toEqual([]);
    // Aborted once the neighbours are found: no layout report follows.
    const later = new AbortController();
    const stages: UmapStage[] = [];
    await expect(
      umap(x, {
        nEpochs: 50,
        signal: later.signal,
        onProgress: (_d, _t, stage) => {
          stages.push(stage);
          if (stage === 'neighbours') later.abort(new Error('enough'));
        },
      }),
    ).rejects.toThrow(/enough/);
    expect(stages).not.toContain('layout');
  });
});
