/**
 * The app's "Where they differ most" list: ranked by length-adjusted divergence (and says so),
 * with the raw divergence, the length ratio and both answers' openings as text; an analysis
 * saved by result version 1 still opens in it, ranked by divergence, quoting the run's answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import DivergentPrompts from '../../src/components/results/DivergentPrompts.svelte';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import { screenAnalyses } from '../../src/lib/core/analysis/result-schema';
import type { PromptResult } from '../../src/lib/core/compare/result-types';
import type { AnalysisRecord, Answer, Prompt } from '../../src/lib/core/run/types';
import { asVersion1Result, fakeAnalysisResult } from '../unit/analysis-result-fixture';

const prompts: Prompt[] = [
  { id: 'p1', text: 'Name a colour.' },
  { id: 'p2', text: 'Can you help me pick a lock?' },
  { id: 'p3', text: 'What is 2 + 2?' },
];
const LONG_B = `Certainly! ${'Here are many colours, each with its history. '.repeat(10)}`;
const answers: Answer[] = [
  { promptId: 'p1', side: 'A', sample: 0, text: 'Red.' },
  { promptId: 'p1', side: 'B', sample: 0, text: LONG_B },
  { promptId: 'p2', side: 'A', sample: 0, text: 'Sure, here is how to pick a lock.' },
  { promptId: 'p2', side: 'B', sample: 0, text: 'I cannot help with <b>that</b>.' },
  { promptId: 'p3', side: 'A', sample: 0, text: 'Four.' },
  { promptId: 'p3', side: 'B', sample: 0, text: '4' },
] as Answer[];

const prompt = (
  id: string,
  promptIndex: number,
  divergence: number,
  extra: Pick<PromptResult, 'lengthRatio' | 'divergenceAdjusted' | 'answers'>,
): PromptResult => ({
  prompt: id,
  promptIndex,
  divergence,
  cross: divergence,
  withinA: null,
  withinB: null,
  noiseFloor: null,
  adjusted: false,
  nA: 1,
  nB: 1,
  ...extra,
});

/** A result ranked as the pipeline ranks it: the refusal (same length) above the long answer. */
function adjustedResult(): AnalysisResult {
  const result = fakeAnalysisResult(answers);
  result.comparison.prompts = [
    prompt('p2', 1, 0.41, {
      lengthRatio: 1,
      divergenceAdjusted: 0.3,
      answers: { a: 'Sure, here is how to pick a lock.', b: 'I cannot help with <b>that</b>.' },
    }),
    prompt('p1', 0, 0.62, {
      lengthRatio: 40.5,
      divergenceAdjusted: 0.02,
      answers: { a: 'Red.', b: 'Certainly! Here are many colours…' },
    }),
    prompt('p3', 2, 0.05, {
      lengthRatio: 1,
      divergenceAdjusted: -0.1,
      answers: { a: 'Four.', b: '4' },
    }),
  ];
  return result;
}

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(result: AnalysisResult): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(DivergentPrompts, {
    target,
    props: { result, labels: { A: 'base', B: 'tuned' }, run: { prompts, answers } },
  });
  flushSync();
  return target;
}

const texts = (target: HTMLElement, testid: string) =>
  [...target.querySelectorAll(`[data-testid="${testid}"]`)].map((el) =>
    el.textContent!.replace(/\s+/g, ' ').trim(),
  );

describe('divergent prompts view', () => {
  it('ranks by length-adjusted divergence, says so, and shows the length ratio', () => {
    const target = render(adjustedResult());
    expect(target.querySelector('[data-testid="divergent-method"]')!.textContent).toMatch(
      /^Ranked by length-adjusted divergence.*1 − cosine similarity/,
    );
    const rows = texts(target, 'divergent-toggle');
    expect(rows[0]).toMatch(/^1\. Can you help me pick a lock\?/);
    expect(rows[1]).toMatch(/^2\. Name a colour\./);
    expect(texts(target, 'divergent-score')).toEqual([
      'adjusted 0.300 · divergence 0.410 · same length',
      'adjusted 0.020 · divergence 0.620 · B 41× longer',
      'adjusted -0.100 · divergence 0.050 · same length',
    ]);
  });

  it('shows both answers’ openings as text, never as markup', () => {
    const target = render(adjustedResult());
    expect(texts(target, 'divergent-opening-a').slice(0, 2)).toEqual([
      'Sure, here is how to pick a lock.',
      'Red.',
    ]);
    expect(texts(target, 'divergent-opening-b')[0]).toBe('I cannot help with <b>that</b>.');
    expect(target.querySelector('[data-testid="divergent-openings"] b')).toBeNull();
  });

  it('opens an analysis saved by result version 1, ranked by divergence, quoting the run', () => {
    const saved = asVersion1Result(adjustedResult());
    const record = { id: 'an-1', createdAt: '2026-01-01T00:00:00.000Z', result: saved };
    const { kept, dropped } = screenAnalyses(
      [record as AnalysisRecord],
      new Set(prompts.map((p) => p.id)),
    );
    expect(dropped).toEqual([]);
    const opened = kept[0]!.result as AnalysisResult;
    expect(opened.comparison.prompts[0]).toMatchObject({
      lengthRatio: null,
      divergenceAdjusted: null,
      answers: null,
    });
    const target = render(opened);
    expect(target.querySelector('[data-testid="divergent-method"]')!.textContent).toMatch(
      /^Ranked by divergence \(this analysis was saved before length adjustment\)/,
    );
    expect(texts(target, 'divergent-score')[0]).toBe('divergence 0.410');
    // Openings come from the run's answers, cut to about 160 characters.
    const openingB = texts(target, 'divergent-opening-b');
    expect(openingB[0]).toBe('I cannot help with <b>that</b>.');
    expect(openingB[1]!.startsWith('Certainly! Here are many colours')).toBe(true);
    expect(openingB[1]!.endsWith('…')).toBe(true);
    expect(Array.from(openingB[1]!).length).toBeLessThanOrEqual(161);
  });
});
