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

  it('searches and pages a cluster’s answers, back to page 1 on a new search', () => {
    const many: Prompt[] = Array.from({ length: 60 }, (_, i) => ({
      id: `q${i}`,
      text: `Prompt ${i}`,
    }));
    const manyAnswers: Answer[] = many.flatMap((p) =>
      (['A', 'B'] as const).map((side) => ({
        promptId: p.id,
        side,
        sample: 0,
        text: `${side} answers ${p.text}`,
        finishReason: 'stop' as const,
        createdAt: '2026-01-01T00:00:00.000Z',
      })),
    );
    const result = fakeAnalysisResult(manyAnswers);
    component = mount(ClusterView, {
      target: document.body,
      props: {
        result,
        // Labels alternate 0, 1 by answer: cluster 0 holds A's 60 answers.
        cluster: result.comparison.clusters[0]!,
        labels: { A: 'base', B: 'tuned' },
        run: { prompts: many, answers: manyAnswers },
      },
    });
    flushSync();
    const shown = () =>
      [...document.querySelectorAll('[data-testid="cluster-answer"] .prompt')].map(
        (p) => p.textContent,
      );
    const pager = () => document.querySelector('.pager span')?.textContent ?? null;
    const list = () => document.querySelector('ol.answers')!;
    expect(shown()).toHaveLength(25);
    expect(pager()).toBe('Page 1 of 3 · 60 answers');

    const next = document.querySelector<HTMLButtonElement>('[data-testid="cluster-next"]')!;
    next.click();
    flushSync();
    next.click();
    flushSync();
    expect(pager()).toBe('Page 3 of 3 · 60 answers');
    expect(shown()).toEqual(Array.from({ length: 10 }, (_, i) => `Prompt ${50 + i}`));
    expect(list().getAttribute('start')).toBe('51');
    expect(next.disabled).toBe(true);

    const input = document.querySelector<HTMLInputElement>('[data-testid="cluster-search"]')!;
    input.value = '  PROMPT 1';
    input.dispatchEvent(new Event('input'));
    flushSync();
    // Prompt 1 and Prompt 10 to 19, from the first page.
    expect(shown()).toEqual([
      'Prompt 1',
      ...Array.from({ length: 10 }, (_, i) => `Prompt ${10 + i}`),
    ]);
    expect(list().getAttribute('start')).toBe('1');
    expect(pager()).toBeNull();

    const side = document.querySelector<HTMLSelectElement>('.filters select')!;
    side.value = 'B';
    side.dispatchEvent(new Event('change'));
    flushSync();
    expect(shown()).toEqual([]);
    expect(document.querySelector('ol.answers')!.textContent).toContain('No answer matches.');
  });
});
