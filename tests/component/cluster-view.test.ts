import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ClusterView from '../../src/components/results/ClusterView.svelte';
import { migrateAnalysisResult } from '../../src/lib/core/analysis/result-schema';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { asVersion1Result, fakeAnalysisResult } from '../unit/analysis-result-fixture';

const LOOP = 'I am sorry. '.repeat(40);
const prompts: Prompt[] = [0, 1, 2].map((i) => ({ id: `p${i}`, text: `Prompt ${i}` }));
const answers: Answer[] = prompts.flatMap((p, i) =>
  (['A', 'B'] as const).map((side) => ({
    promptId: p.id,
    side,
    sample: 0,
    text: side === 'B' && i === 0 ? LOOP : `${side} answers ${p.text}`,
    finishReason: 'stop' as const,
    createdAt: '2026-01-01T00:00:00.000Z',
  })),
);

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  document.body.innerHTML = '';
});

function open(result: ReturnType<typeof fakeAnalysisResult>, index: number) {
  component = mount(ClusterView, {
    target: document.body,
    props: {
      result,
      cluster: result.comparison.clusters[index]!,
      labels: { A: 'base', B: 'tuned' },
      run: { prompts, answers },
    },
  });
  flushSync();
}

describe('ClusterView', () => {
  it('opens a cluster of an analysis saved by version 1', () => {
    const result = migrateAnalysisResult(asVersion1Result(fakeAnalysisResult(answers)));
    open(result, 0);
    expect(document.querySelector('#cluster-view-title')!.textContent).toBe('Cluster 0');
    expect(document.querySelector('[data-testid="cluster-terms"]')!.textContent).toContain(
      'explain',
    );
    expect(document.querySelector('[data-testid="cluster-contrast-terms"]')).toBeNull();
    expect(document.querySelector('[data-testid="cluster-degenerate"]')).toBeNull();
    expect(document.querySelectorAll('[data-testid="cluster-answer"]')).toHaveLength(3);
  });

  it('flags degenerate answers, shows contrast terms, and names noise as noise', () => {
    const base = fakeAnalysisResult(answers);
    // Labels alternate 0, 1: answer 1 (B's loop) is in cluster 1.
    const clusters = base.comparison.clusters.map((c) =>
      c.id === 1
        ? { ...c, degenerate: 1, contrastTerms: { a: ['plain'], b: ['sorry'] } }
        : { ...c, id: -1, noise: true, terms: [] },
    );
    const labels = Int32Array.from(base.labels, (l) => (l === 0 ? -1 : l));
    const result = { ...base, labels, comparison: { ...base.comparison, clusters } };
    open(result, 1);
    expect(document.querySelector('[data-testid="cluster-degenerate"]')!.textContent).toMatch(
      /1 degenerate answer .*never shown as typical/s,
    );
    const flags = [...document.querySelectorAll('[data-testid="degenerate-flag"]')];
    expect(flags.map((f) => f.textContent)).toEqual(['degenerate: repetition loop']);
    expect(flags[0]!.closest('li')!.textContent).toContain('Prompt 0');
    expect(document.querySelector('[data-testid="cluster-contrast-terms"]')!.textContent).toMatch(
      /in more of A's answers\s*:\s*plain;\s*in more of B's answers\s*:\s*sorry\./,
    );
    unmount(component!);
    component = undefined;
    open(result, 0);
    expect(document.querySelector('#cluster-view-title')!.textContent).toBe(
      'Noise (not in any cluster)',
    );
    expect(document.querySelector('[data-testid="cluster-terms"]')!.textContent).toMatch(
      /in no cluster/,
    );
  });
});
