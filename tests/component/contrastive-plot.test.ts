/**
 * The box plot of divergence per cluster: answers joined to their analysis cluster by identity
 * (not by position), each box drawn from its quartiles, range, median and mean, names and hovers
 * escaped for Plotly.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterDivergence } from '../../src/lib/core/contrastive/summaries';
import {
  clusterAxisNames,
  clusterLookup,
  divergenceBoxTraces,
  orderClusters,
} from '../../src/lib/plots/divergence-by-cluster';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';

/** Two clusters with hand-picked values: the more divergent has the smaller id's successor. */
const CLUSTERS: ClusterDivergence[] = [
  { clusterId: 3, values: [0.2, 0.5, 0.9], mean: 1.6 / 3, median: 0.5, q1: 0.35, q3: 0.7 },
  { clusterId: 1, values: [0.05, 0.1], mean: 0.075, median: 0.075, q1: 0.0625, q3: 0.0875 },
];

describe('divergence by cluster plot', () => {
  it('finds each answer’s cluster by prompt, side and sample, whatever the order', () => {
    const of = clusterLookup({
      rows: [
        { promptId: 'p1', side: 'A', sample: 0 },
        { promptId: 'p1', side: 'B', sample: 0 },
        { promptId: 'p1', side: 'B', sample: 1 },
        { promptId: 'p2', side: 'A', sample: 0 },
      ],
      labels: Int32Array.from([4, 2, -1, 0]),
    });
    expect(of({ promptId: 'p1', side: 'B', sample: 0 })).toBe(2);
    expect(of({ promptId: 'p1', side: 'A', sample: 0 })).toBe(4);
    expect(of({ promptId: 'p1', side: 'B', sample: 1 })).toBe(-1);
    expect(of({ promptId: 'p2', side: 'A', sample: 0 })).toBe(0);
    // Scored after the analysis: no cluster.
    expect(of({ promptId: 'p2', side: 'B', sample: 0 })).toBeUndefined();
  });

  it('orders by median as given, or by cluster number, without changing its input', () => {
    expect(orderClusters(CLUSTERS, 'median').map((c) => c.clusterId)).toEqual([3, 1]);
    expect(orderClusters(CLUSTERS, 'id').map((c) => c.clusterId)).toEqual([1, 3]);
    expect(CLUSTERS.map((c) => c.clusterId)).toEqual([3, 1]);
  });

  it('draws a box per cluster from its quartiles, range, median and mean, names escaped', () => {
    const naming = {
      termsOf: (id: number) => (id === 3 ? ['<b>bold</b>', 'license'] : ['colour']),
      labels: [{ cluster: 1, label: 'Colours & <i>hues</i>', description: '' }],
    };
    const names = clusterAxisNames(CLUSTERS, naming);
    expect(names).toEqual([
      'cluster 3: &lt;b&gt;bold&lt;/b&gt;, license',
      'cluster 1: Colours &amp; &lt;i&gt;hues&lt;/i&gt;',
    ]);
    const traces = divergenceBoxTraces(CLUSTERS, naming, DEFAULT_THEME, 'mean KL');
    const [whiskers, boxes, points, medians, means] = traces;
    expect(traces.map((t) => t.name)).toEqual(['range', 'quartiles', 'answers', 'median', 'mean']);
    // Whiskers from the smallest to the largest value, one segment per cluster.
    expect(whiskers).toMatchObject({
      x: [0.2, 0.9, null, 0.05, 0.1, null],
      y: [names[0], names[0], null, names[1], names[1], null],
    });
    // Boxes from q1 to q3: a bar based at q1, as wide as the interquartile range.
    expect(boxes).toMatchObject({ type: 'bar', orientation: 'h', y: names, base: [0.35, 0.0625] });
    expect((boxes!.x as number[]).map((x) => Number(x.toFixed(6)))).toEqual([0.35, 0.025]);
    expect(boxes!.customdata).toEqual([3, 1]);
    expect(points).toMatchObject({
      x: [0.2, 0.5, 0.9, 0.05, 0.1],
      y: [names[0], names[0], names[0], names[1], names[1]],
    });
    expect(medians).toMatchObject({ x: [0.5, 0.075], y: names });
    expect(means).toMatchObject({ x: [1.6 / 3, 0.075], y: names });
    const hover = (boxes!.hovertext as string[])[0]!;
    expect(hover).toContain('&lt;b&gt;bold&lt;/b&gt;, license');
    expect(hover).toContain('3 answers · mean KL');
    expect(hover).toContain('median 0.5000 · mean 0.5333');
    expect(hover).toContain('quartiles 0.3500 to 0.7000');
    expect(hover).toContain('range 0.2000 to 0.9000');
    expect(hover).not.toMatch(/<b>bold/);
  });
});
