/**
 * The order clusters are shown in: most one-sided first, by |shareB - shareA| (the share of
 * B's answers in the cluster minus the share of A's), then by q-value (stronger evidence
 * first), then by id; HDBSCAN's noise always last, since it is not a kind of answer.
 */

/** What ranking needs of a cluster. */
export interface RankableCluster {
  id: number;
  shareA: number;
  shareB: number;
  qValue: number;
  /** HDBSCAN noise; absent counts as id < 0. */
  noise?: boolean;
}

/** |shareB - shareA|: how one-sided a cluster is. */
export function oneSidedness(c: RankableCluster): number {
  return Math.abs(c.shareB - c.shareA);
}

const isNoise = (c: RankableCluster): boolean => c.noise ?? c.id < 0;

/** Compares two clusters in display order (for Array.prototype.sort). */
function compareClusterRank(x: RankableCluster, y: RankableCluster): number {
  return (
    Number(isNoise(x)) - Number(isNoise(y)) ||
    oneSidedness(y) - oneSidedness(x) ||
    x.qValue - y.qValue ||
    x.id - y.id
  );
}

/** A copy of `clusters` in display order. */
export function rankClusters<T extends RankableCluster>(clusters: readonly T[]): T[] {
  return [...clusters].sort(compareClusterRank);
}
