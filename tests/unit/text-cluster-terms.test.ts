import { describe, expect, it } from 'vitest';
import {
  clusterTerms,
  minTermAnswers,
  MIN_CONTRAST_DIFFERENCE,
} from '../../src/lib/core/text/cluster-terms';

const RECIPES = [
  'Preheat the oven and mix the flour with sugar.',
  'Whisk eggs, then fold in flour and bake in the oven.',
  'Knead the dough with flour and let it rise before baking.',
  'Melt butter, add sugar and flour, and bake the cake.',
  'Grease the pan, pour the batter and bake until golden.',
  'Sift the flour twice so the sponge stays light.',
  'Cream butter and sugar before adding the eggs.',
  'Cool the loaf on a rack after it leaves the oven.',
  'Roll out the pastry and chill it before baking.',
  'Brush the crust with egg so it browns in the oven.',
];

describe('clusterTerms', () => {
  it('one answer repeating a made-up word 1,000 times cannot make it a cluster term', () => {
    const loop = Array.from({ length: 1000 }, () => 'zorblax').join(' ');
    const texts = [...RECIPES, ...RECIPES.map((t) => t.toUpperCase()), loop];
    const classOf = texts.map(() => 0);
    const isB = texts.map((_, i) => i % 2);
    const [only] = clusterTerms(texts, classOf, isB, 1);
    expect(only!.terms).not.toContain('zorblax');
    expect(only!.terms.slice(0, 3)).toEqual(expect.arrayContaining(['flour', 'oven']));
    expect(only!.contrastTerms.a).not.toContain('zorblax');
    expect(only!.contrastTerms.b).not.toContain('zorblax');
  });

  it('counts each answer once: a term repeated in 2 answers loses to one said once in 5', () => {
    const texts = [
      'alpha '.repeat(50) + 'common',
      'alpha '.repeat(50) + 'common',
      'common beta',
      'common beta',
      'common beta',
      'common beta',
      'common beta',
      'gamma delta',
    ];
    const [c] = clusterTerms(
      texts,
      texts.map(() => 0),
      texts.map(() => 0),
      1,
    );
    expect(c!.terms).toContain('beta');
    expect(c!.terms).not.toContain('alpha'); // in 2 answers < 3
    expect(c!.terms).not.toContain('gamma');
  });

  it('needs a term in at least 3 answers, or 5% of a large cluster', () => {
    expect(minTermAnswers(1)).toBe(3);
    expect(minTermAnswers(60)).toBe(3);
    expect(minTermAnswers(61)).toBe(4);
    expect(minTermAnswers(200)).toBe(10);
    // 'rare' in 9 of 200 answers is out, 'kept' in 10 is in.
    const texts = Array.from({ length: 200 }, (_, i) =>
      [i < 9 ? 'rare' : '', i < 10 ? 'kept' : '', `filler${i}`].join(' '),
    );
    const [c] = clusterTerms(
      texts,
      texts.map(() => 0),
      texts.map(() => 0),
      1,
    );
    expect(c!.terms).toEqual(['kept']);
  });

  it('gives each side the terms of more of its answers inside the cluster', () => {
    // 10 A answers and 10 B answers about baking; 6 of B's open with "certainly", 4 of A's say "grandma".
    const a = RECIPES.map((t, i) => (i < 4 ? `${t} My grandma did so.` : t));
    const b = RECIPES.map((t, i) => (i < 6 ? `Certainly! ${t}` : t));
    const texts = [...a, ...b];
    const isB = texts.map((_, i) => (i < a.length ? 0 : 1));
    const [c] = clusterTerms(
      texts,
      texts.map(() => 0),
      isB,
      1,
    );
    expect(c!.contrastTerms.b).toEqual(['certainly']);
    expect(c!.contrastTerms.a).toEqual(['grandma']);
    // Terms both sides use equally are not contrast terms.
    expect([...c!.contrastTerms.a, ...c!.contrastTerms.b]).not.toContain('flour');
  });

  it('needs 3 answers of the leading side and a difference of at least 10 points', () => {
    expect(MIN_CONTRAST_DIFFERENCE).toBe(0.1);
    // 'pair' in 2 of 4 B answers (50 points) is too rare; 'tenth' in 3 of 30 B vs 0 of 30 A is
    // exactly 10 points; 'near' in 3 of 30 B vs 1 of 30 A is under.
    const b = Array.from({ length: 30 }, (_, i) =>
      [i < 3 ? 'tenth' : '', i < 3 ? 'near' : '', 'word'].join(' '),
    );
    const a = Array.from({ length: 30 }, (_, i) => (i < 1 ? 'near word' : 'word'));
    const texts = [...a, ...b, 'pair x', 'pair y', 'x', 'y', 'z', 'z'];
    const classOf = texts.map((_, i) => (i < 60 ? 0 : 1));
    const isB = texts.map((_, i) => (i < 30 ? 0 : i < 60 ? 1 : i < 64 ? 1 : 0));
    const [big, small] = clusterTerms(texts, classOf, isB, 2);
    expect(big!.contrastTerms).toEqual({ a: [], b: ['tenth'] });
    expect(small!.contrastTerms).toEqual({ a: [], b: [] });
  });

  it('has no contrast terms in a cluster of one side only', () => {
    const texts = RECIPES.map((t, i) => (i < 5 ? `Certainly! ${t}` : t));
    const [c] = clusterTerms(
      texts,
      texts.map(() => 0),
      texts.map(() => 1),
      1,
    );
    expect(c!.contrastTerms).toEqual({ a: [], b: [] });
    expect(c!.terms.length).toBeGreaterThan(0);
  });

  it('leaves out answers of other classes (noise, -1) and orders contrast ties by count then term', () => {
    const texts = ['noiseword x', 'noiseword y', 'noiseword z', ...RECIPES];
    const classOf = texts.map((_, i) => (i < 3 ? -1 : 0));
    const [c] = clusterTerms(
      texts,
      classOf,
      texts.map(() => 0),
      1,
    );
    expect(c!.terms).not.toContain('noiseword');
  });

  it('says which inputs disagree', () => {
    expect(() => clusterTerms(['a'], [0, 0], [0], 1)).toThrow(/1 texts, 2 class labels, 1 sides/);
    expect(() => clusterTerms(['a'], [0], [], 1)).toThrow(/1 texts, 1 class labels, 0 sides/);
  });
});
