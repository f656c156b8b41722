/** The report's vocabulary: p at its permutation floor, rounding of p, q, percentages, ratios. */
import { describe, expect, it } from 'vitest';
import {
  ALPHA,
  formatCount,
  formatNumber,
  formatP,
  formatPercent,
  formatPoints,
  formatQ,
  formatRatio,
  formatShare,
  permutationFloor,
  pText,
} from '../../src/lib/core/report/vocabulary';

describe('p and q', () => {
  it('writes small values in scientific notation, others to three decimals, null as a dash', () => {
    expect(formatP(0.0001)).toBe('1.0e-4');
    expect(formatP(0.00049)).toBe('4.9e-4');
    expect(formatP(0.001)).toBe('0.001');
    expect(formatP(0.0126)).toBe('0.013');
    expect(formatP(0.25)).toBe('0.250');
    expect(formatP(1)).toBe('1.000');
    expect(formatP(null)).toBe('–');
    expect(formatQ(1.2e-6)).toBe('1.2e-6');
    expect(formatQ(null)).toBe('–');
  });

  it('prints a permutation p at its floor 1/(N+1) as "p ≤", and any other p as "p ="', () => {
    expect(permutationFloor(999)).toBe(0.001);
    // (1 + 0) / (999 + 1) as the permutation test computes it.
    expect(pText(1 / 1000, 999)).toBe('p ≤ 0.001');
    expect(pText(2 / 1000, 999)).toBe('p = 0.002');
    expect(pText(1 / 100, 99)).toBe('p ≤ 0.010');
    expect(pText(1 / 5001, 5000)).toBe('p ≤ 2.0e-4');
    // The same number from a test that is not a permutation (or whose N is not known) is exact.
    expect(pText(0.001)).toBe('p = 0.001');
    expect(pText(0.37, 999)).toBe('p = 0.370');
  });

  it('judges significance at 0.05', () => {
    expect(ALPHA).toBe(0.05);
  });
});

describe('shares, ratios and counts', () => {
  it('writes shares as percentages, one decimal for tables and whole for sentences', () => {
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(-0.124)).toBe('-12.4%');
    expect(formatPercent(0.125, 0)).toBe('13%');
    expect(formatPercent(0.494, 0)).toBe('49%');
    expect(formatPercent(1, 0)).toBe('100%');
    expect(formatShare(0.2)).toBe('20.0%');
    expect(formatShare(null)).toBe('–');
    expect(formatShare(undefined)).toBe('–');
  });

  it('writes share differences in signed percentage points', () => {
    expect(formatPoints(0.125)).toBe('+12.5 pp');
    expect(formatPoints(-0.03)).toBe('−3.0 pp');
    expect(formatPoints(0.00001)).toBe('0 pp');
  });

  it('writes ratios with fewer decimals as they grow', () => {
    expect(formatRatio(2.63)).toBe('2.6×');
    expect(formatRatio(0.4)).toBe('0.40×');
    expect(formatRatio(12.4)).toBe('12×');
    expect(formatRatio(1)).toBe('1.0×');
  });

  it('groups thousands and names what is counted, singular for one', () => {
    expect(formatCount(6278)).toBe('6,278');
    expect(formatCount(1, 'answer')).toBe('1 answer');
    expect(formatCount(30, 'answer')).toBe('30 answers');
    expect(formatNumber(0.12345)).toBe('0.123');
    expect(formatNumber(1.5, 1)).toBe('1.5');
    expect(formatNumber(null)).toBe('–');
  });
});
