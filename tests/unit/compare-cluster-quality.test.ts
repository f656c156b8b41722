import { describe, expect, it } from 'vitest';
import {
  clusterQuality,
  WEAK_SILHOUETTE,
  WEAK_STABILITY_ARI,
} from '../../src/lib/core/compare/cluster-quality';

describe('clusterQuality', () => {
  it('warns in plain words below silhouette 0.2 or stability ARI 0.7', () => {
    expect([WEAK_SILHOUETTE, WEAK_STABILITY_ARI]).toEqual([0.2, 0.7]);
    const weak = clusterQuality(0.11, 0.62, 3);
    expect(weak).toEqual({
      silhouette: 0.11,
      stabilityAri: 0.62,
      noise: 3,
      warning:
        'Weak clusters (silhouette 0.11 < 0.2, stability ARI 0.62 < 0.7): answers do not form distinct groups; read the features and words first.',
    });
    expect(clusterQuality(0.199, null, 0).warning).toMatch(
      /^Weak clusters \(silhouette 0\.20 < 0\.2\)/,
    );
    expect(clusterQuality(0.5, 0.699, 0).warning).toMatch(/\(stability ARI 0\.70 < 0\.7\)/);
  });

  it('does not warn at the thresholds, above them, or when nothing was measured', () => {
    expect(clusterQuality(0.2, 0.7, 0).warning).toBeNull();
    expect(clusterQuality(0.6, 0.95, 12).warning).toBeNull();
    expect(clusterQuality(null, null, 0)).toEqual({
      silhouette: null,
      stabilityAri: null,
      noise: 0,
      warning: null,
    });
  });
});
