/** Traces for the answer map: a WebGL scatter of the 2-D projection. */
import type { AnalysisResult } from '../core/analysis/pipeline';
import { jobKey } from '../core/generate/jobs';
import { nextTask } from '../core/next-task';
import type { ClusterLabel } from '../core/explain/types';
import { clusterLabelOf } from '../core/report/supervisor-text';
import { SIDES, type Answer, type Prompt, type Side } from '../core/run/types';
import { escapePlotText, truncate, wrapForHover } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** What the map colours points by. */
export type MapColouring = 'model' | 'cluster';

/** The parts of a run the hover text needs. */
export interface MapTexts {
  prompts: readonly Prompt[];
  answers: readonly Answer[];
}

/** A categorical palette for clusters; it repeats beyond its length. */
export const CLUSTER_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#3b8bc2',
  '#8cd17d',
  '#d37295',
] as const;

/** HDBSCAN noise points are grey. */
export const NOISE_COLOUR = '#9a9a9a';

/** Colour of cluster `id`; noise (-1) is grey. */
export function clusterColour(id: number): string {
  if (id < 0) return NOISE_COLOUR;
  return CLUSTER_PALETTE[id % CLUSTER_PALETTE.length] ?? NOISE_COLOUR;
}

const PROMPT_CHARS = 90;
const ANSWER_CHARS = 220;

type Row = AnalysisResult['rows'][number];

/** The prompt text (or its id) and answer text (or '') of a result row, found by key. */
function textLookup(texts: MapTexts | null): {
  prompt(row: Row): string;
  answer(row: Row): string;
} {
  const prompts = new Map(texts?.prompts.map((p) => [p.id, p.text]));
  const answers = new Map(texts?.answers.map((a) => [jobKey(a), a.text]));
  return {
    prompt: (row) => prompts.get(row.promptId) ?? row.promptId,
    answer: (row) => answers.get(jobKey(row)) ?? '',
  };
}

/** The hover text of row `i`; prompts are prepared once each, as every prompt has 2+ rows. */
function hoverLabeller(
  result: Pick<AnalysisResult, 'rows' | 'labels'>,
  texts: MapTexts | null,
): (i: number) => string {
  const lookup = textLookup(texts);
  const promptLines = new Map<string, string>();
  return (i) => {
    const row = result.rows[i]!;
    const label = result.labels[i] ?? -1;
    const head = `<b>${row.side}</b> · ${label < 0 ? 'noise' : `cluster ${label}`} · sample ${row.sample}`;
    let prompt = promptLines.get(row.promptId);
    if (prompt === undefined) {
      prompt = `<i>${wrapForHover(truncate(lookup.prompt(row), PROMPT_CHARS))}</i>`;
      promptLines.set(row.promptId, prompt);
    }
    const answer = lookup.answer(row);
    return `${head}<br>${prompt}<br>${wrapForHover(truncate(answer, ANSWER_CHARS)) || '(empty answer)'}`;
  };
}

/**
 * Hover text for each row of the result: side, cluster, prompt and the start of the answer,
 * truncated, wrapped and HTML-escaped (model text may contain markup).
 */
export function hoverTexts(
  result: Pick<AnalysisResult, 'rows' | 'labels'>,
  texts: MapTexts | null,
): string[] {
  const label = hoverLabeller(result, texts);
  return result.rows.map((_, i) => label(i));
}

/** Rows labelled per task by `hoverTextsInSlices`. */
const HOVER_SLICE = 1000;

/**
 * `hoverTexts`, a slice of rows per task: 10,000 labels took ~170 ms in one go. Resolves to
 * null when `cancelled()` turns true between slices (the result or run changed meanwhile).
 */
export async function hoverTextsInSlices(
  result: Pick<AnalysisResult, 'rows' | 'labels'>,
  texts: MapTexts | null,
  cancelled: () => boolean = () => false,
  yieldToPage: () => Promise<void> = nextTask,
): Promise<string[] | null> {
  const label = hoverLabeller(result, texts);
  const out: string[] = [];
  // A task of its own even for the first slice: the results view is rendering meanwhile.
  for (let start = 0; start < result.rows.length; start += HOVER_SLICE) {
    await yieldToPage();
    if (cancelled()) return null;
    const end = Math.min(result.rows.length, start + HOVER_SLICE);
    for (let i = start; i < end; i++) out.push(label(i));
  }
  return out;
}

/** One scatter trace holding the rows `indices`; customdata carries the row index. */
function scatter(
  type: 'scattergl' | 'scatter',
  result: Pick<AnalysisResult, 'projection'>,
  indices: number[],
  hover: string[],
  name: string,
  colour: string,
): Trace {
  const x = new Float32Array(indices.length);
  const y = new Float32Array(indices.length);
  indices.forEach((row, j) => {
    x[j] = result.projection[2 * row] ?? 0;
    y[j] = result.projection[2 * row + 1] ?? 0;
  });
  return {
    type,
    mode: 'markers',
    name,
    x,
    y,
    customdata: indices,
    hovertext: indices.map((row) => hover[row] ?? ''),
    hoverinfo: 'text',
    marker: { color: colour, size: 7, opacity: 0.8, line: { width: 0 } },
  };
}

/** Characters of a supervisor label in the legend. */
const LEGEND_LABEL_CHARS = 32;

/**
 * A cluster's legend name: "cluster 3", with the supervisor's label when it has one
 * ("cluster 3: polite refusals", escaped: Plotly parses legend text as HTML), or "noise".
 */
export function clusterTraceName(id: number, clusterLabels?: readonly ClusterLabel[]): string {
  if (id < 0) return 'noise';
  const label = clusterLabelOf(clusterLabels, id);
  return label
    ? escapePlotText(`cluster ${id}: ${truncate(label.label, LEGEND_LABEL_CHARS)}`)
    : `cluster ${id}`;
}

/**
 * The map's traces: one per model (A, B) or one per cluster (ascending id, noise last).
 * `hover` comes from hoverTexts, computed once because it does not depend on the colouring.
 * WebGL (`scattergl`) by default; `webgl: false` gives SVG for browsers without it.
 * With `clusterLabels`, a labelled cluster's legend entry carries its label.
 */
export function mapTraces(
  result: Pick<AnalysisResult, 'projection' | 'rows' | 'labels'>,
  hover: string[],
  colouring: MapColouring,
  theme: PlotTheme,
  webgl = true,
  clusterLabels?: readonly ClusterLabel[],
): Trace[] {
  const type = webgl ? 'scattergl' : 'scatter';
  const groups = new Map<string | number, number[]>();
  result.rows.forEach((row, i) => {
    const key = colouring === 'model' ? row.side : (result.labels[i] ?? -1);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  });
  if (colouring === 'model') {
    return SIDES.filter((side) => groups.has(side)).map((side) =>
      scatter(
        type,
        result,
        groups.get(side) ?? [],
        hover,
        `model ${side}`,
        side === 'A' ? theme.sideA : theme.sideB,
      ),
    );
  }
  const ids = [...groups.keys()].map(Number).sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  return ids.map((id) =>
    scatter(
      type,
      result,
      groups.get(id) ?? [],
      hover,
      clusterTraceName(id, clusterLabels),
      clusterColour(id),
    ),
  );
}

/** Counts of a selection of rows, overall and per side. */
export interface SelectionCounts {
  total: number;
  A: number;
  B: number;
}

/** Counts the selected rows by side; duplicates are counted once. */
export function countSelection(
  rows: Pick<AnalysisResult, 'rows'>['rows'],
  selected: Iterable<number>,
): SelectionCounts {
  const counts: SelectionCounts = { total: 0, A: 0, B: 0 };
  for (const index of new Set(selected)) {
    const row = rows[index];
    if (!row) continue;
    counts.total++;
    counts[row.side]++;
  }
  return counts;
}

/** One selected answer as the map's selection list shows it: plain text, never HTML. */
export interface SelectedAnswer {
  /** Index into result.rows. */
  row: number;
  side: Side;
  sample: number;
  cluster: number;
  prompt: string;
  answer: string;
}

/**
 * The first `limit` selected rows (in row order, each once) with their prompt and the start of
 * their answer, for the list under the map. Texts are plain: the list renders them as text.
 */
export function selectedAnswers(
  result: Pick<AnalysisResult, 'rows' | 'labels'>,
  texts: MapTexts | null,
  selected: Iterable<number>,
  limit = 50,
): SelectedAnswer[] {
  const rows = [...new Set(selected)]
    .filter((i) => result.rows[i] !== undefined)
    .sort((a, b) => a - b)
    .slice(0, limit);
  if (rows.length === 0) return [];
  const lookup = textLookup(texts);
  return rows.map((i) => {
    const row = result.rows[i]!;
    return {
      row: i,
      side: row.side,
      sample: row.sample,
      cluster: result.labels[i] ?? -1,
      prompt: truncate(lookup.prompt(row), PROMPT_CHARS),
      answer: truncate(lookup.answer(row), ANSWER_CHARS),
    };
  });
}

/** The row index a Plotly point carries in its customdata, or null. */
export function rowOfPoint(point: { customdata?: unknown } | undefined): number | null {
  const value = point?.customdata;
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}
