/**
 * The comparison result: plain JSON (no typed arrays, no NaN; "not computable" is null), shaped
 * to map one-to-one onto REPORT.json:
 *   overall  -> {method, statistic, pValue, ...}
 *   clusters -> [{id, size, countA, countB, shareA, shareB, pValue, qValue, terms, exemplars, ...}]
 *   features -> [{name, meanA, meanB, effect, pValue, qValue, ...}]
 *   words    -> {moreInA: [{term, z, ...}], moreInB: [{term, z, ...}]}
 *   prompts  -> [{prompt, divergence, ...}]
 */
import type { ClusterShare } from './clusters';
import type { DistanceMetric } from './distances';

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
  /** Top c-TF-IDF terms. */
  terms: string[];
  /** Texts of the answers nearest the cluster centroid, per side. */
  exemplars: { a: string[]; b: string[] };
  /** Answer indices (into the comparison input) of those exemplars. */
  exemplarAnswers: { a: number[]; b: number[] };
}

/** One style (or other per-answer) feature. */
export interface FeatureResult {
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
  test: 'exact' | 'approx' | null;
}

/** One distinctive word or bigram. */
export interface WordResult {
  term: string;
  /** Log-odds z-score: positive = more in B, negative = more in A. */
  z: number;
  delta: number;
  countA: number;
  countB: number;
}

/** Words that distinguish the sides, strongest first. */
export interface WordsResult {
  moreInA: WordResult[];
  moreInB: WordResult[];
}

/** One prompt's divergence (see divergence.ts for the definitions). */
export interface PromptResult {
  /** Prompt id (or label) from the input. */
  prompt: string;
  promptIndex: number;
  /** Ranking score: cross - noiseFloor when the floor exists, else cross. */
  divergence: number;
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
  /** Most divergent prompt first. */
  prompts: PromptResult[];
  params: ComparisonParams;
  counts: ComparisonCounts;
}
