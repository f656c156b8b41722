/**
 * The divergence distribution per cluster as a box plot (drawn with bar and scatter traces): which
 * clusters of answers the two models disagree on most, token by token. The clusters come from the run's free-text analysis
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

/** The axis name of each cluster, escaped for Plotly: its id and label, else its first terms. */
export function clusterAxisNames(
  clusters: readonly ClusterDivergence[],
  naming: ClusterNaming,
): string[] {
  return clusters.map((c) =>
    clusterLabel(
      { id: c.clusterId, terms: [...naming.termsOf(c.clusterId)] },
      naming.labels?.find((l) => l.cluster === c.clusterId && l.label.trim() !== '') ?? null,
    ),
  );
}

/**
 * A horizontal box plot, one row per cluster in `clusters`' order, drawn with the bar and
 * scatter traces the app's Plotly has (it registers no box trace, to stay small): a bar from
 * the first to the third quartile, a whisker from the smallest to the largest value, a tick at
 * the median, a diamond at the mean, and every answer as a point. `measure` names the value
 * (mean KL, or |llr| per token without a shared vocabulary). Lay the y axis out with
 * clusterAxisNames as its categories, reversed so the first cluster is at the top.
 */
export function divergenceBoxTraces(
  clusters: readonly ClusterDivergence[],
  naming: ClusterNaming,
  theme: PlotTheme,
  measure: string,
): Trace[] {
  const names = clusterAxisNames(clusters, naming);
  const what = escapePlotText(measure);
  const hover = clusters.map((c, i) => {
    const terms = naming.termsOf(c.clusterId).slice(0, 8).join(', ');
    return [
      `<b>${names[i]}</b>`,
      ...(terms ? [wrapForHover(truncate(terms, 140))] : []),
      `${c.values.length} answers · ${what}`,
      `median ${c.median.toFixed(4)} · mean ${c.mean.toFixed(4)}`,
      `quartiles ${c.q1.toFixed(4)} to ${c.q3.toFixed(4)}`,
      `range ${(c.values[0] ?? 0).toFixed(4)} to ${(c.values.at(-1) ?? 0).toFixed(4)}`,
    ].join('<br>');
  });
  // Whiskers as one line trace: a segment per cluster, broken by nulls.
  const whiskerX: (number | null)[] = [];
  const whiskerY: (string | null)[] = [];
  clusters.forEach((c, i) => {
    whiskerX.push(c.values[0] ?? 0, c.values.at(-1) ?? 0, null);
    whiskerY.push(names[i]!, names[i]!, null);
  });
  const points = clusters.flatMap((c, i) => c.values.map((v) => ({ v, name: names[i]! })));
  return [
    {
      type: 'scatter',
      mode: 'lines',
      name: 'range',
      x: whiskerX,
      y: whiskerY,
      line: { color: theme.muted, width: 1.5 },
      hoverinfo: 'skip',
    },
    {
      type: 'bar',
      orientation: 'h',
      name: 'quartiles',
      y: names,
      base: clusters.map((c) => c.q1),
      // A box of zero width (all values equal) still shows as a thin outline.
      x: clusters.map((c) => c.q3 - c.q1),
      width: 0.5,
      // Filled with the card's own colour so the whisker does not show through the box.
      marker: { color: theme.neutral, line: { color: theme.sideB, width: 2 } },
      customdata: clusters.map((c) => c.clusterId),
      hovertext: hover,
      hoverinfo: 'text',
    },
    {
      type: 'scatter',
      mode: 'markers',
      name: 'answers',
      x: points.map((p) => p.v),
      y: points.map((p) => p.name),
      marker: { color: theme.sideB, size: 5, opacity: 0.45 },
      hovertemplate: `${what}: %{x:.4f}<extra></extra>`,
    },
    {
      type: 'scatter',
      mode: 'markers',
      name: 'median',
      x: clusters.map((c) => c.median),
      y: names,
      marker: {
        symbol: 'line-ns-open',
        size: 22,
        color: theme.text,
        line: { color: theme.text, width: 3 },
      },
      hovertext: hover,
      hoverinfo: 'text',
    },
    {
      type: 'scatter',
      mode: 'markers',
      name: 'mean',
      x: clusters.map((c) => c.mean),
      y: names,
      marker: { symbol: 'diamond-open', size: 9, color: theme.text },
      hovertext: hover,
      hoverinfo: 'text',
    },
  ];
}
