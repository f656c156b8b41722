/** The results summary's wording on fixed comparison results (pure functions, no DOM). */
import { describe, expect, it } from 'vitest';
import type {
  ClusterResult,
  ComparisonResult,
  FeatureResult,
  WordResult,
} from '../../src/lib/core/compare/result-types';
import { ALPHA, overallSentence, topDifferences } from '../../src/lib/core/report/summary';

/** A cluster whose share moved by `difference` with q-value `q`. */
function cluster(id: number, difference: number, q: number, terms: string[]): ClusterResult {
  return {
    id,
    size: 200,
    countA: 100,
    countB: 100,
    shareA: 0.25,
    shareB: 0.25 + difference,
    difference,
    ciLow: difference - 0.02,
    ciHigh: difference + 0.02,
    pValue: q / 2,
    qValue: q,
    terms,
    noise: id < 0,
    contrastTerms: { a: [], b: [] },
    degenerate: 0,
    exemplars: { a: [], b: [] },
    exemplarAnswers: { a: [], b: [] },
  };
}

/** A style feature with means A and B and q-value `q` (null: not computable). */
function feature(name: string, meanA: number, meanB: number, q: number | null): FeatureResult {
  return {
    name,
    meanA,
    meanB,
    effect: q === null ? null : 0.3,
    meanDifference: meanB - meanA,
    pValue: q,
    qValue: q,
    nPairs: 400,
    nZeros: 0,
    test: q === null ? null : 'approx',
  };
}

/** A presence-tested word: `countA` vs `countB` answers contain it, with q-value `q`. */
const word = (term: string, z: number, q = 0.001): WordResult => ({
  term,
  z,
  countA: z > 0 ? 2 : 30,
  countB: z > 0 ? 30 : 2,
  pValue: q / 2,
  qValue: q,
});

/** A fixed comparison of 400 prompts; `overrides` replace top-level fields. */
function fixed(overrides: Partial<ComparisonResult> = {}): ComparisonResult {
  return {
    overall: {
      method: 'energy',
      statistic: 0.012845,
      pValue: 0.001,
      metric: 'cosine',
      nPermutations: 999,
      nAnswers: 800,
      subsampled: false,
    },
    clusters: [
      cluster(0, -0.1, 0.03, ['recipe', 'cups', 'flour', 'oven', 'bake']),
      cluster(1, 0.125, 0.001, ['certainly', 'happy', 'help']),
      cluster(2, 0.01, 0.6, ['code']),
      // HDBSCAN noise never counts as a difference, however small its q.
      cluster(-1, 0.2, 0.0001, ['noise']),
    ],
    features: [
      feature('length_tokens', 120.5, 180.25, 0.01),
      feature('questions', 0.4, 0.1, 0.049),
      feature('emoji', 0, 0, null),
      feature('lists', 1, 1.1, ALPHA),
    ],
    words: {
      test: 'mcnemar-exact',
      tested: 120,
      minAnswers: 5,
      moreInA: [word('okay', -4, 0.02), word('sure', -3, 0.3)],
      moreInB: ['certainly', 'glad', 'happy', 'note', 'hope', 'please'].map((t, i) =>
        word(t, 9 - i, 0.001 * (i + 1)),
      ),
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
      nBootstrap: 200,
      confidence: 0.95,
      energyMetric: 'cosine',
      energyMaxAnswers: 2000,
      divergenceMetric: 'cosine',
      priorScale: 1,
      minWordCount: 3,
      topWords: 20,
      topTerms: 8,
      exemplarsPerSide: 3,
    },
    counts: { answers: 800, answersA: 400, answersB: 400, prompts: 400, pairedPrompts: 400 },
    ...overrides,
  };
}

describe('overallSentence', () => {
  it('says B differs, with the statistic to 4 places and the p-value, when p < 0.05', () => {
    expect(overallSentence(fixed())).toBe(
      "B's answers differ from A's (energy distance 0.0128, within-prompt permutation p = 0.001).",
    );
  });

  it('says no difference was detected when p >= 0.05, and writes tiny p-values in e-notation', () => {
    const c = fixed();
    expect(overallSentence({ ...c, overall: { ...c.overall, pValue: 0.05 } })).toBe(
      "No overall difference between A's and B's answers was detected (energy distance 0.0128, within-prompt permutation p = 0.050).",
    );
    expect(overallSentence({ ...c, overall: { ...c.overall, pValue: 0.0002 } })).toContain(
      'p = 2.0e-4',
    );
  });
});

describe('topDifferences', () => {
  it('ranks significant clusters and features by q, then the words of each side', () => {
    expect(topDifferences(fixed(), 10)).toEqual([
      {
        kind: 'cluster',
        ref: '1',
        q: 0.001,
        text: "B gives more answers like cluster 1 (certainly, happy, help): 37.5% of B's answers vs 25.0% of A's.",
      },
      {
        kind: 'feature',
        ref: 'length_tokens',
        q: 0.01,
        text: 'length_tokens: higher in B (mean 120.50 → 180.25).',
      },
      {
        kind: 'cluster',
        ref: '0',
        q: 0.03,
        text: "A gives more answers like cluster 0 (recipe, cups, flour, oven): 25.0% of A's answers vs 15.0% of B's.",
      },
      {
        kind: 'feature',
        ref: 'questions',
        q: 0.049,
        text: 'Questions asked: lower in B (mean 0.40 → 0.10).',
      },
      {
        kind: 'word',
        ref: 'B',
        q: 0.001,
        text: "B's answers more often contain “certainly” (in 2 of A's answers vs 30 of B's, q = 0.001); “glad” (in 2 of A's answers vs 30 of B's, q = 0.002); “happy” (in 2 of A's answers vs 30 of B's, q = 0.003).",
      },
      {
        kind: 'word',
        ref: 'A',
        q: 0.02,
        text: "A's answers more often contain “okay” (in 30 of A's answers vs 2 of B's, q = 0.020).",
      },
    ]);
  });

  it('words a feature by its primary measure: a rate that falls while the count rises is lower', () => {
    const c = fixed();
    const hedges: FeatureResult = {
      ...feature('hedges', 1.2, 2.9, 0.001),
      effect: -0.6,
      measure: 'rate',
      shareA: 0.5,
      shareB: 0.7,
      per100wA: 2.4,
      per100wB: 1.1,
      medianA: 1,
      medianB: 2,
      rateOpposesCount: true,
    };
    const refusals: FeatureResult = {
      ...feature('refusals', 0.2, 0.02, 0.002),
      effect: -0.8,
      measure: 'presence',
      shareA: 0.2,
      shareB: 0.02,
    };
    const found = topDifferences({ ...c, clusters: [], features: [hedges, refusals] }, 10);
    expect(found.filter((f) => f.kind === 'feature').map((f) => f.text)).toEqual([
      'Hedging phrases: lower in B (2.40 vs 1.10 per 100 words; the count per answer moves the other way (more in B: mean 1.20 → 2.90), from answer length).',
      "Refusals (declines the task): lower in B (20% of A's answers vs 2% of B's).",
    ]);
  });

  it('quotes no word whose q is not significant', () => {
    const c = fixed();
    const quiet = {
      ...c,
      words: { ...c.words, moreInA: [word('sure', -3, 0.3)], moreInB: [word('glad', 3, 0.06)] },
    };
    expect(topDifferences(quiet, 10).filter((d) => d.kind === 'word')).toEqual([]);
  });

  it('lists the top log-odds words, without q, of an analysis saved before presence testing', () => {
    const c = fixed();
    const legacy = {
      ...c,
      words: { ...c.words, test: 'log-odds' as const, tested: 0, minAnswers: 0 },
    };
    expect(topDifferences(legacy, 10).filter((d) => d.kind === 'word')).toEqual([
      {
        kind: 'word',
        ref: 'B',
        q: null,
        text: 'Words B uses more: certainly, glad, happy, note, hope.',
      },
      { kind: 'word', ref: 'A', q: null, text: 'Words A uses more: okay, sure.' },
    ]);
  });

  it('keeps at most `limit` lines (6 by default), dropping words first', () => {
    expect(topDifferences(fixed(), 4).map((d) => d.kind)).toEqual([
      'cluster',
      'feature',
      'cluster',
      'feature',
    ]);
    expect(topDifferences(fixed())).toHaveLength(6);
  });

  it('gives only words, or nothing, when no test is significant', () => {
    const c = fixed();
    const none = {
      ...c,
      clusters: c.clusters.filter((cl) => cl.qValue >= ALPHA && cl.id >= 0),
      features: c.features.filter((f) => f.qValue === null || f.qValue >= ALPHA),
    };
    expect(topDifferences(none).map((d) => d.kind)).toEqual(['word', 'word']);
    expect(topDifferences({ ...none, words: { ...none.words, moreInA: [], moreInB: [] } })).toEqual(
      [],
    );
  });
});
