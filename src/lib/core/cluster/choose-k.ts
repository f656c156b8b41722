/**
 * Choosing k when the user does not: cluster at every k in a range (k-means, or cuts of one Ward
 * tree) and keep the k with the highest mean silhouette. Silhouettes are scored on one seeded sample of up to
 * 2,000 points (its distance table computed once, O(sample^2) per k) rather than on all points
 * (O(n^2) per k): at 10,000 points that is 25x less work, and the sampling error of a mean over
 * 2,000 points (about +-0.01) is well below the gaps that separate good k from bad.
 */
import type { Matrix } from '../vectors/matrix';
import { KMeansSession, type KMeansResult } from './kmeans';
import { sampleDistances, silhouetteOfSample } from './silhouette';

/** The range of k and the silhouette sample, shared by every way of choosing k. */
export interface KRangeOptions {
  /** Smallest k tried; default 2. */
  kMin?: number;
  /** Largest k tried; default min(15, n - 1). */
  kMax?: number;
  /** Seed of the silhouette sample (and of k-means in chooseK); default 0. */
  seed?: number;
  /** Points in the silhouette sample; default 2000. */
  sampleSize?: number;
}

/** Options of chooseK. */
export interface ChooseKOptions extends KRangeOptions {
  /** k-means restarts per k; default 3. */
  restarts?: number;
}

/** The chosen k, the clustering at that k, and the silhouette of every k tried. */
export interface ChooseKResult<Clustering = KMeansResult> {
  k: number;
  result: Clustering;
  scores: { k: number; silhouette: number }[];
}

/** k-means with k chosen by silhouette. Throws RangeError when fewer than 3 points. */
export function chooseK(m: Matrix, options: ChooseKOptions = {}): ChooseKResult {
  const seed = options.seed ?? 0;
  const restarts = options.restarts ?? 3;
  let session: KMeansSession | undefined;
  const kMeansAt = (k: number): KMeansResult => {
    // Sized for the largest k tried, so the points are copied into kernel memory once.
    session ??= new KMeansSession(m, Math.min(options.kMax ?? 15, m.rows - 1));
    return session.run({ k, restarts, seed });
  };
  return chooseKBySilhouette(m, kMeansAt, options);
}

/**
 * The k in kMin..kMax whose clustering `clusterAt(k)` has the highest mean silhouette on one
 * seeded sample of the points (k-means in chooseK, cuts of one Ward tree in the pipeline).
 * Throws RangeError when fewer than 3 points or the range is empty.
 */
export function chooseKBySilhouette<Clustering extends { labels: ArrayLike<number> }>(
  m: Matrix,
  clusterAt: (k: number) => Clustering,
  options: KRangeOptions = {},
): ChooseKResult<Clustering> {
  const n = m.rows;
  if (n < 3) throw new RangeError(`chooseK: needs at least 3 points, got ${n}`);
  const kMin = Math.max(2, options.kMin ?? 2);
  const kMax = Math.min(options.kMax ?? 15, n - 1);
  if (kMin > kMax) throw new RangeError(`chooseK: empty range ${kMin}..${kMax}`);
  const sample = sampleDistances(m, { sampleSize: options.sampleSize, seed: options.seed ?? 0 });
  const scores: { k: number; silhouette: number }[] = [];
  let bestK = kMin;
  let bestScore = -Infinity;
  let bestResult: Clustering | null = null;
  for (let k = kMin; k <= kMax; k++) {
    const result = clusterAt(k);
    const silhouette = silhouetteOfSample(sample, result.labels);
    scores.push({ k, silhouette });
    // Strictly better only: on a tie the smaller k wins (NaN never wins).
    if (!bestResult || silhouette > bestScore) {
      bestK = k;
      bestResult = result;
      if (!Number.isNaN(silhouette)) bestScore = silhouette;
    }
  }
  return { k: bestK, result: bestResult!, scores };
}
