/** The summary's sentences on fixed comparison results: what a user reads first must be right. */
import { describe, expect, it } from 'vitest';
import type { ComparisonResult } from '../../src/lib/core/compare/result-types';
import { overallSentence, topDifferences } from '../../src/lib/core/report/summary';

function comparison(pValue: number, overrides: Partial<ComparisonResult> = {}): ComparisonResult {
  const cluster = (id: number, difference: number, qValue: number, terms: string[]) => ({
    id,
    size: 100,
    countA: 50,
    countB: 50,
    shareA: 0.5 - difference / 2,
    shareB: 0.5 + difference / 2,
    difference,
    ciLow: difference - 0.05,
    ciHigh: difference + 0.05,
    pValue: qValue,
    qValue,
    terms,
    noise: id < 0,
    contrastTerms: { a: [], b: [] },
    degenerate: 0,
    exemplars: { a: [], b: [] },
    exemplarAnswers: { a: [], b: [] },
  });
  const feature = (name: string, meanA: number, meanB: number, qValue: number | null) => ({
    name,
    meanA,
    meanB,
    effect: qValue === null ? null : 0.5,
    meanDifference: meanB - meanA,
    pValue: qValue,
    qValue,
    nPairs: 40,
    nZeros: 0,
    test: 'approx' as const,
  });
  return {
    overall: {
      method: 'energy',
      statistic: 0.01284,
      pValue,
      metric: 'euclidean',
      nPermutations: 999,
      nAnswers: 1610,
      subsampled: false,
    },
    clusters: [
      cluster(0, -0.124, 0.002, ['recipe', 'cups', 'flour', 'oven', 'bake']),
      cluster(1, 0.2, 0.0004, ['sorry', 'cannot']),
      cluster(-1, 0.3, 0.001, ['noise']),
    ],
    features: [
      feature('length_words', 263.34, 415.94, 1e-10),
      feature('emoji', 0.1, 0.2, 0.2),
      feature('headings', 0, 0, null),
    ],
    words: {
      test: 'mcnemar-exact',
      tested: 200,
      minAnswers: 5,
      moreInA: [{ term: 'let', z: -8.7, countA: 90, countB: 10, pValue: 1e-18, qValue: 1e-16 }],
      moreInB: [
        { term: 'please', z: 5, countA: 10, countB: 90, pValue: 1e-6, qValue: 1e-5 },
        { term: 'maybe', z: 1, countA: 10, countB: 14, pValue: 0.3, qValue: 0.6 },
      ],
    },
    wordsLogOdds: null,
    openings: null,
    closings: null,
    changes: null,
    categories: null,
    prompts: [],
    params: {
      seed: 1,
      nPermutations: 999,
      nBootstrap: 2000,
      confidence: 0.95,
      energyMetric: 'euclidean',
      energyMaxAnswers: 2000,
      divergenceMetric: 'cosine',
      priorScale: 1,
      minWordCount: 3,
      topWords: 20,
      topTerms: 10,
      exemplarsPerSide: 3,
    },
    counts: { answers: 1610, answersA: 805, answersB: 805, prompts: 805, pairedPrompts: 805 },
    ...overrides,
  };
}

describe('summary wording', () => {
  it('says B differs when the overall test rejects, with the statistic and p-value', () => {
    expect(overallSentence(comparison(0.001))).toBe(
      "B's answers differ from A's (energy distance 0.0128, within-prompt permutation p = 0.001).",
    );
  });

  it('says no difference was detected otherwise, never that there is none', () => {
    expect(overallSentence(comparison(0.37))).toBe(
      "No overall difference between A's and B's answers was detected (energy distance 0.0128, within-prompt permutation p = 0.370).",
    );
    expect(overallSentence(comparison(0.00002))).toContain('p = 2.0e-5');
  });

  it('ranks significant clusters and features by q, skips noise and non-significant ones, then words', () => {
    const lines = topDifferences(comparison(0.001)).map((d) => d.text);
    expect(lines).toEqual([
      'Answer length (words): higher in B (mean 263.34 → 415.94).',
      "B gives more answers like cluster 1 (sorry, cannot): 60.0% of B's answers vs 40.0% of A's.",
      "A gives more answers like cluster 0 (recipe, cups, flour, oven): 56.2% of A's answers vs 43.8% of B's.",
      "B's answers more often contain “please” (in 10 of A's answers vs 90 of B's, q = 1.0e-5).",
      "A's answers more often contain “let” (in 90 of A's answers vs 10 of B's, q = 1.0e-16).",
    ]);
  });

  it('caps the list and says nothing about clusters when none is significant', () => {
    const quiet = comparison(0.5, {
      clusters: [],
      features: [],
      words: { test: 'mcnemar-exact', tested: 0, minAnswers: 5, moreInA: [], moreInB: [] },
    });
    expect(topDifferences(quiet)).toEqual([]);
    expect(topDifferences(comparison(0.001), 2)).toHaveLength(2);
  });
});
