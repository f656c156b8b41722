import { describe, expect, it } from 'vitest';
import { samplePrompts, splitPrompts } from '../../src/lib/core/explain/split';
import {
  binomialGreaterP,
  judgePrompt,
  validateHypotheses,
  validateHypothesis,
  wilsonInterval,
} from '../../src/lib/core/explain/validation';
import { similarityAuc } from '../../src/lib/core/explain/similarity-auc';
import type { PromptJudgement } from '../../src/lib/core/explain/types';

const ids = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const reversed = <T>(xs: readonly T[]) => [...xs].reverse();
/** A fixed interleaving of a list (every third, then the rest), another input order. */
const interleaved = <T>(xs: readonly T[]) => [
  ...xs.filter((_, i) => i % 3 === 0),
  ...xs.filter((_, i) => i % 3 !== 0),
];

describe('splitPrompts', () => {
  it('gives ceil(n/2) to discovery and floor(n/2) to held-out, together every id once', () => {
    for (const n of [0, 1, 2, 7, 10, 101]) {
      const all = ids(n);
      const { discovery, heldOut } = splitPrompts(all, 3);
      expect(discovery.length).toBe(Math.ceil(n / 2));
      expect(heldOut.length).toBe(Math.floor(n / 2));
      expect([...discovery, ...heldOut].sort()).toEqual([...all].sort());
    }
  });

  it('depends on the set of ids and the seed, not on their order', () => {
    const all = ids(40);
    const split = splitPrompts(all, 11);
    expect(splitPrompts(reversed(all), 11)).toEqual(split);
    expect(splitPrompts(interleaved(all), 11)).toEqual(split);
    // A duplicate id counts once.
    expect(splitPrompts([...all, 'p3', 'p7'], 11)).toEqual(split);
    const other = splitPrompts(all, 12);
    expect(new Set(other.discovery)).not.toEqual(new Set(split.discovery));
  });

  it('puts each prompt in discovery about half of the seeds (the hash does not favour ids)', () => {
    const all = ids(30);
    const inDiscovery = new Map(all.map((id) => [id, 0]));
    for (let seed = 0; seed < 400; seed++) {
      for (const id of splitPrompts(all, seed).discovery) {
        inDiscovery.set(id, inDiscovery.get(id)! + 1);
      }
    }
    // Binomial(400, 1/2): sd 10, so 140..260 is six standard deviations either side.
    for (const count of inDiscovery.values()) {
      expect(count).toBeGreaterThan(140);
      expect(count).toBeLessThan(260);
    }
  });
});

describe('samplePrompts', () => {
  it('is a prefix of one seeded order: a larger sample holds every smaller one', () => {
    const all = ids(50);
    const five = samplePrompts(all, 5, 7);
    const twenty = samplePrompts(all, 20, 7);
    expect(five).toHaveLength(5);
    expect(twenty.slice(0, 5)).toEqual(five);
    expect(samplePrompts(all, 50, 7).slice(0, 20)).toEqual(twenty);
    expect(new Set(twenty).size).toBe(20);
  });

  it('is order-independent, seeded, and bounded by the ids', () => {
    const all = ids(50);
    expect(samplePrompts(reversed(all), 10, 7)).toEqual(samplePrompts(all, 10, 7));
    expect(samplePrompts(interleaved(all), 10, 7)).toEqual(samplePrompts(all, 10, 7));
    expect(samplePrompts(all, 10, 8)).not.toEqual(samplePrompts(all, 10, 7));
    expect([...samplePrompts(all, 80, 7)].sort()).toEqual([...all].sort());
    expect(samplePrompts(all, 0, 7)).toEqual([]);
    expect(samplePrompts(all, -3, 7)).toEqual([]);
  });

  it('is not the split order with the same seed (its own purpose in the hash)', () => {
    const all = ids(40);
    const discovery = splitPrompts(all, 5).discovery;
    expect(samplePrompts(all, 20, 5)).not.toEqual(discovery);
  });
});

describe('binomialGreaterP', () => {
  it('matches scipy', () => {
    // /usr/bin/python3 (scipy 1.10.1):
    //   scipy.stats.binomtest(k, n, 0.5, alternative='greater').pvalue
    const cases: [number, number, number][] = [
      [1, 1, 0.5],
      [0, 1, 1],
      [14, 20, 0.057659149169921875],
      [15, 20, 0.020694732666015625],
      [20, 20, 9.5367431640625e-7],
      [10, 20, 0.5880985260009766],
      [40, 61, 0.01020735689981745],
      [31, 61, 0.4999999999999999],
      [270, 500, 0.04051617480460678],
      [300, 500, 4.470033271126644e-6],
      [5200, 10000, 3.296757799336171e-5],
    ];
    for (const [k, n, p] of cases) {
      expect(Math.abs(binomialGreaterP(k, n) - p) / p).toBeLessThan(1e-9);
    }
    // scipy.stats.binomtest(7, 10, 0.3, alternative='greater').pvalue
    expect(binomialGreaterP(7, 10, 0.3)).toBeCloseTo(0.010592078399999996, 14);
  });

  it('is 1 at k <= 0, 0 past n, and refuses a bad n or p', () => {
    expect(binomialGreaterP(0, 10)).toBe(1);
    expect(binomialGreaterP(-2, 10)).toBe(1);
    expect(binomialGreaterP(11, 10)).toBe(0);
    expect(binomialGreaterP(14.2, 20)).toBe(binomialGreaterP(15, 20));
    expect(binomialGreaterP(0, 0)).toBe(1);
    expect(() => binomialGreaterP(1, 2.5)).toThrow(RangeError);
    expect(() => binomialGreaterP(1, 2, 0)).toThrow(RangeError);
    expect(() => binomialGreaterP(1, 2, 1)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  it('matches scipy', () => {
    // /usr/bin/python3 (scipy 1.10.1; statsmodels is not installed):
    //   ci = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson')
    const cases: [number, number, number, number][] = [
      [0, 10, 0, 0.27753279986288926],
      [10, 10, 0.7224672001371109, 1],
      [15, 20, 0.5312991223812561, 0.8881382985923344],
      [40, 61, 0.5304974914056818, 0.7625249103965454],
      [1, 1, 0.20654931437723745, 1],
      [270, 500, 0.4961751552930623, 0.5832148974700134],
      [7, 12, 0.31951131254954973, 0.8067396863412435],
    ];
    for (const [k, n, low, high] of cases) {
      const [l, h] = wilsonInterval(k, n);
      expect(l).toBeCloseTo(low, 13);
      expect(h).toBeCloseTo(high, 13);
      expect(l).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(1);
    }
  });

  it('narrows with a smaller z and refuses impossible counts', () => {
    const [l95, h95] = wilsonInterval(15, 20);
    const [l68, h68] = wilsonInterval(15, 20, 1);
    expect(l68).toBeGreaterThan(l95);
    expect(h68).toBeLessThan(h95);
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
  });
});

/** A held-out judgement; lengths default to equal. */
const j = (
  promptId: string,
  aFirst: PromptJudgement['aFirst'],
  bFirst: PromptJudgement['bFirst'],
  lengthA = 100,
  lengthB = 100,
): PromptJudgement => ({ promptId, aFirst, bFirst, lengthA, lengthB });

describe('judgePrompt', () => {
  it('counts a side only when both orders pick it', () => {
    expect(judgePrompt(j('x', 'B', 'B'))).toEqual({ verdict: 'B', flipped: false, unparseable: 0 });
    expect(judgePrompt(j('x', 'A', 'A'))).toEqual({ verdict: 'A', flipped: false, unparseable: 0 });
  });

  it('makes a flip, a neither and an unreadable reply ties, counting flips and unreadables', () => {
    expect(judgePrompt(j('x', 'A', 'B'))).toEqual({
      verdict: 'tie',
      flipped: true,
      unparseable: 0,
    });
    expect(judgePrompt(j('x', 'B', 'A'))).toEqual({
      verdict: 'tie',
      flipped: true,
      unparseable: 0,
    });
    expect(judgePrompt(j('x', 'B', 'neither'))).toEqual({
      verdict: 'tie',
      flipped: false,
      unparseable: 0,
    });
    expect(judgePrompt(j('x', 'neither', 'neither'))).toEqual({
      verdict: 'tie',
      flipped: false,
      unparseable: 0,
    });
    expect(judgePrompt(j('x', 'unparseable', 'B'))).toEqual({
      verdict: 'tie',
      flipped: false,
      unparseable: 1,
    });
    expect(judgePrompt(j('x', 'unparseable', 'unparseable'))).toEqual({
      verdict: 'tie',
      flipped: false,
      unparseable: 2,
    });
  });
});

/** `n` judgements of one verdict, with the given lengths, ids prefix + index. */
const many = (
  prefix: string,
  n: number,
  verdict: 'A' | 'B' | 'flip' | 'neither',
  lengthA = 100,
  lengthB = 100,
): PromptJudgement[] =>
  Array.from({ length: n }, (_, i) =>
    verdict === 'flip'
      ? j(`${prefix}${i}`, 'A', 'B', lengthA, lengthB)
      : verdict === 'neither'
        ? j(`${prefix}${i}`, 'neither', 'B', lengthA, lengthB)
        : j(`${prefix}${i}`, verdict, verdict, lengthA, lengthB),
  );

describe('validateHypothesis', () => {
  it('counts, tests and lists the prompts of a real-looking judgement set', () => {
    const judgements = [
      ...many('b', 15, 'B', 100, 300),
      ...many('a', 5, 'A', 100, 300),
      ...many('f', 3, 'flip'),
      ...many('n', 2, 'neither'),
      j('u1', 'unparseable', 'B'),
      j('u2', 'unparseable', 'unparseable'),
    ];
    const v = validateHypothesis(judgements, 0.71);
    expect(v).toMatchObject({
      nHeldOut: 27,
      decided: 20,
      forA: 5,
      forB: 15,
      ties: 7,
      orderFlips: 3,
      unparseable: 3,
      accuracy: 0.75,
      auc: 0.71,
      similarLengthAccuracy: null,
      similarLengthDecided: 0,
    });
    // scipy values: see the binomialGreaterP and wilsonInterval tests (15 of 20).
    expect(v.pValue).toBeCloseTo(0.020694732666015625, 14);
    expect(v.qValue).toBe(v.pValue); // BH over a family of one
    expect(v.ciLow).toBeCloseTo(0.5312991223812561, 13);
    expect(v.ciHigh).toBeCloseTo(0.8881382985923344, 13);
    expect(v.confirmed).toBe(true);
    expect(v.rightPromptIds).toEqual(many('b', 15, 'B').map((x) => x.promptId));
    expect(v.wrongPromptIds).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    // B's answer is the longer on every decided prompt: the length rule is always right, so
    // the hypothesis (75%) does no better than length.
    expect(v.lengthRuleAccuracy).toBe(1);
    expect(v.mayBeLength).toBe(true);
    // A stricter alpha leaves it unconfirmed.
    expect(validateHypothesis(judgements, null, 0.02).confirmed).toBe(false);
  });

  it('has nulls and is neither confirmed nor "may be length" when nothing is decided', () => {
    const v = validateHypothesis([...many('f', 4, 'flip'), ...many('n', 3, 'neither')], null);
    expect(v).toMatchObject({
      nHeldOut: 7,
      decided: 0,
      ties: 7,
      orderFlips: 4,
      accuracy: null,
      ciLow: null,
      ciHigh: null,
      pValue: null,
      qValue: null,
      lengthRuleAccuracy: null,
      similarLengthAccuracy: null,
      confirmed: false,
      mayBeLength: false,
    });
    expect(validateHypothesis([], null).nHeldOut).toBe(0);
  });

  it('scores the length rule over decided prompts only, equal lengths counting half', () => {
    const v = validateHypothesis(
      [
        ...many('l', 3, 'B', 100, 300), // B longer: 3
        ...many('s', 2, 'A', 300, 100), // B shorter: 0
        ...many('e', 2, 'B', 100, 100), // equal: 2 x 0.5
        ...many('t', 5, 'flip', 100, 900), // ties: not counted
      ],
      null,
    );
    expect(v.decided).toBe(7);
    expect(v.lengthRuleAccuracy).toBeCloseTo(4 / 7, 15);
  });

  it('marks "may only be length" exactly at accuracy = length rule + 0.05, not above', () => {
    // 20 decided, B longer by far (ratio 3, never similar) on `longer` of them, shorter on the
    // rest. Accuracy 15/20 = 0.75.
    const withLengthScore = (longer: number, equal: number) => [
      ...many('bl', Math.min(15, longer), 'B', 100, 300),
      ...many('bs', 15 - Math.min(15, longer), 'B', 300, 100),
      ...many('al', longer - Math.min(15, longer), 'A', 100, 300),
      ...many('as', 5 - (longer - Math.min(15, longer)) - equal, 'A', 300, 100),
      ...many('ae', equal, 'A', 100, 100),
    ];
    // Length rule 14/20 = 0.70: 0.75 <= 0.70 + 0.05, on the boundary: marked.
    const atBoundary = validateHypothesis(withLengthScore(14, 0), null);
    expect(atBoundary.accuracy).toBe(0.75);
    expect(atBoundary.lengthRuleAccuracy).toBe(0.7);
    expect(atBoundary.similarLengthDecided).toBe(0);
    expect(atBoundary.mayBeLength).toBe(true);
    // Length rule 13.5/20 = 0.675 (one equal pair): 0.75 > 0.725: not marked.
    const below = validateHypothesis(withLengthScore(13, 1), null);
    expect(below.lengthRuleAccuracy).toBe(0.675);
    // The one equal pair is similar-length, but one is fewer than ten.
    expect(below.similarLengthDecided).toBe(1);
    expect(below.mayBeLength).toBe(false);
  });

  it('reads similar length as a B/A ratio inside [0.8, 1.25], bounds included', () => {
    const pairs: [number, number, boolean][] = [
      [100, 125, true],
      [125, 100, true],
      [100, 80, true],
      [100, 126, false],
      [100, 79, false],
      [0, 0, true],
      [0, 5, false],
      [5, 0, false],
    ];
    for (const [lengthA, lengthB, similar] of pairs) {
      const v = validateHypothesis([j('x', 'B', 'B', lengthA, lengthB)], null);
      expect(v.similarLengthDecided, `${lengthA} vs ${lengthB}`).toBe(similar ? 1 : 0);
    }
  });

  it('marks a hypothesis whose similar-length accuracy is not above 1/2, from ten prompts on', () => {
    // Similar-length pairs where B is the shorter (ratio 100/110 = 0.909): the length rule
    // scores 0 there, so only the similar-length branch can mark the hypothesis.
    const similar = (forB: number, n: number) => [
      ...many('sb', forB, 'B', 110, 100),
      ...many('sa', n - forB, 'A', 110, 100),
    ];
    // Wilson lows from /usr/bin/python3 (scipy 1.10.1),
    //   scipy.stats.binomtest(k, n).proportion_ci(method='wilson').low:
    //   9/10 -> 0.5958499732047615, 8/10 -> 0.4901624715366418, 7/9 -> 0.4525889691069889.
    const nine = validateHypothesis(similar(9, 10), null);
    expect(nine.similarLengthAccuracy).toBe(0.9);
    expect(nine.lengthRuleAccuracy).toBe(0);
    expect(nine.mayBeLength).toBe(false);
    const eight = validateHypothesis(similar(8, 10), null);
    expect(eight.similarLengthDecided).toBe(10);
    expect(eight.mayBeLength).toBe(true);
    // Nine similar-length prompts are too few, however weak: not marked.
    const fewer = validateHypothesis(similar(7, 9), null);
    expect(fewer.similarLengthDecided).toBe(9);
    expect(fewer.mayBeLength).toBe(false);
    // Prompts of different length add decided prompts but not similar-length ones.
    const mixed = validateHypothesis([...similar(8, 10), ...many('far', 10, 'B', 300, 100)], null);
    expect(mixed.similarLengthDecided).toBe(10);
    expect(mixed.similarLengthAccuracy).toBe(0.8);
    expect(mixed.accuracy).toBe(0.9);
    expect(mixed.mayBeLength).toBe(true);
  });
});

describe('validateHypotheses', () => {
  it('sets Benjamini-Hochberg q across the hypotheses with a p-value and confirms on q', () => {
    const family = [
      { judgements: [...many('b', 15, 'B'), ...many('a', 5, 'A')], auc: 0.6 }, // p 0.0206947
      { judgements: [...many('b', 14, 'B'), ...many('a', 6, 'A')], auc: null }, // p 0.0576591
      { judgements: many('b', 20, 'B'), auc: 0.9 }, // p 9.5367e-7
      { judgements: many('f', 6, 'flip'), auc: 0.5 }, // nothing decided: out of the family
    ];
    const v = validateHypotheses(family);
    // BH with m = 3 (sorted p: 9.54e-7, 0.0207, 0.0577): q = 3p/1, 3p/2, 3p/3.
    expect(v[2]!.qValue).toBeCloseTo(3 * 9.5367431640625e-7, 18);
    expect(v[0]!.qValue).toBeCloseTo((3 * 0.020694732666015625) / 2, 15);
    expect(v[1]!.qValue).toBeCloseTo(0.057659149169921875, 15);
    expect(v[3]!.qValue).toBeNull();
    expect(v.map((x) => x.confirmed)).toEqual([true, false, true, false]);
    expect(v.map((x) => x.auc)).toEqual([0.6, null, 0.9, 0.5]);
    // q = 0.031 is not below alpha = 0.03: the BH step (not the raw p = 0.0207) decides.
    expect(validateHypotheses(family, 0.03).map((x) => x.confirmed)).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect(validateHypotheses([])).toEqual([]);
  });
});

describe('similarityAuc', () => {
  it('matches sklearn roc_auc_score on a case with tied scores', () => {
    // /usr/bin/python3 (scikit-learn 1.2.1), scores = float64 cosine to h = [1, 0, 0] of these
    // float32 vectors, y = 0 for A and 1 for B: sklearn.metrics.roc_auc_score(y, scores) = 0.6
    const f = (...x: number[]) => Float32Array.from(x);
    const a = [f(0.2, 1, 0), f(0.9, 0.1, 0.3), f(0.5, 0.5, 0.5), f(0, 1, 1)];
    const b = [f(1, 0.2, 0), f(0.5, 0.5, 0.5), f(0.3, 0.9, 0), f(1, 1, 0), f(0, 0, 1)];
    expect(similarityAuc(f(1, 0, 0), a, b)).toBeCloseTo(0.6, 14);
    // Swapping the sides mirrors the AUC.
    expect(similarityAuc(f(1, 0, 0), b, a)).toBeCloseTo(0.4, 14);
  });

  it('matches sklearn on 30 against 25 generated vectors', () => {
    // /usr/bin/python3 (numpy, scikit-learn 1.2.1), D = 8, vectors rounded to float32:
    //   h[d] = cos(0.5 d); A[i][d] = sin(1.3 i + 0.7 d), i < 30;
    //   B[i][d] = sin(1.3 i + 0.7 d + 0.4) + 0.1 d, i < 25;
    //   roc_auc_score([0]*30 + [1]*25, float64 cosines) = 0.3986666666666667
    const D = 8;
    const vec = (g: (d: number) => number) => Float32Array.from({ length: D }, (_, d) => g(d));
    const h = vec((d) => Math.cos(0.5 * d));
    const a = Array.from({ length: 30 }, (_, i) => vec((d) => Math.sin(1.3 * i + 0.7 * d)));
    const b = Array.from({ length: 25 }, (_, i) =>
      vec((d) => Math.sin(1.3 * i + 0.7 * d + 0.4) + 0.1 * d),
    );
    expect(similarityAuc(h, a, b)).toBeCloseTo(0.3986666666666667, 12);
  });

  it('is 1 when every B answer is closer, 0.5 when all tie, null with an empty side', () => {
    const f = (...x: number[]) => Float32Array.from(x);
    const h = f(1, 0);
    expect(similarityAuc(h, [f(0, 1), f(-1, 1)], [f(1, 0.1), f(2, 0)])).toBe(1);
    // Identical vectors (the same answer text) tie exactly and count half.
    expect(similarityAuc(h, [f(1, 1), f(1, 1)], [f(1, 1)])).toBe(0.5);
    expect(similarityAuc(h, [f(1, 1), f(0, 1)], [f(1, 1)])).toBe(0.75);
    // A zero vector scores 0 (not NaN).
    expect(similarityAuc(h, [f(0, 0)], [f(1, 0)])).toBe(1);
    expect(similarityAuc(h, [], [f(1, 0)])).toBeNull();
    expect(similarityAuc(h, [f(1, 0)], [])).toBeNull();
    expect(() => similarityAuc(h, [f(1, 0, 0)], [f(1, 0)])).toThrow(RangeError);
  });
});
