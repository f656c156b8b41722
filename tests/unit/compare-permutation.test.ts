import { describe, expect, it } from 'vitest';
import { ShareDifferenceStatistic } from '../../src/lib/core/compare/clusters';
import { pairedDesign } from '../../src/lib/core/compare/design';
import {
  permutationTest,
  WithinPromptPermuter,
  type PermutationStatistic,
} from '../../src/lib/core/compare/permutation';
import type { Side } from '../../src/lib/core/run/types';
import { createRng } from '../../src/lib/core/vectors/random';

describe('within-prompt permutations', () => {
  it('keep every prompt’s A/B counts and never move labels across prompts', () => {
    const promptIndex = [0, 0, 0, 1, 1, 1, 1, 2, 2, 3];
    const sides: Side[] = ['A', 'B', 'B', 'A', 'A', 'B', 'B', 'B', 'B', 'A'];
    const design = pairedDesign(promptIndex, sides);
    const permuter = new WithinPromptPermuter(design, createRng(3));
    let previous = permuter.isB.slice();
    let flipped = 0;
    for (let r = 0; r < 200; r++) {
      permuter.next();
      const b = [0, 0, 0, 0];
      permuter.isB.forEach((v, i) => (b[promptIndex[i]!]! += v));
      expect(b).toEqual([2, 2, 2, 0]);
      // flips list exactly the answers that changed side, each once
      const changed = [...previous.keys()].filter((i) => previous[i] !== permuter.isB[i]);
      const flips = Array.from(permuter.flips.subarray(0, permuter.nFlips)).sort((x, y) => x - y);
      expect(flips).toEqual(changed);
      flipped += permuter.nFlips;
      previous = permuter.isB.slice();
    }
    // Prompts 0 and 1 can swap (prompt 2 is all B, prompt 3 all A), so some draws change sides.
    expect(flipped).toBeGreaterThan(0);
  });

  it('draw each within-prompt labelling uniformly (chi-square over the 6 ways of 2 of 4)', () => {
    const design = pairedDesign([0, 0, 0, 0], ['A', 'A', 'B', 'B']);
    const permuter = new WithinPromptPermuter(design, createRng(11));
    const counts = new Map<string, number>();
    const N = 6000;
    for (let r = 0; r < N; r++) {
      permuter.next();
      const key = Array.from(permuter.isB).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - N / 6) ** 2 / (N / 6);
    expect(chi2).toBeLessThan(20.5); // chi2(5) 0.999 quantile
  });

  it('p = (1 + #{perm >= observed}) / (1 + N), ties counted', () => {
    // One prompt, one A and one B: a permutation keeps or swaps the pair with probability 1/2.
    const design = pairedDesign([0, 0], ['B', 'A']);
    const stat: PermutationStatistic = {
      size: 2,
      evaluate: (isB, out) => {
        out[0] = isB[0]!; // observed 1: exceeded (tied) when not swapped
        out[1] = 1; // constant: always tied
      },
    };
    const res = permutationTest(design, stat, { nPermutations: 400, seed: 5 });
    expect(res.pValues[0]).toBe((1 + res.exceed[0]!) / 401);
    expect(res.exceed[0]! / 400).toBeGreaterThan(0.4);
    expect(res.exceed[0]! / 400).toBeLessThan(0.6);
    expect(res.pValues[1]).toBe(1);
  });

  it('gives p = 1 when no prompt has both sides (nothing can be permuted)', () => {
    const design = pairedDesign([0, 0, 1, 1], ['A', 'A', 'B', 'B']);
    const stat = new ShareDifferenceStatistic(Int32Array.from([0, 0, 1, 1]), 2, 2, 2);
    expect(Array.from(permutationTest(design, stat, { nPermutations: 99 }).pValues)).toEqual([
      1, 1,
    ]);
  });

  it('incremental updates equal full re-evaluation, and results are reproducible', () => {
    const rng = createRng(9);
    const n = 300;
    const promptIndex = Array.from({ length: n }, (_, i) => Math.floor(i / 6));
    const sides: Side[] = Array.from({ length: n }, (_, i) => (i % 6 < 3 ? 'A' : 'B'));
    const cluster = Int32Array.from({ length: n }, () => rng.int(5));
    const design = pairedDesign(promptIndex, sides);
    const incremental = new ShareDifferenceStatistic(cluster, 5, design.nA, design.nB);
    const full = new ShareDifferenceStatistic(cluster, 5, design.nA, design.nB);
    const fullOnly: PermutationStatistic = { size: 5, evaluate: (b, o) => full.evaluate(b, o) };
    const a = permutationTest(design, incremental, { nPermutations: 300, seed: 2 });
    const b = permutationTest(design, fullOnly, { nPermutations: 300, seed: 2 });
    const c = permutationTest(design, incremental, { nPermutations: 300, seed: 2 });
    expect(Array.from(a.exceed)).toEqual(Array.from(b.exceed));
    expect(Array.from(a.pValues)).toEqual(Array.from(c.pValues));
    expect(() => permutationTest(design, incremental, { nPermutations: 0 })).toThrow(/positive/);
  });
});
