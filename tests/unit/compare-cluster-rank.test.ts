import { describe, expect, it } from 'vitest';
import { oneSidedness, rankClusters } from '../../src/lib/core/compare/cluster-rank';

const c = (id: number, shareA: number, shareB: number, qValue: number, noise?: boolean) => ({
  id,
  shareA,
  shareB,
  qValue,
  ...(noise === undefined ? {} : { noise }),
});

describe('rankClusters', () => {
  it('puts the most one-sided cluster first, whichever side it leans to', () => {
    const ranked = rankClusters([
      c(0, 0.3, 0.32, 0.0001), // large, barely moved, very significant
      c(1, 0.03, 0.0, 0.002), // 24:0, small
      c(2, 0.1, 0.25, 0.01),
      c(3, 0.3, 0.1, 0.04),
    ]);
    expect(ranked.map((x) => x.id)).toEqual([3, 2, 1, 0]);
    expect(oneSidedness(c(9, 0.3, 0.1, 1))).toBeCloseTo(0.2, 12);
  });

  it('breaks ties by q, then id, and puts noise last', () => {
    const ranked = rankClusters([
      c(-1, 0.0, 0.5, 0.0001),
      c(4, 0.25, 0.5, 0.2),
      c(5, 0.5, 0.25, 0.01),
      c(2, 0.25, 0.5, 0.2),
      c(7, 0.0, 0.75, 0.001, true),
    ]);
    // Shares are exact in binary, so the three ties on |shareB - shareA| are real ties.
    expect(ranked.map((x) => x.id)).toEqual([5, 2, 4, 7, -1]);
  });

  it('returns a copy', () => {
    const input = [c(0, 0, 0.1, 1), c(1, 0, 0.2, 1)];
    const ranked = rankClusters(input);
    expect(ranked.map((x) => x.id)).toEqual([1, 0]);
    expect(input.map((x) => x.id)).toEqual([0, 1]);
  });
});
