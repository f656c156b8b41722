/**
 * The analysis controls state the bundled embedder's limit and make the sentence embedder one
 * click. The hub cannot be reached in tests, so the click is checked to set the embedder choice
 * (the download itself is not exercised here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import AnalysisControls from '../../src/components/results/AnalysisControls.svelte';
import {
  BUNDLED_ANALYSIS_EMBEDDER,
  SENTENCE_ANALYSIS_EMBEDDER,
} from '../../src/lib/core/analysis/embedder-note';
import { AnalysisState } from '../../src/lib/state/analysis.svelte';
import type { AppState } from '../../src/lib/state/app.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(analysis: AnalysisState): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  // The app state is only used when an analysis runs, which these tests never do.
  component = mount(AnalysisControls, { target, props: { analysis, onrun: () => {} } });
  flushSync();
  return target;
}

describe('analysis controls: the embedder', () => {
  it('states the bundled embedder’s limit and switches to a sentence embedder in one click', () => {
    const analysis = new AnalysisState({} as AppState);
    expect(analysis.embedder).toBe(BUNDLED_ANALYSIS_EMBEDDER);
    const target = render(analysis);
    const note = target.querySelector('[data-testid="embedder-choice-note"]')!;
    expect(note.textContent).toMatch(/word-based.*blind to negation and word order/);
    const button = target.querySelector<HTMLButtonElement>(
      '[data-testid="use-sentence-embedder"]',
    )!;
    expect(button.textContent).toBe('Use a sentence embedder (downloads ~23 MB)');

    button.click();
    flushSync();
    expect(analysis.embedder).toBe(SENTENCE_ANALYSIS_EMBEDDER);
    const select = target.querySelector<HTMLSelectElement>('[data-testid="embedder"]')!;
    expect(select.value).toBe(SENTENCE_ANALYSIS_EMBEDDER);
    // The note is about the bundled embedder: it goes once another one is chosen.
    expect(target.querySelector('[data-testid="embedder-choice-note"]')).toBeNull();
  });
});
