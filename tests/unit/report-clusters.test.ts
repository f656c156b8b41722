import { describe, expect, it } from 'vitest';
import type { ReportCluster } from '../../src/lib/core/analysis/report-json';
import { clustersCsv } from '../../src/lib/core/report/csv';
import { reportHtml } from '../../src/lib/core/report/html';
import { reportMarkdown } from '../../src/lib/core/report/markdown';
import { HOSTILE_IMG, fixedReport } from './report-test-helpers';

const base = fixedReport().clusters[0]!;
const cluster = (over: Partial<ReportCluster>): ReportCluster => ({ ...base, ...over });

/** Cluster 5 is the most one-sided (24:0) but not the most significant; -1 is noise. */
const clusters: ReportCluster[] = [
  cluster({ id: 0, shareA: 0.5, shareB: 0.52, difference: 0.02, qValue: 0.0001 }),
  cluster({
    id: 5,
    size: 24,
    countA: 24,
    countB: 0,
    shareA: 0.2,
    shareB: 0,
    difference: -0.2,
    qValue: 0.03,
    terms: [],
    contrastTerms: { a: [], b: [] },
    exemplars: { a: ['A alone'], b: [] },
  }),
  cluster({
    id: -1,
    noise: true,
    shareA: 0,
    shareB: 0.9,
    difference: 0.9,
    qValue: 0.001,
    terms: [],
    contrastTerms: { a: [], b: [] },
    exemplars: { a: [], b: [] },
  }),
  cluster({
    id: 2,
    shareA: 0.1,
    shareB: 0.2,
    difference: 0.1,
    qValue: 0.2,
    contrastTerms: { a: ['grandma'], b: [HOSTILE_IMG] },
  }),
];
const weak = fixedReport({ clusters });
const strong = fixedReport({
  clusters,
  clusterQuality: { silhouette: 0.45, stabilityAri: null, noise: 7, warning: null },
});

describe('cluster sections of the reports', () => {
  it('Markdown: quality, warning, one-sided order, noise named and last, A/B terms', () => {
    const md = reportMarkdown(weak);
    const section = md.slice(md.indexOf('## Clusters'), md.indexOf('## Style features'));
    expect(section).toContain('Cluster quality: silhouette 0.08');
    expect(section).toContain('ARI 0.61');
    expect(section).toContain(
      'answers do not form distinct groups; read the features and words first.**',
    );
    const rows = section.split('\n').filter((l) => /^\| (\d|Noise)/.test(l));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| 5',
      '| 2',
      '| 0',
      '| Noise (not in any cluster)',
    ]);
    expect(rows[0]).toContain('(no term in enough of its answers)');
    expect(rows[1]).toContain('A: grandma; B: \\<img');
    expect(reportMarkdown(strong)).not.toContain('do not form distinct groups');
    expect(reportMarkdown(strong)).toContain('7 answers in no cluster (noise)');
    // Exemplars: the most one-sided clusters, a 24:0 cluster included, noise never.
    const ex = md.slice(md.indexOf('## Exemplars'), md.indexOf('## Settings'));
    expect(ex).toContain('### Cluster 5: (no term in enough of its answers)');
    expect(ex).toContain('- A: A alone');
    expect(ex).not.toContain('Noise');
    expect(ex.indexOf('Cluster 5')).toBeLessThan(ex.indexOf('Cluster 2'));
  });

  it('HTML: the same, escaped', () => {
    const html = reportHtml(weak);
    const section = html.slice(html.indexOf('<h2>Clusters</h2>'), html.indexOf('<h2>Style'));
    expect(section).toContain(
      '<p class="warning"><strong>Weak clusters (silhouette 0.08 &lt; 0.2, stability ARI 0.61 &lt; 0.7)',
    );
    const firstCells = [...section.matchAll(/<tr(?: class="sig")?><td>([^<]*)<\/td>/g)].map(
      (m) => m[1],
    );
    expect(firstCells).toEqual(['5', '2', '0', 'Noise (not in any cluster)']);
    expect(section).toContain('A: grandma; B: &lt;img');
    expect(reportHtml(strong)).not.toContain('class="warning"');
  });

  it('CSV: noise and the A/B terms as columns, in the one-sided order', () => {
    const rows = clustersCsv(weak).trim().split('\r\n');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['5', '2', '0', '-1']);
    expect(rows[4]!.split(',').slice(12, 13)).toEqual(['true']);
  });
});
