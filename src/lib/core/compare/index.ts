/** The public API of core/compare: the A-vs-B comparison statistics and their result types. */
export type * from './result-types';
export {
  compareAnswers,
  comparisonInputFromRun,
  comparisonParams,
  type ComparisonInput,
  type ComparisonOptions,
} from './compare';
export {
  pairedDesign,
  answerDesignInput,
  requireBothSides,
  type PairedDesign,
  type AnswerDesignInput,
} from './design';
export {
  permutationTest,
  WithinPromptPermuter,
  DEFAULT_PERMUTATIONS,
  type PermutationStatistic,
  type PermutationOptions,
  type PermutationResult,
} from './permutation';
export { bhQValues, bhQValuesNullable } from './fdr';
export {
  compareClusters,
  compactLabels,
  ShareDifferenceStatistic,
  type ClusterShare,
  type ClusterCompareOptions,
} from './clusters';
export {
  shareDifferenceIntervals,
  quantileSorted,
  DEFAULT_BOOTSTRAP,
  type ShareBootstrapOptions,
  type ShareIntervals,
} from './share-bootstrap';
export { rowDistance, pairwiseDistances, type DistanceMetric } from './distances';
export {
  energyTest,
  energyDistance,
  EnergyStatistic,
  DEFAULT_ENERGY_MAX_ANSWERS,
  type EnergyOptions,
  type EnergyResult,
} from './energy';
export { promptDivergence, type PromptDivergence } from './divergence';
export {
  compareFeatures,
  pairedDifferences,
  type FeatureColumn,
  type FeatureComparison,
} from './features';
export { wilcoxonSignedRank, WILCOXON_EXACT_MAX_N, type WilcoxonResult } from './wilcoxon';
export { erfc, normalCdf, normalSf } from './normal';
export { exactMcNemarP, normalQuantile, signedNormalScore } from './mcnemar';
export { wordPresence, MIN_TERM_ANSWERS, type WordPresenceOptions } from './word-presence';
export { medoidExemplars, type ClusterExemplars, type MedoidOptions } from './cluster-medoids';
