import { describe, expect, it } from 'vitest';
import { bhQValues, bhQValuesNullable } from '../../src/lib/core/compare/fdr';
import { normalSf } from '../../src/lib/core/compare/normal';
import { createRng } from '../../src/lib/core/vectors/random';

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

// Error rates by simulation, against what Benjamini and Hochberg proved for independent,
// continuous p-values: under the global null, P(any q < alpha) = alpha exactly (Simes); with m0
// true nulls among m, FDR = alpha * m0 / m exactly (Benjamini & Yekutieli 2001, whatever the
// alternatives). Bands are three standard errors of the simulation.
describe('Benjamini-Hochberg error rates (simulated families of independent p-values)', () => {
  const ALPHA = 0.05;
  const FAMILIES = 20_000;

  /** Indices of q-values below ALPHA. */
  const discoveries = (q: ArrayLike<number>) =>
    Array.from(q, (v, i) => (v < ALPHA ? i : -1)).filter((i) => i >= 0);

  it('under the global null, a family has any discovery in alpha of the families', () => {
    const rng = createRng(21);
    let withDiscovery = 0;
    for (let f = 0; f < FAMILIES; f++) {
      const p = Array.from({ length: 10 }, () => rng.next());
      if (discoveries(bhQValues(p)).length) withDiscovery++;
    }
    const se = Math.sqrt((ALPHA * (1 - ALPHA)) / FAMILIES);
    expect(Math.abs(withDiscovery / FAMILIES - ALPHA)).toBeLessThan(3 * se);
  });

  it('with half the hypotheses false, FDR = alpha m0/m, and BH finds more than Bonferroni', () => {
    // m = 20: 10 true nulls (uniform p) and 10 one-sided z-tests of a 2.5 sd effect.
    const rng = createRng(22);
    const m = 20;
    const m0 = 10;
    let sumFdp = 0;
    let sumFdp2 = 0;
    let bhTrue = 0;
    let bonferroniTrue = 0;
    let bonferroniOnly = 0;
    for (let f = 0; f < FAMILIES; f++) {
      const p = Array.from({ length: m }, (_, i) =>
        i < m0 ? rng.next() : normalSf(rng.gaussian() + 2.5),
      );
      const found = discoveries(bhQValues(p));
      const falseFound = found.filter((i) => i < m0).length;
      const fdp = found.length ? falseFound / found.length : 0;
      sumFdp += fdp;
      sumFdp2 += fdp * fdp;
      bhTrue += found.length - falseFound;
      // Bonferroni's discoveries are always among BH's (BH is Bonferroni at rank 1, stepped up).
      const bonferroni = p.flatMap((v, i) => (v * m < ALPHA ? [i] : []));
      bonferroniOnly += bonferroni.filter((i) => !found.includes(i)).length;
      bonferroniTrue += bonferroni.filter((i) => i >= m0).length;
    }
    expect(bonferroniOnly).toBe(0);
    const fdr = sumFdp / FAMILIES;
    const se = Math.sqrt((sumFdp2 / FAMILIES - fdr * fdr) / FAMILIES);
    expect(Math.abs(fdr - (ALPHA * m0) / m)).toBeLessThan(3 * se);
    // Power under this known alternative: the share of the 10 real effects found.
    const bhPower = bhTrue / (FAMILIES * (m - m0));
    const bonferroniPower = bonferroniTrue / (FAMILIES * (m - m0));
    expect(bhPower).toBeGreaterThan(bonferroniPower + 0.1);
  });
});
