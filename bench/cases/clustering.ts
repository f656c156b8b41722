/**
 * Clustering cases on seeded Gaussian blobs (20 centres, 384 dimensions, like sentence
 * embeddings), L2-normalised as the app clusters embeddings: k-means (k = 20), Ward cut at 20
 * clusters and HDBSCAN, at 2,000 and 10,000 points, each against its reference on the same
 * numbers (bench/reference/clustering.py) with both ARIs against the true labels.
 */
import { join } from 'node:path';
import type { Matrix } from '../../src/lib/core/vectors/matrix';
import { adjustedRandIndex } from '../../src/lib/core/cluster/ari';
import { hdbscan } from '../../src/lib/core/cluster/hdbscan';
import { kmeans } from '../../src/lib/core/cluster/kmeans';
import { cutTree } from '../../src/lib/core/cluster/linkage';
import { wardLinkage } from '../../src/lib/core/cluster/ward';
import { ensureBlobs, readBlobs, type BlobOptions } from '../blobs';
import type { BenchCase, ReferenceCommand } from '../harness';
import { pathOf } from '../harness';

const K = 20;
/** k-means restarts, and sklearn's n_init: the same on both sides. */
const RESTARTS = 3;
const MIN_CLUSTER_SIZE = 15;
const SCRIPT = join(pathOf(import.meta.url), '..', '..', 'reference', 'clustering.py');

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
  const blobs: BlobOptions = { n, dims: 384, centers: K, seed: 42 };
  const repeats = n > 5000 ? 3 : 5;
  let base: string | null = null;
  const setup = async (): Promise<Data> => {
    const { matrix, labels } = await readBlobs(await ensureBlobs(blobs));
    return { m: normalise(matrix), truth: labels };
  };
  const make = (
    step: string,
    args: string[],
    cluster: (m: Matrix) => ArrayLike<number>,
  ): BenchCase<Data> => ({
    step,
    n,
    repeats,
    async skip() {
      // Writing the blobs here, in the parent, gives the reference its path up front.
      base = await ensureBlobs(blobs);
      return null;
    },
    setup,
    async run({ m, truth }) {
      return { ari: adjustedRandIndex(truth, cluster(m)) };
    },
    get reference(): ReferenceCommand | undefined {
      return base
        ? { command: '/usr/bin/python3', args: [SCRIPT, args[0]!, base, ...args.slice(1)] }
        : undefined;
    },
  });
  return [
    make(
      `kmeans k=${K}`,
      ['kmeans', '--k', `${K}`, '--n-init', `${RESTARTS}`],
      (m) => kmeans(m, { k: K, restarts: RESTARTS, seed: 0 }).labels,
    ),
    make(`ward k=${K}`, ['ward', '--k', `${K}`], (m) => cutTree(wardLinkage(m), K)),
    make(
      `hdbscan min_cluster_size=${MIN_CLUSTER_SIZE}`,
      ['hdbscan', '--min-cluster-size', `${MIN_CLUSTER_SIZE}`],
      (m) => hdbscan(m, { minClusterSize: MIN_CLUSTER_SIZE }).labels,
    ),
  ];
}

/** k-means, Ward and HDBSCAN at 2,000 and 10,000 points. */
export function clusteringCases(): BenchCase[] {
  return [...casesFor(2000), ...casesFor(10_000)] as BenchCase[];
}
