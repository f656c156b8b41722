import { describe, expect, it, vi } from 'vitest';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import {
  CLUSTER_PALETTE,
  NOISE_COLOUR,
  clusterColour,
  countSelection,
  hoverTexts,
  hoverTextsInSlices,
  mapTraces,
  rowOfPoint,
  selectedAnswers,
} from '../../src/lib/plots/map';
import { escapePlotText, truncate, wrapForHover } from '../../src/lib/plots/text';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';

// Plotly itself needs a DOM; the loader's caching is what is tested here (the real Plotly is
// drawn in the e2e suite and the browser bench).
vi.mock('../../src/lib/plots/plotly-bundle', () => ({
  default: { react: () => null, purge: () => null },
}));

const answer = (promptId: string, side: 'A' | 'B', sample: number, text: string): Answer => ({
  promptId,
  side,
  sample,
  text,
  finishReason: 'stop',
  createdAt: '2026-01-01T00:00:00Z',
});

const prompts: Prompt[] = [
  { id: 'p1', text: 'Tell me about <script> & friends' },
  { id: 'p2', text: 'Short' },
];
const answers: Answer[] = [
  answer('p1', 'A', 0, 'plain answer'),
  answer('p1', 'B', 0, '<img src=x onerror="alert(1)"> & more'),
  answer('p2', 'A', 0, 'x'.repeat(1000)),
  answer('p2', 'B', 0, 'fine'),
];
const result = {
  rows: answers.map((a) => ({ promptId: a.promptId, side: a.side, sample: a.sample })),
  labels: Int32Array.from([0, 1, -1, 1]),
  projection: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
};

describe('plot text', () => {
  it('escapes the characters Plotly would parse as markup', () => {
    expect(escapePlotText('<b>a & b</b>')).toBe('&lt;b&gt;a &amp; b&lt;/b&gt;');
  });
  it('truncates with an ellipsis and collapses whitespace', () => {
    expect(truncate('a  b\n\nc', 10)).toBe('a b c');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    // A long text is cut from its head, even when its head is mostly whitespace.
    expect(truncate(`${'word '.repeat(1000)}end`, 12)).toBe('word word w…');
    expect(truncate(`a${' '.repeat(500)}b`, 10)).toBe('a…');
  });
  it('wraps at spaces and escapes each line', () => {
    expect(wrapForHover('aaa bbb <c>', 7)).toBe('aaa bbb<br>&lt;c&gt;');
  });
});

describe('map hover text', () => {
  const hover = hoverTexts(result, { prompts, answers });

  it('escapes model and prompt text so no tag survives', () => {
    expect(hover[1]).toContain('&lt;img src=x onerror="alert(1)"&gt; &amp; more');
    expect(hover[1]).not.toMatch(/<img|<script/i);
    expect(hover[0]).toContain('&lt;script&gt; &amp; friends');
    // Only Plotly's own formatting tags remain.
    for (const h of hover) {
      for (const tag of h.match(/<[^>]*>/g) ?? [])
        expect(['<b>', '</b>', '<i>', '</i>', '<br>']).toContain(tag);
    }
  });
  it('names side and cluster and truncates long answers', () => {
    expect(hover[0]).toMatch(/^<b>A<\/b> · cluster 0 · sample 0/);
    expect(hover[2]).toContain('noise');
    expect(hover[2]!.length).toBeLessThan(400);
    expect(hover[2]).toContain('…');
  });
  it('falls back to the prompt id without the run', () => {
    const bare = hoverTexts(result, null);
    expect(bare[0]).toContain('p1');
    expect(bare[0]).toContain('(empty answer)');
  });
  it('gives the same texts a slice per task, and stops when cancelled', async () => {
    // 2,500 rows cycling over the four answers: three slices of 1,000.
    const rows = Array.from({ length: 2500 }, (_, i) => result.rows[i % 4]!);
    const labels = Int32Array.from(rows, (_, i) => result.labels[i % 4]!);
    const many = { rows, labels };
    let yields = 0;
    const sliced = await hoverTextsInSlices(many, { prompts, answers }, undefined, async () => {
      yields++;
    });
    expect(yields).toBe(3);
    expect(sliced).toEqual(hoverTexts(many, { prompts, answers }));
    let stop = false;
    const cancelled = await hoverTextsInSlices(
      many,
      { prompts, answers },
      () => stop,
      async () => {
        stop = true;
      },
    );
    expect(cancelled).toBeNull();
  });
});

describe('map traces', () => {
  const hover = hoverTexts(result, { prompts, answers });

  it('colours by model: A blue, B orange, WebGL scatter with row indices', () => {
    const traces = mapTraces(result, hover, 'model', DEFAULT_THEME);
    expect(traces.map((t) => t.name)).toEqual(['model A', 'model B']);
    expect(traces.map((t) => (t.marker as { color: string }).color)).toEqual([
      '#2f6fd6',
      '#c46a00',
    ]);
    expect(traces.every((t) => t.type === 'scattergl')).toBe(true);
    expect(traces[0]!.customdata).toEqual([0, 2]);
    expect(traces[1]!.customdata).toEqual([1, 3]);
    expect(Array.from(traces[1]!.x as Float32Array)).toEqual([2, 6]);
    expect(Array.from(traces[1]!.y as Float32Array)).toEqual([3, 7]);
    expect(traces[1]!.hovertext).toEqual([hover[1], hover[3]]);
  });
  it('colours by cluster, noise last and grey', () => {
    const traces = mapTraces(result, hover, 'cluster', DEFAULT_THEME);
    expect(traces.map((t) => t.name)).toEqual(['cluster 0', 'cluster 1', 'noise']);
    expect(traces.map((t) => (t.customdata as number[]).length)).toEqual([1, 2, 1]);
    expect((traces[2]!.marker as { color: string }).color).toBe(NOISE_COLOUR);
    expect(clusterColour(CLUSTER_PALETTE.length)).toBe(CLUSTER_PALETTE[0]);
  });
  it('falls back to SVG scatter without WebGL', () => {
    const traces = mapTraces(result, hover, 'cluster', DEFAULT_THEME, false);
    expect(traces.every((t) => t.type === 'scatter')).toBe(true);
  });
  it('omits a side with no answers', () => {
    const onlyA = { ...result, rows: result.rows.map((r) => ({ ...r, side: 'A' as const })) };
    expect(mapTraces(onlyA, hover, 'model', DEFAULT_THEME)).toHaveLength(1);
  });
});

describe('map selection', () => {
  it('counts selected rows by side, once each', () => {
    expect(countSelection(result.rows, [0, 1, 1, 3, 99])).toEqual({ total: 3, A: 1, B: 2 });
    expect(countSelection(result.rows, [])).toEqual({ total: 0, A: 0, B: 0 });
  });
  it('reads the row of a clicked point', () => {
    expect(rowOfPoint({ customdata: 3 })).toBe(3);
    expect(rowOfPoint({ customdata: 'x' })).toBeNull();
    expect(rowOfPoint(undefined)).toBeNull();
  });
});

describe('loadPlotly', () => {
  it('imports Plotly once and shares the promise', async () => {
    const { loadPlotly } = await import('../../src/lib/plots/loader');
    const first = loadPlotly();
    expect(loadPlotly()).toBe(first);
    expect(typeof (await first).purge).toBe('function');
  });
});

describe('selectedAnswers', () => {
  it('lists selected rows once, in row order, as plain truncated text', () => {
    const listed = selectedAnswers(result, { prompts, answers }, [3, 1, 1, 99]);
    expect(listed.map((l) => l.row)).toEqual([1, 3]);
    expect(listed[0]).toMatchObject({ side: 'B', sample: 0, cluster: 1 });
    // Plain text: markup is kept as typed, for the list to render as text.
    expect(listed[0]!.answer).toBe('<img src=x onerror="alert(1)"> & more');
    expect(listed[0]!.prompt).toBe('Tell me about <script> & friends');
  });
  it('caps the list and cuts long answers', () => {
    const listed = selectedAnswers(result, { prompts, answers }, [0, 1, 2, 3], 2);
    expect(listed.map((l) => l.row)).toEqual([0, 1]);
    const long = selectedAnswers(result, { prompts, answers }, [2]);
    expect(long[0]!.answer.length).toBeLessThanOrEqual(220);
    expect(long[0]!.answer.endsWith('…')).toBe(true);
    expect(long[0]!.cluster).toBe(-1);
  });
  it('is empty for an empty selection and falls back to ids without texts', () => {
    expect(selectedAnswers(result, { prompts, answers }, [])).toEqual([]);
    expect(selectedAnswers(result, null, [0])[0]).toMatchObject({ prompt: 'p1', answer: '' });
  });
});
