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
  /** Secondary per-token view of the words (log-odds); null when not computed. */
  wordsLogOdds: LogOddsWordsResult | null;
  /** Most divergent prompt first. */
  prompts: PromptResult[];
  params: ComparisonParams;
  counts: ComparisonCounts;
}
