/** Traces for the cluster bars: each cluster's share difference (B − A) with its 95% interval. */
import type { ClusterResult } from '../core/compare/result-types';
import { ALPHA, formatPercent, formatQ } from '../core/report/vocabulary';
import { escapePlotText } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** Colour for non-significant bars: they are shown, but quietly. */
export const QUIET_COLOUR = 'rgba(140,140,140,0.55)';

/** The y-axis label of a cluster: its id and first terms, escaped for Plotly. */
export function clusterLabel(c: Pick<ClusterResult, 'id' | 'terms'>): string {
  const name = c.id < 0 ? 'noise (not in any cluster)' : `cluster ${c.id}`;
  const terms = c.terms.slice(0, 3).join(', ');
  return escapePlotText(terms ? `${name}: ${terms}` : name);
}

/**
 * One horizontal bar trace, clusters sorted by difference (most A-leaning at the bottom),
 * in percentage points; significant bars take the colour of the side they lean to.
 */
export function clusterBarTraces(clusters: readonly ClusterResult[], theme: PlotTheme): Trace[] {
  const sorted = [...clusters].sort((a, b) => a.difference - b.difference || a.id - b.id);
  const pp = (x: number) => x * 100;
  return [
    {
      type: 'bar',
      orientation: 'h',
      y: sorted.map(clusterLabel),
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
          `<b>${clusterLabel(c)}</b>`,
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
