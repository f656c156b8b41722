import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { promptDivergence } from '../../src/lib/core/compare/divergence';
import { fromRows } from '../../src/lib/core/vectors/matrix';

describe('per-prompt divergence', () => {
  it('cross distance, noise floor and ranking by hand (cosine distance)', () => {
    // prompt 0: A (1,0) | B (0.8,0.6): cross 1 - 0.8 = 0.2, no floor.
    // prompt 1: A (1,0),(0.6,0.8) | B (0,1),(-1,0): cross (1 + 2 + 0.2 + 1.6) / 4 = 1.2,
    //           within A 1 - 0.6 = 0.4, within B 1 - 0 = 1, floor 0.7, divergence 0.5.
    // prompt 2: only A: skipped.
    const vectors = fromRows([
      [1, 0],
      [0.8, 0.6],
      [1, 0],
      [0.6, 0.8],
      [0, 1],
      [-1, 0],
      [1, 0],
    ]);
    const design = pairedDesign([0, 0, 1, 1, 1, 1, 2], ['A', 'B', 'A', 'A', 'B', 'B', 'A']);
    const res = promptDivergence(vectors, design);
    expect(res.map((r) => r.promptIndex)).toEqual([1, 0]);
    const [p1, p0] = res;
    expect(p1!.cross).toBeCloseTo(1.2, 6);
    expect(p1!.withinA).toBeCloseTo(0.4, 6);
    expect(p1!.withinB).toBeCloseTo(1, 6);
    expect(p1!.noiseFloor).toBeCloseTo(0.7, 6);
    expect(p1!.divergence).toBeCloseTo(0.5, 6);
    expect(p1!.adjusted).toBe(true);
    expect(p0!.cross).toBeCloseTo(0.2, 6);
    expect(p0!.noiseFloor).toBeNull();
    expect(p0!.divergence).toBeCloseTo(0.2, 6);
    expect(p0!.adjusted).toBe(false);
    // Euclidean metric: prompt 0 cross = |(1,0) - (0.8,0.6)| = sqrt(0.4)
    const eu = promptDivergence(vectors, design, 'euclidean');
    expect(eu.find((r) => r.promptIndex === 0)!.cross).toBeCloseTo(Math.sqrt(0.4), 6);
  });

  it('uses the one available within-side mean as the floor', () => {
    const vectors = fromRows([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const [r] = promptDivergence(vectors, pairedDesign([0, 0, 0], ['A', 'A', 'B']));
    expect(r!.withinA).toBeCloseTo(1, 6);
    expect(r!.withinB).toBeNull();
    expect(r!.noiseFloor).toBeCloseTo(1, 6);
    expect(r!.cross).toBeCloseTo(0.5, 6);
    expect(r!.divergence).toBeCloseTo(-0.5, 6);
  });
});
