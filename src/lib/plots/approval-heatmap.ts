/**
 * The approval plots: the heat map of files x conditions (colour = B − A matching rate), the
 * statement clusters' A and B rates, and the hierarchy of those clusters as an icicle. The heat
 * map is drawn with rectangles and a scatter of cell centres, because the app's Plotly bundle
 * registers no heatmap trace (plotly-bundle.ts keeps it small).
 */
import type {
  ApprovalClusters,
  ApprovalCondition,
  ApprovalRow,
  ApprovalStatementCluster,
} from '../core/approval/types';
import { conditionName, rateDifferenceText, rateText } from '../core/report/approval-text';
import { ALPHA, formatP, formatPercent, formatQ } from '../core/report/vocabulary';
import { escapePlotText, truncate } from './text';
import { baseLayout, type PlotTheme } from './theme';
import type { Layout, Trace } from './types';

/** Characters of a file or condition name on an axis; the whole name is in the hover. */
const AXIS_CHARS = 28;

/** Colour of a cell without a difference (a model gave no clear answer there). */
export const EMPTY_CELL = 'rgba(140,140,140,0.25)';

/** The mark of a cell whose McNemar q is below ALPHA: it reads without colour. */
export const SIGNIFICANT_CELL = '*';

/** An RGB colour from `#rgb`, `#rrggbb` or `rgb()/rgba()` text; null when it is none of those. */
export function parseColour(text: string): [number, number, number] | null {
  const t = text.trim();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(t);
  if (short)
    return [1, 2, 3].map((i) => parseInt(short[i]!.repeat(2), 16)) as [number, number, number];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(t);
  if (long) return [1, 2, 3].map((i) => parseInt(long[i]!, 16)) as [number, number, number];
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(t);
  if (rgb) return [1, 2, 3].map((i) => Math.round(Number(rgb[i]))) as [number, number, number];
  return null;
}

/**
 * The colour of difference `d` (B − A, -1..1) on the diverging scale A's colour, neutral, B's
 * colour, centred at 0; EMPTY_CELL for null.
 */
export function divergingColour(d: number | null, theme: PlotTheme): string {
  if (d === null || !Number.isFinite(d)) return EMPTY_CELL;
  const t = Math.max(-1, Math.min(1, d));
  const mid = parseColour(theme.neutral) ?? [240, 240, 237];
  const end =
    parseColour(t < 0 ? theme.sideA : theme.sideB) ?? (t < 0 ? [47, 111, 214] : [196, 106, 0]);
  const w = Math.abs(t);
  const mix = mid.map((m, i) => Math.round(m + (end[i]! - m) * w));
  return `rgb(${mix.join(',')})`;
}

/** The colour scale the heat map's legend shows, the same as divergingColour's. */
function diverging(theme: PlotTheme): [number, string][] {
  return [
    [0, theme.sideA],
    [0.5, theme.neutral],
    [1, theme.sideB],
  ];
}

/** The heat map's files (rows, first at the top) and conditions (columns), in the results' order. */
export function heatmapAxes(
  rows: readonly ApprovalRow[],
  conditions: readonly ApprovalCondition[],
): { files: string[]; conditions: string[] } {
  const files = [...new Set(rows.map((r) => r.file))];
  const present = new Set(rows.map((r) => r.condition));
  // The setup's order of conditions, then any the setup does not name.
  const ids = [
    ...conditions.map((c) => c.id).filter((id) => present.has(id)),
    ...[...present].filter((id) => !conditions.some((c) => c.id === id)),
  ];
  return { files, conditions: ids };
}

/** One heat map cell's hover: both rates, n, the unclear shares, p and q. */
export function heatmapHover(row: ApprovalRow, conditions: readonly ApprovalCondition[]): string {
  return [
    `<b>${escapePlotText(row.file)}</b> · ${escapePlotText(conditionName(conditions, row.condition))}`,
    `B − A: ${rateDifferenceText(row)}${row.qValue !== null && row.qValue < ALPHA ? ' · significant' : ''}`,
    `A matches ${rateText(row.matchA, row.ciA)}`,
    `B matches ${rateText(row.matchB, row.ciB)}`,
    `n = ${row.n} · unclear A ${formatPercent(row.unclearA)} · B ${formatPercent(row.unclearB)}`,
    `only A ${row.onlyA} · only B ${row.onlyB} · p = ${formatP(row.pValue)} · q = ${formatQ(row.qValue)}`,
  ].join('<br>');
}

/** B − A matching rate of a row, or null when either model gave no clear answer. */
export function rateDifference(row: Pick<ApprovalRow, 'matchA' | 'matchB'>): number | null {
  return row.matchA === null || row.matchB === null ? null : row.matchB - row.matchA;
}

/**
 * The heat map: one rectangle per file x condition (layout shapes, colour = B − A on the
 * diverging scale), and a scatter of cell centres carrying the hover, the "*" of significant
 * cells and the colour bar. Files run down the y axis, conditions along x.
 */
export function approvalHeatmap(
  rows: readonly ApprovalRow[],
  conditions: readonly ApprovalCondition[],
  theme: PlotTheme,
): { data: Trace[]; layout: Layout; height: number } {
  const axes = heatmapAxes(rows, conditions);
  const xOf = new Map(axes.conditions.map((c, i) => [c, i]));
  const yOf = new Map(axes.files.map((f, i) => [f, axes.files.length - 1 - i]));
  const shapes = rows.map((r) => {
    const x = xOf.get(r.condition)!;
    const y = yOf.get(r.file)!;
    return {
      type: 'rect',
      xref: 'x',
      yref: 'y',
      x0: x - 0.5,
      x1: x + 0.5,
      y0: y - 0.5,
      y1: y + 0.5,
      fillcolor: divergingColour(rateDifference(r), theme),
      line: { color: theme.border, width: 1 },
      layer: 'below',
    };
  });
  const significant = (r: ApprovalRow) => r.qValue !== null && r.qValue < ALPHA;
  const cellText = (r: ApprovalRow) => {
    const d = rateDifference(r);
    const shown =
      d === null ? '–' : `${d > 0 ? '+' : d < 0 ? '−' : ''}${Math.abs(d * 100).toFixed(0)}`;
    return significant(r) ? `${shown}${SIGNIFICANT_CELL}` : shown;
  };
  const data: Trace[] = [
    {
      type: 'scatter',
      mode: 'markers+text',
      x: rows.map((r) => xOf.get(r.condition)),
      y: rows.map((r) => yOf.get(r.file)),
      text: rows.map(cellText),
      textfont: { color: theme.text, size: 13 },
      hovertext: rows.map((r) => heatmapHover(r, conditions)),
      hoverinfo: 'text',
      // The markers only carry the colour bar; the rectangles show the colour.
      marker: {
        size: 1,
        opacity: 0,
        color: rows.map((r) => rateDifference(r) ?? 0),
        colorscale: diverging(theme),
        cmin: -1,
        cmax: 1,
        showscale: true,
        colorbar: {
          title: { text: 'B − A' },
          thickness: 12,
          tickformat: '+.0%',
          tickvals: [-1, -0.5, 0, 0.5, 1],
        },
      },
      showlegend: false,
    },
  ];
  const height = Math.max(220, 110 + 48 * axes.files.length);
  const layout: Layout = {
    ...baseLayout(theme),
    margin: { l: 10, r: 10, t: 10, b: 60 },
    shapes,
    xaxis: {
      tickvals: axes.conditions.map((_, i) => i),
      ticktext: axes.conditions.map((c) =>
        escapePlotText(truncate(conditionName(conditions, c), AXIS_CHARS)),
      ),
      range: [-0.5, axes.conditions.length - 0.5],
      showgrid: false,
      zeroline: false,
      automargin: true,
    },
    yaxis: {
      tickvals: axes.files.map((_, i) => axes.files.length - 1 - i),
      ticktext: axes.files.map((f) => escapePlotText(truncate(f, AXIS_CHARS))),
      range: [-0.5, axes.files.length - 0.5],
      showgrid: false,
      zeroline: false,
      automargin: true,
    },
  };
  return { data, layout, height };
}

/** A statement cluster's axis name: its id and first terms, escaped. */
export function statementClusterName(c: Pick<ApprovalStatementCluster, 'id' | 'terms'>): string {
  const terms = c.terms.slice(0, 3).join(', ');
  return escapePlotText(terms ? `cluster ${c.id}: ${terms}` : `cluster ${c.id}`);
}

/** Two horizontal bar traces: each cluster's matching rate for A and for B (missing rates as gaps). */
export function statementClusterBars(
  clusters: readonly ApprovalStatementCluster[],
  theme: PlotTheme,
): Trace[] {
  const y = clusters.map(statementClusterName);
  const bar = (side: 'A' | 'B', colour: string): Trace => ({
    type: 'bar',
    orientation: 'h',
    name: side,
    y,
    x: clusters.map((c) => (side === 'A' ? c.matchA : c.matchB)),
    marker: { color: colour },
    hovertext: clusters.map(
      (c) =>
        `${statementClusterName(c)}<br>${c.size} statements<br>${side} matches ${
          (side === 'A' ? c.matchA : c.matchB) === null
            ? '–'
            : formatPercent((side === 'A' ? c.matchA : c.matchB)!)
        }`,
    ),
    hoverinfo: 'text',
  });
  return [bar('A', theme.sideA), bar('B', theme.sideB)];
}

/**
 * The clusters' hierarchy (Ward merges of their centres, scipy-style rows over cluster indices)
 * as an icicle: a box per cluster and per merge, width = statements, colour = B − A matching
 * rate (statement-weighted over the clear rates below it).
 * @throws RangeError when the linkage does not fit the clusters.
 */
export function statementHierarchyTrace(result: ApprovalClusters, theme: PlotTheme): Trace {
  const k = result.clusters.length;
  const { hierarchy } = result;
  if (k > 1 && hierarchy.length !== k - 1)
    throw new RangeError(`expected ${k - 1} merges of ${k} clusters, got ${hierarchy.length}`);
  const size: number[] = result.clusters.map((c) => c.size);
  // Statement-weighted sums of the rates, and the weights, of the nodes with a known rate.
  const sumA: number[] = result.clusters.map((c) => (c.matchA ?? 0) * c.size);
  const sumB: number[] = result.clusters.map((c) => (c.matchB ?? 0) * c.size);
  const wA: number[] = result.clusters.map((c) => (c.matchA === null ? 0 : c.size));
  const wB: number[] = result.clusters.map((c) => (c.matchB === null ? 0 : c.size));
  const parent = new Array<number>(Math.max(1, 2 * k - 1)).fill(-1);
  hierarchy.forEach(([left, right], r) => {
    const node = k + r;
    for (const child of [left, right]) {
      if (!Number.isInteger(child) || child < 0 || child >= node || parent[child] !== -1)
        throw new RangeError(`merge ${r} has an invalid child ${child}`);
      parent[child] = node;
    }
    size[node] = size[left]! + size[right]!;
    sumA[node] = sumA[left]! + sumA[right]!;
    sumB[node] = sumB[left]! + sumB[right]!;
    wA[node] = wA[left]! + wA[right]!;
    wB[node] = wB[left]! + wB[right]!;
  });
  const nodes = size.map((_, i) => i);
  const rate = (sum: number, w: number) => (w > 0 ? sum / w : null);
  const difference = (i: number) => {
    const a = rate(sumA[i]!, wA[i]!);
    const b = rate(sumB[i]!, wB[i]!);
    return a === null || b === null ? null : b - a;
  };
  return {
    type: 'icicle',
    ids: nodes.map((i) => `s${i}`),
    parents: nodes.map((i) => (parent[i]! < 0 ? '' : `s${parent[i]}`)),
    values: nodes.map((i) => size[i]),
    branchvalues: 'total',
    labels: nodes.map((i) =>
      i < k ? statementClusterName(result.clusters[i]!) : `${size[i]} statements`,
    ),
    hovertext: nodes.map((i) => {
      const a = rate(sumA[i]!, wA[i]!);
      const b = rate(sumB[i]!, wB[i]!);
      return [
        i < k ? statementClusterName(result.clusters[i]!) : `merge of ${size[i]} statements`,
        `A matches ${a === null ? '–' : formatPercent(a)} · B matches ${b === null ? '–' : formatPercent(b)}`,
        i >= k ? `merge height ${hierarchy[i - k]![2].toFixed(3)}` : '',
      ]
        .filter(Boolean)
        .join('<br>');
    }),
    hoverinfo: 'text',
    marker: {
      colors: nodes.map((i) => difference(i) ?? 0),
      colorscale: diverging(theme),
      cmin: -1,
      cmax: 1,
      cmid: 0,
      showscale: true,
      colorbar: { title: { text: 'B − A' }, thickness: 12, tickformat: '+.0%' },
      line: { width: 1 },
    },
    tiling: { orientation: 'v' },
    sort: false,
  };
}
