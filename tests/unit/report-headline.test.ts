/**
 * The headline on constructed comparison results: what it claims, in which order, with which
 * numbers, and that its claims are controlled together (one BH family over every section).
 */
import { describe, expect, it } from 'vitest';
import type {
  ChangeCluster,
  ClusterResult,
  ComparisonResult,
  FeatureResult,
  PhraseResult,
  WordResult,
} from '../../src/lib/core/compare/result-types';
import { toReportJson } from '../../src/lib/core/analysis/report-json';
import { escapeHtml } from '../../src/lib/core/report/escape-html';
import {
  fewestDetectablePrompts,
  headline,
  headlineParts,
} from '../../src/lib/core/report/headline';
import { createRng } from '../../src/lib/core/vectors/random';
import type { Answer } from '../../src/lib/core/run/types';
import { fakeAnalysisResult } from './analysis-result-fixture';

const N = 400;

/** A cluster whose share moved by `difference`, with raw p-value `p`. */
function cluster(id: number, difference: number, p: number, terms: string[] = []): ClusterResult {
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
    pValue: p,
    qValue: p,
    terms,
    noise: id < 0,
    contrastTerms: { a: [], b: [] },
    degenerate: 0,
    exemplars: { a: [], b: [] },
    exemplarAnswers: { a: [], b: [] },
  };
}

/** A feature on its primary measure with raw p-value `p` (its own q set to p). */
function feature(name: string, p: number | null, fields: Partial<FeatureResult>): FeatureResult {
  return {
    name,
    meanA: 1,
    meanB: 1,
    effect: 0.3,
    meanDifference: 0,
    pValue: p,
    qValue: p,
    nPairs: N,
    nZeros: 0,
    test: 'approx',
    ...fields,
  };
}

/** Length in words: medians 52 -> 136 (2.6x), rank-biserial 0.8. */
const longer = (p = 1e-40): FeatureResult =>
  feature('length_words', p, {
    measure: 'length',
    effect: 0.8,
    meanA: 60,
    meanB: 150,
    medianA: 52,
    medianB: 136,
    shareA: 1,
    shareB: 1,
    per100wA: 100,
    per100wB: 100,
  });

/** Numbered-list items per 100 words 0.4 -> 2.1, in 10% -> 49% of answers. */
const lists = (p = 1e-12): FeatureResult =>
  feature('numbered_items', p, {
    measure: 'rate',
    effect: 0.35,
    shareA: 0.1,
    shareB: 0.49,
    per100wA: 0.4,
    per100wB: 2.1,
    medianA: 0,
    medianB: 0,
  });

/** Tables in 3% -> 12% of answers (a presence detector). */
const tables = (p = 1e-6): FeatureResult =>
  feature('tables', p, {
    measure: 'presence',
    effect: 0.09,
    shareA: 0.03,
    shareB: 0.12,
    per100wA: 0,
    per100wB: 0,
    medianA: 0,
    medianB: 0,
  });

/** A presence-tested term with raw p-value `p`. */
const word = (term: string, countA: number, countB: number, p: number): WordResult => ({
  term,
  z: countB > countA ? 5 : -5,
  countA,
  countB,
  pValue: p,
  qValue: p,
});

/** An opening or closing with raw p-value `p`. */
const phrase = (text: string, countA: number, countB: number, p: number): PhraseResult => ({
  text,
  z: countB > countA ? 5 : -5,
  countA,
  countB,
  pValue: p,
  qValue: p,
});

/** A cluster of changes over `n` of the 400 prompts with raw p-value `p`. */
const change = (id: number, n: number, p: number | null): ChangeCluster => ({
  id,
  n,
  promptIds: Array.from({ length: n }, (_, i) => `p${i}`),
  terms: { added: ['hope', 'this', 'helps'], removed: ['sure'] },
  detectors: [
    { name: 'refusals', delta: -0.4 },
    { name: 'hedges', delta: 0.12 },
    { name: 'tables', delta: 0.01 },
  ],
  examples: [],
  pValue: p,
  qValue: p,
});

/** A comparison of 400 paired prompts in which nothing differs; `overrides` replace fields. */
function quiet(overrides: Partial<ComparisonResult> = {}): ComparisonResult {
  return {
    overall: {
      method: 'energy',
      statistic: 0.0009,
      pValue: 0.37,
      metric: 'cosine',
      nPermutations: 999,
      nAnswers: 2 * N,
      subsampled: false,
    },
    clusters: [cluster(0, 0.01, 0.6, ['code']), cluster(1, -0.01, 0.7, ['recipe'])],
    features: [
      feature('questions', 0.4, { measure: 'rate', shareA: 0.2, shareB: 0.2 }),
      feature('emoji', null, { effect: null, test: null }),
    ],
    words: { test: 'mcnemar-exact', tested: 200, minAnswers: 5, moreInA: [], moreInB: [] },
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
    counts: { answers: 2 * N, answersA: N, answersB: N, prompts: N, pairedPrompts: N },
    ...overrides,
  };
}

const ENERGY_MEANING =
  "(energy distance: how far apart the two sides' clouds of answer embeddings are, 0 when A's and B's answers are distributed alike)";

describe('headline claims', () => {
  it('says how much longer B writes, with both medians', () => {
    const lines = headline(quiet({ features: [longer()] }));
    expect(lines[0]).toBe("B's answers are 2.6× longer (median 52 → 136 words).");
    const shorter = { ...longer(), effect: -0.8, medianA: 136, medianB: 52 };
    expect(headline(quiet({ features: [shorter] }))[0]).toBe(
      "B's answers are shorter, 0.38× as long (median 136 → 52 words).",
    );
  });

  it('gives a rate feature per 100 words with the share of answers that have any', () => {
    expect(headline(quiet({ features: [lists()] }))[0]).toBe(
      "B's answers have more numbered-list items per 100 words (2.10 vs 0.40 in A's); some in 49% of B's answers vs 10% of A's.",
    );
  });

  it('says when a rate falls while the count per answer rises, and skips equal shares', () => {
    // Mistral-7B-Instruct vs Snorkel-DPO: fewer numbered-list items per 100 words, more per answer.
    const perWord = {
      ...lists(),
      effect: -0.2,
      per100wA: 1.52,
      per100wB: 1.13,
      meanA: 2.1,
      meanB: 2.9,
      rateOpposesCount: true,
    };
    expect(headline(quiet({ features: [perWord] }))[0]).toBe(
      "B's answers have fewer numbered-list items per 100 words (1.13 vs 1.52 in A's); the count per answer moves the other way (more in B: mean 2.10 → 2.90), from answer length.",
    );
    const everywhere = { ...perWord, rateOpposesCount: false, shareA: 0.999, shareB: 1 };
    expect(headline(quiet({ features: [everywhere] }))[0]).toBe(
      "B's answers have fewer numbered-list items per 100 words (1.13 vs 1.52 in A's).",
    );
  });

  it('gives a presence detector as shares of answers, B first', () => {
    expect(headline(quiet({ features: [tables()] }))[0]).toBe(
      "B uses tables in 12% of its answers vs 3% of A's.",
    );
  });

  it('quotes openings and closings with the answers on each side', () => {
    const openings = {
      test: 'mcnemar-exact' as const,
      tested: 40,
      moreInA: [phrase('sure here is', 40, 3, 1e-9)],
      moreInB: [phrase('certainly here are', 2, 30, 1e-7), phrase('great question', 3, 9, 0.3)],
    };
    const closings = {
      test: 'mcnemar-exact' as const,
      tested: 40,
      moreInA: [],
      moreInB: [phrase('i hope this', 5, 80, 1e-15)],
    };
    const lines = headline(quiet({ openings, closings }));
    expect(lines.slice(0, 3)).toEqual([
      "B more often ends with “i hope this” (80 answers vs 5 of A's).",
      "B less often opens with “sure here is” (3 answers vs 40 of A's).",
      "B more often opens with “certainly here are” (30 answers vs 2 of A's).",
    ]);
    // "great question" is not significant, so it is not quoted.
    expect(lines.join(' ')).not.toContain('great question');
  });

  it('says what a significant cluster of change adds, drops and moves, as the changes section does', () => {
    const changes = {
      method: 'split-half',
      k: 3,
      silhouette: 0.3,
      nPrompts: N,
      clusters: [change(0, 120, 1e-6), change(1, 200, 0.4)],
    };
    const parts = headlineParts(quiet({ changes }));
    expect(parts.claims).toHaveLength(1);
    expect(parts.claims[0]).toMatchObject({ kind: 'change', ref: '0', magnitude: 0.3 });
    expect(parts.claims[0]!.text).toBe(
      'In 120 prompts, B adds “hope”, “this”, “helps” and drops “sure”; refusals (declines the task) −40 pp of answers; hedging phrases +0.12 per 100 words.',
    );
  });

  it('ranks claims by magnitude across sections, not by section or by q', () => {
    const parts = headlineParts(
      quiet({
        clusters: [cluster(0, 0.125, 1e-5, ['certainly', 'happy', 'help']), cluster(-1, 0.5, 1e-9)],
        features: [tables(1e-30), longer(1e-4), lists(1e-4)],
        words: {
          test: 'mcnemar-exact',
          tested: 300,
          minAnswers: 5,
          moreInA: [word('okay', 30, 2, 1e-6)],
          moreInB: [word('note', 4, 123, 1e-20), word('hope', 10, 90, 1e-12)],
        },
      }),
    );
    // length 0.8 (effect), note (119/400), lists 0.35 (effect), cluster 0.125, tables 0.09, okay (28/400).
    expect(parts.claims.map((c) => `${c.kind}:${c.ref}`)).toEqual([
      'feature:length_words',
      'feature:numbered_items',
      'word:B',
      'cluster:0',
      'feature:tables',
      'word:A',
    ]);
    expect(parts.claims[2]!.text).toBe(
      "B's answers more often contain “note” (123 answers vs 4 of A's), “hope” (90 vs 10).",
    );
    expect(parts.claims[3]!.text).toBe(
      "B gives more answers like cluster 0 (certainly, happy, help): 37.5% of B's answers vs 25.0% of A's.",
    );
    // HDBSCAN noise is never a claim, however one-sided.
    expect(parts.claims.some((c) => c.ref === '-1')).toBe(false);
    expect(
      headlineParts(quiet({ features: [tables(), longer(), lists()] }), 2).claims,
    ).toHaveLength(2);
  });

  it('names the category where a claimed feature moves most, among significant ones', () => {
    const categories = [
      {
        name: 'writing',
        n: 200,
        features: [{ name: 'tables', shareA: 0.02, shareB: 0.06, pValue: 0.01, qValue: 0.02 }],
      },
      {
        name: 'coding',
        n: 100,
        features: [{ name: 'tables', shareA: 0.05, shareB: 0.3, pValue: 1e-6, qValue: 1e-5 }],
      },
      // Larger still, but not significant within its category: not named.
      {
        name: 'math',
        n: 20,
        features: [{ name: 'tables', shareA: 0, shareB: 0.4, pValue: 0.2, qValue: 0.3 }],
      },
    ];
    expect(headline(quiet({ features: [tables()], categories }))[0]).toBe(
      "B uses tables in 12% of its answers vs 3% of A's; most in “coding” prompts (5% → 30% of answers).",
    );
    const lengths = [
      {
        name: 'writing',
        n: 200,
        features: [{ name: 'length_words', shareA: 60, shareB: 90, pValue: 1e-9, qValue: 1e-8 }],
      },
      {
        name: 'oasst',
        n: 100,
        features: [{ name: 'length_words', shareA: 284, shareB: 475, pValue: 1e-9, qValue: 1e-8 }],
      },
    ];
    expect(headline(quiet({ features: [longer()], categories: lengths }))[0]).toBe(
      "B's answers are 2.6× longer (median 52 → 136 words); most in “oasst” prompts (mean 284 → 475 words).",
    );
  });

  it('never claims words ranked by log-odds (saved before presence testing: no p-values)', () => {
    const legacy = quiet({
      words: {
        test: 'log-odds',
        tested: 0,
        minAnswers: 0,
        moreInA: [],
        moreInB: [{ term: 'certainly', z: 9, countA: 1, countB: 90, pValue: null, qValue: null }],
      },
    });
    expect(headlineParts(legacy).claims).toEqual([]);
  });
});

describe('the overall line', () => {
  it('says what the energy distance means, with p at the permutation floor as "p ≤"', () => {
    // The overall test alone in the family (no cluster, feature or word tested).
    const c = quiet({
      overall: { ...quiet().overall, statistic: 0.012845, pValue: 0.001 },
      clusters: [],
      features: [],
      words: { ...quiet().words, tested: 0 },
    });
    expect(headline(c)).toEqual([
      `Taken as a whole, B's answers differ from A's: energy distance 0.0128, within-prompt permutation p ≤ 0.001 ${ENERGY_MEANING}.`,
    ]);
  });

  it('claims the overall test at its permutation floor: it carries half the family weight', () => {
    // Unweighted, 0.001 · 204 tests would be far above 0.05; weighted, 0.001 / (204 / 2) · 204.
    const c = quiet({ overall: { ...quiet().overall, statistic: 0.012845, pValue: 0.001 } });
    expect(headline(c)).toEqual([
      `Taken as a whole, B's answers differ from A's: energy distance 0.0128, within-prompt permutation p ≤ 0.001 ${ENERGY_MEANING}.`,
    ]);
  });

  it('says when the overall test passes alone but not among all the tests', () => {
    // p = 0.03 is below 0.05 alone but above the half of ALPHA the overall test carries.
    const c = quiet({ overall: { ...quiet().overall, statistic: 0.012845, pValue: 0.03 } });
    expect(headline(c)).toEqual([
      'No difference reaches q < 0.05 when the 204 tests of the overall test, clusters, features and words are controlled together; with 400 paired prompts, a change seen in fewer than 14 of them cannot reach significance on its own among these tests, so smaller changes may be missed; taken section by section, q < 0.05 is reached by the overall test: leads to check on other prompts, not findings.',
      `Taken as a whole, B's answers differ from A's on this test alone, but not once the 204 tests of the headline are controlled together: energy distance 0.0128, within-prompt permutation p = 0.030 ${ENERGY_MEANING}.`,
    ]);
  });

  it('still claims a significant feature when the overall test is not significant', () => {
    const lines = headline(quiet({ features: [tables()] }));
    expect(lines).toEqual([
      "B uses tables in 12% of its answers vs 3% of A's.",
      `Taken as a whole, the answers' embeddings do not separate B from A: energy distance 0.0009, within-prompt permutation p = 0.370 ${ENERGY_MEANING}.`,
    ]);
    expect(lines.join(' ')).not.toMatch(/no (overall )?difference/i);
  });
});

describe('the overall line in the HTML report', () => {
  it('reads the same there as in the app: nothing in it needs escaping', () => {
    const overall = (pValue: number, tests: number) =>
      headlineParts(
        quiet({
          overall: { ...quiet().overall, pValue },
          words: { ...quiet().words, tested: tests },
        }),
      ).overall;
    // Significant, significant alone only, and not significant.
    for (const line of [overall(0.001, 0), overall(0.001, 2000), overall(0.4, 200)]) {
      expect(escapeHtml(line)).toBe(line);
    }
  });
});

describe('nothing significant', () => {
  it('says so in one honest line with the tests, the prompts and what could be missed', () => {
    const parts = headlineParts(quiet());
    // 1 overall + 2 clusters + 1 feature with a p-value + 200 words.
    expect(parts.tests).toBe(204);
    expect(parts.claims).toEqual([]);
    expect(headline(quiet())).toEqual([
      'No difference reaches q < 0.05 when the 204 tests of the overall test, clusters, features and words are controlled together; with 400 paired prompts, a change seen in fewer than 14 of them cannot reach significance on its own among these tests, so smaller changes may be missed.',
      `Taken as a whole, the answers' embeddings do not separate B from A: energy distance 0.0009, within-prompt permutation p = 0.370 ${ENERGY_MEANING}.`,
    ]);
  });

  it('counts the fewest prompts a change needs: 2 / 2^d ≤ 0.05 / (2 · tests)', () => {
    for (const tests of [1, 204, 6421]) {
      const d = fewestDetectablePrompts(tests);
      expect(2 / 2 ** d).toBeLessThanOrEqual(0.05 / (2 * tests));
      expect(2 / 2 ** (d - 1)).toBeGreaterThan(0.05 / (2 * tests));
    }
    expect(fewestDetectablePrompts(6421)).toBe(19);
  });
});

describe('one family for every claim', () => {
  it('does not claim p-values that pass BH within their section but not jointly', () => {
    // Three features at p = 0.01: q = 0.01 among the features alone, but 0.01 · 1,004 / 3 among
    // the overall test, the 3 features and 1,000 words.
    const c = quiet({
      clusters: [],
      features: ['tables', 'refusals', 'pushback'].map((name) =>
        feature(name, 0.01, { measure: 'presence', shareA: 0.1, shareB: 0.2 }),
      ),
      words: { test: 'mcnemar-exact', tested: 1000, minAnswers: 5, moreInA: [], moreInB: [] },
    });
    expect(c.features.every((f) => f.qValue! < 0.05)).toBe(true);
    const parts = headlineParts(c);
    expect(parts.tests).toBe(1004);
    expect(parts.claims).toEqual([]);
    expect(parts.nothingFound).toMatch(/^No difference reaches q < 0.05 when the 1,004 tests/);
    expect(parts.nothingFound).toContain('q < 0.05 is reached by 3 features: leads to check');
    // Alone (no words tested), the same three features are claimed.
    const alone = headlineParts({ ...c, words: { ...c.words, tested: 0 } });
    expect(alone.claims.map((x) => x.ref)).toEqual(['tables', 'refusals', 'pushback']);
  });

  it('claims something in at most 5% (+3 standard errors) of runs with no difference', () => {
    // Every test of every section uniform under the null, as a calibrated test's p-value is.
    const rng = createRng(9);
    const runs = 400;
    let claimed = 0;
    for (let run = 0; run < runs; run++) {
      const u = () => rng.next();
      const terms = (n: number) =>
        Array.from({ length: n }, (_, i) => word(`w${i}`, 10, 12, u())).sort(
          (x, y) => x.pValue! - y.pValue!,
        );
      const phrases = (n: number) =>
        Array.from({ length: n }, (_, i) => phrase(`p${i}`, 10, 12, u()));
      const c = quiet({
        overall: { ...quiet().overall, pValue: Math.max(0.001, u()) },
        clusters: Array.from({ length: 8 }, (_, id) => cluster(id, 0.01, u())),
        features: Array.from({ length: 20 }, (_, i) =>
          feature(`f${i}`, u(), { measure: 'presence', shareA: 0.1, shareB: 0.11 }),
        ),
        words: {
          test: 'mcnemar-exact',
          tested: 60,
          minAnswers: 5,
          moreInA: [],
          moreInB: terms(60),
        },
        openings: { test: 'mcnemar-exact', tested: 10, moreInA: [], moreInB: phrases(10) },
        closings: { test: 'mcnemar-exact', tested: 10, moreInA: [], moreInB: phrases(10) },
        changes: {
          method: 'split-half',
          k: 4,
          silhouette: 0.1,
          nPrompts: N,
          clusters: Array.from({ length: 4 }, (_, id) => change(id, 100, u())),
        },
      });
      if (headlineParts(c).nothingFound === null) claimed++;
    }
    const se = Math.sqrt((0.05 * 0.95) / runs);
    expect(claimed / runs).toBeLessThanOrEqual(0.05 + 3 * se);
  });
});

describe('REPORT.json', () => {
  it('puts reportVersion 2 first and carries the headline of the comparison', () => {
    const answers: Answer[] = (['A', 'B'] as const).flatMap((side) =>
      [0, 1, 2, 3].map((p) => ({
        promptId: `p${p}`,
        side,
        sample: 0,
        text: `${side} answer ${p}`,
        finishReason: 'stop' as const,
        createdAt: '2026-01-01T00:00:00.000Z',
      })),
    );
    const result = fakeAnalysisResult(answers);
    const report = toReportJson(result, []);
    expect(Object.keys(report)[0]).toBe('reportVersion');
    expect(report.reportVersion).toBe(2);
    expect(report.headline).toEqual(headline(result.comparison));
    expect(report.headline.length).toBeGreaterThan(0);
  });
});
