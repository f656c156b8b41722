/** The words the reports and the app use for clusters: names, quality line, contrast terms. */
import type { ClusterQuality } from '../compare/cluster-quality';

/** What naming a cluster needs. */
export interface NameableCluster {
  id: number;
  noise?: boolean;
}

/** The name of HDBSCAN's noise wherever clusters are listed. */
const NOISE_NAME = 'Noise (not in any cluster)';

/** "Cluster 3", or the noise name for HDBSCAN's noise. */
export function clusterName(c: NameableCluster): string {
  return (c.noise ?? c.id < 0) ? NOISE_NAME : `Cluster ${c.id}`;
}

/** A cluster's cell in a table whose column is "cluster": its id, or the noise name. */
export function clusterCell(c: NameableCluster): string {
  return (c.noise ?? c.id < 0) ? NOISE_NAME : String(c.id);
}

/** One sentence on how far the clusters can be trusted (the warning is given separately). */
export function clusterQualityText(q: ClusterQuality): string {
  const parts = [
    q.silhouette === null
      ? 'silhouette not computable'
      : `silhouette ${q.silhouette.toFixed(2)} (0: no groups, 1: tight separate groups)`,
    q.stabilityAri === null
      ? 'stability across seeds not measured'
      : `agreement across seeds ARI ${q.stabilityAri.toFixed(2)}`,
  ];
  if (q.noise > 0) parts.push(`${q.noise} answers in no cluster (noise)`);
  return `Cluster quality: ${parts.join('; ')}.`;
}

/** Placeholder for a cluster none of whose terms is in enough of its answers. */
const NO_TERMS = '(no term in enough of its answers)';

/** A cluster's first `max` terms, the placeholder when it has none, "" for noise. */
export function termsText(c: NameableCluster & { terms: string[] }, max: number): string {
  if (c.noise ?? c.id < 0) return '';
  return c.terms.length ? c.terms.slice(0, max).join(', ') : NO_TERMS;
}

/** "A: x, y; B: z" for the terms that separate the sides inside a cluster, or "" when none. */
export function contrastText(c: { contrastTerms: { a: string[]; b: string[] } }, max = 4): string {
  const parts: string[] = [];
  if (c.contrastTerms.a.length) parts.push(`A: ${c.contrastTerms.a.slice(0, max).join(', ')}`);
  if (c.contrastTerms.b.length) parts.push(`B: ${c.contrastTerms.b.slice(0, max).join(', ')}`);
  return parts.join('; ');
}

/** How the reports order the clusters table and what its term columns mean. */
export const CLUSTERS_TABLE_NOTE =
  'Most one-sided first (largest |B share − A share|, then q). Terms are found in several answers of the cluster; "A/B terms" are in more of that side\'s answers inside it.';

/** What the exemplars under a cluster are. */
export const EXEMPLARS_NOTE =
  "Each side's medoids: its answers most like its other answers in the cluster.";

/** The first three ranked clusters (noise left out) that have exemplars to quote. */
export function exemplarClusters<
  C extends NameableCluster & { exemplars: { a: string[]; b: string[] } },
>(ranked: readonly C[]): C[] {
  return ranked
    .filter((c) => !c.noise && c.exemplars.a.length + c.exemplars.b.length > 0)
    .slice(0, 3);
}
