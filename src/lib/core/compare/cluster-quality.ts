/**
 * How much to trust the clusters: the silhouette of the clustering used (about 0 when answers
 * do not form groups, 1 for tight, well separated ones), the agreement of k-means across seeds
 * (adjusted Rand index; null when not measured), the noise count, and a plain warning when the
 * groups are weak. Thresholds: silhouette below 0.2 or stability ARI below 0.7.
 */

/** Silhouettes below this say the answers do not form distinct groups. */
export const WEAK_SILHOUETTE = 0.2;
/** Seed-stability ARIs below this say the clusters are partly an accident of the seed. */
export const WEAK_STABILITY_ARI = 0.7;

/** Cluster quality as REPORT.json gives it. */
export interface ClusterQuality {
  /** Mean silhouette of the clustering (noise left out); null when not computable. */
  silhouette: number | null;
  /** Mean adjusted Rand index across seeds; null when not measured (Ward, HDBSCAN, off). */
  stabilityAri: number | null;
  /** Answers HDBSCAN left as noise (0 for other methods). */
  noise: number;
  /** Why the clusters should not be read first, or null when they look fine. */
  warning: string | null;
}

/** The quality summary and its warning. */
export function clusterQuality(
  silhouette: number | null,
  stabilityAri: number | null,
  noise: number,
): ClusterQuality {
  const reasons: string[] = [];
  if (silhouette !== null && silhouette < WEAK_SILHOUETTE) {
    reasons.push(`silhouette ${silhouette.toFixed(2)} < ${WEAK_SILHOUETTE}`);
  }
  if (stabilityAri !== null && stabilityAri < WEAK_STABILITY_ARI) {
    reasons.push(`stability ARI ${stabilityAri.toFixed(2)} < ${WEAK_STABILITY_ARI}`);
  }
  const warning = reasons.length
    ? `Weak clusters (${reasons.join(', ')}): answers do not form distinct groups; read the features and words first.`
    : null;
  return { silhouette, stabilityAri, noise, warning };
}
