/**
 * Calibration and power of the permutation tests on synthetic data with a strong prompt effect
 * (answers to one prompt are much closer to each other than to other prompts' answers) and
 * several samples per prompt: exactly the structure a naive answer-level test gets wrong.
 *
 * Rejection rates are checked within three binomial standard errors of their expected value
 * (1,000 repetitions where that costs under 10 s). A permutation p-value (1 + c) / (N + 1) is
 * below 0.05 with probability floor(0.05 (N + 1) - eps) / (N + 1) under the null: 0.045 for
 * N = 199, which the bands are centred on.
 */
import { describe, expect, it } from 'vitest';
import { compareClusters } from '../../src/lib/core/compare/clusters';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { energyTest } from '../../src/lib/core/compare/energy';
import { compareFeatures } from '../../src/lib/core/compare/features';
import { wilcoxonSignedRank } from '../../src/lib/core/compare/wilcoxon';
import { createRng } from '../../src/lib/core/vectors/random';
import { synthetic } from './compare-test-helpers';

/** Permutations per test in the calibration loops (p-values step by 1/200). */
const PERMUTATIONS = 199;
/** P(p < 0.05) under the null for a permutation p-value with PERMUTATIONS permutations. */
const PERMUTATION_SIZE = Math.floor(0.05 * (PERMUTATIONS + 1) - 1e-9) / (PERMUTATIONS + 1);

/** Three binomial standard errors of a rate `p` estimated from `trials`. */
const band = (p: number, trials: number) => 3 * Math.sqrt((p * (1 - p)) / trials);

/** Expects `count / trials` within three standard errors of `p`. */
function expectRate(count: number, trials: number, p: number): void {
  expect(Math.abs(count / trials - p)).toBeLessThanOrEqual(band(p, trials));
}

/** The feature columns of a null run: small integers (like counts), the same law for A and B. */
function nullColumns(n: number, seed: number, shiftB?: { isB: Uint8Array; by: number }) {
  const rng = createRng(seed);
  return Array.from({ length: 8 }, (_, f) => ({
    name: `f${f}`,
    values: Float64Array.from(
      { length: n },
      (_, i) => Math.floor(rng.next() * 6) + (f === 0 && shiftB?.isB[i] ? shiftB.by : 0),
    ),
  }));
}

describe('calibration under the null (A and B from the same distribution)', () => {
  it('energy p-values fall below 0.05 at the permutation test’s size (1,000 repetitions)', () => {
    const reps = 1000;
    let rejects = 0;
    for (let rep = 0; rep < reps; rep++) {
      const s = synthetic({ nPrompts: 20, samples: 3, dims: 8, k: 4, seed: 1000 + rep });
      const design = pairedDesign(s.promptIndex, s.sides);
      const energy = energyTest(s.vectors, design, { nPermutations: PERMUTATIONS, seed: rep });
      if (energy.pValue < 0.05) rejects++;
    }
    expectRate(rejects, reps, PERMUTATION_SIZE);
  });

  it('small clusters are conservative, never liberal', () => {
    const reps = 200;
    let rejects = 0;
    let tests = 0;
    for (let rep = 0; rep < reps; rep++) {
      const s = synthetic({ nPrompts: 20, samples: 3, dims: 8, k: 4, seed: 1000 + rep });
      const design = pairedDesign(s.promptIndex, s.sides);
      const clusters = compareClusters(design, s.labels, {
        nPermutations: PERMUTATIONS,
        nBootstrap: 1,
        seed: rep,
      });
      for (const c of clusters) {
        tests++;
        if (c.pValue < 0.05) rejects++;
      }
    }
    // Clusters of ~30 answers make |shareB - shareA| very discrete: ties at the observed value
    // make the test conservative (about 2-3% here). Tests of one repetition are dependent, so
    // the band uses the number of repetitions, not of tests.
    expect(rejects / tests).toBeLessThanOrEqual(PERMUTATION_SIZE + band(PERMUTATION_SIZE, reps));
  });

  it('cluster p-values fall below 0.05 at the test’s size; intervals cover 0 (1,000 repetitions)', () => {
    // Larger clusters (~200 answers each), so the discreteness above fades.
    const reps = 1000;
    let firstRejects = 0;
    let pooled = 0;
    let tests = 0;
    let covered = 0;
    for (let rep = 0; rep < reps; rep++) {
      const s = synthetic({ nPrompts: 100, samples: 3, dims: 8, k: 3, seed: 3000 + rep });
      const design = pairedDesign(s.promptIndex, s.sides);
      const clusters = compareClusters(design, s.labels, {
        nPermutations: PERMUTATIONS,
        nBootstrap: 100,
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
    expectRate(firstRejects, reps, PERMUTATION_SIZE);
    // Pooled tests of one repetition are dependent (shares sum to 1): at most the size.
    expect(pooled / tests).toBeLessThanOrEqual(PERMUTATION_SIZE + band(PERMUTATION_SIZE, reps));
    // 95% percentile intervals from 100 prompt-bootstrap draws cover the true difference (0)
    // a little less often than 95% with 100 prompts (about 93% here).
    expect(covered / tests).toBeGreaterThanOrEqual(0.9);
    expect(covered / tests).toBeLessThanOrEqual(0.95 + band(0.05, reps));
  });

  it.each([30, 60])(
    'Wilcoxon p-values of %i null differences fall below 0.05 in 5% of 10,000 repetitions',
    (n) => {
      // 30: the exact test (size 0.0497 at 0.05, from scipy's exact distribution); 60: the
      // normal approximation.
      const reps = 10_000;
      const rng = createRng(77 + n);
      let rejects = 0;
      for (let rep = 0; rep < reps; rep++) {
        const d = Array.from({ length: n }, () => rng.gaussian());
        if (wilcoxonSignedRank(d).pValue! < 0.05) rejects++;
      }
      expectRate(rejects, reps, 0.05);
    },
  );

  it('after BH, each family has a discovery in at most 5% of 1,000 null runs', () => {
    const runs = 1000;
    let clusterFamily = 0;
    let featureFamily = 0;
    let either = 0;
    for (let run = 0; run < runs; run++) {
      const s = synthetic({ nPrompts: 30, samples: 2, dims: 8, k: 6, seed: 5000 + run });
      const design = pairedDesign(s.promptIndex, s.sides);
      // The intervals are not looked at here: one bootstrap draw keeps the loop cheap.
      const clusters = compareClusters(design, s.labels, {
        nPermutations: PERMUTATIONS,
        nBootstrap: 1,
        seed: run,
      });
      const features = compareFeatures(design, nullColumns(design.n, run));
      const inClusters = clusters.some((c) => c.qValue < 0.05);
      const inFeatures = features.some((f) => f.qValue !== null && f.qValue < 0.05);
      if (run === 0) expect([inClusters, inFeatures]).toEqual([false, false]);
      if (inClusters) clusterFamily++;
      if (inFeatures) featureFamily++;
      if (inClusters || inFeatures) either++;
    }
    // Under the global null, BH's family-wise discovery rate is at most alpha per family
    // (exactly alpha for independent continuous tests: Simes), and the two families together
    // at most 1 - 0.95^2.
    const upper = (p: number) => p + band(p, runs);
    expect(clusterFamily / runs).toBeLessThanOrEqual(upper(PERMUTATION_SIZE));
    expect(featureFamily / runs).toBeLessThanOrEqual(upper(0.05));
    expect(either / runs).toBeLessThanOrEqual(upper(1 - 0.95 ** 2));
    // The eight features are independent Wilcoxon tests, nearly continuous (paired means of
    // two answers): their family's rate is close to alpha, not merely below it.
    expect(featureFamily / runs).toBeGreaterThanOrEqual(0.05 - band(0.05, runs));
  });
});

describe('power', () => {
  it('after BH, a known shift is found in most of 200 runs (clusters and features)', () => {
    const runs = 200;
    let clusterFound = 0;
    let featureFound = 0;
    for (let run = 0; run < runs; run++) {
      const s = synthetic({ nPrompts: 30, samples: 2, dims: 8, k: 6, seed: 7000 + run, shift: 1 });
      const design = pairedDesign(s.promptIndex, s.sides);
      const clusters = compareClusters(design, s.labels, {
        nPermutations: PERMUTATIONS,
        nBootstrap: 1,
        seed: run,
      });
      // Feature 0 is 2 higher in B (values 0-5, sd 1.7): 30 paired prompt means find it.
      const features = compareFeatures(
        design,
        nullColumns(design.n, run, { isB: design.isB, by: 2 }),
      );
      if (clusters.find((c) => c.id === 0)!.qValue < 0.05) clusterFound++;
      if (features[0]!.qValue! < 0.05) featureFound++;
    }
    // About 96% and 100% here; a test that lost power (e.g. BH by Bonferroni's or doubled
    // p-values) falls well below.
    expect(clusterFound / runs).toBeGreaterThanOrEqual(0.9);
    expect(featureFound / runs).toBeGreaterThanOrEqual(0.95);
  });

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
