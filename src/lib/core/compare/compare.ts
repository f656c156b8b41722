/**
 * The whole comparison of A's and B's answers in one call: overall energy test, per-cluster
 * shares, per-prompt divergence, distinctive words, style features, cluster descriptions.
 * Seeded: the same input and options give the same result, bit for bit.
 */
import type { Answer, Prompt, Side } from '../run/types';
import type { Matrix } from '../vectors/matrix';
import { clusterTerms } from '../text/cluster-terms';
import { isDegenerateAnswer } from '../text/degenerate-answer';
import { distinctiveTerms } from '../text/log-odds';
import { FEATURE_MEASURES, STYLE_FEATURE_NAMES, styleFeatureColumns } from '../text/style-features';
import { categoryFeatures } from './category-features';
import { changeClusters } from './change-clusters';
import { compactLabels, compareClusters } from './clusters';
import { answerDesignInput, pairedDesign, requireBothSides } from './design';
import { promptDivergence } from './divergence';
import { lengthAdjustedDivergence } from './length-adjusted-divergence';
import { DEFAULT_ENERGY_MAX_ANSWERS, energyTest } from './energy';
import { medoidExemplars } from './cluster-medoids';
import { openingsAndClosings } from './openings-closings';
import { compareFeatureMeasures, type MeasuredFeatureColumn } from './feature-measures';
import type { FeatureColumn } from './features';
import { DEFAULT_PERMUTATIONS } from './permutation';
import type { ComparisonParams, ComparisonResult } from './result-types';
import { wordPresence } from './word-presence';
import { DEFAULT_BOOTSTRAP } from './share-bootstrap';

/** What the comparison needs, one entry per answer (except `prompts`). */
export interface ComparisonInput {
  /** Prompt ids (or labels), indexed by prompt index. */
  prompts: readonly string[];
  promptIndex: ArrayLike<number>;
  sides: ArrayLike<Side>;
  /** Cluster label of each answer (-1 = noise). */
  labels: ArrayLike<number>;
  /** Unit-normalised embeddings, one row per answer. */
  vectors: Matrix;
  texts: readonly string[];
  /** Prompt texts, indexed by prompt index (for the detectors that read the prompt). */
  promptTexts?: readonly string[];
  /** Prompt categories, indexed by prompt index (alpaca_eval's `dataset`), when prompts have them. */
  promptCategories?: readonly (string | undefined)[];
}

/** Options of `compareAnswers`; every field has a default (see ComparisonParams in the result). */
export interface ComparisonOptions extends Partial<ComparisonParams> {
  /** Extra per-answer features compared like the style features. */
  extraFeatures?: readonly FeatureColumn[];
  /** Called before each stage, e.g. to report progress from a worker. */
  onStage?: (
    stage: 'clusters' | 'energy' | 'prompts' | 'words' | 'features' | 'changes' | 'describe',
  ) => void;
}

/** Fills in the defaults of the comparison parameters. */
export function comparisonParams(options: ComparisonOptions = {}): ComparisonParams {
  return {
    seed: options.seed ?? 1,
    nPermutations: options.nPermutations ?? DEFAULT_PERMUTATIONS,
    nBootstrap: options.nBootstrap ?? DEFAULT_BOOTSTRAP,
    confidence: options.confidence ?? 0.95,
    energyMetric: options.energyMetric ?? 'euclidean',
    energyMaxAnswers: options.energyMaxAnswers ?? DEFAULT_ENERGY_MAX_ANSWERS,
    divergenceMetric: options.divergenceMetric ?? 'cosine',
    priorScale: options.priorScale ?? 1,
    minWordCount: options.minWordCount ?? 3,
    topWords: options.topWords ?? 20,
    topTerms: options.topTerms ?? 10,
    exemplarsPerSide: options.exemplarsPerSide ?? 3,
  };
}

/** Builds the comparison input from run prompts and answers (same order as labels and vectors). */
export function comparisonInputFromRun(
  prompts: readonly Prompt[],
  answers: readonly Answer[],
  labels: ArrayLike<number>,
  vectors: Matrix,
): ComparisonInput {
  const { promptIds, promptIndex, sides } = answerDesignInput(prompts, answers);
  return {
    prompts: promptIds,
    promptIndex,
    sides,
    labels,
    vectors,
    texts: answers.map((a) => a.text),
    promptTexts: prompts.map((p) => p.text),
    promptCategories: prompts.map((p) => p.category),
  };
}

/**
 * Runs every comparison statistic.
 * Throws when input lengths disagree or one side has no answers.
 */
export function compareAnswers(
  input: ComparisonInput,
  options: ComparisonOptions = {},
): ComparisonResult {
  const params = comparisonParams(options);
  const stage = options.onStage ?? (() => {});
  const n = input.promptIndex.length;
  if (input.vectors.rows !== n || input.labels.length !== n || input.texts.length !== n) {
    throw new Error(
      `compareAnswers: ${n} answers but ${input.vectors.rows} vectors, ${input.labels.length} labels, ${input.texts.length} texts`,
    );
  }
  const design = pairedDesign(input.promptIndex, input.sides, input.prompts.length);
  requireBothSides(design, 'compareAnswers');
  const { seed } = params;

  stage('clusters');
  const shares = compareClusters(design, input.labels, {
    seed,
    nPermutations: params.nPermutations,
    nBootstrap: params.nBootstrap,
    confidence: params.confidence,
  });

  stage('energy');
  const energy = energyTest(input.vectors, design, {
    seed: seed + 1,
    metric: params.energyMetric,
    nPermutations: params.nPermutations,
    maxAnswers: params.energyMaxAnswers,
  });

  stage('prompts');
  const prompts = lengthAdjustedDivergence(
    promptDivergence(input.vectors, design, params.divergenceMetric),
    design,
    input.texts,
  ).map((d) => ({ prompt: input.prompts[d.promptIndex]!, ...d }));

  stage('words');
  const textsA: string[] = [];
  const textsB: string[] = [];
  input.texts.forEach((t, i) => (design.isB[i] ? textsB : textsA).push(t));
  const words = wordPresence(design, input.texts, {
    seed: seed + 2,
    nPermutations: params.nPermutations,
    topK: params.topWords,
  });
  const phrases = openingsAndClosings(design, input.texts, {
    seed: seed + 4,
    nPermutations: params.nPermutations,
    topK: params.topWords,
  });
  const wordsLogOdds = distinctiveTerms(textsA, textsB, {
    priorScale: params.priorScale,
    minCount: params.minWordCount,
    topK: params.topWords,
  });

  stage('features');
  const promptTexts = input.promptTexts;
  const style = styleFeatureColumns(
    input.texts,
    promptTexts && Array.from(input.promptIndex, (p) => promptTexts[p] ?? ''),
  );
  // Extra features are tested on their values as they are (like length).
  const columns: MeasuredFeatureColumn[] = [
    ...STYLE_FEATURE_NAMES.map((name) => ({
      name,
      values: style[name],
      measure: FEATURE_MEASURES[name],
    })),
    ...(options.extraFeatures ?? []).map((c) => ({ ...c, measure: 'length' as const })),
  ];
  const features = compareFeatureMeasures(design, columns, style.length_words, {
    seed: seed + 3,
    nPermutations: params.nPermutations,
  });

  const categories = input.promptCategories
    ? categoryFeatures(design, input.promptCategories, columns, style.length_words, {
        seed: seed + 5,
        nPermutations: params.nPermutations,
      })
    : null;

  stage('changes');
  const changes = changeClusters(
    {
      design,
      vectors: input.vectors,
      texts: input.texts,
      promptIds: input.prompts,
      features: columns,
      wordCounts: style.length_words,
    },
    { seed: seed + 6, nPermutations: params.nPermutations },
  );

  stage('describe');
  const { ids, index } = compactLabels(input.labels);
  // styleFeatures already ran the loop check on every answer (repetition_loops).
  const degenerate = input.texts.map((t, i) =>
    isDegenerateAnswer(t, style.repetition_loops[i] === 1),
  );
  // Noise answers name nothing: they are left out of the terms (class -1).
  const termClass = Int32Array.from(index, (c) => (ids[c]! < 0 ? -1 : c));
  const terms = clusterTerms(input.texts, termClass, design.isB, ids.length, {
    topK: params.topTerms,
  });
  const exemplars = medoidExemplars(input.vectors, input.labels, design.isB, {
    perSide: params.exemplarsPerSide,
    texts: input.texts,
    excluded: degenerate,
  });
  const degenerateCount = new Int32Array(ids.length);
  degenerate.forEach((d, i) => {
    if (d) degenerateCount[index[i]!]!++;
  });
  // compareClusters, compactLabels and medoidExemplars all order clusters by label.
  const clusters = shares.map((s, c) => {
    const ex = exemplars[c]!;
    return {
      ...s,
      noise: s.id < 0,
      terms: terms[c]!.terms,
      contrastTerms: terms[c]!.contrastTerms,
      degenerate: degenerateCount[c]!,
      exemplars: { a: ex.a.map((i) => input.texts[i]!), b: ex.b.map((i) => input.texts[i]!) },
      exemplarAnswers: { a: ex.a, b: ex.b },
    };
  });

  let paired = 0;
  // Stryker disable next-line EqualityOperator: bCount[nPrompts] is undefined, and undefined > 0 is false
  for (let p = 0; p < design.nPrompts; p++) {
    const size = design.groupStart[p + 1]! - design.groupStart[p]!;
    if (design.bCount[p]! > 0 && design.bCount[p]! < size) paired++;
  }
  return {
    overall: {
      method: energy.method,
      statistic: energy.statistic,
      pValue: energy.pValue,
      metric: energy.metric,
      nPermutations: energy.nPermutations,
      nAnswers: energy.nAnswers,
      subsampled: energy.subsampled,
    },
    clusters,
    features,
    words,
    wordsLogOdds,
    prompts,
    openings: phrases.openings,
    closings: phrases.closings,
    changes,
    categories,
    params,
    counts: {
      answers: n,
      answersA: design.nA,
      answersB: design.nB,
      prompts: design.nPrompts,
      pairedPrompts: paired,
    },
  };
}
