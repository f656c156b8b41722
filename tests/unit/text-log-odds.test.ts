import { describe, expect, it } from 'vitest';
import { distinctiveTerms, logOddsFromCounts } from '../../src/lib/core/text/log-odds';

// Reference: Monroe et al. eq. 22 with a_i = s * (yA_i + yB_i), a0 = s * (nA + nB), written out in
// /usr/bin/python3 (numpy):
//   d = log((yB+a)/(nB+a0-yB-a)) - log((yA+a)/(nA+a0-yA-a)); z = d / sqrt(1/(yB+a) + 1/(yA+a))
// for yA = {x:10, y:5, z:0, w:20}, yB = {x:2, y:5, z:8, w:25} (nA = 35, nB = 40).
const countsA = new Map([
  ['x', 10],
  ['y', 5],
  ['z', 0],
  ['w', 20],
]);
const countsB = new Map([
  ['x', 2],
  ['y', 5],
  ['z', 8],
  ['w', 25],
]);

describe('log-odds ratio with informative Dirichlet prior', () => {
  it('matches the reference values (prior scale 1 and 0.1)', () => {
    const expected: Record<string, Record<string, [number, number]>> = {
      '1': {
        x: [-0.58976882610611, -1.7250668152917241],
        y: [-0.05129329438755059, -0.14047247192407297],
        z: [0.7230001437096263, 1.6696973103795636],
        w: [0.07410797215372189, 0.4302330246476043],
      },
      '0.1': {
        x: [-1.60012954800035, -2.524398418470719],
        y: [-0.12838116664820665, -0.22236270336966096],
        z: [2.47255680156739, 2.117371145339566],
        w: [0.1857171457950928, 0.6794369645441569],
      },
    };
    for (const scale of [1, 0.1]) {
      const scored = logOddsFromCounts(countsA, countsB, { priorScale: scale });
      for (const t of scored) {
        const [delta, z] = expected[String(scale)]![t.term]!;
        expect(t.delta).toBeCloseTo(delta, 12);
        expect(t.z).toBeCloseTo(z, 12);
      }
      expect(scored).toHaveLength(4);
    }
  });

  it('hand check: equal relative frequencies give delta 0; a one-sided term by hand', () => {
    const A = new Map([
      ['a', 3],
      ['b', 7],
    ]);
    const B = new Map([
      ['a', 6],
      ['b', 14],
      ['c', 10],
    ]);
    const byTerm = new Map(logOddsFromCounts(A, B).map((t) => [t.term, t]));
    // nA = 10, nB = 30, a0 = 40. Term a: prior 9;
    //   log((6+9)/(30+40-6-9)) - log((3+9)/(10+40-3-9)) = log(15/55) - log(12/38)
    expect(byTerm.get('a')!.delta).toBeCloseTo(Math.log(15 / 55) - Math.log(12 / 38), 14);
    // Term c (B only): prior 10; delta = log(20/50) - log(10/40), var = 1/20 + 1/10
    const c = byTerm.get('c')!;
    expect(c.delta).toBeCloseTo(Math.log(20 / 50) - Math.log(10 / 40), 14);
    expect(c.z).toBeCloseTo(c.delta / Math.sqrt(1 / 20 + 1 / 10), 14);
    expect([c.countA, c.countB]).toEqual([0, 10]);
    // same relative frequency on both sides, no prior distortion: delta 0
    const same = logOddsFromCounts(
      A,
      new Map([
        ['a', 6],
        ['b', 14],
      ]),
    );
    expect(same[0]!.delta).toBeCloseTo(0, 14);
    expect(() => logOddsFromCounts(A, B, { priorScale: 0 })).toThrow(/priorScale/);
  });

  it('finds the words and bigrams each side uses more, with signed z', () => {
    const textsA = Array.from(
      { length: 30 },
      (_, i) => `Sure! Here is a recipe for bread number ${i}. Enjoy baking bread.`,
    );
    const textsB = Array.from({ length: 30 }, (_, i) =>
      i % 2
        ? `I'm sorry, but I cannot help with recipe ${i}.`
        : `Here is a recipe for bread. Enjoy.`,
    );
    const res = distinctiveTerms(textsA, textsB, { topK: 5 });
    const b = res.moreInB.map((t) => t.term);
    expect(b).toContain('sorry');
    expect(b).toContain('cannot');
    expect(res.moreInA.map((t) => t.term)).toContain('baking');
    expect(res.moreInA.map((t) => t.term).some((t) => t.includes(' '))).toBe(true); // a bigram
    expect(res.moreInB.every((t) => t.z > 0)).toBe(true);
    expect(res.moreInA.every((t) => t.z < 0)).toBe(true);
    for (let i = 1; i < res.moreInB.length; i++)
      expect(res.moreInB[i - 1]!.z).toBeGreaterThanOrEqual(res.moreInB[i]!.z);
  });
});

describe('distinctiveTerms per-answer cap', () => {
  it('does not let one answer that repeats a token dominate', () => {
    const spam = Array(200).fill('zzspam').join(' ');
    const textsA = [spam, 'the cat sat', 'the cat ran', 'a dog barked'];
    const textsB = [
      'please note the cat',
      'please see the dog',
      'please consider this',
      'please wait',
    ];
    const capped = distinctiveTerms(textsA, textsB, { minCount: 2 });
    const uncapped = distinctiveTerms(textsA, textsB, { minCount: 2, maxPerAnswer: Infinity });
    expect(uncapped.moreInA[0]!.term).toBe('zzspam');
    expect(capped.moreInA.find((t) => t.term === 'zzspam')?.countA).toBe(3);
    expect(capped.moreInB[0]!.term).toBe('please');
  });
});
