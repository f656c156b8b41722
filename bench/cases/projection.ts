/**
 * Projection benchmarks on seeded Gaussian blobs (20 centres, 384 dims; bench/blobs.ts), with
 * scikit-learn PCA and umap-learn as references on the same files (bench/reference/projection.py,
 * which runs an untimed warm-up fit first so umap-learn's numba compilation is not counted).
 */
import { join } from 'node:path';
import type { Matrix } from '../../src/lib/core/vectors/matrix';
import { blobBase, ensureBlobs, readBlobs, type BlobOptions } from '../blobs';
import { pathOf, type BenchCase } from '../harness';

const SCRIPT = join(pathOf(import.meta.url), '..', '..', 'reference', 'projection.py');
const PYTHON = '/usr/bin/python3';

/** core/project is loaded lazily so other rows still run if it is broken mid-edit. */
const loadPca = () => import('../../src/lib/core/project/pca');
const loadUmap = () => import('../../src/lib/core/project/umap');

const blobs = (n: number): BlobOptions => ({ n, dims: 384, centers: 20, seed: 42, spread: 1 });

async function load(n: number): Promise<Matrix> {
  return (await readBlobs(await ensureBlobs(blobs(n)))).matrix;
}

/** Runs in the parent before the case: writes the data file the reference will read. */
async function writeData(n: number): Promise<null> {
  await ensureBlobs(blobs(n));
  return null;
}

/** The "pca 50" and "umap 2-d" rows at 2,000 and 10,000 points. */
export function projectionCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const n of [2000, 10000]) {
    const base = blobBase(blobs(n));
    const label = `${n.toLocaleString('en-US')} x 384 blobs`;
    const pcaCase: BenchCase<Matrix> = {
      step: `pca 50: ${label}`,
      n,
      skip: () => writeData(n),
      setup: () => load(n),
      async run(x) {
        const { pca } = await loadPca();
        pca(x, { components: 50, seed: 0 });
      },
      reference: {
        name: 'sklearn PCA(n_components=50)',
        command: PYTHON,
        args: [SCRIPT, 'pca', base, '--components', '50'],
      },
    };
    const umapCase: BenchCase<Matrix> = {
      step: `umap 2-d: ${label}`,
      n,
      // umap-learn takes tens of seconds per run at 10,000 points here.
      repeats: n > 5000 ? 1 : 3,
      skip: () => writeData(n),
      setup: () => load(n),
      async run(x) {
        const { umap } = await loadUmap();
        await umap(x, { nNeighbors: 15, minDist: 0.1, seed: 0 });
      },
      reference: {
        name: 'umap-learn UMAP(n_neighbors=15, min_dist=0.1)',
        command: PYTHON,
        args: [SCRIPT, 'umap', base, '--seed', '0'],
      },
    };
    cases.push(pcaCase as BenchCase, umapCase as BenchCase);
  }
  return cases;
}
