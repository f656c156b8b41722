import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { compareFeatureMeasures } from '../../src/lib/core/compare/feature-measures';
import { exactMcNemarP } from '../../src/lib/core/compare/mcnemar';
import type { Side } from '../../src/lib/core/run/types';
import { styleFeatureColumns } from '../../src/lib/core/text/style-features';
import { createRng } from '../../src/lib/core/vectors/random';

/** One answer per side per prompt: answers 2p (A) and 2p + 1 (B). */
function oneToOne(nPrompts: number) {
  const promptIndex = Array.from({ length: 2 * nPrompts }, (_, i) => i >> 1);
  const sides = promptIndex.map((_, i) => (i % 2 ? 'B' : 'A') as Side);
  return pairedDesign(promptIndex, sides);
}

describe('features as share and rate, tested on their primary measure', () => {
  it('a model that hedges less per 100 words but writes 3x more is reported as hedging less', () => {
    const rng = createRng(3);
    const texts: string[] = [];
    for (let p = 0; p < 30; p++) {
      // A: 40 words with 2 hedges (5 per 100 words); B: 120 words with 3 hedges (2.5 per 100).
      const filler = (n: number) => Array.from({ length: n }, () => `w${rng.int(50)}`).join(' ');
      texts.push(`It might rain and perhaps snow. ${filler(34)}`);
      texts.push(`It might rain, perhaps snow, maybe hail. ${filler(113)}`);
    }
    const design = oneToOne(30);
    const style = styleFeatureColumns(texts);
    const [hedges, length] = compareFeatureMeasures(
      design,
      [
        { name: 'hedges', values: style.hedges, measure: 'rate' },
        { name: 'length_words', values: style.length_words, measure: 'length' },
      ],
      style.length_words,
    );
    expect(hedges!.meanB).toBeGreaterThan(hedges!.meanA); // the count goes up ...
    expect(hedges!.per100wB).toBeLessThan(hedges!.per100wA); // ... the rate goes down
    expect(hedges!.effect).toBe(-1); // reported as LESS, from the rate
    expect(hedges!.pValue!).toBeLessThan(0.001);
    expect(hedges!.rateOpposesCount).toBe(true);
    expect(hedges!.measure).toBe('rate');
    expect(length!.effect).toBe(1);
    expect(length!.rateOpposesCount).toBe(false);
    expect(hedges!.shareA).toBe(1);
    expect(hedges!.medianA).toBe(2);
    expect(hedges!.medianB).toBe(3);
  });

  it('one long outlier answer does not make the count look opposed to the rate', () => {
    // B hedges less on every prompt, by count and by rate, except one 2000-word answer with 100.
    const words: number[] = [];
    const hedgeCounts: number[] = [];
    for (let p = 0; p < 20; p++) {
      words.push(50, p === 0 ? 2000 : 50);
      hedgeCounts.push(2, p === 0 ? 100 : 1);
    }
    const [hedges] = compareFeatureMeasures(
      oneToOne(20),
      [{ name: 'hedges', values: hedgeCounts, measure: 'rate' }],
      words,
    );
    expect(hedges!.meanB).toBeGreaterThan(hedges!.meanA); // the mean count is pulled up ...
    expect(hedges!.effect!).toBeLessThan(0); // ... but B hedges less, by rate and by count
    expect(hedges!.rateOpposesCount).toBe(false);
  });

  it('one answer with 236 emoji does not make emoji significant', () => {
    const texts: string[] = [];
    for (let p = 0; p < 40; p++) {
      const emoji = p === 0 ? '😀'.repeat(236) : p % 4 === 0 ? '😀' : '';
      texts.push(`A plain answer number ${p} about the topic. ${p % 4 === 1 ? '😀' : ''}`);
      texts.push(`A plain answer number ${p} about the topic. ${emoji}`);
    }
    const style = styleFeatureColumns(texts);
    const [emoji] = compareFeatureMeasures(
      oneToOne(40),
      [{ name: 'emoji', values: style.emoji, measure: 'rate' }],
      style.length_words,
    );
    expect(emoji!.meanB / emoji!.meanA).toBeGreaterThan(20); // the mean is pulled by one answer
    expect(emoji!.pValue!).toBeGreaterThan(0.5);
    expect(emoji!.medianA).toBe(0);
    expect(emoji!.medianB).toBe(0);
  });

  it('tests detectors by presence per answer: exact McNemar on the discordant prompts', () => {
    // B declines on prompts 0-9 (twice in one answer counts once); A declines on prompt 10.
    const texts: string[] = [];
    for (let p = 0; p < 20; p++) {
      texts.push(p === 10 ? "I can't help with that." : 'Here is the answer you asked for.');
      texts.push(
        p < 10
          ? "I'm sorry, but I cannot help with that. I must decline."
          : 'Here is the answer you asked for.',
      );
    }
    const style = styleFeatureColumns(texts);
    const [refusals, tables] = compareFeatureMeasures(
      oneToOne(20),
      [
        { name: 'refusals', values: style.refusals, measure: 'presence' },
        { name: 'tables', values: style.tables, measure: 'presence' },
      ],
      style.length_words,
    );
    expect(refusals!.pValue).toBe(exactMcNemarP(1, 10));
    expect(refusals!.presenceTest).toBe('mcnemar-exact');
    expect(refusals!.shareA).toBe(0.05);
    expect(refusals!.shareB).toBe(0.5);
    expect(refusals!.effect).toBeCloseTo(9 / 11, 12);
    expect([refusals!.nPairs, refusals!.nZeros]).toEqual([20, 9]);
    expect(refusals!.qValue).toBe(refusals!.pValue); // tables has no test: one p in the family
    expect(tables!.pValue).toBeNull();
    expect(tables!.shareB).toBe(0);
  });

  it('uses the within-prompt permutation with several samples per prompt', () => {
    const promptIndex = Array.from({ length: 48 }, (_, i) => Math.floor(i / 4));
    const sides = promptIndex.map((_, i) => (i % 4 < 2 ? 'A' : 'B') as Side);
    const values = promptIndex.map((_, i) => (i % 4 >= 2 ? 1 : 0));
    const [f] = compareFeatureMeasures(
      pairedDesign(promptIndex, sides),
      [{ name: 'pushback', values, measure: 'presence' }],
      new Array(48).fill(10),
      { nPermutations: 199, seed: 2 },
    );
    expect(f!.presenceTest).toBe('permutation');
    expect(f!.pValue).toBeCloseTo(1 / 200, 12);
    expect(f!.per100wB).toBe(10);
  });

  it('says what is wrong with its input', () => {
    const design = oneToOne(2);
    expect(() =>
      compareFeatureMeasures(design, [{ name: 'x', values: [1], measure: 'rate' }], [1, 1, 1, 1]),
    ).toThrow(/feature x has 1 values for 4 answers/);
    expect(() => compareFeatureMeasures(design, [], [1])).toThrow(/1 word counts for 4 answers/);
    expect(() =>
      compareFeatureMeasures(
        design,
        [{ name: 'x', values: [1, NaN, 1, 1], measure: 'rate' }],
        [1, 1, 1, 1],
      ),
    ).toThrow(/feature x, answer 1 is NaN/);
  });
});
