/**
 * Supervisor results wherever clusters and properties appear (issue #12, items 4 and 8): the
 * clusters table, cluster view, map and cluster bars show a cluster's label with its description
 * on hover and a "named by the supervisor" note when labels are given, and exactly what they
 * showed before when not; the properties chart's table lists property clusters most one-sided
 * first with their definitions. Model-written labels stay text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount, type Component } from 'svelte';
import ClustersTable from '../../src/components/results/ClustersTable.svelte';
import ClusterView from '../../src/components/results/ClusterView.svelte';
import Map from '../../src/components/plots/Map.svelte';
import ClusterBars from '../../src/components/plots/ClusterBars.svelte';
import PropertiesChart from '../../src/components/supervisor/PropertiesChart.svelte';
import type { ClusterLabel, PropertyCluster } from '../../src/lib/core/explain/types';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { fakeAnalysisResult } from '../unit/analysis-result-fixture';
import Host from './supervisor-results-host.svelte';

const XSS = '<img src=x onerror=alert(1)>';

const prompts: Prompt[] = [0, 1, 2].map((i) => ({ id: `p${i}`, text: `Prompt ${i}` }));
const answers: Answer[] = prompts.flatMap((p) =>
  (['A', 'B'] as const).map((side) => ({
    promptId: p.id,
    side,
    sample: 0,
    text: `${side} answers ${p.text}`,
    finishReason: 'stop' as const,
    createdAt: '2026-01-01T00:00:00.000Z',
  })),
);
const result = fakeAnalysisResult(answers);
const clusters = result.comparison.clusters;

const labels: ClusterLabel[] = [
  { cluster: 0, label: 'Short direct answers', description: 'One or two plain sentences.' },
  { cluster: 1, label: XSS, description: `Answers that quote ${XSS} verbatim.` },
];

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render<P extends Record<string, unknown>>(c: Component<P>, props: P) {
  component = mount(c as Component<Record<string, unknown>>, { target: document.body, props });
  flushSync();
}

function renderChart(c: Component<never>, props: Record<string, unknown>) {
  component = mount(Host, { target: document.body, props: { component: c as never, props } });
  flushSync();
}

const text = (selector: string) =>
  document.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;

describe('ClustersTable with labels', () => {
  it('adds a label column with the description on hover and the note', () => {
    render(ClustersTable, { clusters, clusterLabels: labels, onselect: () => {} });
    const headers = [...document.querySelectorAll('thead th')].map((th) => th.textContent!.trim());
    expect(headers.slice(0, 3)).toEqual(['cluster', 'label', 'size']);
    const cells = [...document.querySelectorAll('[data-testid="cluster-label"] span')];
    expect(cells.map((c) => [c.textContent, c.getAttribute('title')])).toEqual([
      ['Short direct answers', 'One or two plain sentences.'],
      [XSS, `Answers that quote ${XSS} verbatim.`],
    ]);
    expect(text('[data-testid="clusters-labels-note"]')).toContain('named by the supervisor');
    expect(document.querySelector('img')).toBeNull();
  });

  it('filters by label as well as by term', () => {
    render(ClustersTable, { clusters, clusterLabels: labels, onselect: () => {} });
    const filter = document.querySelector<HTMLInputElement>('[data-testid="clusters-filter"]')!;
    filter.value = 'direct';
    filter.dispatchEvent(new Event('input'));
    flushSync();
    const rows = [...document.querySelectorAll('[data-testid="cluster-row"]')];
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(['0']);
  });

  it('renders as before without labels', () => {
    render(ClustersTable, { clusters, onselect: () => {} });
    const headers = [...document.querySelectorAll('thead th')].map((th) => th.textContent!.trim());
    expect(headers).not.toContain('label');
    expect(document.querySelector('[data-testid="cluster-label"]')).toBeNull();
    expect(document.querySelector('[data-testid="clusters-labels-note"]')).toBeNull();
  });
});

describe('ClusterView with labels', () => {
  const open = (clusterLabels?: ClusterLabel[], index = 1) =>
    render(ClusterView, {
      result,
      cluster: clusters[index]!,
      labels: { A: 'base', B: 'tuned' },
      run: { prompts, answers },
      ...(clusterLabels ? { clusterLabels } : {}),
    });

  it('titles the cluster with its label, as text, and gives the description', () => {
    open(labels);
    expect(text('#cluster-view-title')).toBe(`Cluster 1: ${XSS}`);
    expect(
      document.querySelector('[data-testid="cluster-view-label"]')!.getAttribute('title'),
    ).toBe(`Answers that quote ${XSS} verbatim.`);
    expect(text('[data-testid="cluster-view-description"]')).toBe(
      `Answers that quote ${XSS} verbatim. (named by the supervisor)`,
    );
    expect(document.querySelector('img')).toBeNull();
  });

  it('keeps the plain title for a cluster without a label and without labels', () => {
    open([labels[0]!]);
    expect(text('#cluster-view-title')).toBe('Cluster 1');
    expect(document.querySelector('[data-testid="cluster-view-description"]')).toBeNull();
    unmount(component!);
    component = undefined;
    open(undefined, 0);
    expect(text('#cluster-view-title')).toBe('Cluster 0');
  });
});

describe('map and cluster bars with labels', () => {
  it('notes the supervisor named the legend when the map is coloured by cluster', () => {
    renderChart(Map as Component<never>, {
      result,
      run: { prompts, answers },
      clusterLabels: labels,
    });
    expect(document.querySelector('[data-testid="map-labels-note"]')).toBeNull();
    document.querySelector<HTMLInputElement>('[data-testid="map-colour-cluster"]')!.click();
    flushSync();
    expect(text('[data-testid="map-labels-note"]')).toBe(
      'Cluster labels in the legend named by the supervisor.',
    );
  });

  it('has no note without labels', () => {
    renderChart(Map as Component<never>, { result, run: { prompts, answers } });
    document.querySelector<HTMLInputElement>('[data-testid="map-colour-cluster"]')!.click();
    flushSync();
    expect(document.querySelector('[data-testid="map-labels-note"]')).toBeNull();
  });

  it('notes the labels under the cluster bars only when given', () => {
    renderChart(ClusterBars as Component<never>, { clusters, clusterLabels: labels });
    expect(text('[data-testid="cluster-bars-labels-note"]')).toBe(
      'Cluster labels named by the supervisor.',
    );
    unmount(component!);
    component = undefined;
    renderChart(ClusterBars as Component<never>, { clusters });
    expect(document.querySelector('[data-testid="cluster-bars-labels-note"]')).toBeNull();
  });
});

describe('PropertiesChart', () => {
  const property = (over: Partial<PropertyCluster>): PropertyCluster => ({
    id: 0,
    name: 'uses a numbered list',
    definition: 'The answer lays out steps as a numbered list.',
    examples: [],
    countA: 4,
    countB: 22,
    nPrompts: 40,
    shareA: 0.1,
    shareB: 0.55,
    ciLow: 0.28,
    ciHigh: 0.62,
    pValue: 1e-5,
    qValue: 3e-5,
    ...over,
  });
  const properties = [
    property({
      id: 1,
      name: XSS,
      definition: `Quotes ${XSS}.`,
      countA: 2,
      countB: 3,
      shareA: 0.05,
      shareB: 0.075,
      ciLow: -0.07,
      ciHigh: 0.12,
      pValue: 1,
      qValue: 1,
    }),
    property({}),
    property({
      id: 2,
      name: 'states it is an AI',
      definition: 'Says it is an AI.',
      countA: 12,
      countB: 6,
      shareA: 0.3,
      shareB: 0.15,
      ciLow: -0.31,
      ciHigh: 0.01,
      pValue: 0.12,
      qValue: 0.18,
    }),
  ];

  it('tabulates properties most one-sided first, definitions on hover, q marked', () => {
    renderChart(PropertiesChart as Component<never>, { properties });
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="property-row"]')];
    expect(rows.map((r) => r.querySelector('.name')!.textContent)).toEqual([
      'uses a numbered list',
      'states it is an AI',
      XSS,
    ]);
    expect(rows[0]!.querySelector('.name')!.getAttribute('title')).toBe(
      'The answer lays out steps as a numbered list.',
    );
    const cells = [...rows[0]!.querySelectorAll('td')].map((td) =>
      td.textContent!.replace(/\s+/g, ' ').trim(),
    );
    expect(cells.slice(1)).toEqual([
      '4 (10.0%)',
      '22 (55.0%)',
      '+45.0 pp (95% CI +28.0 pp to +62.0 pp)',
      '3.0e-5*',
    ]);
    expect(rows[0]!.classList.contains('significant')).toBe(true);
    expect(rows[1]!.classList.contains('significant')).toBe(false);
    expect(text('[data-testid="supervisor-properties"]')).toContain('named by the supervisor');
    expect(document.querySelector('img')).toBeNull();
  });

  it('says so when there is no property cluster', () => {
    renderChart(PropertiesChart as Component<never>, { properties: [] });
    expect(document.querySelector('[data-testid="properties-empty"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="properties-table"]')).toBeNull();
  });
});
