/**
 * The divergence distribution per cluster as Plotly box plots: which clusters of answers the two
 * models disagree on most, token by token. The clusters come from the run's free-text analysis
 * (its `rows` and `labels`, aligned), the divergence from the contrastive scores.
 */
import type { AnalysisResult } from '../core/analysis/pipeline';
import type { ClusterDivergence } from '../core/contrastive/summaries';
import type { ScoredAnswer } from '../core/contrastive/types';
import type { ClusterLabel } from '../core/explain/types';
import { clusterLabel } from './cluster-bars';
import { escapePlotText, truncate, wrapForHover } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** How the boxes are ordered: by median divergence (most first) or by cluster number. */
export type ClusterOrder = 'median' | 'id';

/** The key joining a scored answer to an analysis row (the run's answer identity). */
const answerKey = (promptId: string, side: string, sample: number): string =>
  `${promptId}\u0000${side}\u0000${sample}`;

/**
 * The cluster of each scored answer in `analysis` (its `rows` and `labels` are aligned), for
 * divergenceByCluster: undefined for an answer the analysis did not see (it predates the answer).
 */
export function clusterLookup(
  analysis: Pick<AnalysisResult, 'rows' | 'labels'>,
): (item: Pick<ScoredAnswer, 'promptId' | 'side' | 'sample'>) => number | undefined {
  const byKey = new Map<string, number>();
  analysis.rows.forEach((row, i) => {
    const label = analysis.labels[i];
    if (label !== undefined) byKey.set(answerKey(row.promptId, row.side, row.sample), label);
  });
  return (item) => byKey.get(answerKey(item.promptId, item.side, item.sample));
}

/** The clusters in the chosen order (a copy); divergenceByCluster already gives median order. */
export function orderClusters(
  clusters: readonly ClusterDivergence[],
  order: ClusterOrder,
): ClusterDivergence[] {
  if (order === 'median') return [...clusters];
  return [...clusters].sort((a, b) => a.clusterId - b.clusterId);
}

/** What names a cluster on the axis: its terms (from the analysis) and the supervisor's label. */
export interface ClusterNaming {
  termsOf: (clusterId: number) => readonly string[];
  labels?: readonly ClusterLabel[];
}

/**
 * One horizontal box per cluster, in `clusters`' order from the top, every answer drawn as a
 * point; hovering a box names the cluster and its answer count. `measure` names the value
 * (mean KL, or |llr| per token without a shared vocabulary).
 */
export function divergenceBoxTraces(
  clusters: readonly ClusterDivergence[],
  naming: ClusterNaming,
  theme: PlotTheme,
  measure: string,
): Trace[] {
  // Plotly stacks horizontal categories from the bottom: the first cluster is drawn last.
  return [...clusters].reverse().map((c) => {
    const name = clusterLabel(
      { id: c.clusterId, terms: [...naming.termsOf(c.clusterId)] },
      naming.labels?.find((l) => l.cluster === c.clusterId && l.label.trim() !== '') ?? null,
    );
    const terms = naming.termsOf(c.clusterId).slice(0, 8).join(', ');
    return {
      type: 'box',
      orientation: 'h',
      name,
      x: c.values,
      // One category per box: the name is already escaped for Plotly by clusterLabel.
      y: c.values.map(() => name),
      boxpoints: 'all',
      jitter: 0.4,
      pointpos: 0,
      boxmean: true,
      marker: { color: theme.sideB, size: 4, opacity: 0.6 },
      line: { color: theme.sideB, width: 1.5 },
      fillcolor: 'rgba(0,0,0,0)',
      customdata: c.values.map(() => c.clusterId),
      hovertemplate:
        `<b>${name}</b><br>` +
        (terms ? `${wrapForHover(truncate(terms, 140))}<br>` : '') +
        `${escapePlotText(measure)}: %{x:.4f}<br>` +
        `${c.values.length} answers · median ${c.median.toFixed(4)}<extra></extra>`,
    };
  });
}
