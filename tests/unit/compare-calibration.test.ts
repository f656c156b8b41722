/**
 * Calibration and power of the permutation tests on synthetic data with a strong prompt effect
 * (answers to one prompt are much closer to each other than to other prompts' answers) and
 * several samples per prompt: exactly the structure a naive answer-level test gets wrong.
 */
import { describe, expect, it } from 'vitest';
import { compareClusters } from '../../src/lib/core/compare/clusters';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { energyTest } from '../../src/lib/core/compare/energy';
import { compareFeatures } from '../../src/lib/core/compare/features';
import { wilcoxonSignedRank } from '../../src/lib/core/compare/wilcoxon';
import { createRng } from '../../src/lib/core/vectors/random';
import { synthetic } from './compare-test-helpers';

const REPS = 200;

describe('calibration under the null (A and B from the same distribution)', () => {
  it('energy p-values fall below 0.05 in about 5% of repetitions (small clusters: at most)', () => {
    let energyRejects = 0;
    let clusterRejects = 0;
    let clusterTests = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const s = synthetic({ nPrompts: 20, samples: 3, dims: 8, k: 4, seed: 1000 + rep });
      const design = pairedDesign(s.promptIndex, s.sides);
      const energy = energyTest(s.vectors, design, { nPermutations: 499, seed: rep });
      if (energy.pValue < 0.05) energyRejects++;
      const clusters = compareClusters(design, s.labels, {
        nPermutations: 499,
        nBootstrap: 50,
        seed: rep,
      });
      for (const c of clusters) {
        clusterTests++;
        if (c.pValue < 0.05) clusterRejects++;
      }
    }
    expect(energyRejects / REPS).toBeGreaterThanOrEqual(0.02);
    expect(energyRejects / REPS).toBeLessThanOrEqual(0.09);
    // Clusters of ~30 answers make |shareB - shareA| very discrete: ties at the observed value
    // make the test conservative (about 2-3% here), never liberal.
    expect(clusterRejects / clusterTests).toBeLessThanOrEqual(0.06);
  });

  it('cluster p-values fall below 0.05 in about 5% of repetitions; intervals cover 0', () => {
    // Larger clusters (~200 answers each), so the discreteness above fades.
    const reps = 400;
    let firstRejects = 0;
    let pooled = 0;
    let tests = 0;
    let covered = 0;
    for (let rep = 0; rep < reps; rep++) {
      const s = synthetic({ nPrompts: 100, samples: 3, dims: 8, k: 3, seed: 3000 + rep });
      const design = pairedDesign(s.promptIndex, s.sides);
      const clusters = compareClusters(design, s.labels, {
        nPermutations: 499,
        nBootstrap: 200,
        seed: rep,
      });
      // One cluster per repetition for an independent count; all clusters pooled as well.
      if (clusters[0]!.pValue < 0.05) firstRejects++;
      for (const c of clusters) {
        tests++;
        if (c.pValue < 0.05) pooled++;
        if (c.ciLow! <= 0 && c.ciHigh! >= 0) covered++;
      }
    }
    expect(firstRejects / reps).toBeGreaterThanOrEqual(0.02);
    expect(firstRejects / reps).toBeLessThanOrEqual(0.09);
    expect(pooled / tests).toBeGreaterThanOrEqual(0.02);
    expect(pooled / tests).toBeLessThanOrEqual(0.09);
    // 95% prompt-bootstrap intervals cover the true difference (0) about 95% of the time.
    expect(covered / tests).toBeGreaterThanOrEqual(0.9);
    expect(covered / tests).toBeLessThanOrEqual(0.99);
  });

  it('Wilcoxon p-values of paired null differences are uniform enough', () => {
    const rng = createRng(77);
    let rejects = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const d = Array.from({ length: 30 }, () => rng.gaussian());
      if (wilcoxonSignedRank(d).pValue! < 0.05) rejects++;
    }
    expect(rejects / REPS).toBeGreaterThanOrEqual(0.02);
    expect(rejects / REPS).toBeLessThanOrEqual(0.09);
  });

  it('nothing is significant after FDR in a typical null run, and rarely in any', () => {
    let runsWithDiscovery = 0;
    for (let run = 0; run < 20; run++) {
      const s = synthetic({ nPrompts: 30, samples: 2, dims: 8, k: 6, seed: 5000 + run });
      const design = pairedDesign(s.promptIndex, s.sides);
      const clusters = compareClusters(design, s.labels, {
        nPermutations: 499,
        nBootstrap: 100,
        seed: run,
      });
      const rng = createRng(run);
      const columns = Array.from({ length: 8 }, (_, f) => ({
        name: `f${f}`,
        values: Float64Array.from({ length: design.n }, () => Math.floor(rng.next() * 6)),
      }));
      const features = compareFeatures(design, columns);
      const discoveries =
        clusters.filter((c) => c.qValue < 0.05).length +
        features.filter((f) => f.qValue !== null && f.qValue < 0.05).length;
      if (run === 0) expect(discoveries).toBe(0);
      if (discoveries > 0) runsWithDiscovery++;
    }
    // Under the global null BH controls the family-wise error at 5% per family (two families).
    expect(runsWithDiscovery).toBeLessThanOrEqual(3);
  });
});

describe('power', () => {
  it('a clear shift is detected by the energy test and in the cluster B moves towards', () => {
    const s = synthetic({ nPrompts: 20, samples: 3, dims: 8, k: 4, seed: 42, shift: 1.5 });
    const design = pairedDesign(s.promptIndex, s.sides);
    expect(energyTest(s.vectors, design, { nPermutations: 999, seed: 1 }).pValue).toBeLessThan(
      0.01,
    );
    const clusters = compareClusters(design, s.labels, { nPermutations: 999, seed: 1 });
    const c0 = clusters.find((c) => c.id === 0)!;
    expect(c0.difference).toBeGreaterThan(0);
    expect(c0.pValue).toBeLessThan(0.01);
    expect(c0.qValue).toBeLessThan(0.05);
    expect(c0.ciLow!).toBeGreaterThan(0);
  });

  it('a consistent per-prompt feature change is detected', () => {
    const s = synthetic({ nPrompts: 25, samples: 2, dims: 4, seed: 3 });
    const design = pairedDesign(s.promptIndex, s.sides);
    const rng = createRng(8);
    const values = Float64Array.from(
      { length: design.n },
      (_, i) => rng.gaussian() + (design.isB[i] ? 1.5 : 0),
    );
    const [f] = compareFeatures(design, [{ name: 'length_words', values }]);
    expect(f!.pValue!).toBeLessThan(0.01);
    expect(f!.effect!).toBeGreaterThan(0.5);
  });
});
