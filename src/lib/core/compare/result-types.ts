/**
 * The comparison result: plain JSON (no typed arrays, no NaN; "not computable" is null), shaped
 * to map one-to-one onto REPORT.json:
 *   overall  -> {method, statistic, pValue, ...}
 *   clusters -> [{id, size, countA, countB, shareA, shareB, pValue, qValue, terms, exemplars, ...}]
 *   features -> [{name, meanA, meanB, effect, pValue, qValue, ...}]
 *   words    -> {moreInA: [{term, z, countA, countB, qValue, ...}], moreInB: [...]}
 *   prompts  -> [{prompt, divergence, ...}]
 */
import type { ClusterShare } from './clusters';
import type { DistanceMetric } from './distances';
import type { FeatureMeasureFields } from './feature-measures';

/** Overall "any difference at all?" test. */
export interface OverallResult {
  method: 'energy';
  /** Energy distance (V-statistic, see energy.ts). */
  statistic: number;
  /** Within-prompt permutation p-value. */
  pValue: number;
  metric: DistanceMetric;
  nPermutations: number;
  /** Answers used (a prompt subsample when `subsampled`). */
  nAnswers: number;
  subsampled: boolean;
}

/** One cluster: shares, test (ClusterShare), description. */
export interface ClusterResult extends ClusterShare {
  /** HDBSCAN's noise (label -1): not a cluster, so no terms and no exemplars. */
  noise: boolean;
  /** Top c-TF-IDF terms by answers containing them (text/cluster-terms.ts); none for noise. */
  terms: string[];
  /** Terms in more of A's (a) or of B's (b) answers inside the cluster (cluster-terms.ts). */
  contrastTerms: { a: string[]; b: string[] };
  /** Degenerate answers in the cluster (text/degenerate-answer.ts), never exemplars; null in
   * a result migrated from version 1 (not counted then). */
  degenerate: number | null;
  /** Texts of each side's medoids in the cluster (cluster-medoids.ts), per side. */
  exemplars: { a: string[]; b: string[] };
  /** Answer indices (into the comparison input) of those exemplars. */
  exemplarAnswers: { a: number[]; b: number[] };
}

/**
 * One style (or other per-answer) feature. The measure fields (feature-measures.ts: measure,
 * share, rate per 100 words, median) are absent in results saved before they were added.
 */
export interface FeatureResult extends Partial<FeatureMeasureFields> {
  name: string;
  meanA: number;
  meanB: number;
  /** Matched-pairs rank-biserial correlation (positive: B higher); null if no prompt differs. */
  effect: number | null;
  /** Mean per-prompt difference (B - A); null without paired prompts. */
  meanDifference: number | null;
  /** Wilcoxon signed-rank p-value; null if no prompt differs. */
  pValue: number | null;
  qValue: number | null;
  nPairs: number;
  nZeros: number;
  /** Wilcoxon exact/normal approximation; null for a presence test or when no prompt differs. */
  test: 'exact' | 'approx' | null;
}

/**
 * One distinctive word or bigram. From result version 2 (`WordsResult.test` not 'log-odds'):
 * the paired presence test of word-presence.ts.
 */
export interface WordResult {
  term: string;
  /**
   * Signed score, positive = more in B: the normal deviate with the presence test's two-sided
   * p-value, Φ^{-1}(1 - p/2); for 'log-odds' (results saved before version 2) the log-odds z.
   */
  z: number;
  /** A's answers containing the term ('log-odds': its capped token count in A's answers). */
  countA: number;
  /** B's answers containing the term ('log-odds': its capped token count in B's answers). */
  countB: number;
  /** Two-sided p-value of the presence test; null for 'log-odds'. */
  pValue: number | null;
  /** Benjamini-Hochberg q-value across every term tested; null for 'log-odds'. */
  qValue: number | null;
}

/** Words that distinguish the sides, by q then by the difference in answers containing them. */
export interface WordsResult {
  /**
   * 'mcnemar-exact' (one answer per side per prompt) or 'permutation' (several samples): the
   * presence test; 'log-odds': a result saved before version 2, ranked by log-odds z only.
   */
  test: 'mcnemar-exact' | 'permutation' | 'log-odds';
  /** Terms tested (the size of the BH family); 0 for 'log-odds'. */
  tested: number;
  /** Fewest answers a term had to occur in to be tested; 0 for 'log-odds'. */
  minAnswers: number;
  moreInA: WordResult[];
  moreInB: WordResult[];
}

/** One word of the secondary per-token view: log-odds with an informative Dirichlet prior. */
export interface LogOddsWordResult {
  term: string;
  /** Log-odds z-score: positive = more in B, negative = more in A. */
  z: number;
  delta: number;
  /** Capped token counts (see log-odds.ts), not answers. */
  countA: number;
  countB: number;
}

/** The per-token log-odds view (a ranking, not a test: it mostly restates length). */
export interface LogOddsWordsResult {
  moreInA: LogOddsWordResult[];
  moreInB: LogOddsWordResult[];
}

/**
 * One prompt's divergence (see divergence.ts and length-adjusted-divergence.ts for the
 * definitions). The three length fields are null in results saved before version 2.
 */
export interface PromptResult {
  /** Prompt id (or label) from the input. */
  prompt: string;
  promptIndex: number;
  /** cross - noiseFloor when the floor exists, else cross (cosine: 1 - cos, in [0, 2]). */
  divergence: number;
  /** (mean words of B + 1) / (mean words of A + 1); null in results saved before version 2. */
  lengthRatio: number | null;
  /** Robust z-score of divergence within its |ln lengthRatio| band; the ranking score. */
  divergenceAdjusted: number | null;
  /** The first ~160 characters of each side's first answer; null before version 2. */
  answers: { a: string; b: string } | null;
  cross: number;
  withinA: number | null;
  withinB: number | null;
  noiseFloor: number | null;
  adjusted: boolean;
  nA: number;
  nB: number;
}

/** The parameters a result was computed with (all defaults filled in). */
export interface ComparisonParams {
  seed: number;
  nPermutations: number;
  nBootstrap: number;
  confidence: number;
  energyMetric: DistanceMetric;
  energyMaxAnswers: number;
  divergenceMetric: DistanceMetric;
  priorScale: number;
  minWordCount: number;
  topWords: number;
  topTerms: number;
  exemplarsPerSide: number;
}

/**
 * One opening or closing: an answer's first (or last) three words, lower-cased, punctuation
 * dropped ("certainly here are", "i hope this"), tested by paired presence like the words.
 */
export interface PhraseResult {
  text: string;
  /** Signed normal score of the presence test's p-value, positive = more in B. */
  z: number;
  /** A's answers that open (or close) with it. */
  countA: number;
  /** B's answers that open (or close) with it. */
  countB: number;
  pValue: number;
  /** Benjamini-Hochberg q-value within its family (the openings, or the closings). */
  qValue: number;
}

/** Openings or closings that distinguish the sides, by q then by the difference in answers. */
export interface PhrasesResult {
  test: 'mcnemar-exact' | 'permutation';
  /** Phrases tested (the size of the BH family). */
  tested: number;
  moreInA: PhraseResult[];
  moreInB: PhraseResult[];
}

/** How much one detector or feature moves within a cluster of changes (B minus A). */
export interface ChangeDetectorDelta {
  name: string;
  /** Change in the share of answers showing it (presence detectors) or in its mean rate. */
  delta: number;
}

/** One kind of change: prompts whose B-minus-A differences point the same way. */
export interface ChangeCluster {
  id: number;
  /** Prompts in the cluster. */
  n: number;
  promptIds: string[];
  /** Terms B's answers gain (added) or lose (removed) most often within the cluster. */
  terms: { added: string[]; removed: string[] };
  /** Detectors that move most within the cluster, with sign. */
  detectors: ChangeDetectorDelta[];
  /** Two or three example pairs (opening excerpts of A's and B's answers). */
  examples: { promptId: string; a: string; b: string }[];
  /** Sign-flip test of the cluster's mean change against zero; null when not testable. */
  pValue: number | null;
  /** Benjamini-Hochberg q-value across the change clusters; null when not testable. */
  qValue: number | null;
}

/** Clusters of per-prompt changes (change-clusters.ts documents the method and its test). */
export interface ChangesResult {
  /** How the clusters were found and tested, in a few words (e.g. 'split-half'). */
  method: string;
  /** Clusters chosen (by silhouette, 2 to 10). */
  k: number;
  /** Silhouette of the chosen clustering of changes; null when not computable. */
  silhouette: number | null;
  /** Paired prompts whose changes were clustered. */
  nPrompts: number;
  clusters: ChangeCluster[];
}

/** One feature within one prompt category. */
export interface CategoryFeature {
  name: string;
  /** Share of A's (B's) answers showing it (presence), its pooled rate per 100 words (rates) or mean words (length). */
  shareA: number;
  shareB: number;
  pValue: number | null;
  qValue: number | null;
}

/** The features of the prompts of one category (alpaca_eval's `dataset`, the built-in set's). */
export interface CategoryResult {
  name: string;
  /** Paired prompts in the category. */
  n: number;
  features: CategoryFeature[];
}

/** Sizes of the compared data. */
export interface ComparisonCounts {
  answers: number;
  answersA: number;
  answersB: number;
  prompts: number;
  /** Prompts with answers from both sides. */
  pairedPrompts: number;
}

/** Everything the comparison computes. */
export interface ComparisonResult {
  overall: OverallResult;
  clusters: ClusterResult[];
  features: FeatureResult[];
  words: WordsResult;
  /** Secondary per-token view of the words (log-odds); null when not computed. */
  wordsLogOdds: LogOddsWordsResult | null;
  /** Most divergent after length adjustment first (version 1: by raw divergence). */
  prompts: PromptResult[];
  /** Openings (first three words) tested by paired presence; null before result version 3. */
  openings: PhrasesResult | null;
  /** Closings (last three words) tested by paired presence; null before result version 3. */
  closings: PhrasesResult | null;
  /** Clusters of per-prompt changes; null before version 3 or with too few paired prompts. */
  changes: ChangesResult | null;
  /** Features per prompt category; null when prompts have no categories (or before version 3). */
  categories: CategoryResult[] | null;
  params: ComparisonParams;
  counts: ComparisonCounts;
}
