import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import {
  exactMcNemarP,
  normalQuantile,
  signedNormalScore,
} from '../../src/lib/core/compare/mcnemar';
import { wordPresence } from '../../src/lib/core/compare/word-presence';
import type { Side } from '../../src/lib/core/run/types';
import { distinctiveTerms } from '../../src/lib/core/text/log-odds';
import { createRng, type Rng } from '../../src/lib/core/vectors/random';

const VOCAB = [
  'apple', 'river', 'stone', 'garden', 'window', 'engine', 'pepper', 'silver', 'meadow',
  'candle', 'harbor', 'violin', 'marble', 'forest', 'rocket', 'lemon', 'castle', 'copper',
  'tunnel', 'saddle', 'pillow', 'falcon', 'glacier', 'lantern', 'orchid', 'pebble', 'quarry',
  'ribbon', 'spider', 'thunder',
]; // prettier-ignore

/** Answers to `texts`, in (prompt, side, sample) order, as the comparison receives them. */
interface Answers {
  texts: string[];
  promptIndex: number[];
  sides: Side[];
}

function answers(): Answers {
  return { texts: [], promptIndex: [], sides: [] };
}

function add(into: Answers, prompt: number, side: Side, text: string): void {
  into.texts.push(text);
  into.promptIndex.push(prompt);
  into.sides.push(side);
}

function presence(a: Answers, options: Parameters<typeof wordPresence>[2] = {}) {
  return wordPresence(pairedDesign(a.promptIndex, a.sides), a.texts, options);
}

/** A topic answer: each of the prompt's words with its own probability, one short sentence each. */
function topicAnswer(rng: Rng, topic: readonly string[], probability = 0.5): string {
  const kept = topic.filter(() => rng.next() < probability);
  return kept.map((w) => `${w} here.`).join(' ');
}

describe('exact McNemar test', () => {
  // Constants from scipy 1.10 (Debian 12):
  //   /usr/bin/python3 -c "from scipy.stats import binomtest; print(binomtest(4, 127).pvalue)"
  // and likewise for each pair (binomtest(aOnly, aOnly + bOnly).pvalue, = statsmodels'
  // mcnemar(table, exact=True).pvalue).
  it.each([
    [4, 123, 1.2549729328149998e-31],
    [0, 5, 0.0625],
    [1, 6, 0.125],
    [3, 3, 1.0],
    [10, 20, 0.09873714670538905],
    [30, 52, 0.0198269158458416],
    [400, 460, 0.04416954819458915],
    [700, 800, 0.01055925546671162],
    [2, 9, 0.0654296875],
  ])('p(%i only in A, %i only in B) = %f as scipy', (a, b, expected) => {
    expect(exactMcNemarP(a, b)).toBeCloseTo(expected, 12);
    expect(exactMcNemarP(a, b) / expected).toBeCloseTo(1, 9);
    expect(exactMcNemarP(b, a)).toBe(exactMcNemarP(a, b));
  });
  it('gives 1 without discordant prompts and rejects impossible counts', () => {
    expect(exactMcNemarP(0, 0)).toBe(1);
    expect(() => exactMcNemarP(-1, 2)).toThrow(/whole numbers/);
    expect(() => exactMcNemarP(1.5, 2)).toThrow(/whole numbers/);
  });
  // /usr/bin/python3 -c "from scipy.stats import norm; print(norm.isf(p / 2))"
  it.each([
    [0.05, 1.9599639845400545],
    [1e-10, 6.466951087240516],
    [0.5, 0.6744897501960817],
    [1e-300, 37.06578788077213],
    [0.999, 0.0012533144654325557],
  ])('scores p = %f as the normal deviate %f (scipy norm.isf(p/2))', (p, z) => {
    expect(signedNormalScore(p, 1)).toBeCloseTo(z, 9);
    expect(signedNormalScore(p, -1)).toBeCloseTo(-z, 9);
  });
  it('scores no difference as 0 and stays finite at p = 0', () => {
    expect(signedNormalScore(1, 1)).toBe(0);
    expect(signedNormalScore(0.01, 0)).toBe(0);
    expect(Number.isFinite(signedNormalScore(0, 1))).toBe(true);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(() => normalQuantile(0)).toThrow(/\(0, 1\)/);
  });
});

describe('words tested by presence per answer', () => {
  it('finds nothing when B writes 3x more but uses every term in the same answers', () => {
    const rng = createRng(3);
    const a = answers();
    for (let p = 0; p < 40; p++) {
      const text = topicAnswer(rng, VOCAB.slice((p % 6) * 5, (p % 6) * 5 + 12), 0.6);
      add(a, p, 'A', text);
      // Filler words unique to one answer: never in 5 answers, so never tested themselves.
      const filler = Array.from({ length: 60 }, (_, k) => `filler${p}x${k}`).join(' ');
      add(a, p, 'B', `${text} ${filler}.`);
    }
    const words = presence(a);
    expect(words.test).toBe('mcnemar-exact');
    expect(words.tested).toBeGreaterThan(10);
    expect([...words.moreInA, ...words.moreInB]).toEqual([]);
    // The per-token view is fooled by the length: shared words look "more in A".
    const textsA = a.texts.filter((_, i) => a.sides[i] === 'A');
    const textsB = a.texts.filter((_, i) => a.sides[i] === 'B');
    expect(distinctiveTerms(textsA, textsB).moreInA[0]!.z).toBeLessThan(-2);
  });

  it('finds a term added to half of B’s answers, in B, with the answers that contain it', () => {
    const rng = createRng(4);
    const a = answers();
    for (let p = 0; p < 40; p++) {
      const topic = VOCAB.slice((p % 6) * 5, (p % 6) * 5 + 12);
      add(a, p, 'A', topicAnswer(rng, topic));
      const b = topicAnswer(rng, topic);
      add(a, p, 'B', p % 2 === 0 ? `${b} Please note this.` : b);
    }
    const words = presence(a);
    const note = words.moreInB.find((w) => w.term === 'note')!;
    expect(note).toMatchObject({ countA: 0, countB: 20 });
    expect(note.pValue).toBeCloseTo(2 * 0.5 ** 20, 15);
    expect(note.qValue!).toBeLessThan(0.001);
    expect(note.z).toBeGreaterThan(4);
    expect(words.moreInB[0]!.term).toMatch(/note/);
    expect(words.moreInA.some((w) => w.qValue! < 0.05)).toBe(false);
    // Swapping the sides moves it to A with the sign flipped.
    const swapped = { ...a, sides: a.sides.map((s) => (s === 'A' ? 'B' : 'A') as Side) };
    const flipped = presence(swapped).moreInA.find((w) => w.term === 'note')!;
    expect(flipped).toMatchObject({ countA: 20, countB: 0 });
    expect(flipped.z).toBeCloseTo(-note.z, 12);
  });

  it('finds it with several samples per prompt by the within-prompt permutation', () => {
    const rng = createRng(5);
    const a = answers();
    for (let p = 0; p < 30; p++) {
      const topic = VOCAB.slice((p % 6) * 5, (p % 6) * 5 + 12);
      for (let s = 0; s < 3; s++) {
        add(a, p, 'A', topicAnswer(rng, topic));
        const b = topicAnswer(rng, topic);
        add(a, p, 'B', s !== 1 || p % 2 ? `${b} Please note this.` : b);
      }
    }
    const words = presence(a, { nPermutations: 999, seed: 2 });
    expect(words.test).toBe('permutation');
    const note = words.moreInB.find((w) => w.term === 'note')!;
    expect(note).toMatchObject({ countA: 0, countB: 75 });
    expect(note.pValue).toBe(1 / 1000); // at the permutation floor
    expect(note.qValue!).toBeLessThan(0.05);
    expect(note.z).toBeCloseTo(signedNormalScore(1 / 1000, 1), 12);
  });

  it('does not let one answer repeating a word 1,000 times make it significant', () => {
    const rng = createRng(6);
    const a = answers();
    for (let p = 0; p < 40; p++) {
      const topic = VOCAB.slice((p % 6) * 5, (p % 6) * 5 + 12);
      const extra = p < 3 ? ' zorblax.' : '';
      add(a, p, 'A', topicAnswer(rng, topic) + (p >= 3 && p < 6 ? ' zorblax.' : ''));
      const loop = p === 10 ? ` ${'zorblax '.repeat(1000)}.` : extra;
      add(a, p, 'B', topicAnswer(rng, topic) + loop);
    }
    const words = presence(a);
    const all = [...words.moreInA, ...words.moreInB];
    const zorblax = all.find((w) => w.term === 'zorblax');
    // 3 answers on each side plus the loop: 4 of B's vs 3 of A's, nowhere near significant.
    expect(zorblax === undefined || zorblax.qValue! > 0.5).toBe(true);
    if (zorblax) expect(zorblax).toMatchObject({ countA: 3, countB: 4 });
    expect(all.some((w) => w.qValue! < 0.05)).toBe(false);
  });

  it('tests only terms found in at least 5 answers and ranks by q, then by the count difference', () => {
    const a = answers();
    for (let p = 0; p < 30; p++) {
      add(a, p, 'A', p < 2 ? 'rare word.' : 'plain answer.');
      add(a, p, 'B', `plain answer.${p < 12 ? ' lantern.' : ''}${p < 16 ? ' orchid.' : ''}`);
    }
    const words = presence(a);
    expect(words.minAnswers).toBe(5);
    expect(words.tested).toBe(5); // plain, answer, plain answer, lantern, orchid: not "rare"
    expect(words.moreInB.map((w) => w.term).slice(0, 2)).toEqual(['orchid', 'lantern']);
    expect(words.moreInB.slice(0, 2).map((w) => [w.countA, w.countB])).toEqual([
      [0, 16],
      [0, 12],
    ]);
  });

  it('rejects texts that do not match the answers', () => {
    const design = pairedDesign([0, 0], ['A', 'B']);
    expect(() => wordPresence(design, ['one'])).toThrow(/1 texts for 2 answers/);
  });
});

describe('null rate of the word tests', () => {
  const bound = 0.05 + 3 * Math.sqrt((0.05 * 0.95) / 200);

  it('a model against itself (one sample per prompt): any q < 0.05 in at most 5% + 3 SE of 200 runs', () => {
    let discoveries = 0;
    for (let run = 0; run < 200; run++) {
      const rng = createRng(1000 + run);
      const a = answers();
      for (let p = 0; p < 40; p++) {
        const topic = VOCAB.slice((p % 6) * 5, (p % 6) * 5 + 12);
        add(a, p, 'A', topicAnswer(rng, topic, 0.3 + 0.4 * rng.next()));
        add(a, p, 'B', topicAnswer(rng, topic, 0.3 + 0.4 * rng.next()));
      }
      const words = presence(a);
      if ([...words.moreInA, ...words.moreInB].some((w) => w.qValue! < 0.05)) discoveries++;
    }
    expect(discoveries / 200).toBeLessThanOrEqual(bound);
  });

  it('an exchangeable mixture of two models (2 samples per prompt): at most 5% + 3 SE of 200 runs', () => {
    let discoveries = 0;
    for (let run = 0; run < 200; run++) {
      const rng = createRng(5000 + run);
      const a = answers();
      for (let p = 0; p < 20; p++) {
        const topic = VOCAB.slice((p % 6) * 5, (p % 6) * 5 + 12);
        for (let s = 0; s < 2; s++) {
          // Model 1 is terse; model 2 writes more and often says "certainly".
          const one = topicAnswer(rng, topic, 0.3);
          const two = `${rng.next() < 0.6 ? 'Certainly! ' : ''}${topicAnswer(rng, topic, 0.6)}`;
          const oneIsA = rng.next() < 0.5;
          add(a, p, 'A', oneIsA ? one : two);
          add(a, p, 'B', oneIsA ? two : one);
        }
      }
      const words = presence(a, { nPermutations: 99, seed: run });
      if ([...words.moreInA, ...words.moreInB].some((w) => w.qValue! < 0.05)) discoveries++;
    }
    expect(discoveries / 200).toBeLessThanOrEqual(bound);
  });
});
