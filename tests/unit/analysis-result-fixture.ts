/**
 * A small, hand-made analysis result of the current version for a run's answers: every field
 * the results view reads, consistent with each other (rows, labels, projection, tree), so
 * storage and run-file tests can carry realistic analyses without running the pipeline.
 * analysis-result-schema.test.ts checks real pipeline output against the same schema.
 */
import { createHash } from 'node:crypto';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import { analysisParams } from '../../src/lib/core/analysis/params';
import type { Answer } from '../../src/lib/core/run/types';

/** Hex SHA-256 of a text, as the app's textHash computes it (synchronously, for fixtures). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A consistent current-version result over `answers`, two clusters alternating by answer. */
export function fakeAnalysisResult(answers: readonly Answer[]): AnalysisResult {
  const n = answers.length;
  const answersA = answers.filter((a) => a.side === 'A').length;
  const cluster = (id: number) => ({
    id,
    size: Math.ceil((n - id) / 2),
    countA: 1,
    countB: 1,
    shareA: 0.5,
    shareB: 0.5,
    difference: 0,
    ciLow: -0.2,
    ciHigh: 0.2,
    pValue: 1,
    qValue: 1,
    terms: ['explain'],
    noise: false,
    contrastTerms: { a: [], b: [] },
    degenerate: 0,
    exemplars: { a: [answers[0]?.text ?? ''], b: [] },
    exemplarAnswers: { a: [0], b: [] },
  });
  const merges = new Float64Array(4 * Math.max(0, n - 1));
  return {
    version: 3,
    params: analysisParams({ projection: 'pca', k: 2 }),
    n: { prompts: new Set(answers.map((a) => a.promptId)).size, answersA, answersB: n - answersA },
    rows: answers.map((a) => ({ promptId: a.promptId, side: a.side, sample: a.sample })),
    projection: new Float32Array(2 * n).map((_, i) => i / 10),
    labels: Int32Array.from(answers, (_, i) => i % 2),
    clustering: {
      method: 'kmeans',
      k: 2,
      silhouettes: [{ k: 2, silhouette: 0.3 }],
      noise: 0,
      stability: null,
      silhouette: 0.3,
    },
    tree: n > 0 ? { n, merges } : null,
    comparison: {
      overall: {
        method: 'energy',
        statistic: 0.01,
        pValue: 0.4,
        metric: 'euclidean',
        nPermutations: 199,
        nAnswers: n,
        subsampled: false,
      },
      clusters: [cluster(0), cluster(1)],
      features: [
        {
          name: 'lengthWords',
          meanA: 3,
          meanB: 3,
          effect: null,
          meanDifference: 0,
          pValue: null,
          qValue: null,
          nPairs: 3,
          nZeros: 3,
          test: null,
        },
      ],
      words: {
        test: 'mcnemar-exact',
        tested: 4,
        minAnswers: 5,
        moreInA: [],
        moreInB: [{ term: 'b', z: 2.1, countA: 0, countB: 3, pValue: 0.03, qValue: 0.12 }],
      },
      wordsLogOdds: {
        moreInA: [],
        moreInB: [{ term: 'b', z: 2.1, delta: 0.5, countA: 0, countB: 3 }],
      },
      prompts: [
        {
          prompt: answers[0]?.promptId ?? 'p',
          promptIndex: 0,
          divergence: 0.1,
          cross: 0.1,
          withinA: null,
          withinB: null,
          noiseFloor: null,
          adjusted: false,
          nA: 1,
          nB: 1,
          lengthRatio: 1,
          divergenceAdjusted: 0,
          answers: { a: answers[0]?.text ?? '', b: '' },
        },
      ],
      openings: {
        test: 'mcnemar-exact',
        tested: 2,
        moreInA: [],
        moreInB: [
          { text: 'certainly here are', z: 2.2, countA: 0, countB: 4, pValue: 0.03, qValue: 0.06 },
        ],
      },
      closings: { test: 'mcnemar-exact', tested: 0, moreInA: [], moreInB: [] },
      changes: {
        method: 'split-half',
        k: 2,
        silhouette: 0.2,
        nPrompts: 3,
        clusters: [
          {
            id: 0,
            n: 2,
            promptIds: [answers[0]?.promptId ?? 'p'],
            terms: { added: ['hope'], removed: [] },
            detectors: [{ name: 'numbered_items', delta: 0.5 }],
            examples: [{ promptId: answers[0]?.promptId ?? 'p', a: 'x', b: 'y' }],
            pValue: 0.2,
            qValue: 0.4,
          },
        ],
      },
      categories: [
        {
          name: 'coding',
          n: 3,
          features: [{ name: 'refusals', shareA: 0, shareB: 0.5, pValue: 0.5, qValue: 0.5 }],
        },
      ],
      params: {
        seed: 1,
        nPermutations: 199,
        nBootstrap: 200,
        confidence: 0.95,
        energyMetric: 'euclidean',
        energyMaxAnswers: 2000,
        divergenceMetric: 'cosine',
        priorScale: 0.01,
        minWordCount: 3,
        topWords: 20,
        topTerms: 8,
        exemplarsPerSide: 3,
      },
      counts: {
        answers: n,
        answersA,
        answersB: n - answersA,
        prompts: 3,
        pairedPrompts: 3,
      },
    },
    timings: { project: 0.1, cluster: 0.1 },
  };
}

/**
 * The same result as saved by result version 2 (before openings, closings, clusters of change
 * and categories).
 */
export function asVersion2Result(result: AnalysisResult): unknown {
  const {
    openings: _o,
    closings: _c,
    changes: _ch,
    categories: _ca,
    ...comparison
  } = result.comparison;
  return { ...result, version: 2, comparison };
}

/**
 * The same result as saved by result version 1 (before words were tested by presence): its
 * words were the per-token log-odds, it had no `wordsLogOdds`, and its prompts had no length
 * ratio, length-adjusted divergence or opening lines.
 */
export function asVersion1Result(result: AnalysisResult): unknown {
  const { wordsLogOdds, ...comparison } = (asVersion2Result(result) as AnalysisResult).comparison;
  const prompts = comparison.prompts.map(
    ({ lengthRatio: _r, divergenceAdjusted: _d, answers: _a, ...prompt }) => prompt,
  );
  const clusters = comparison.clusters.map(
    ({ noise: _n, contrastTerms: _c, degenerate: _g, ...cluster }) => cluster,
  );
  const features = comparison.features.map(
    ({
      measure: _m,
      presenceTest: _t,
      shareA: _sa,
      shareB: _sb,
      per100wA: _ra,
      per100wB: _rb,
      medianA: _ma,
      medianB: _mb,
      rateOpposesCount: _o,
      ...feature
    }) => feature,
  );
  const { silhouette: _s, ...clustering } = result.clustering;
  return {
    ...result,
    version: 1,
    clustering,
    comparison: {
      ...comparison,
      clusters,
      prompts,
      features,
      words: wordsLogOdds ?? { moreInA: [], moreInB: [] },
    },
  };
}
