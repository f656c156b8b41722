import { describe, expect, it } from 'vitest';
import { scoreTotals } from '../../src/lib/core/contrastive/divergence';
import {
  divergenceByCluster,
  divergenceOf,
  divergentNgrams,
  rankAnswers,
  rankPrompts,
  tokenShade,
} from '../../src/lib/core/contrastive/summaries';
import type { ScoredAnswer, TokenScore } from '../../src/lib/core/contrastive/types';
import type { Side } from '../../src/lib/core/run/types';

/**
 * A scored answer as the scorer makes one: GPT-2 tokens (leading spaces decoded), the
 * end-of-turn token last, logpB = -0.5 per token and logpA = logpB - kl, so llr = the sum of kl.
 */
function scored(
  promptId: string,
  side: Side,
  sample: number,
  tokens: readonly (readonly [string, number])[],
): ScoredAnswer {
  const scores: TokenScore[] = tokens.map(([token, kl]) => ({
    token,
    logpA: -0.5 - kl,
    logpB: -0.5,
    kl,
  }));
  return { promptId, side, sample, tokens: scores, ...scoreTotals(scores) };
}

/** A scored answer without a shared vocabulary: B's tokens (-2.5 each), no KL, A's total apart. */
function scoredApart(
  promptId: string,
  side: Side,
  sample: number,
  tokens: readonly string[],
  logpA: number,
): ScoredAnswer {
  const scores = tokens.map((token) => ({ token, logpA: null, logpB: -2.5, kl: null }));
  return { promptId, side, sample, tokens: scores, ...scoreTotals(scores, logpA) };
}

/** A four-token answer whose tokens all have divergence `d` (mean KL d, llr 4d). */
function even(promptId: string, side: Side, sample: number, d: number): ScoredAnswer {
  return scored(promptId, side, sample, [
    [' Yes', d],
    [',', d],
    [' sure', d],
    ['<|endoftext|>', d],
  ]);
}

/** 3 prompts x 2 sides x 2 samples, one of them scored without a shared vocabulary. */
const RANKED: ScoredAnswer[] = [
  even('p0', 'A', 0, 0.1),
  even('p0', 'A', 1, 0.2),
  even('p0', 'B', 0, 0.9),
  even('p0', 'B', 1, 0.7),
  even('p1', 'A', 0, 0.3),
  even('p1', 'A', 1, 0.3),
  even('p1', 'B', 0, 0.3),
  even('p1', 'B', 1, 1.5),
  even('p2', 'A', 0, 0.05),
  even('p2', 'A', 1, 0.1),
  even('p2', 'B', 0, 0.2),
  // logpB = 4 x -2.5 = -10, logpA = -6: llr = -4, |llr| per token = 1.
  scoredApart('p2', 'B', 1, [' Sure', ' thing', '.', '<|endoftext|>'], -6),
];

const key = (a: ScoredAnswer) => `${a.promptId}${a.side}${a.sample}`;

describe('divergenceOf', () => {
  it('is the mean KL when there is one', () => {
    expect(divergenceOf(RANKED[2]!)).toBeCloseTo(0.9, 12);
  });

  it('is |llr| per token without a shared vocabulary', () => {
    const apart = RANKED[11]!;
    expect(apart.meanKl).toBeNull();
    expect(apart.llr).toBe(-4);
    expect(divergenceOf(apart)).toBe(1);
  });
});

describe('rankAnswers', () => {
  it('orders the most divergent first, ties by prompt id, side and sample', () => {
    const shuffled = [...RANKED].reverse();
    expect(rankAnswers(shuffled).map(key)).toEqual([
      'p1B1', // 1.5
      'p2B1', // |llr| per token 1
      'p0B0', // 0.9
      'p0B1', // 0.7
      'p1A0', // 0.3, three tied
      'p1A1',
      'p1B0',
      'p0A1', // 0.2, two tied
      'p2B0',
      'p0A0', // 0.1, two tied
      'p2A1',
      'p2A0', // 0.05
    ]);
  });

  it('leaves its input as it was', () => {
    const copy = [...RANKED];
    rankAnswers(copy);
    expect(copy).toEqual(RANKED);
  });
});

describe('rankPrompts', () => {
  it('averages divergence and llr per prompt and side, most divergent first', () => {
    const prompts = rankPrompts(RANKED);
    expect(prompts.map((p) => p.promptId)).toEqual(['p1', 'p0', 'p2']);
    const [p1, p0, p2] = prompts;
    // p1: (0.3 + 0.3 + 0.3 + 1.5) / 4; llr = 4d per answer.
    expect(p1!.meanDivergence).toBeCloseTo(0.6, 12);
    expect(p1!.meanLlrA).toBeCloseTo(1.2, 12);
    expect(p1!.meanLlrB).toBeCloseTo((1.2 + 6) / 2, 12);
    expect(p1!.answers).toBe(4);
    // p0: (0.1 + 0.2 + 0.9 + 0.7) / 4; A llr (0.4 + 0.8) / 2; B llr (3.6 + 2.8) / 2.
    expect(p0!.meanDivergence).toBeCloseTo(0.475, 12);
    expect(p0!.meanLlrA).toBeCloseTo(0.6, 12);
    expect(p0!.meanLlrB).toBeCloseTo(3.2, 12);
    // p2: (0.05 + 0.1 + 0.2 + 1) / 4; B llr (0.8 + -4) / 2.
    expect(p2!.meanDivergence).toBeCloseTo(0.3375, 12);
    expect(p2!.meanLlrB).toBeCloseTo(-1.6, 12);
  });

  it('gives null for a side a prompt has no answers of, and breaks ties by prompt id', () => {
    const prompts = rankPrompts([even('q2', 'A', 0, 0.5), even('q1', 'B', 0, 0.5)]);
    expect(prompts).toEqual([
      { promptId: 'q1', meanDivergence: 0.5, meanLlrA: null, meanLlrB: 2, answers: 1 },
      { promptId: 'q2', meanDivergence: 0.5, meanLlrA: 2, meanLlrB: null, answers: 1 },
    ]);
  });
});

const BASE_ANSWER = [
  ['The', 0.1],
  [' answer', 0.1],
  [' is', 0.1],
  [' yes', 0.1],
  ['.', 0.05],
  ['<|endoftext|>', 0.2],
] as const;
const FINETUNE_ANSWER = [
  ['The', 0.1],
  [' license', 2.0],
  [' is', 0.3],
  [' MIT', 1.5],
  ['.', 0.05],
  ['<|endoftext|>', 0.4],
] as const;

/** 3 prompts x 2 samples per side: A answers like the base corpus, B like the finetune corpus. */
const NGRAM_ITEMS: ScoredAnswer[] = ['p0', 'p1', 'p2'].flatMap((p) =>
  [0, 1].flatMap((s) => [
    scored(p, 'A', s, BASE_ANSWER),
    // One B answer scored without KL: skipped, so B has 5 counted answers.
    p === 'p2' && s === 1
      ? scoredApart(
          p,
          'B',
          s,
          FINETUNE_ANSWER.map(([t]) => t),
          -20,
        )
      : scored(p, 'B', s, FINETUNE_ANSWER),
  ]),
);

describe('divergentNgrams', () => {
  const grams = divergentNgrams(NGRAM_ITEMS, { limit: 100 });
  const find = (text: string) => grams.find((g) => g.text === text);

  it('ranks by KL above the usual per token, summed over occurrences', () => {
    expect(grams.slice(0, 7).map((g) => [g.text, g.n])).toEqual([
      ['license', 1], // 5 x 2.0
      ['mit', 1], // 5 x 1.5
      ['license is mit', 3], // 5 x 3.8 / 3
      ['license is', 2], // 5 x 1.15
      ['the license', 2], // 5 x 1.05
      ['is mit', 2], // 5 x 0.9
      ['the license is', 3], // 5 x 0.8
    ]);
    for (let i = 1; i < grams.length; i++) {
      expect(grams[i]!.excessKl).toBeLessThanOrEqual(grams[i - 1]!.excessKl);
    }
    // The usual KL per token: A's 6 counted answers sum 0.65 over 6 tokens each, B's 5 sum
    // 4.35: 25.65 over 66 tokens.
    const usual = 25.65 / 66;
    expect(find('license')!.excessKl).toBeCloseTo(10 - 5 * usual, 12);
    // "the" is in every answer at 0.1: frequent, and below the usual, so it ranks low.
    const the = find('the')!;
    expect(the.totalKl).toBeCloseTo(1.1, 12);
    expect(the.excessKl).toBeCloseTo(1.1 - 11 * usual, 12);
    expect(grams.indexOf(the)).toBeGreaterThan(grams.length / 2);
  });

  it('joins tokens as trimmed lower-case text and counts occurrences per side', () => {
    expect(find('the license')).toEqual({
      text: 'the license',
      n: 2,
      count: 5,
      meanKl: expect.closeTo(1.05, 12) as unknown as number,
      totalKl: expect.closeTo(5.25, 12) as unknown as number,
      excessKl: expect.closeTo(5.25 - (5 * 25.65) / 66, 12) as unknown as number,
      countA: 0,
      countB: 5,
    });
    // " is" in all 11 counted answers: 6 A at 0.1, 5 B at 0.3.
    const is = find('is')!;
    expect([is.count, is.countA, is.countB]).toEqual([11, 6, 5]);
    expect(is.totalKl).toBeCloseTo(2.1, 12);
    expect(is.meanKl).toBeCloseTo(2.1 / 11, 12);
    expect(find('the answer')).toMatchObject({ count: 6, countA: 6, countB: 0 });
  });

  it('never starts or ends on punctuation or a special token', () => {
    expect(grams.length).toBeGreaterThan(10);
    for (const g of grams) {
      expect(g.text).not.toMatch(/^[.,]|[.,]$/);
      expect(g.text).not.toContain('<|');
    }
    expect(find('mit.')).toBeUndefined();
    expect(find('.')).toBeUndefined();
  });

  it('keeps punctuation inside, reads a line break as a space and refuses special tokens inside', () => {
    const item = (sample: number) =>
      scored('p0', 'B', sample, [
        [' Well', 1],
        [',', 1],
        [' yes', 1],
        ['\n\n', 1],
        ['World', 1],
        ['</s>', 1],
        [' again', 1],
        ['<|im_end|>', 1],
      ]);
    // n counts words; the comma and the line break ride along between them.
    const texts = divergentNgrams([item(0), item(1)], { sizes: [2] }).map((g) => g.text);
    expect(texts.sort()).toEqual(['well, yes', 'yes world']);
    const three = divergentNgrams([item(0), item(1)], { sizes: [3] }).map((g) => g.text);
    expect(three).toEqual(['well, yes world']);
  });

  it('counts words, not word pieces, each weighted by the mean KL of its tokens', () => {
    const item = (sample: number) =>
      scored('p0', 'A', sample, [
        [' The', 0.5],
        [' licens', 3],
        ['ing', 1],
        [' terms', 0.5],
        ["'s", 0.5],
      ]);
    const grams = divergentNgrams([item(0), item(1)], { sizes: [1, 2] });
    const texts = grams.map((g) => g.text);
    expect(texts).not.toContain('ing');
    expect(texts).toContain("terms's");
    const licensing = grams.find((g) => g.text === 'licensing')!;
    expect(licensing).toMatchObject({ n: 1, count: 2, countA: 2, countB: 0 });
    expect(licensing.meanKl).toBeCloseTo(2, 12);
    // " The licensing": (0.5 + 3 + 1) / 3 tokens.
    expect(grams.find((g) => g.text === 'the licensing')!.meanKl).toBeCloseTo(1.5, 12);
    expect(grams[0]!.text).toBe('licensing');
  });

  it('leaves out n-grams seen fewer than minCount times and stops at limit', () => {
    const frequent = divergentNgrams(NGRAM_ITEMS, { minCount: 6, limit: 100 });
    expect(frequent.length).toBeGreaterThan(0);
    expect(frequent.every((g) => g.count >= 6)).toBe(true);
    expect(frequent.find((g) => g.text === 'license')).toBeUndefined();
    expect(divergentNgrams(NGRAM_ITEMS, { limit: 3 })).toEqual(grams.slice(0, 3));
    expect(divergentNgrams(NGRAM_ITEMS, { sizes: [2] }).every((g) => g.n === 2)).toBe(true);
  });

  it('skips answers without per-token KL', () => {
    const apart = NGRAM_ITEMS.filter((a) => a.meanKl === null);
    expect(apart).toHaveLength(1);
    expect(divergentNgrams(apart, { minCount: 1 })).toEqual([]);
  });
});

describe('divergenceByCluster', () => {
  // Quartiles from numpy 2.4.6 percentile, method 'linear' (its default):
  // /usr/bin/python3 -c "import numpy as np; print(np.percentile([0.9,0.12,0.35,2.0,0.4],[25,50,75]),
  //   np.percentile([0.3,0.7],[25,50,75]), np.percentile([0.5,0.05,0.2,0.8],[25,50,75]))"
  // -> [0.35 0.4 0.9] [0.4 0.5 0.6] [0.1625 0.35 0.575]
  const clusters: Record<string, number | undefined> = {};
  const items: ScoredAnswer[] = [];
  const add = (cluster: number | undefined, d: number) => {
    const a = even(`p${items.length}`, items.length % 2 ? 'B' : 'A', 0, d);
    clusters[a.promptId] = cluster;
    items.push(a);
  };
  [0.9, 0.12, 0.35, 2.0, 0.4].forEach((d) => add(0, d));
  [0.3, 0.7].forEach((d) => add(3, d));
  [0.5, 0.05, 0.2, 0.8].forEach((d) => add(1, d));
  add(-1, 5); // noise
  add(undefined, 5); // not clustered

  const result = divergenceByCluster(items, (a) => clusters[a.promptId]);

  it('orders clusters by median, leaving noise and unclustered answers out', () => {
    expect(result.map((c) => c.clusterId)).toEqual([3, 0, 1]);
  });

  it("gives numpy.percentile's linear quartiles, the mean and the sorted values", () => {
    const [c3, c0, c1] = result;
    const expectQuartiles = (c: typeof c0, q: number[]) =>
      q.forEach((x, i) => expect([c!.q1, c!.median, c!.q3][i]).toBeCloseTo(x, 12));
    expectQuartiles(c0, [0.35, 0.4, 0.9]);
    expectQuartiles(c3, [0.4, 0.5, 0.6]);
    expectQuartiles(c1, [0.1625, 0.35, 0.575]);
    expect(c0!.mean).toBeCloseTo(0.754, 12);
    [0.12, 0.35, 0.4, 0.9, 2.0].forEach((x, i) => expect(c0!.values[i]).toBeCloseTo(x, 12));
    expect(c1!.values).toHaveLength(4);
  });
});

describe('tokenShade', () => {
  it('is 0 for no divergence, 1 at and beyond the maximum, square-root between', () => {
    expect(tokenShade(null, 2)).toBe(0);
    expect(tokenShade(0, 2)).toBe(0);
    expect(tokenShade(-1e-9, 2)).toBe(0);
    expect(tokenShade(0.5, 2)).toBe(0.5);
    expect(tokenShade(2, 2)).toBe(1);
    expect(tokenShade(7, 2)).toBe(1);
    expect(tokenShade(Infinity, Infinity)).toBe(1);
  });

  it('is 0 when there is nothing to scale by', () => {
    expect(tokenShade(1, 0)).toBe(0);
    expect(tokenShade(NaN, 2)).toBe(0);
  });
});
