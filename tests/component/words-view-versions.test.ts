/**
 * The app's words view on analyses of both result versions: presence-tested words quote the
 * answers that contain them and q; an analysis saved by version 1 (per-token log-odds) still
 * opens through the same reader the app uses and shows its words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { screenAnalyses } from '../../src/lib/core/analysis/result-schema';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import type { AnalysisRecord, Answer } from '../../src/lib/core/run/types';
import { asVersion1Result, fakeAnalysisResult } from '../unit/analysis-result-fixture';
import WordsHost from './words-chart-host.svelte';

const answers: Answer[] = ['A', 'B'].flatMap((side) =>
  ['p1', 'p2', 'p3'].map((promptId) => ({
    promptId,
    side: side as 'A' | 'B',
    sample: 0,
    text: `${side} answers ${promptId}`,
  })),
) as Answer[];

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function openSaved(result: unknown): AnalysisResult {
  const record = { id: 'an-1', createdAt: '2026-01-01T00:00:00.000Z', result } as AnalysisRecord;
  const { kept, dropped } = screenAnalyses([record], new Set(['p1', 'p2', 'p3']));
  expect(dropped).toEqual([]);
  return kept[0]!.result as AnalysisResult;
}

function render(result: AnalysisResult): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(WordsHost, { target, props: { words: result.comparison.words } });
  flushSync();
  return target;
}

describe('words view', () => {
  it('quotes the answers containing each word and its q', () => {
    const result = fakeAnalysisResult(answers);
    result.comparison.words.moreInB = [
      { term: 'note', z: 11.6, countA: 4, countB: 123, pValue: 1.3e-31, qValue: 2.6e-29 },
    ];
    const target = render(openSaved(result));
    const moreInB = target.querySelector('[data-testid="words-more-in-B"]')!;
    expect(moreInB.textContent!.replace(/\s+/g, ' ')).toContain(
      "More in B: note (in 4 of A's answers vs 123 of B's, q = 2.6e-29)",
    );
    expect(target.querySelector('[data-testid="words-method"]')!.textContent).toMatch(
      /exact McNemar.*4 terms tested/,
    );
  });

  it('opens an analysis saved by result version 1 and shows its log-odds words', () => {
    const saved = asVersion1Result(fakeAnalysisResult(answers)) as { version: number };
    expect(saved.version).toBe(1);
    const opened = openSaved(saved);
    expect(opened.version).toBe(3);
    expect(opened.comparison.words.test).toBe('log-odds');
    const target = render(opened);
    const moreInB = target.querySelector('[data-testid="words-more-in-B"]')!;
    expect(moreInB.textContent!.replace(/\s+/g, ' ')).toContain('More in B: b (log-odds z 2.1)');
    expect(target.querySelector('[data-testid="words-method"]')!.textContent).toMatch(
      /saved before words were tested/,
    );
  });
});
