import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { energyDistance, energyTest } from '../../src/lib/core/compare/energy';
import { fromRows } from '../../src/lib/core/vectors/matrix';
import { synthetic } from './compare-test-helpers';

const labels = (nA: number, nB: number) =>
  Uint8Array.from({ length: nA + nB }, (_, i) => (i < nA ? 0 : 1));

describe('energy distance', () => {
  it('equals scipy.stats.energy_distance squared in 1-D', () => {
    // python3 -c "from scipy import stats; print(stats.energy_distance([0,1,3,4.5],[2,2.5,7])**2)"
    const u = [0, 1, 3, 4.5];
    const v = [2, 2.5, 7];
    const m = fromRows([...u, ...v].map((x) => [x]));
    expect(energyDistance(m, labels(4, 3))).toBeCloseTo(1.2569444444444444, 6);
    // stats.energy_distance([1.2,-0.4,3.3,0.9,2.1],[0.1,5.5,2.2])**2
    const m2 = fromRows([1.2, -0.4, 3.3, 0.9, 2.1, 0.1, 5.5, 2.2].map((x) => [x]));
    expect(energyDistance(m2, labels(5, 3))).toBeCloseTo(0.770666666666667, 6);
  });

  it('matches a hand-computed 2-D case', () => {
    // A = {(0,0), (1,0)}, B = {(0,1)}: cross sum 1 + sqrt 2, within A ordered-pair sum 2.
    // E = 2 (1 + sqrt 2) / 2 - 2 / 4 - 0 = 0.5 + sqrt 2
    const m = fromRows([
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(energyDistance(m, labels(2, 1))).toBeCloseTo(0.5 + Math.SQRT2, 6);
  });

  it('matches scipy cdist on 3-D unit vectors; cosine version is the squared mean difference', () => {
    // A=[[1,0,0],[.6,.8,0],[0,0,1]], B=[[0,1,0],[.8,0,.6]];
    // 2*cdist(A,B).mean()-cdist(A,A).mean()-cdist(B,B).mean()            -> 0.4681153539361004
    // same with 'cosine' -> 0.07333333333333336 = sum((A.mean(0)-B.mean(0))**2)
    const m = fromRows([
      [1, 0, 0],
      [0.6, 0.8, 0],
      [0, 0, 1],
      [0, 1, 0],
      [0.8, 0, 0.6],
    ]);
    expect(energyDistance(m, labels(3, 2))).toBeCloseTo(0.4681153539361004, 6);
    expect(energyDistance(m, labels(3, 2), 'cosine')).toBeCloseTo(0.07333333333333336, 6);
    // symmetric in the sides, also when the smaller side is A
    expect(energyDistance(m, Uint8Array.from([1, 1, 1, 0, 0]))).toBeCloseTo(0.4681153539361004, 6);
  });

  it('detects a clear shift (p < 0.01); calibration under the null is in compare-calibration', () => {
    const shifted = synthetic({ nPrompts: 20, samples: 3, dims: 16, seed: 4, shift: 1.5 });
    const d1 = pairedDesign(shifted.promptIndex, shifted.sides);
    const res = energyTest(shifted.vectors, d1, { nPermutations: 999, seed: 1 });
    expect(res.pValue).toBeLessThan(0.01);
    expect(res.statistic).toBeGreaterThan(0);
  });

  it('subsamples whole prompts above maxAnswers, reproducibly', () => {
    const s = synthetic({ nPrompts: 40, samples: 3, dims: 8, seed: 8, shift: 1.5 });
    const design = pairedDesign(s.promptIndex, s.sides);
    const a = energyTest(s.vectors, design, { maxAnswers: 100, nPermutations: 199, seed: 3 });
    const b = energyTest(s.vectors, design, { maxAnswers: 100, nPermutations: 199, seed: 3 });
    expect(a.subsampled).toBe(true);
    expect(a.nAnswers).toBeLessThanOrEqual(100);
    expect(a.nAnswers % 6).toBe(0); // whole prompts of 3 + 3 answers
    expect(a).toEqual(b);
    expect(a.pValue).toBeLessThan(0.01);
  });

  it('rejects one-sided input', () => {
    const m = fromRows([[0], [1]]);
    expect(() => energyTest(m, pairedDesign([0, 1], ['A', 'A']))).toThrow(/both A and B/);
  });
});
