import { describe, expect, it } from 'vitest';
import {
  observationsFromReply,
  propertyClusterStats,
} from '../../src/lib/core/explain/property-stats';
import type { BlindPair, PropertyObservation } from '../../src/lib/core/explain/types';

const pair = (first: 'A' | 'B'): BlindPair => ({
  promptId: 'p7',
  prompt: 'How do I bake bread?',
  first,
  answers: ['1. Mix flour and water.\n2. Knead.\n3. Bake.', 'Mix, knead and bake it.'],
});

describe('observationsFromReply', () => {
  it('maps answer 1 to the side shown first and answer 2 to the other', () => {
    const props = [
      { text: 'uses a numbered list', answer: 1 as const },
      { text: 'answers in one sentence', answer: 2 as const },
    ];
    expect(observationsFromReply(pair('B'), props)).toEqual([
      { promptId: 'p7', text: 'uses a numbered list', side: 'B' },
      { promptId: 'p7', text: 'answers in one sentence', side: 'A' },
    ]);
    expect(observationsFromReply(pair('A'), props).map((o) => o.side)).toEqual(['A', 'B']);
  });

  it('trims texts and drops empty ones', () => {
    expect(
      observationsFromReply(pair('A'), [
        { text: '  states it is an AI \n', answer: 2 },
        { text: '   ', answer: 1 },
      ]),
    ).toEqual([{ promptId: 'p7', text: 'states it is an AI', side: 'B' }]);
    expect(observationsFromReply(pair('A'), [])).toEqual([]);
  });
});

const o = (promptId: string, side: 'A' | 'B', text: string): PropertyObservation => ({
  promptId,
  side,
  text,
});

describe('propertyClusterStats', () => {
  // Five sampled prompts (p5 got no property at all). Cluster 0: numbered lists, on B's answers
  // of p1-p4 (twice on p1) and A's of p1. Cluster 1: hedging, on A's of p2 and p3 and B's of p3.
  // One noise observation (-1).
  const observations = [
    o('p1', 'B', 'uses a numbered list'),
    o('p1', 'B', 'numbers its steps'),
    o('p1', 'A', 'uses a numbered list'),
    o('p2', 'B', 'uses a numbered list'),
    o('p3', 'B', 'lists the steps as 1, 2, 3'),
    o('p4', 'B', 'Numbered list of steps'),
    o('p2', 'A', 'hedges its claims'),
    o('p3', 'A', 'adds caveats'),
    o('p3', 'B', 'hedges its claims'),
    o('p4', 'A', 'mentions the weather'),
  ];
  const clusterOf = [0, 0, 0, 0, 0, 0, 1, 1, 1, -1];
  const sampled = ['p1', 'p2', 'p3', 'p4', 'p5'];

  it('counts prompts per side, with the paired interval, McNemar p and BH q', () => {
    const stats = propertyClusterStats(observations, clusterOf, sampled);
    expect(stats.map((c) => c.id)).toEqual([0, 1]); // noise left out; |4 - 1| before |1 - 2|
    const [lists, hedges] = stats;
    expect(lists).toMatchObject({
      name: '',
      definition: '',
      countA: 1,
      countB: 4,
      nPrompts: 5,
      shareA: 0.2,
      shareB: 0.8,
    });
    expect(hedges).toMatchObject({ countA: 2, countB: 1, nPrompts: 5, shareA: 0.4, shareB: 0.2 });
    // Interval from /usr/bin/python3 (numpy, scipy 1.10.1), d = per-prompt hasB - hasA:
    //   d.mean() -+ scipy.stats.norm.ppf(0.975) * d.std(ddof=1) / sqrt(5)
    //   [0,1,1,1,0]  -> 0.11990883236446898, 1.080091167635531 (clipped to 1)
    //   [0,-1,0,0,0] -> -0.5919927969080109, 0.19199279690801085
    expect(lists!.ciLow).toBeCloseTo(0.11990883236446898, 14);
    expect(lists!.ciHigh).toBe(1);
    expect(hedges!.ciLow).toBeCloseTo(-0.5919927969080109, 14);
    expect(hedges!.ciHigh).toBeCloseTo(0.19199279690801085, 14);
    // Only-B prompts 3 and only-A 0: scipy.stats.binomtest(3, 3).pvalue = 0.25; only-A 1: 1.
    expect(lists!.pValue).toBeCloseTo(0.25, 15);
    expect(hedges!.pValue).toBe(1);
    // BH over two: sorted 0.25 -> 2 x 0.25 / 1 = 0.5; 1 -> 1.
    expect(lists!.qValue).toBeCloseTo(0.5, 15);
    expect(hedges!.qValue).toBe(1);
  });

  it('lists up to five member texts, the most frequent first, then in text order', () => {
    const texts = ['g', 'c', 'b', 'a', 'b', 'f', 'e', 'd', 'b', 'c'];
    const obs = texts.map((t, i) => o(`p${i % 3}`, i % 2 ? 'A' : 'B', t));
    const [c] = propertyClusterStats(
      obs,
      obs.map(() => 4),
      ['p0', 'p1', 'p2'],
    );
    expect(c!.id).toBe(4);
    expect(c!.examples).toEqual(['b', 'c', 'a', 'd', 'e']);
  });

  it('gives one vote per prompt however many members a side has there', () => {
    const obs = [o('x', 'B', 'one'), o('x', 'B', 'two'), o('x', 'B', 'three'), o('y', 'A', 'one')];
    const [c] = propertyClusterStats(obs, [0, 0, 0, 0], ['x', 'y', 'z', 'w']);
    expect(c).toMatchObject({ countA: 1, countB: 1, shareA: 0.25, shareB: 0.25, pValue: 1 });
  });

  it('gives [-1, 1] with one prompt and a point when every prompt differs the same way', () => {
    const [single] = propertyClusterStats([o('x', 'B', 'bold')], [0], ['x']);
    expect([single!.ciLow, single!.ciHigh]).toEqual([-1, 1]);
    const [same] = propertyClusterStats(
      [o('x', 'B', 'bold'), o('y', 'B', 'bold')],
      [0, 0],
      ['x', 'y'],
    );
    expect([same!.ciLow, same!.ciHigh]).toEqual([1, 1]);
  });

  it('orders equal gaps by cluster id and refuses mismatched or unsampled input', () => {
    const obs = [o('x', 'B', 'p'), o('x', 'A', 'q'), o('y', 'B', 'r')];
    expect(propertyClusterStats(obs, [9, 3, 5], ['x', 'y']).map((c) => c.id)).toEqual([3, 5, 9]);
    expect(() => propertyClusterStats(obs, [0, 0], ['x', 'y'])).toThrow(RangeError);
    expect(() => propertyClusterStats(obs, [0, 0, 0], ['x'])).toThrow(/not among the sampled/);
    expect(propertyClusterStats([], [], ['x'])).toEqual([]);
  });
});
