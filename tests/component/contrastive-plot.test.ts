/**
 * The box plot of divergence per cluster: answers joined to their analysis cluster by identity
 * (not by position), boxes in the chosen order from the top, names and hovers escaped for Plotly.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterDivergence } from '../../src/lib/core/contrastive/summaries';
import {
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

  it('draws one horizontal box per cluster, the first at the top, names escaped', () => {
    const traces = divergenceBoxTraces(
      CLUSTERS,
      {
        termsOf: (id) => (id === 3 ? ['<b>bold</b>', 'license'] : ['colour']),
        labels: [{ cluster: 1, label: 'Colours & <i>hues</i>', description: '' }],
      },
      DEFAULT_THEME,
      'mean KL',
    );
    expect(traces).toHaveLength(2);
    // Plotly stacks horizontal categories from the bottom: the first cluster comes last.
    expect(traces.map((t) => t.name)).toEqual([
      'cluster 1: Colours &amp; &lt;i&gt;hues&lt;/i&gt;',
      'cluster 3: &lt;b&gt;bold&lt;/b&gt;, license',
    ]);
    const top = traces[1]!;
    expect(top).toMatchObject({ type: 'box', orientation: 'h', x: [0.2, 0.5, 0.9] });
    expect(top.y).toEqual(Array(3).fill(top.name));
    expect(top.hovertemplate).toContain('&lt;b&gt;bold&lt;/b&gt;, license');
    expect(top.hovertemplate).toContain('3 answers · median 0.5000');
    expect(String(top.hovertemplate)).not.toMatch(/<b>bold/);
  });
});
