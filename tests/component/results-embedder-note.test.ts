/**
 * The results view states what the embedder cannot see, beside the map, when the analysis used
 * the bundled embedder (and says nothing for a sentence embedder).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ResultsHost from './results-summary-host.svelte';
import {
  BUNDLED_ANALYSIS_EMBEDDER,
  SENTENCE_ANALYSIS_EMBEDDER,
} from '../../src/lib/core/analysis/embedder-note';
import { analysisParams } from '../../src/lib/core/analysis/params';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { fakeAnalysisResult } from '../unit/analysis-result-fixture';

const prompts: Prompt[] = ['p1', 'p2', 'p3'].map((id) => ({ id, text: `Question ${id}?` }));
const answers = ['A', 'B'].flatMap((side) =>
  prompts.map((p) => ({ promptId: p.id, side, sample: 0, text: `${side} answers ${p.id}` })),
) as Answer[];

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(embedderId: string): HTMLElement {
  const result = fakeAnalysisResult(answers);
  result.params = analysisParams({ ...result.params, embedderId });
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(ResultsHost, { target, props: { result, run: { prompts, answers } } });
  flushSync();
  return target;
}

describe('results view: the embedder note', () => {
  it('states the bundled embedder’s limit in the map section', () => {
    const target = render(BUNDLED_ANALYSIS_EMBEDDER);
    const notes = [...target.querySelectorAll('[data-testid="results-note"]')];
    expect(notes).toHaveLength(1);
    expect(notes[0]!.textContent).toMatch(/word-based.*blind to negation and word order/);
    expect(notes[0]!.closest('section')!.getAttribute('aria-label')).toBe('Map of the answers');
  });

  it('says nothing of the kind for a sentence embedder', () => {
    const target = render(SENTENCE_ANALYSIS_EMBEDDER);
    expect(target.querySelector('[data-testid="results-note"]')).toBeNull();
  });
});
