import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { EnergyStatistic, energyDistance, energyTest } from '../../src/lib/core/compare/energy';
import { DEFAULT_PERMUTATIONS } from '../../src/lib/core/compare/permutation';
import type { Side } from '../../src/lib/core/run/types';
import { fromRows } from '../../src/lib/core/vectors/matrix';
import { synthetic } from './compare-test-helpers';

/** nPrompts prompts, each with `perSide` A answers then `perSide` B answers. */
function balanced(nPrompts: number, perSide: number) {
  const s = synthetic({ nPrompts, samples: perSide, dims: 6, seed: 3, shift: 1 });
  return { s, design: pairedDesign(s.promptIndex, s.sides) };
}

describe('energy test details', () => {
  it('reports the hand-computed statistic of a tiny example with the default (Euclidean) metric', () => {
    // Prompt 0: A (0,0), B (0,1); prompt 1: A (1,0), B (0,1).
    // Cross pairs: 1 + sqrt 2 (to each B) twice -> sum 2 (1 + sqrt 2); /(2*2) *2 = 1 + sqrt 2.
    // Within A ordered pairs: 2 * 1 = 2 -> /4 = 0.5. Within B: 0. E = 0.5 + sqrt 2.
    const m = fromRows([
      [0, 0],
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    const design = pairedDesign([0, 0, 1, 1], ['A', 'B', 'A', 'B']);
    const res = energyTest(m, design, { nPermutations: 19 });
    expect(res.metric).toBe('euclidean');
    expect(res.statistic).toBeCloseTo(0.5 + Math.SQRT2, 6);
    // Cosine on the same points: half the squared Euclidean distance, a different number.
    const cos = energyTest(m, design, { nPermutations: 19, metric: 'cosine' });
    expect(cos.metric).toBe('cosine');
    expect(cos.statistic).toBeCloseTo(energyDistance(m, design.isB, 'cosine'), 6);
    expect(cos.statistic).not.toBeCloseTo(res.statistic, 3);
  });

  it('gives p-values in [1/(N+1), 1] with the default N and the given N', () => {
    const { s, design } = balanced(8, 2);
    const byDefault = energyTest(s.vectors, design);
    expect(byDefault.nPermutations).toBe(DEFAULT_PERMUTATIONS);
    const res = energyTest(s.vectors, design, { nPermutations: 49 });
    expect(res.nPermutations).toBe(49);
    expect(res.pValue).toBeGreaterThanOrEqual(1 / 50);
    expect(res.pValue).toBeLessThanOrEqual(1);
    // p is (1 + exceedances) / (N + 1): a whole multiple of 1/(N+1).
    expect(Math.abs(res.pValue * 50 - Math.round(res.pValue * 50))).toBeLessThan(1e-9);
  });

  it('uses seed 1 by default and the seed changes the p-value', () => {
    const s = synthetic({ nPrompts: 12, samples: 2, dims: 6, seed: 5, shift: 0 });
    const design = pairedDesign(s.promptIndex, s.sides);
    const unseeded = energyTest(s.vectors, design, { nPermutations: 199 });
    const seed1 = energyTest(s.vectors, design, { nPermutations: 199, seed: 1 });
    expect(unseeded).toEqual(seed1);
    const pValues = new Set(
      [2, 3, 4, 5].map(
        (seed) => energyTest(s.vectors, design, { nPermutations: 199, seed }).pValue,
      ),
    );
    expect(pValues.size).toBeGreaterThan(1);
  });

  it('does not subsample at exactly maxAnswers answers', () => {
    const { s, design } = balanced(5, 2);
    const res = energyTest(s.vectors, design, { nPermutations: 19, maxAnswers: 20 });
    expect(res.subsampled).toBe(false);
    expect(res.nAnswers).toBe(20);
  });

  it('fills the subsample with whole prompts up to maxAnswers exactly when they fit', () => {
    // 10 prompts of 6 answers; 30 = 5 whole prompts.
    const { s, design } = balanced(10, 3);
    const res = energyTest(s.vectors, design, { nPermutations: 19, maxAnswers: 30 });
    expect(res.subsampled).toBe(true);
    expect(res.nAnswers).toBe(30);
    // 33 is not a multiple of 6: still only whole prompts, 5 of them.
    expect(energyTest(s.vectors, design, { nPermutations: 19, maxAnswers: 33 }).nAnswers).toBe(30);
  });

  it('keeps one whole prompt when a single prompt is larger than maxAnswers', () => {
    const { s, design } = balanced(6, 3);
    const res = energyTest(s.vectors, design, { nPermutations: 19, maxAnswers: 4 });
    expect(res.subsampled).toBe(true);
    expect(res.nAnswers).toBe(6);
    expect(res.statistic).toBeGreaterThan(0);
  });

  it('names the mismatch and the missing side in its errors', () => {
    const { design } = balanced(3, 1);
    const short = fromRows([[1, 0]]);
    expect(() => energyTest(short, design)).toThrow('energyTest: 1 vectors for 6 answers');
    const oneSided = pairedDesign([0, 1], ['A', 'A']);
    expect(() => energyTest(fromRows([[1], [0]]), oneSided)).toThrow(
      'energyTest: needs answers from both A and B (got 2 A, 0 B)',
    );
    expect(() => new EnergyStatistic(new Float32Array(5), 2)).toThrow(
      'EnergyStatistic: matrix is not 2 x 2',
    );
  });

  it('says when the subsample has lost a side', () => {
    // Every prompt is answered by one side only; one prompt per subsample leaves one side.
    const sides: Side[] = ['A', 'A', 'B', 'B'];
    const design = pairedDesign([0, 0, 1, 1], sides);
    const m = fromRows([[0], [1], [2], [3]]);
    expect(() => energyTest(m, design, { maxAnswers: 2, nPermutations: 9 })).toThrow(
      'energyTest (subsample): needs answers from both A and B',
    );
  });
});
