import { describe, expect, it } from 'vitest';
import type { ClusterResult } from '../../src/lib/core/compare/result-types';
import { QUIET_COLOUR, clusterBarTraces, clusterLabel } from '../../src/lib/plots/cluster-bars';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';

const cluster = (
  id: number,
  difference: number,
  qValue: number,
  ci: [number, number] | null,
  terms: string[] = [],
): ClusterResult => ({
  id,
  size: 10,
  countA: 5,
  countB: 5,
  shareA: 0.3,
  shareB: 0.3 + difference,
  difference,
  ciLow: ci?.[0] ?? null,
  ciHigh: ci?.[1] ?? null,
  pValue: qValue,
  qValue,
  terms,
  noise: id < 0,
  contrastTerms: { a: [], b: [] },
  degenerate: 0,
  exemplars: { a: [], b: [] },
  exemplarAnswers: { a: [], b: [] },
});

describe('cluster bars', () => {
  const clusters = [
    cluster(0, 0.2, 0.01, [0.1, 0.3], ['great', 'question']),
    cluster(1, -0.15, 0.001, [-0.25, -0.05]),
    cluster(2, 0.02, 0.6, [-0.05, 0.09]),
    cluster(-1, -0.01, 0.9, null),
  ];
  const [trace] = clusterBarTraces(clusters, DEFAULT_THEME);

  it('sorts by difference and plots percentage points horizontally', () => {
    expect(trace!.type).toBe('bar');
    expect(trace!.orientation).toBe('h');
    expect(trace!.customdata).toEqual([1, -1, 2, 0]);
    expect((trace!.x as number[]).map((x) => Math.round(x * 10) / 10)).toEqual([-15, -1, 2, 20]);
    expect(trace!.y).toEqual([
      'cluster 1',
      'noise (not in any cluster)',
      'cluster 2',
      'cluster 0: great, question',
    ]);
  });
  it('draws the 95% interval as asymmetric error bars, none when unknown', () => {
    const err = trace!.error_x as { array: number[]; arrayminus: number[] };
    expect(err.array.map((x) => Math.round(x))).toEqual([10, 0, 7, 10]);
    expect(err.arrayminus.map((x) => Math.round(x))).toEqual([10, 0, 7, 10]);
  });
  it('highlights significant clusters in the colour of the side they lean to', () => {
    expect((trace!.marker as { color: string[] }).color).toEqual([
      DEFAULT_THEME.sideA,
      QUIET_COLOUR,
      QUIET_COLOUR,
      DEFAULT_THEME.sideB,
    ]);
    expect((trace!.hovertext as string[])[3]).toContain('significant');
    expect((trace!.hovertext as string[])[2]).not.toContain('significant');
  });
  it('escapes terms in labels', () => {
    expect(clusterLabel({ id: 4, terms: ['<b>', 'a&b'] })).toBe('cluster 4: &lt;b&gt;, a&amp;b');
  });
});
