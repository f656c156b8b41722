/**
 * Traces for the properties chart: each property cluster's share of A's answers (to the left)
 * and of B's (to the right), with the B − A difference and its 95% interval as a whiskered dot.
 */
import type { ReportProperty } from '../core/report/supervisor-text';
import { propertyDifferenceText, propertyName } from '../core/report/supervisor-text';
import { ALPHA, formatPercent, formatQ } from '../core/report/vocabulary';
import { escapePlotText, truncate, wrapForHover } from './text';
import type { PlotTheme } from './theme';
import type { Layout, Trace } from './types';

/** Characters of a property name on the y axis; the full name is in the hover. */
const LABEL_CHARS = 48;

/** Marker of a significant property on the axis: it reads without colour. */
export const SIGNIFICANT_MARK = ' *';

/** One property as the chart draws it: its axis label, unique within the chart. */
export interface ChartProperty<P extends ReportProperty = ReportProperty> {
  property: P;
  label: string;
}

/**
 * The properties in drawing order (most A-leaning at the bottom, most B-leaning at the top, as
 * Plotly stacks categories upwards), each with an escaped axis label: its name cut to length,
 * " *" when q < ALPHA, and a counter when two names would collide (Plotly would merge them).
 */
export function chartProperties<P extends ReportProperty>(list: readonly P[]): ChartProperty<P>[] {
  const sorted = [...list].sort(
    (x, y) => x.shareB - x.shareA - (y.shareB - y.shareA) || y.name.localeCompare(x.name),
  );
  const seen = new Map<string, number>();
  return sorted.map((property) => {
    let label = truncate(propertyName(property), LABEL_CHARS);
    if (property.qValue < ALPHA) label += SIGNIFICANT_MARK;
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    if (n > 1) label = `${label} (${n})`;
    return { property, label: escapePlotText(label) };
  });
}

/** The hover of one property: name, definition, both shares, the difference and q. */
function hover(p: ReportProperty): string {
  return [
    `<b>${wrapForHover(truncate(propertyName(p), 200))}</b>`,
    p.definition ? `<i>${wrapForHover(truncate(p.definition, 300))}</i>` : '',
    `A ${p.countA} (${formatPercent(p.shareA)}) · B ${p.countB} (${formatPercent(p.shareB)})`,
    escapePlotText(`B − A: ${propertyDifferenceText(p)}`),
    `q = ${formatQ(p.qValue)}${p.qValue < ALPHA ? ' · significant' : ''}`,
  ]
    .filter(Boolean)
    .join('<br>');
}

/**
 * Three traces on one percentage axis: A's shares as bars to the left (negative), B's to the
 * right, and the difference B − A as a dot with asymmetric 95% whiskers, filled when q < ALPHA.
 */
export function propertyBarTraces(list: readonly ReportProperty[], theme: PlotTheme): Trace[] {
  const shown = chartProperties(list);
  if (shown.length === 0) return [];
  const y = shown.map((c) => c.label);
  const hovertext = shown.map((c) => hover(c.property));
  const pp = (x: number) => x * 100;
  const ps = shown.map((c) => c.property);
  const bars = (side: 'A' | 'B'): Trace => ({
    type: 'bar',
    orientation: 'h',
    name: `share of ${side}'s answers`,
    y,
    x: ps.map((p) => (side === 'A' ? -pp(p.shareA) : pp(p.shareB))),
    marker: { color: side === 'A' ? theme.sideA : theme.sideB, opacity: 0.55 },
    hovertext,
    hoverinfo: 'text',
  });
  return [
    bars('A'),
    bars('B'),
    {
      type: 'scatter',
      mode: 'markers',
      name: 'B − A (95% CI)',
      y,
      x: ps.map((p) => pp(p.shareB - p.shareA)),
      error_x: {
        type: 'data',
        symmetric: false,
        array: ps.map((p) => pp(p.ciHigh - (p.shareB - p.shareA))),
        arrayminus: ps.map((p) => pp(p.shareB - p.shareA - p.ciLow)),
        color: theme.text,
        thickness: 1.5,
        width: 4,
      },
      marker: {
        color: ps.map((p) => (p.qValue < ALPHA ? theme.text : 'rgba(0,0,0,0)')),
        line: { color: theme.text, width: 1.5 },
        size: 8,
        symbol: 'diamond',
      },
      hovertext,
      hoverinfo: 'text',
    },
  ];
}

/** An x range centred on zero holding every share and interval, in percentage points. */
export function propertyRange(list: readonly ReportProperty[]): [number, number] {
  const extent = Math.max(
    10,
    ...list
      .flatMap((p) => [p.shareA, p.shareB, Math.abs(p.ciLow), Math.abs(p.ciHigh)])
      .map((x) => x * 100),
  );
  return [-1.08 * extent, 1.08 * extent];
}

/** The chart's layout on top of the theme's base: overlaid bars, a zero line, ticks unsigned. */
export function propertyBarsLayout(
  list: readonly ReportProperty[],
  theme: PlotTheme,
  base: Layout,
): Layout {
  const [lo, hi] = propertyRange(list);
  // Ticks every 25 points within the range, shown without sign: both sides are shares.
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / 25) * 25; t <= hi; t += 25) ticks.push(t);
  return {
    ...base,
    margin: { l: 10, r: 20, t: 10, b: 60 },
    barmode: 'overlay',
    bargap: 0.3,
    showlegend: true,
    legend: { orientation: 'h', y: -0.18, yanchor: 'top' },
    xaxis: {
      title: { text: "← share of A's answers · % of sampled prompts · share of B's answers →" },
      range: [lo, hi],
      tickvals: ticks,
      ticktext: ticks.map((t) => String(Math.abs(t))),
      zeroline: true,
      zerolinecolor: theme.muted,
      gridcolor: theme.border,
    },
    yaxis: { automargin: true, gridcolor: theme.border },
  };
}
