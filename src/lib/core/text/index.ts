/** The public API of core/text: tokenising, keyword statistics and style features. */
export { STOP_WORDS, isStopWord } from './stop-words';
export {
  normalizeText,
  words,
  segmentWords,
  terms,
  countTerms,
  type TermOptions,
} from './tokenize';
export {
  distinctiveTerms,
  logOddsFromCounts,
  topByDirection,
  type DistinctiveTerms,
  type LogOddsOptions,
  type LogOddsTerm,
} from './log-odds';
export {
  STYLE_FEATURE_NAMES,
  styleFeatures,
  styleFeatureColumns,
  type StyleFeatureName,
  type StyleFeatures,
} from './style-features';
export { ctfidfFromCounts, ctfidfTopTerms, type CtfidfOptions, type ScoredTerm } from './ctfidf';
