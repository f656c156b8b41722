/**
 * The benchmark's row targets (bench/): a clustering row passes only when our ARI to the truth is
 * within 0.02 of the reference's, and fails, saying what it measured, when a side is missing.
 */
import { describe, expect, it } from 'vitest';
import { ariWithinTolerance } from '../../bench/cases/clustering';
import type { ResultRow } from '../../bench/harness';

/** A clustering row with the given ARIs, the rest as the harness fills it. */
function row(ariOurs: number | null, ariRef: number | null): ResultRow {
  return {
    step: 'kmeans k=20',
    n: 2000,
    ours_s: 0.5,
    reference: 'sklearn KMeans(n_init=10)',
    ref_s: 4,
    ratio: 0.125,
    ari_ours: ariOurs,
    ari_ref: ariRef,
    peak_mb: 480,
    pass: null,
    target: null,
  };
}

describe('clustering rows of the benchmark', () => {
  it('pass within 0.02 of the reference ARI, on either side', () => {
    expect(ariWithinTolerance(row(0.92, 0.921)).pass).toBe(true);
    expect(ariWithinTolerance(row(0.9, 0.919)).pass).toBe(true);
    expect(ariWithinTolerance(row(0.94, 0.921)).pass).toBe(true);
  });

  it('fail further away, with the target and the measured ARIs in words', () => {
    // ARIs measured with k-means cut to one Lloyd iteration (0.789) and with a k-means that
    // put every point in one cluster (0.000), against sklearn's 0.921.
    for (const ours of [0.789, 0, 0.95]) {
      const verdict = ariWithinTolerance(row(ours, 0.921));
      expect(verdict.pass).toBe(false);
      expect(verdict.target).toBe('|ARI ours - ARI ref| <= 0.02');
      expect(verdict.got).toContain(`ARI ours ${ours.toFixed(3)}, ref 0.921`);
    }
  });

  it('fail when either side has no ARI', () => {
    expect(ariWithinTolerance(row(null, 0.921))).toMatchObject({ pass: false });
    expect(ariWithinTolerance(row(0.92, null))).toMatchObject({ pass: false });
  });
});
