import { describe, expect, it } from 'vitest';
import { compareClusters } from '../../src/lib/core/compare/clusters';
import { pairedDesign } from '../../src/lib/core/compare/design';
import {
  quantileSorted,
  shareDifferenceIntervals,
} from '../../src/lib/core/compare/share-bootstrap';
import type { Side } from '../../src/lib/core/run/types';

// p0: A c0 c0 | B c1 c0;  p1: A c0 c2 | B c1 c1;  p2: A c2 | B c2 c1
const promptIndex = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2];
const sides: Side[] = ['A', 'A', 'B', 'B', 'A', 'A', 'B', 'B', 'A', 'B', 'B'];
const labels = [0, 0, 1, 0, 0, 2, 1, 1, 2, 2, 1];

/** Exact within-prompt permutation tail P(|shareB - shareA| >= observed) by enumeration. */
function exactTails(): number[] {
  const groups = [0, 1, 2].map((p) => promptIndex.flatMap((q, i) => (q === p ? [i] : [])));
  const bCounts = groups.map((g) => g.filter((i) => sides[i] === 'B').length);
  const subsets = (items: number[], k: number): number[][] =>
    k === 0
      ? [[]]
      : items.flatMap((x, j) => subsets(items.slice(j + 1), k - 1).map((s) => [x, ...s]));
  const stat = (bSet: Set<number>) =>
    [0, 1, 2].map((c) => {
      let a = 0;
      let b = 0;
      labels.forEach((l, i) => l === c && (bSet.has(i) ? b++ : a++));
      return Math.abs(b / 6 - a / 5);
    });
  const observed = stat(new Set(sides.flatMap((s, i) => (s === 'B' ? [i] : []))));
  const hits = [0, 0, 0];
  let total = 0;
  for (const s0 of subsets(groups[0]!, bCounts[0]!))
    for (const s1 of subsets(groups[1]!, bCounts[1]!))
      for (const s2 of subsets(groups[2]!, bCounts[2]!)) {
        const st = stat(new Set([...s0, ...s1, ...s2]));
        st.forEach((v, c) => v >= observed[c]! - 1e-12 && hits[c]!++);
        total++;
      }
  expect(total).toBe(6 * 6 * 3);
  return hits.map((h) => h / total);
}

describe('cluster comparison', () => {
  it('counts, shares and differences by hand; p-values match exact enumeration', () => {
    const design = pairedDesign(promptIndex, sides);
    const res = compareClusters(design, labels, { nPermutations: 20000, seed: 3, nBootstrap: 500 });
    expect(res.map((r) => [r.id, r.size, r.countA, r.countB])).toEqual([
      [0, 4, 3, 1],
      [1, 4, 0, 4],
      [2, 3, 2, 1],
    ]);
    expect(res[0]!.shareA).toBeCloseTo(0.6, 15);
    expect(res[1]!.shareB).toBeCloseTo(4 / 6, 15);
    expect(res[0]!.difference).toBeCloseTo(1 / 6 - 0.6, 15);
    const exact = exactTails();
    res.forEach((r, c) => expect(Math.abs(r.pValue - exact[c]!)).toBeLessThan(0.015));
    res.forEach((r) => {
      expect(r.qValue).toBeGreaterThanOrEqual(r.pValue);
      expect(r.ciLow!).toBeLessThanOrEqual(r.ciHigh!);
    });
  });

  it('keeps noise (-1) as its own row and is reproducible', () => {
    const design = pairedDesign(promptIndex, sides);
    const noisy = labels.map((l, i) => (i === 3 ? -1 : l));
    const a = compareClusters(design, noisy, { nPermutations: 99, nBootstrap: 100, seed: 5 });
    expect(a.map((r) => r.id)).toEqual([-1, 0, 1, 2]);
    expect(a[0]!.countB).toBe(1);
    expect(compareClusters(design, noisy, { nPermutations: 99, nBootstrap: 100, seed: 5 })).toEqual(
      a,
    );
    expect(() => compareClusters(design, [0, 1])).toThrow(/2 labels for 11 answers/);
  });
});

describe('prompt-clustered bootstrap interval', () => {
  it('is degenerate at -1 and +1 when the clusters are the sides themselves', () => {
    const design = pairedDesign(promptIndex, sides);
    const cluster = Int32Array.from(sides, (s) => (s === 'A' ? 0 : 1));
    const ci = shareDifferenceIntervals(design, cluster, 2, { nBootstrap: 300, seed: 1 });
    expect([ci.low[0], ci.high[0], ci.low[1], ci.high[1]]).toEqual([-1, -1, 1, 1]);
  });

  it('has no interval with a single prompt', () => {
    const design = pairedDesign([0, 0], ['A', 'B']);
    const ci = shareDifferenceIntervals(design, Int32Array.from([0, 0]), 1);
    expect(Number.isNaN(ci.low[0]!)).toBe(true);
  });

  it('uses numpy’s linear percentile', () => {
    // python3 -c "import numpy as np; print(np.percentile([5,1,4,2,3,9,7],[2.5,97.5]))" -> [1.15 8.7]
    const sorted = [1, 2, 3, 4, 5, 7, 9];
    expect(quantileSorted(sorted, 0.025)).toBeCloseTo(1.15, 12);
    expect(quantileSorted(sorted, 0.975)).toBeCloseTo(8.7, 12);
  });
});
