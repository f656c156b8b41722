/** The settings of one analysis, saved with its result so it can be reproduced exactly. */
import { BUNDLED_ANALYSIS_EMBEDDER } from './embedder-note';

/** How answers are grouped. */
export type ClusteringMethod = 'kmeans' | 'ward' | 'hdbscan';

/** How answers are laid out in 2-D for the map (looking only; statistics use full vectors). */
export type ProjectionMethod = 'umap' | 'pca';

/** What text is embedded for each answer. */
export type EmbedInput = 'answer' | 'prompt+answer';

/** Every setting of the analysis. */
export interface AnalysisParams {
  /** Embedder id, e.g. `transformers:bundled-embedder`. */
  embedderId: string;
  embedInput: EmbedInput;
  projection: ProjectionMethod;
  clustering: ClusteringMethod;
  /** A fixed number of clusters, or 'auto' (silhouette over kMin..kMax; ignored by HDBSCAN). */
  k: number | 'auto';
  kMin: number;
  kMax: number;
  /** HDBSCAN's smallest cluster; 'auto' scales with the number of answers. */
  minClusterSize: number | 'auto';
  seed: number;
  /** Permutations of each within-prompt permutation test. */
  nPermutations: number;
  /** Extra clustering seeds for the stability (ARI) check; 0 skips it. */
  stabilitySeeds: number;
}

/** The defaults a new analysis starts from. */
export const DEFAULT_ANALYSIS_PARAMS: Readonly<AnalysisParams> = Object.freeze({
  embedderId: BUNDLED_ANALYSIS_EMBEDDER,
  embedInput: 'answer',
  projection: 'umap',
  clustering: 'kmeans',
  k: 'auto',
  kMin: 2,
  kMax: 12,
  minClusterSize: 'auto',
  seed: 1,
  nPermutations: 999,
  stabilitySeeds: 2,
});

/** The defaults with `overrides` applied; throws RangeError on settings that cannot work. */
export function analysisParams(overrides: Partial<AnalysisParams> = {}): AnalysisParams {
  const params = { ...DEFAULT_ANALYSIS_PARAMS, ...overrides };
  if (params.k !== 'auto' && (!Number.isInteger(params.k) || params.k < 1)) {
    throw new RangeError(`k must be a whole number of at least 1 or "auto", got ${params.k}`);
  }
  if (params.kMin < 2 || params.kMax < params.kMin) {
    throw new RangeError(
      `the k range ${params.kMin}..${params.kMax} is empty (kMin must be at least 2)`,
    );
  }
  if (!Number.isInteger(params.nPermutations) || params.nPermutations < 99) {
    throw new RangeError(`at least 99 permutations are needed, got ${params.nPermutations}`);
  }
  return params;
}

/** The text embedded for one answer under `mode`. */
export function embeddingText(mode: EmbedInput, prompt: string, answer: string): string {
  return mode === 'prompt+answer' ? `${prompt}\n\n${answer}` : answer;
}
