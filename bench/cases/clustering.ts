/**
 * Clustering cases on seeded Gaussian blobs (20 centres, 384 dimensions, like sentence
 * embeddings), L2-normalised as the app clusters embeddings: k-means (k = 20), Ward cut at 20
 * clusters and HDBSCAN, at 2,000 and 10,000 points, each against its reference on the same
 * numbers (bench/reference/clustering.py) with both ARIs against the true labels.
 *
 * The blobs overlap (bench/blobs.ts explains how), so that the reference's ARI is about 0.9
 * rather than 1: a clusterer worse than the reference then shows (k-means stopped after one
 * Lloyd iteration: 0.79 against sklearn's 0.92), and each row asserts that our ARI is within
 * ARI_TOLERANCE of the reference's.
 */
import { join } from 'node:path';
import type { Matrix } from '../../src/lib/core/vectors/matrix';
import { adjustedRandIndex } from '../../src/lib/core/cluster/ari';
import { hdbscan } from '../../src/lib/core/cluster/hdbscan';
import { kmeans } from '../../src/lib/core/cluster/kmeans';
import { cutTree } from '../../src/lib/core/cluster/linkage';
import { wardLinkage } from '../../src/lib/core/cluster/ward';
import { ensureBlobs, readBlobs, type BenchBlobOptions } from '../blobs';
import type { BenchCase, ReferenceCommand, ResultRow, Verdict } from '../harness';
import { pathOf } from '../harness';

const K = 20;
/**
 * k-means restarts, and sklearn's n_init: the same on both sides. Ten, so that on these
 * overlapping blobs both reach the same optimum whatever the seed.
 */
const RESTARTS = 10;
const MIN_CLUSTER_SIZE = 15;
const SCRIPT = join(pathOf(import.meta.url), '..', '..', 'reference', 'clustering.py');
/** How far our ARI to the truth may lie from the reference's. */
const ARI_TOLERANCE = 0.02;
/**
 * Each method's blobs: centres uniform in [-box, box] in the first `informative` of 384
 * dimensions, the rest low noise (bench/blobs.ts); chosen (bench/reference/clustering.py's
 * docstring says how) so that the reference's ARI is 0.89-0.93 at both sizes, and for k-means
 * so that every seed reaches the same optimum: with fewer informative dimensions, or more
 * overlap, restarts end in optima 0.04-0.05 apart in ARI, and a row would pass or fail by luck.
 */
const BLOBS = {
  kmeans: { informative: 20, box: 1.6 },
  ward: { informative: 5, box: 5.5 },
  hdbscan: { informative: 10, box: 5.5 },
} as const;

/** The row's target: our ARI within ARI_TOLERANCE of the reference's. */
export function ariWithinTolerance(row: ResultRow): Verdict {
  const target = `|ARI ours - ARI ref| <= ${ARI_TOLERANCE}`;
  if (row.ari_ours === null || row.ari_ref === null) {
    return { pass: false, target, got: 'no ARI (a side failed)' };
  }
  const gap = Math.abs(row.ari_ours - row.ari_ref);
  return {
    pass: gap <= ARI_TOLERANCE,
    target,
    got: `ARI ours ${row.ari_ours.toFixed(3)}, ref ${row.ari_ref.toFixed(3)} (gap ${gap.toFixed(3)})`,
  };
}

interface Data {
  m: Matrix;
  truth: Int32Array;
}

/** Rows scaled to unit length in place (cosine = Euclidean on the sphere). */
function normalise(m: Matrix): Matrix {
  for (let i = 0; i < m.rows; i++) {
    const row = m.data.subarray(i * m.dims, (i + 1) * m.dims);
    let s = 0;
    for (const v of row) s += v * v;
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < m.dims; d++) row[d]! *= inv;
  }
  return m;
}

/** One case per method at size `n`; the reference learns the data path in skip(). */
function casesFor(n: number): BenchCase<Data>[] {
  const repeats = n > 5000 ? 3 : 5;
  const make = (
    step: string,
    shape: { informative: number; box: number },
    reference: { name: string; args: string[] },
    cluster: (m: Matrix) => ArrayLike<number>,
  ): BenchCase<Data> => {
    const blobs: BenchBlobOptions = { n, dims: 384, centers: K, seed: 42, ...shape };
    let base: string | null = null;
    const [method, ...options] = reference.args;
    return {
      step: `${step}, blobs box ${shape.box} in ${shape.informative} of 384 dims`,
      n,
      repeats,
      async skip() {
        // Writing the blobs here, in the parent, gives the reference its path up front.
        base = await ensureBlobs(blobs);
        return null;
      },
      async setup() {
        const { matrix, labels } = await readBlobs(await ensureBlobs(blobs));
        return { m: normalise(matrix), truth: labels };
      },
      async run({ m, truth }) {
        return { ari: adjustedRandIndex(truth, cluster(m)) };
      },
      get reference(): ReferenceCommand | undefined {
        return base
          ? {
              name: reference.name,
              command: '/usr/bin/python3',
              args: [SCRIPT, method!, base, ...options],
            }
          : undefined;
      },
      check: ariWithinTolerance,
    };
  };
  return [
    make(
      `kmeans k=${K}`,
      BLOBS.kmeans,
      {
        name: `sklearn KMeans(n_init=${RESTARTS})`,
        args: ['kmeans', '--k', `${K}`, '--n-init', `${RESTARTS}`],
      },
      (m) => kmeans(m, { k: K, restarts: RESTARTS, seed: 0 }).labels,
    ),
    make(
      `ward k=${K}`,
      BLOBS.ward,
      { name: "sklearn AgglomerativeClustering(linkage='ward')", args: ['ward', '--k', `${K}`] },
      (m) => cutTree(wardLinkage(m), K),
    ),
    make(
      `hdbscan min_cluster_size=${MIN_CLUSTER_SIZE}`,
      BLOBS.hdbscan,
      {
        // clustering.py reports which implementation it found (R's dbscan on Debian 12).
        name: 'HDBSCAN (clustering.py names the implementation it found)',
        args: ['hdbscan', '--min-cluster-size', `${MIN_CLUSTER_SIZE}`],
      },
      (m) => hdbscan(m, { minClusterSize: MIN_CLUSTER_SIZE }).labels,
    ),
  ];
}

/** k-means, Ward and HDBSCAN at 2,000 and 10,000 points. */
export function clusteringCases(): BenchCase[] {
  return [...casesFor(2000), ...casesFor(10_000)] as BenchCase[];
}
