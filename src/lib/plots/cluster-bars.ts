/** Traces for the cluster bars: each cluster's share difference (B − A) with its 95% interval. */
import type { ClusterResult } from '../core/compare/result-types';
import type { ClusterLabel } from '../core/explain/types';
import { NAMED_BY_SUPERVISOR, clusterLabelOf } from '../core/report/supervisor-text';
import { ALPHA, formatPercent, formatQ } from '../core/report/vocabulary';
import { escapePlotText, truncate, wrapForHover } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** Colour for non-significant bars: they are shown, but quietly. */
export const QUIET_COLOUR = 'rgba(140,140,140,0.55)';

/** Characters of a supervisor label on the axis; the whole label is in the hover. */
const LABEL_CHARS = 40;

/**
 * The y-axis label of a cluster, escaped for Plotly: its id and the supervisor's label when it
 * has one, else its id and first terms.
 */
export function clusterLabel(
  c: Pick<ClusterResult, 'id' | 'terms'>,
  label: ClusterLabel | null = null,
): string {
  const name = c.id < 0 ? 'noise (not in any cluster)' : `cluster ${c.id}`;
  if (label && c.id >= 0) return escapePlotText(`${name}: ${truncate(label.label, LABEL_CHARS)}`);
  const terms = c.terms.slice(0, 3).join(', ');
  return escapePlotText(terms ? `${name}: ${terms}` : name);
}

/**
 * One horizontal bar trace, clusters sorted by difference (most A-leaning at the bottom),
 * in percentage points; significant bars take the colour of the side they lean to. With
 * `clusterLabels`, a labelled cluster is named by its label and its hover adds the description.
 */
export function clusterBarTraces(
  clusters: readonly ClusterResult[],
  theme: PlotTheme,
  clusterLabels?: readonly ClusterLabel[],
): Trace[] {
  const sorted = [...clusters].sort((a, b) => a.difference - b.difference || a.id - b.id);
  const pp = (x: number) => x * 100;
  const labelOf = (c: ClusterResult) => (c.id < 0 ? null : clusterLabelOf(clusterLabels, c.id));
  const described = (c: ClusterResult) => {
    const l = labelOf(c);
    return l
      ? [
          `<i>${wrapForHover(truncate(`${l.label}: ${l.description}`, 300))}</i>`,
          `(${NAMED_BY_SUPERVISOR})`,
        ]
      : [];
  };
  return [
    {
      type: 'bar',
      orientation: 'h',
      y: sorted.map((c) => clusterLabel(c, labelOf(c))),
      x: sorted.map((c) => pp(c.difference)),
      error_x: {
        type: 'data',
        symmetric: false,
        array: sorted.map((c) => (c.ciHigh === null ? 0 : pp(c.ciHigh - c.difference))),
        arrayminus: sorted.map((c) => (c.ciLow === null ? 0 : pp(c.difference - c.ciLow))),
        color: theme.muted,
        thickness: 1.5,
        width: 4,
      },
      marker: {
        color: sorted.map((c) =>
          c.qValue < ALPHA ? (c.difference >= 0 ? theme.sideB : theme.sideA) : QUIET_COLOUR,
        ),
      },
      customdata: sorted.map((c) => c.id),
      hovertext: sorted.map((c) =>
        [
          `<b>${clusterLabel(c, labelOf(c))}</b>`,
          ...described(c),
          `B − A: ${pp(c.difference).toFixed(1)} pp` +
            (c.ciLow !== null && c.ciHigh !== null
              ? ` (95% CI ${pp(c.ciLow).toFixed(1)} to ${pp(c.ciHigh).toFixed(1)})`
              : ''),
          `A ${c.countA} (${formatPercent(c.shareA)}) · B ${c.countB} (${formatPercent(c.shareB)})`,
          `q = ${formatQ(c.qValue)}${c.qValue < ALPHA ? ' · significant' : ''}`,
        ].join('<br>'),
      ),
      hoverinfo: 'text',
    },
  ];
}
