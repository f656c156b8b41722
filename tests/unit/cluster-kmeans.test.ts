import { afterEach, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../src/lib/core/cluster/ari';
import { chooseK } from '../../src/lib/core/cluster/choose-k';
import { kmeans } from '../../src/lib/core/cluster/kmeans';
import { silhouetteScore } from '../../src/lib/core/cluster/silhouette';
import { fromRows } from '../../src/lib/core/vectors/matrix';
import { KM_DATA, sphereBlobs, toMatrix } from './cluster-fixtures';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

afterEach(() => {
  setWasmDisabled(false);
});

/*
 * sklearn 1.2.1 references, on X = np.array(KM_DATA):
 *   km = KMeans(k, n_init=10, random_state=0).fit(X); km.inertia_, km.labels_
 *   silhouette_score(X, KMeans(3, n_init=10, random_state=0).fit(X).labels_)
 */
const SKLEARN = {
  2: { inertia: 91.150875, labels: [...Array(20).fill(0), ...Array(10).fill(1)] },
  3: {
    inertia: 14.55197,
    labels: [...Array(10).fill(2), ...Array(10).fill(0), ...Array(10).fill(1)],
  },
  4: {
    inertia: 10.814521666666668,
    labels: [...Array(10).fill(1), ...Array(10).fill(0), ...[3, 3, 2, 2, 3, 2, 3, 3, 3, 2]],
  },
} as const;
const SKLEARN_SILHOUETTE_K3 = 0.7774669198421147;

describe('kmeans', () => {
  for (const k of [2, 3, 4] as const) {
    it(`matches sklearn's inertia and labels at k=${k}`, () => {
      for (const backend of ['wasm', 'js'] as const) {
        setWasmDisabled(backend === 'js');
        const r = kmeans(toMatrix(KM_DATA), { k, restarts: 10, seed: 0 });
        expect(r.inertia).toBeCloseTo(SKLEARN[k].inertia, 4);
        expect(adjustedRandIndex(r.labels, SKLEARN[k].labels)).toBe(1);
        expect(r.centroids.rows).toBe(k);
        expect(Array.from(r.sizes).reduce((s, v) => s + v, 0)).toBe(30);
      }
    });
  }

  it('is reproducible by seed and independent of restart count for restart 0', () => {
    const { m } = sphereBlobs(600, 32, 6, 11, 0.2);
    const a = kmeans(m, { k: 6, restarts: 2, seed: 5 });
    const b = kmeans(m, { k: 6, restarts: 2, seed: 5 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
    const more = kmeans(m, { k: 6, restarts: 4, seed: 5 });
    expect(more.inertia).toBeLessThanOrEqual(a.inertia);
  });

  it('recovers sphere blobs (ARI 1) with WASM and JS alike', () => {
    const { m, truth } = sphereBlobs(1200, 64, 8, 3);
    const w = kmeans(m, { k: 8, seed: 1 });
    setWasmDisabled(true);
    const j = kmeans(m, { k: 8, seed: 1 });
    expect(adjustedRandIndex(w.labels, truth)).toBe(1);
    expect(adjustedRandIndex(j.labels, w.labels)).toBe(1);
    expect(j.inertia).toBeCloseTo(w.inertia, 6);
  });

  it('handles k = 1, k = n and duplicate points (empty clusters relocated)', () => {
    const one = kmeans(toMatrix(KM_DATA), { k: 1 });
    expect(new Set(one.labels).size).toBe(1);
    const all = kmeans(toMatrix(KM_DATA), { k: 30, restarts: 1 });
    expect(all.inertia).toBeCloseTo(0, 9);
    const dup = fromRows([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
      [5, 5],
    ]);
    const r = kmeans(dup, { k: 3, restarts: 2 });
    expect(new Set(r.labels).size).toBe(3);
    expect(r.inertia).toBeCloseTo(0, 9);
  });

  it('rejects k outside 1..n', () => {
    expect(() => kmeans(toMatrix(KM_DATA), { k: 0 })).toThrow(RangeError);
    expect(() => kmeans(toMatrix(KM_DATA), { k: 31 })).toThrow(RangeError);
    expect(() => kmeans(toMatrix(KM_DATA), { k: 2.5 })).toThrow(RangeError);
  });
});

describe('silhouette and chooseK', () => {
  it("equals sklearn's silhouette_score on all points", () => {
    const labels = SKLEARN[3].labels;
    for (const backend of ['wasm', 'js'] as const) {
      setWasmDisabled(backend === 'js');
      expect(silhouetteScore(toMatrix(KM_DATA), labels)).toBeCloseTo(SKLEARN_SILHOUETTE_K3, 5);
    }
  });

  it('ignores noise labels and is NaN with fewer than two clusters', () => {
    const m = toMatrix(KM_DATA);
    expect(silhouetteScore(m, new Int32Array(30))).toBeNaN();
    const noisy = SKLEARN[3].labels.map((l, i) => (i < 10 ? -1 : l));
    expect(silhouetteScore(m, noisy)).toBeGreaterThan(0.7);
    expect(() => silhouetteScore(m, [0, 1])).toThrow(RangeError);
  });

  it('picks the true k on blobs, scoring a sample when there are many points', () => {
    const { m, truth } = sphereBlobs(3000, 48, 5, 9, 0.1);
    const chosen = chooseK(m, { kMin: 2, kMax: 8, restarts: 2, sampleSize: 500 });
    expect(chosen.k).toBe(5);
    expect(chosen.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(adjustedRandIndex(chosen.result.labels, truth)).toBeGreaterThan(0.99);
    const again = chooseK(m, { kMin: 2, kMax: 8, restarts: 2, sampleSize: 500 });
    expect(again.scores).toEqual(chosen.scores);
  });
});
