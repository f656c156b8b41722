import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  categoryFeatures,
  largestCategory,
  MIN_CATEGORY_PROMPTS,
} from '../../src/lib/core/compare/category-features';
import { pairedDesign } from '../../src/lib/core/compare/design';
import {
  compareFeatureMeasures,
  type MeasuredFeatureColumn,
} from '../../src/lib/core/compare/feature-measures';
import type { CategoryResult } from '../../src/lib/core/compare/result-types';
import type { Side } from '../../src/lib/core/run/types';
import {
  FEATURE_MEASURES,
  STYLE_FEATURE_NAMES,
  styleFeatureColumns,
} from '../../src/lib/core/text/style-features';
import { createRng } from '../../src/lib/core/vectors/random';

/** One answer per side per prompt: answers 2p (A) and 2p + 1 (B). */
function oneToOne(nPrompts: number) {
  const promptIndex = Array.from({ length: 2 * nPrompts }, (_, i) => i >> 1);
  const sides = promptIndex.map((_, i) => (i % 2 ? 'B' : 'A') as Side);
  return pairedDesign(promptIndex, sides);
}

function styleColumns(texts: readonly string[]) {
  const style = styleFeatureColumns(texts);
  const columns: MeasuredFeatureColumn[] = STYLE_FEATURE_NAMES.map((name) => ({
    name,
    values: style[name],
    measure: FEATURE_MEASURES[name],
  }));
  return { columns, words: style.length_words };
}

/**
 * 16 coding prompts where B answers with a numbered list and A in prose, 16 advice prompts
 * where both answer in prose, and 4 "tiny" prompts where B also adds a list.
 */
function listsInCodingOnly() {
  const rng = createRng(7);
  const filler = (n: number) => Array.from({ length: n }, () => `w${rng.int(40)}`).join(' ');
  const categories: string[] = [];
  const texts: string[] = [];
  const prose = () => `Open the file, then save it. ${filler(12)}`;
  const list = () => `Here are the steps:\n1. Open the file.\n2. Save it.\n3. ${filler(8)}`;
  for (let p = 0; p < 16; p++) {
    categories.push('coding');
    texts.push(prose(), list());
  }
  for (let p = 0; p < 16; p++) {
    categories.push('advice');
    texts.push(prose(), prose());
  }
  for (let p = 0; p < 4; p++) {
    categories.push('tiny');
    texts.push(prose(), list());
  }
  return { categories, texts, design: oneToOne(categories.length) };
}

const feature = (result: CategoryResult[] | null, category: string, name: string) =>
  result!.find((c) => c.name === category)!.features.find((f) => f.name === name)!;

describe('features per prompt category', () => {
  it('finds lists that B adds in one category there and not in the other', () => {
    const { categories, texts, design } = listsInCodingOnly();
    const { columns, words } = styleColumns(texts);
    const result = categoryFeatures(design, categories, columns, words);
    // 'tiny' has 4 paired prompts, fewer than the minimum of 10: left out.
    expect(result!.map((c) => [c.name, c.n])).toEqual([
      ['coding', 16],
      ['advice', 16],
    ]);
    const coding = feature(result, 'coding', 'numbered_items');
    expect(coding.shareA).toBe(0);
    expect(coding.shareB).toBeGreaterThan(10); // 3 items in about 17 words: a rate per 100 words
    expect(coding.qValue!).toBeLessThan(0.05);
    const advice = feature(result, 'advice', 'numbered_items');
    expect([advice.shareA, advice.shareB, advice.pValue, advice.qValue]).toEqual([
      0,
      0,
      null,
      null,
    ]);
    expect(largestCategory(result, 'numbered_items')).toEqual({
      name: 'coding',
      shareA: 0,
      shareB: coding.shareB,
    });
    // Nothing changes in advice: no feature is significant there.
    expect(result![1]!.features.filter((f) => f.qValue !== null && f.qValue < 0.05)).toEqual([]);
  });

  it("compares a category exactly as compareFeatureMeasures compares that category's answers alone", () => {
    const { categories, texts, design } = listsInCodingOnly();
    const { columns, words } = styleColumns(texts);
    const result = categoryFeatures(design, categories, columns, words)!;
    // The 16 coding prompts are prompts 0..15, answers 0..31: the same answers on their own.
    const alone = styleColumns(texts.slice(0, 32));
    const expected = compareFeatureMeasures(oneToOne(16), alone.columns, alone.words);
    const byMeasure = (f: (typeof expected)[number]) =>
      f.measure === 'presence'
        ? [f.shareA, f.shareB]
        : f.measure === 'rate'
          ? [f.per100wA, f.per100wB]
          : [f.meanA, f.meanB];
    expect(result[0]!.features).toEqual(
      expected.map((f) => {
        const [shareA, shareB] = byMeasure(f);
        return { name: f.name, shareA, shareB, pValue: f.pValue, qValue: f.qValue };
      }),
    );
  });

  it('shows the share for presence, the pooled rate per 100 words for rates and mean words for length', () => {
    // Two categories of 10 prompts; A answers 50 words, B 100 words.
    const design = oneToOne(20);
    const categories = Array.from({ length: 20 }, (_, p) => (p < 10 ? 'x' : 'y'));
    const words = Array.from({ length: 40 }, (_, i) => (i % 2 ? 100 : 50));
    const columns: MeasuredFeatureColumn[] = [
      // A flags 3 of its 10 answers in x, B 8.
      {
        name: 'flag',
        measure: 'presence',
        values: words.map((_, i) => Number(i < 20 && (i % 2 ? i >> 1 < 8 : i >> 1 < 3))),
      },
      // A: 1 per answer (2 per 100 words); B: 4 per answer (4 per 100 words).
      { name: 'count', measure: 'rate', values: words.map((_, i) => (i % 2 ? 4 : 1)) },
      { name: 'length_words', measure: 'length', values: words },
    ];
    const [x, y] = categoryFeatures(design, categories, columns, words)!;
    expect(x!.features.map((f) => [f.name, f.shareA, f.shareB])).toEqual([
      ['flag', 0.3, 0.8],
      ['count', 2, 4],
      ['length_words', 50, 100],
    ]);
    expect(y!.features[0]).toMatchObject({ shareA: 0, shareB: 0, pValue: null });
  });

  it('is null without categories, with one category, or with one category big enough', () => {
    const { texts, design } = listsInCodingOnly();
    const { columns, words } = styleColumns(texts);
    const none = Array.from({ length: design.nPrompts }, () => undefined);
    expect(categoryFeatures(design, none, columns, words)).toBeNull();
    // A blank category is none: coding stands alone.
    const blank = none.map((_, p) => (p < 16 ? 'coding' : '  '));
    expect(categoryFeatures(design, blank, columns, words)).toBeNull();
    expect(
      categoryFeatures(
        design,
        none.map(() => 'all'),
        columns,
        words,
      ),
    ).toBeNull();
    const oneBig = none.map((_, p) => (p < 30 ? 'big' : 'small'));
    expect(categoryFeatures(design, oneBig, columns, words)).toBeNull();
    expect(largestCategory(null, 'numbered_items')).toBeNull();
  });

  it('counts only paired prompts toward the minimum, and keeps a category exactly at it', () => {
    // Category a: 10 prompts, all paired. Category b: 12 prompts, 3 of them answered by A only.
    const promptIndex: number[] = [];
    const sides: Side[] = [];
    for (let p = 0; p < 22; p++) {
      promptIndex.push(p);
      sides.push('A');
      if (!(p >= 10 && p < 13)) {
        promptIndex.push(p);
        sides.push('B');
      }
    }
    const design = pairedDesign(promptIndex, sides, 22);
    const categories = Array.from({ length: 22 }, (_, p) => (p < 10 ? 'a' : 'b'));
    const values = promptIndex.map((_, i) => i % 3);
    const columns: MeasuredFeatureColumn[] = [{ name: 'v', values, measure: 'length' }];
    const words = values.map(() => 10);
    expect(MIN_CATEGORY_PROMPTS).toBe(10);
    // b has 12 prompts but only 9 paired: below the minimum, so a stands alone (null).
    expect(categoryFeatures(design, categories, columns, words)).toBeNull();
    expect(
      categoryFeatures(design, categories, columns, words, { minPrompts: 9 })!.map((c) => c.n),
    ).toEqual([10, 9]);
  });

  it('handles several samples per prompt (the permutation presence test)', () => {
    // 12 prompts in each of two categories, two samples per side; B flags every answer in c1.
    const promptIndex: number[] = [];
    const sides: Side[] = [];
    const flag: number[] = [];
    for (let p = 0; p < 24; p++) {
      for (const side of ['A', 'A', 'B', 'B'] as const) {
        promptIndex.push(p);
        sides.push(side);
        flag.push(side === 'B' && p < 12 ? 1 : 0);
      }
    }
    const design = pairedDesign(promptIndex, sides);
    const categories = Array.from({ length: 24 }, (_, p) => (p < 12 ? 'c1' : 'c2'));
    const result = categoryFeatures(
      design,
      categories,
      [{ name: 'flag', values: flag, measure: 'presence' }],
      flag.map(() => 20),
      { seed: 3, nPermutations: 999 },
    )!;
    expect(result.map((c) => c.n)).toEqual([12, 12]);
    expect(result[0]!.features[0]).toMatchObject({ shareA: 0, shareB: 1 });
    expect(result[0]!.features[0]!.qValue!).toBeLessThan(0.01);
    expect(result[1]!.features[0]!.pValue).toBeNull();
  });

  it('says which input does not match the design', () => {
    const design = oneToOne(3);
    const columns: MeasuredFeatureColumn[] = [
      { name: 'v', values: [1, 2, 3, 4, 5, 6], measure: 'length' },
    ];
    const words = [1, 1, 1, 1, 1, 1];
    expect(() => categoryFeatures(design, ['a', 'b'], columns, words)).toThrow(
      'categoryFeatures: 2 prompt categories for 3 prompts',
    );
    expect(() => categoryFeatures(design, ['a', 'b', 'c'], columns, [1, 1])).toThrow(
      'categoryFeatures: 2 word counts for 6 answers',
    );
    expect(() =>
      categoryFeatures(design, ['a', 'b', 'c'], [{ ...columns[0]!, values: [1] }], words),
    ).toThrow('categoryFeatures: feature v has 1 values for 6 answers');
  });
});

describe('largestCategory', () => {
  const category = (name: string, n: number, shareA: number, shareB: number, q: number | null) => ({
    name,
    n,
    features: [{ name: 'f', shareA, shareB, pValue: q, qValue: q }],
  });

  it('names the largest significant change in the overall direction', () => {
    const categories = [
      category('small-rise', 20, 0.1, 0.2, 0.01),
      category('big-rise-not-significant', 20, 0.1, 0.9, 0.2),
      category('big-rise', 20, 0.2, 0.6, 0.04),
      category('big-fall', 20, 0.9, 0.1, 0.001),
    ];
    // Overall the feature rises (weighted mean change > 0): the largest significant rise.
    expect(largestCategory(categories, 'f')).toEqual({
      name: 'big-rise',
      shareA: 0.2,
      shareB: 0.6,
    });
    // Told that it falls overall: the fall.
    expect(largestCategory(categories, 'f', -0.3)).toEqual({
      name: 'big-fall',
      shareA: 0.9,
      shareB: 0.1,
    });
    expect(largestCategory(categories, 'f', 0)).toBeNull();
    expect(largestCategory(categories, 'missing')).toBeNull();
    expect(largestCategory(categories, 'f', 1, 0.005)).toBeNull();
  });

  it('is null when no category where it is significant moves in the overall direction', () => {
    const categories = [category('a', 20, 0.1, 0.5, 0.2), category('b', 20, 0.5, 0.4, 0.01)];
    expect(largestCategory(categories, 'f')).toBeNull();
  });
});

const REAL = '../shared/data/alpaca_eval';
const PAIR = ['Mistral-7B-Instruct-v0.2', 'Snorkel-Mistral-PairRM-DPO'] as const;
const present = PAIR.every((m) => existsSync(`${REAL}/${m}.json`));

describe.skipIf(!present)(`real alpaca_eval pair by dataset (${REAL}, skipped when absent)`, () => {
  it('Mistral-7B-Instruct-v0.2 vs Snorkel DPO: shares per dataset match a plain count', () => {
    type Row = { instruction: string; output: string; dataset: string };
    const [a, b] = PAIR.map((m) => JSON.parse(readFileSync(`${REAL}/${m}.json`, 'utf8')) as Row[]);
    const bByInstruction = new Map(b!.map((r) => [r.instruction, r]));
    const categories: string[] = [];
    const texts: string[] = [];
    for (const row of a!) {
      const other = bByInstruction.get(row.instruction)!;
      categories.push(row.dataset);
      texts.push(row.output, other.output);
    }
    const design = oneToOne(categories.length);
    const { columns, words } = styleColumns(texts);
    const result = categoryFeatures(design, categories, columns, words, { seed: 1 })!;
    expect(result.map((c) => [c.name, c.n])).toEqual([
      ['helpful_base', 129],
      ['koala', 156],
      ['oasst', 188],
      ['selfinstruct', 252],
      ['vicuna', 80],
    ]);
    // A plain count: answers holding a code fence, and mean whitespace-separated words.
    for (const c of result) {
      const answersOf = (side: 0 | 1) =>
        texts.filter((_, i) => i % 2 === side && categories[i >> 1] === c.name);
      const share = (xs: string[]) => xs.filter((t) => t.includes('```')).length / xs.length;
      const meanWords = (xs: string[]) =>
        xs.reduce((s, t) => s + t.split(/\s+/).filter(Boolean).length, 0) / xs.length;
      const code = c.features.find((f) => f.name === 'code_blocks')!;
      expect(code.shareA).toBeCloseTo(share(answersOf(0)), 2);
      expect(code.shareB).toBeCloseTo(share(answersOf(1)), 2);
      const length = c.features.find((f) => f.name === 'length_words')!;
      // The tokenizer splits "don't" and "3.5" differently from whitespace: within 15%.
      expect(length.shareA / meanWords(answersOf(0))).toBeGreaterThan(0.85);
      expect(length.shareA / meanWords(answersOf(0))).toBeLessThan(1.15);
      expect(length.shareB / meanWords(answersOf(1))).toBeGreaterThan(0.85);
      expect(length.shareB / meanWords(answersOf(1))).toBeLessThan(1.15);
      // Snorkel writes longer answers in every dataset, significantly so.
      expect(length.shareB).toBeGreaterThan(length.shareA);
      expect(length.qValue!).toBeLessThan(0.05);
    }
    const lengthLargest = largestCategory(result, 'length_words')!;
    const gains = result.map((c) => {
      const f = c.features.find((x) => x.name === 'length_words')!;
      return [c.name, f.shareB - f.shareA] as const;
    });
    expect(lengthLargest.name).toBe(gains.reduce((m, g) => (g[1] > m[1] ? g : m))[0]);
  });
});
