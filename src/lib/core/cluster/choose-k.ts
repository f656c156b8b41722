/**
 * Choosing k for k-means when the user does not: run k-means for every k in a range and keep
 * the k with the highest mean silhouette. Silhouettes are scored on one seeded sample of up to
 * 2,000 points (its distance table computed once, O(sample^2) per k) rather than on all points
 * (O(n^2) per k): at 10,000 points that is 25x less work, and the sampling error of a mean over
 * 2,000 points (about +-0.01) is well below the gaps that separate good k from bad.
 */
import type { Matrix } from '../vectors/matrix';
import { KMeansSession, type KMeansResult } from './kmeans';
import { sampleDistances, silhouetteOfSample } from './silhouette';

/** Options of chooseK. */
export interface ChooseKOptions {
  /** Smallest k tried; default 2. */
  kMin?: number;
  /** Largest k tried; default min(15, n - 1). */
  kMax?: number;
  /** k-means restarts per k; default 3. */
  restarts?: number;
  /** Seed of k-means and of the silhouette sample; default 0. */
  seed?: number;
  /** Points in the silhouette sample; default 2000. */
  sampleSize?: number;
}

/** The chosen k, its k-means result, and the silhouette of every k tried. */
export interface ChooseKResult {
  k: number;
  result: KMeansResult;
  scores: { k: number; silhouette: number }[];
}

/** k-means with k chosen by silhouette. Throws RangeError when fewer than 3 points. */
export function chooseK(m: Matrix, options: ChooseKOptions = {}): ChooseKResult {
  const n = m.rows;
  if (n < 3) throw new RangeError(`chooseK: needs at least 3 points, got ${n}`);
  const kMin = Math.max(2, options.kMin ?? 2);
  const kMax = Math.min(options.kMax ?? 15, n - 1);
  if (kMin > kMax) throw new RangeError(`chooseK: empty range ${kMin}..${kMax}`);
  const seed = options.seed ?? 0;
  const session = new KMeansSession(m, kMax);
  const sample = sampleDistances(m, { ...options, seed });
  const scores: { k: number; silhouette: number }[] = [];
  let bestK = kMin;
  let bestScore = -Infinity;
  let bestResult: KMeansResult | null = null;
  for (let k = kMin; k <= kMax; k++) {
    const result = session.run({ k, restarts: options.restarts ?? 3, seed });
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
