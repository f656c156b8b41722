import { describe, expect, it } from 'vitest';
import { bhQValues, bhQValuesNullable } from '../../src/lib/core/compare/fdr';

describe('Benjamini-Hochberg q-values', () => {
  it('match a hand-checked case', () => {
    // sorted 0.005, 0.01, 0.03, 0.04 -> 4p/i = 0.02, 0.02, 0.04, 0.04 (already monotone)
    expect(Array.from(bhQValues([0.01, 0.04, 0.03, 0.005]))).toEqual([0.02, 0.04, 0.04, 0.02]);
  });

  it('match the statsmodels/scipy formula constants, monotone and capped at 1', () => {
    // /usr/bin/python3: scipy 1.10 has no false_discovery_control, so its (and statsmodels'
    // fdr_bh) formula written out in numpy:
    //   o=argsort(p); ps=p[o]*m/arange(1,m+1); ps=minimum.accumulate(ps[::-1])[::-1];
    //   q[o]=minimum(ps,1)
    const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.9, 0.5, 0.049];
    const expected = [
      0.04, 0.0784, 0.0784, 0.04, 0.26666666666666666, 0.9, 0.5714285714285714, 0.0784,
    ];
    const q = bhQValues(p);
    q.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
    const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!);
    for (let r = 1; r < order.length; r++)
      expect(q[order[r]!]!).toBeGreaterThanOrEqual(q[order[r - 1]!]!);
    expect(Math.max(...bhQValues([0.9, 0.95, 0.99]))).toBeLessThanOrEqual(1);
    expect(Array.from(bhQValues([1, 1]))).toEqual([1, 1]);
  });

  it('keep missing p-values out of m', () => {
    expect(bhQValuesNullable([0.01, null, 0.04])).toEqual([0.02, null, 0.04]);
    expect(Number.isNaN(bhQValues([NaN])[0])).toBe(true);
    expect(bhQValues([]).length).toBe(0);
  });
});
