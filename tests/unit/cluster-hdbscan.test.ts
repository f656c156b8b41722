import { afterEach, describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../src/lib/core/cluster/ari';
import { hdbscan } from '../../src/lib/core/cluster/hdbscan';
import { fromRows } from '../../src/lib/core/vectors/matrix';
import { HDB_DATA, samePartition, sphereBlobs, toMatrix } from './cluster-fixtures';
import { setWasmDisabled } from '../../src/lib/core/vectors/wasm-module';

afterEach(() => {
  setWasmDisabled(false);
});

/*
 * Expected labels. Debian 12's scikit-learn (1.2.1) predates sklearn.cluster.HDBSCAN (1.3), so
 * these come from R's dbscan 1.1-11 (Debian r-cran-dbscan), the same algorithm with
 * min_samples = min_cluster_size = minPts (R numbers clusters from 1 and noise 0):
 *   Rscript -e 'library(dbscan); x <- as.matrix(read.csv("hdb.csv", header=FALSE));
 *               cat(hdbscan(x, minPts=M)$cluster, sep=",")'
 * with hdb.csv = HDB_DATA (scripts/reference/hdbscan.R is the same call). sklearn 1.3's
 * algorithm re-run in numpy (scripts/reference/hdbscan_sklearn.py) gives the same partitions,
 * also for the min_samples != min_cluster_size case below.
 */
const R_LABELS: Record<number, string> = {
  3:
    '5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,' +
    '1,1,1,1,1,0,2,3,0,0,4,3,0,2,0,4,0,2,0,4,4,0,3,3,4,0,1,1,0,1,5',
  5:
    '3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,' +
    '1,1,1,1,1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,1,1,2,1,3',
  8:
    '3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,' +
    '1,1,1,1,1,2,2,2,2,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,1,1,2,1,3',
};
/**
 * sklearn-algorithm labels for min_cluster_size 10, min_samples 4 (no R equivalent), printed by
 *   /usr/bin/python3 scripts/reference/hdbscan_sklearn.py
 * which reads HDB_DATA from cluster-fixtures.ts.
 */
const MCS10_MS4 =
  '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,' +
  '0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,2,0,1';

const parse = (s: string, noise: number) => s.split(',').map((v) => (+v === noise ? -1 : +v));

describe('hdbscan', () => {
  for (const mcs of [3, 5, 8]) {
    it(`labels the fixed data like R dbscan / sklearn (min_cluster_size ${mcs})`, () => {
      for (const backend of ['wasm', 'js'] as const) {
        setWasmDisabled(backend === 'js');
        const r = hdbscan(toMatrix(HDB_DATA), { minClusterSize: mcs });
        expect(samePartition(r.labels, parse(R_LABELS[mcs]!, 0))).toBe(true);
        expect(r.clusterCount).toBe(new Set(parse(R_LABELS[mcs]!, 0).filter((l) => l >= 0)).size);
      }
    });
  }

  it('uses min_samples separately from min_cluster_size', () => {
    const r = hdbscan(toMatrix(HDB_DATA), { minClusterSize: 10, minSamples: 4 });
    expect(samePartition(r.labels, parse(MCS10_MS4, -1))).toBe(true);
    // sklearn numbers clusters by condensed-tree id; so do we.
    expect(Array.from(r.labels).join(',')).toBe(MCS10_MS4);
  });

  it('reports noise with zero probability and members in (0, 1]', () => {
    const r = hdbscan(toMatrix(HDB_DATA), { minClusterSize: 3 });
    const noise = Array.from(r.labels).filter((l) => l < 0).length;
    expect(noise).toBe(10);
    r.labels.forEach((l, i) => {
      if (l < 0) expect(r.probabilities[i]).toBe(0);
      else expect(r.probabilities[i]).toBeGreaterThan(0);
      expect(r.probabilities[i]).toBeLessThanOrEqual(1);
    });
    expect(r.stabilities.length).toBe(5);
    expect(r.condensed.parent.length).toBe(r.condensed.child.length);
  });

  it('finds sphere blobs in 64 dimensions (ARI >= 0.95)', () => {
    const { m, truth } = sphereBlobs(1000, 64, 5, 21, 0.05);
    const r = hdbscan(m, { minClusterSize: 15 });
    expect(r.clusterCount).toBe(5);
    expect(adjustedRandIndex(r.labels, truth)).toBeGreaterThan(0.95);
  });

  it('calls everything noise when no cluster can form, and stays finite on duplicates', () => {
    expect(
      Array.from(
        hdbscan(
          fromRows([
            [0, 0],
            [1, 1],
          ]),
          { minClusterSize: 5 },
        ).labels,
      ),
    ).toEqual([-1, -1]);
    const rows = [
      ...Array.from({ length: 6 }, () => [0, 0]),
      ...Array.from({ length: 6 }, () => [10, 10]),
    ];
    const r = hdbscan(fromRows(rows), { minClusterSize: 3 });
    expect(r.clusterCount).toBe(2);
    expect(samePartition(r.labels, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])).toBe(true);
    expect(Array.from(r.stabilities).every(Number.isFinite)).toBe(true);
  });

  it('rejects bad sizes', () => {
    expect(() => hdbscan(toMatrix(HDB_DATA), { minClusterSize: 1 })).toThrow(RangeError);
    expect(() => hdbscan(toMatrix(HDB_DATA), { minSamples: 0 })).toThrow(RangeError);
  });
});
