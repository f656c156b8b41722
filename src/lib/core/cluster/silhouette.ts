/**
 * Silhouette coefficients (Rousseeuw 1987) with Euclidean distances, as
 * sklearn.metrics.silhouette_score. The exact score is O(n^2) distances, so large inputs are
 * scored on a seeded random sample of points (2,000 by default, like silhouette_score's
 * sample_size): the sample's distance table is computed once and can score many labelings
 * (choose-k.ts scores every candidate k on it).
 */
import { selectRows, type Matrix } from '../vectors/matrix';
import { createRng, sampleWithoutReplacement } from '../vectors/random';
import { squaredDistanceMatrix, type SquareDistances } from './pairwise';

/** Distances (not squared) among a sample of points, and which points they are. */
export interface SampleDistances extends SquareDistances {
  /** Row index in the full data of each sample point, ascending. */
  indices: Int32Array;
}

/** Options of the sampled silhouette. */
export interface SilhouetteOptions {
  /** Points scored at most; all when the data is smaller. Default 2000. */
  sampleSize?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
}

/** Euclidean distances among a seeded sample of up to `sampleSize` rows of `m`. */
export function sampleDistances(m: Matrix, options: SilhouetteOptions = {}): SampleDistances {
  const size = Math.min(options.sampleSize ?? 2000, m.rows);
  let indices: Int32Array;
  if (size >= m.rows) {
    indices = Int32Array.from({ length: m.rows }, (_, i) => i);
  } else {
    const picked = sampleWithoutReplacement(m.rows, size, createRng(options.seed ?? 0));
    indices = Int32Array.from(picked).sort();
  }
  const table = squaredDistanceMatrix(size >= m.rows ? m : selectRows(m, indices));
  const { d } = table;
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]!);
  return { ...table, indices };
}

/**
 * Mean silhouette of the sample points under `labels` (labels of ALL points, indexed by the
 * full data's rows). Points labelled < 0 (noise) are left out entirely. Points alone in their
 * cluster score 0, as in sklearn. NaN when fewer than two clusters remain.
 */
export function silhouetteOfSample(sample: SampleDistances, labels: ArrayLike<number>): number {
  const { d, n, stride, indices } = sample;
  const map = new Map<number, number>();
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[indices[i]!]!;
    if (l < 0) {
      lab[i] = -1;
      continue;
    }
    let id = map.get(l);
    if (id === undefined) map.set(l, (id = map.size));
    lab[i] = id;
  }
  const count = map.size;
  if (count < 2) return NaN;
  const sizes = new Float64Array(count);
  for (let i = 0; i < n; i++) if (lab[i]! >= 0) sizes[lab[i]!]!++;
  const sums = new Float64Array(count);
  let total = 0;
  let scored = 0;
  for (let i = 0; i < n; i++) {
    const own = lab[i]!;
    if (own < 0) continue;
    scored++;
    if (sizes[own]! < 2) continue;
    sums.fill(0);
    const row = i * stride;
    for (let j = 0; j < n; j++) {
      const c = lab[j]!;
      if (c >= 0) sums[c] = sums[c]! + d[row + j]!;
    }
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < count; c++) if (c !== own) b = Math.min(b, sums[c]! / sizes[c]!);
    const denominator = Math.max(a, b);
    if (denominator > 0) total += (b - a) / denominator;
  }
  return scored > 0 ? total / scored : NaN;
}

/** Mean silhouette of `labels` on the rows of `m`, sampled as in sampleDistances. */
export function silhouetteScore(
  m: Matrix,
  labels: ArrayLike<number>,
  options: SilhouetteOptions = {},
): number {
  if (labels.length !== m.rows) {
    throw new RangeError(`silhouetteScore: ${labels.length} labels for ${m.rows} points`);
  }
  return silhouetteOfSample(sampleDistances(m, options), labels);
}
