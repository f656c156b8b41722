import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { compareFeatures, pairedDifferences } from '../../src/lib/core/compare/features';
import type { Side } from '../../src/lib/core/run/types';

describe('paired feature comparison', () => {
  // 4 prompts x (2 A + 2 B samples); B - A per prompt = 1, 2, -0.5, 3
  const promptIndex = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4];
  const sides: Side[] = [...'AABBAABBAABBAABBA'].map((c) => c as Side);
  const values = [1, 3, 3, 3, 0, 0, 2, 2, 5, 4, 4, 4, 1, 1, 3, 5, 100];

  it('per-prompt mean differences, rank-biserial, exact Wilcoxon, means over answers', () => {
    const design = pairedDesign(promptIndex, sides);
    expect(pairedDifferences(design, values)).toEqual([1, 2, -0.5, 3]);
    const [f] = compareFeatures(design, [{ name: 'x', values }]);
    // scipy.stats.wilcoxon([1, 2, -0.5, 3]) -> statistic 1, p 0.25; r = (9 - 1) / 10
    expect(f!.pValue).toBe(0.25);
    expect(f!.effect).toBeCloseTo(0.8, 15);
    expect(f!.meanDifference).toBeCloseTo(1.375, 15);
    expect(f!.meanA).toBeCloseTo((1 + 3 + 0 + 0 + 5 + 4 + 1 + 1 + 100) / 9, 12);
    expect(f!.meanB).toBeCloseTo((3 + 3 + 2 + 2 + 4 + 4 + 3 + 5) / 8, 12);
    expect(f!.nPairs).toBe(4);
    expect(f!.test).toBe('exact');
    expect(f!.qValue).toBe(0.25);
  });

  it('recognises rounding-level differences as zeros and ties; constant features have no test', () => {
    // (5 + 0 + 0) / 3 - 2/3 and (4 + 0 + 0) / 3 - 1/3 differ in the last bit before rounding
    const design = pairedDesign([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [
      ...'AAABBBAAABBB',
    ] as Side[]);
    const v = [2, 0, 0, 5, 0, 0, 1, 0, 0, 4, 0, 0];
    const d = pairedDifferences(design, v);
    expect(d[0]).toBe(d[1]);
    const res = compareFeatures(design, [
      { name: 'same', values: new Float64Array(12).fill(2) },
      { name: 'v', values: v },
    ]);
    expect(res[0]!.pValue).toBeNull();
    expect(res[0]!.qValue).toBeNull();
    expect(res[0]!.effect).toBeNull();
    expect(res[1]!.test).toBe('approx'); // tied |d|
    expect(() => compareFeatures(design, [{ name: 'bad', values: [1] }])).toThrow(/1 values/);
  });
});
