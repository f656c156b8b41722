import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ClustersTable from '../../src/components/results/ClustersTable.svelte';
import type { ClusterResult } from '../../src/lib/core/compare/result-types';

function cluster(
  id: number,
  size: number,
  countB: number,
  difference: number,
  qValue: number,
  terms: string[],
): ClusterResult {
  return {
    id,
    size,
    countA: size - countB,
    countB,
    shareA: 0.3,
    shareB: 0.3 + difference,
    difference,
    ciLow: difference - 0.05,
    ciHigh: difference + 0.05,
    pValue: qValue,
    qValue,
    terms,
    noise: id < 0,
    contrastTerms: { a: [], b: [] },
    degenerate: 0,
    exemplars: { a: [], b: [] },
    exemplarAnswers: { a: [], b: [] },
  };
}

// A fixed analysis: cluster 2 is the strongest B shift, cluster 0 the biggest, cluster 1 noise-level.
const clusters = [
  cluster(0, 120, 50, -0.08, 0.03, ['licence', 'software']),
  cluster(1, 40, 21, 0.01, 0.8, ['<img src=x onerror=alert(1)>', 'misc']),
  cluster(2, 90, 70, 0.21, 0.001, ['lord', 'wisdom']),
];

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  document.body.innerHTML = '';
});

function render(onselect = vi.fn()) {
  component = mount(ClustersTable, { target: document.body, props: { clusters, onselect } });
  flushSync();
  return onselect;
}
const ids = () =>
  [...document.querySelectorAll('[data-testid="cluster-row"]')].map(
    (r) => r.querySelector('td')!.textContent,
  );

describe('ClustersTable', () => {
  it('lists the most one-sided cluster first, with shares, intervals and q-values', () => {
    render();
    expect(ids()).toEqual(['2', '0', '1']);
    const first = document.querySelector('[data-testid="cluster-row"]')!;
    expect(first.textContent).toContain('21.0% (16.0% to 26.0%)');
    expect(first.textContent).toContain('0.001');
    expect(first.classList.contains('significant')).toBe(true);
  });

  it('sorts by a column and reverses on a second click, with aria-sort', () => {
    render();
    const sizeHeader = document.querySelector<HTMLButtonElement>('[data-testid="sort-size"]')!;
    sizeHeader.click();
    flushSync();
    expect(ids()).toEqual(['0', '2', '1']);
    expect(sizeHeader.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    sizeHeader.click();
    flushSync();
    expect(ids()).toEqual(['1', '2', '0']);
    expect(sizeHeader.closest('th')!.getAttribute('aria-sort')).toBe('ascending');
  });

  it('filters by term and selects a row by click or Enter', () => {
    const onselect = render();
    const filter = document.querySelector<HTMLInputElement>('[data-testid="clusters-filter"]')!;
    filter.value = 'lord';
    filter.dispatchEvent(new Event('input'));
    flushSync();
    expect(ids()).toEqual(['2']);
    const row = document.querySelector<HTMLElement>('[data-testid="cluster-row"]')!;
    row.click();
    row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(onselect.mock.calls).toEqual([[2], [2]]);
  });

  it('shows terms that look like markup as text', () => {
    render();
    expect(document.querySelector('img')).toBeNull();
    expect(document.body.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('ranks by how one-sided a cluster is before q, names noise as noise and puts it last', () => {
    component = mount(ClustersTable, {
      target: document.body,
      props: {
        clusters: [
          cluster(0, 300, 150, 0.02, 0.0001, ['common']),
          cluster(1, 24, 0, -0.03, 0.04, ['alone']),
          { ...cluster(-1, 50, 40, 0.3, 0.001, []), noise: true },
          {
            ...cluster(3, 60, 45, 0.12, 0.01, ['recipe']),
            contrastTerms: { a: ['grandma'], b: ['certainly'] },
          },
        ],
        onselect: vi.fn(),
      },
    });
    flushSync();
    expect(ids()).toEqual(['3', '1', '0', 'Noise (not in any cluster)']);
    const contrast = document.querySelector('[data-testid="cluster-contrast"]')!;
    expect(contrast.textContent).toBe('A: grandma; B: certainly');
    expect(document.querySelector('[data-testid="cluster-warning"]')).toBeNull();
  });

  it('shows the cluster quality and, when the clusters are weak, the warning', () => {
    const warning =
      'Weak clusters (silhouette 0.08 < 0.2): answers do not form distinct groups; read the features and words first.';
    component = mount(ClustersTable, {
      target: document.body,
      props: {
        clusters,
        quality: { silhouette: 0.08, stabilityAri: 0.61, noise: 0, warning },
        onselect: vi.fn(),
      },
    });
    flushSync();
    expect(document.querySelector('[data-testid="cluster-quality"]')!.textContent).toContain(
      'silhouette 0.08',
    );
    expect(document.querySelector('[data-testid="cluster-warning"]')!.textContent).toBe(warning);
  });
});
