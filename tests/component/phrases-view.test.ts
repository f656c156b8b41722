/**
 * The app's openings and closings view: both tables with the answers on each side and q, model
 * text shown as text; an analysis saved by result version 2 (before openings were tested) opens
 * through the app's reader and says they were not computed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import PhrasesView from '../../src/components/results/PhrasesView.svelte';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import { screenAnalyses } from '../../src/lib/core/analysis/result-schema';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { openingsAndClosings } from '../../src/lib/core/compare/openings-closings';
import type { PhrasesResult } from '../../src/lib/core/compare/result-types';
import type { AnalysisRecord, Answer, Side } from '../../src/lib/core/run/types';
import { asVersion2Result, fakeAnalysisResult } from '../unit/analysis-result-fixture';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(openings: PhrasesResult | null, closings: PhrasesResult | null): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(PhrasesView, { target, props: { openings, closings } });
  flushSync();
  return target;
}

const rows = (section: Element) =>
  [...section.querySelectorAll('[data-testid="phrase-row"]')].map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
  );

/** 60 prompts: B opens 30 answers with "Certainly! Here are" (A 2); every answer ends alike. */
function tested() {
  const texts: string[] = [];
  const promptIndex: number[] = [];
  const sides: Side[] = [];
  for (let p = 0; p < 60; p++) {
    for (const side of ['A', 'B'] as const) {
      const certainly = side === 'B' ? p < 30 : p < 2;
      texts.push(
        `${certainly ? 'Certainly! Here are' : `Item ${p} has`} facts. I hope this helps.`,
      );
      promptIndex.push(p);
      sides.push(side);
    }
  }
  return openingsAndClosings(pairedDesign(promptIndex, sides), texts);
}

describe('openings and closings view', () => {
  it('lists each phrase with the answers on each side and q, and says when none leans', () => {
    const { openings, closings } = tested();
    const target = render(openings, closings);
    const opening = target.querySelector('[data-testid="phrases-openings"]')!;
    expect(rows(opening)).toEqual([
      ['“certainly here are”', 'B', '2', '30', expect.stringMatching(/^\d\.\de-\d+$/)],
    ]);
    expect(opening.querySelector('tr.significant')).not.toBeNull();
    const closing = target.querySelector('[data-testid="phrases-closings"]')!;
    expect(closing.textContent).toContain('No phrase leans to either side (1 tested).');
    expect(target.querySelector('[data-testid="phrases-method"]')!.textContent).toMatch(
      /first three words.*exact McNemar/,
    );
  });

  it('shows a phrase as text, never as HTML', () => {
    const hostile: PhrasesResult = {
      test: 'mcnemar-exact',
      tested: 1,
      moreInA: [
        {
          text: '<img src=x onerror=alert(1)>',
          z: -3,
          countA: 9,
          countB: 0,
          pValue: 0.004,
          qValue: 0.004,
        },
      ],
      moreInB: [],
    };
    const target = render(hostile, null);
    expect(target.querySelector('img')).toBeNull();
    expect(rows(target.querySelector('[data-testid="phrases-openings"]')!)[0]![0]).toBe(
      '“<img src=x onerror=alert(1)>”',
    );
  });

  it('opens an analysis saved by result version 2 and says openings were not computed', () => {
    const answers = [
      { promptId: 'p1', side: 'A', sample: 0, text: 'Sure, here it is.' },
      { promptId: 'p1', side: 'B', sample: 0, text: 'Certainly! Here are the facts.' },
    ] as Answer[];
    const saved = asVersion2Result(fakeAnalysisResult(answers));
    const record = { id: 'an-1', createdAt: '2026-01-01T00:00:00.000Z', result: saved };
    const { kept, dropped } = screenAnalyses([record as AnalysisRecord], new Set(['p1']));
    expect(dropped).toEqual([]);
    const opened = kept[0]!.result as AnalysisResult;
    const target = render(opened.comparison.openings, opened.comparison.closings);
    const notComputed = [...target.querySelectorAll('[data-testid="phrases-not-computed"]')];
    expect(notComputed.map((p) => p.textContent!.trim())).toEqual([
      'not computed (analysis saved before openings were tested)',
      'not computed (analysis saved before openings were tested)',
    ]);
    expect(target.querySelector('[data-testid="phrase-row"]')).toBeNull();
  });
});
