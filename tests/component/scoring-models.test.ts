/**
 * Choosing the models of imported answers so they can be scored: the run page's contrastive
 * state says what to do until both imported sides have a transformers.js model, the chooser
 * sets them (a bundled model or a hub id), clearing one brings the reason back; a run with its
 * own models shows no chooser. The saved scoring shown is the newest usable record.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ScoringModels from '../../src/components/contrastive/ScoringModels.svelte';
import { CONTRASTIVE_SCORES_VERSION } from '../../src/lib/core/contrastive/types';
import { demoRun } from '../../src/lib/core/generate/new-run';
import type { Run } from '../../src/lib/core/run/types';
import type { AppState } from '../../src/lib/state/app.svelte';
import { ContrastiveState } from '../../src/lib/state/contrastive.svelte';
import { contrastiveScoresRecord } from '../../src/lib/state/contrastive-scoring';
import { answer } from '../unit/persistence-fixtures';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

const app = { localFolders: { byHash: () => undefined } } as unknown as AppState;

/** The demo run as if its answers had come from a file: both sides imported. */
function importedRun(): Run {
  const run = demoRun('imp-1', '2026-12-06T10:00:00.000Z');
  const p = run.prompts[0]!.id;
  return {
    ...run,
    models: {
      A: { ...run.models.A, backend: 'imported', label: 'before', modelId: 'before' },
      B: { ...run.models.B, backend: 'imported', label: 'after', modelId: 'after' },
    },
    answers: [answer(p, 'A', 0, 'As is.'), answer(p, 'B', 0, 'My son, hear.')],
  };
}

function choose(side: 'A' | 'B', value: string): void {
  const input = document.querySelector(`[data-testid="scoring-model-${side}"]`) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

describe('ScoringModels and ContrastiveState', () => {
  it('asks for the models of imported answers, and scoring becomes possible once chosen', () => {
    const run = importedRun();
    const contrastive = new ContrastiveState(app);
    component = mount(ScoringModels, { target: document.body, props: { run, contrastive } });
    flushSync();
    expect(contrastive.problem(run)).toMatch(
      /^Model A's answers were imported from a file, so the app does not know which model wrote them: choose that model for A/,
    );
    const labels = [...document.querySelectorAll('[data-testid="scoring-models"] label')].map((l) =>
      l.textContent!.trim(),
    );
    expect(labels).toEqual(['Model A (before)', 'Model B (after)']);
    const options = [...document.querySelectorAll('datalist option')].map((o) =>
      o.getAttribute('value'),
    );
    expect(options).toEqual(['tiny-base', 'tiny-finetune']);

    choose('A', ' tiny-base ');
    expect(contrastive.chosen.A).toEqual({
      label: 'tiny-base',
      backend: 'transformers',
      modelId: 'tiny-base',
    });
    expect(contrastive.problem(run)).toMatch(/^Model B's answers were imported/);
    choose('B', 'tiny-finetune');
    expect(contrastive.problem(run)).toBeNull();
    expect(contrastive.plan(run).items).toHaveLength(2);
    // Clearing a choice brings its reason back.
    choose('B', '');
    expect(contrastive.chosen.B).toBeUndefined();
    expect(contrastive.problem(run)).toMatch(/^Model B's answers were imported/);
  });

  it('shows no chooser for a run with its own models', () => {
    const run = demoRun('demo', '2026-12-06T10:00:00.000Z');
    const contrastive = new ContrastiveState(app);
    component = mount(ScoringModels, { target: document.body, props: { run, contrastive } });
    flushSync();
    expect(document.querySelector('[data-testid="scoring-models"]')).toBeNull();
    // No answers yet: the reason says so.
    expect(contrastive.problem(run)).toBe(
      'There are no answers to score yet: generate them first.',
    );
  });

  it('shows the newest usable saved scoring of the run', () => {
    const run = importedRun();
    const result = {
      version: CONTRASTIVE_SCORES_VERSION,
      modelA: 'transformers:tiny-base',
      modelB: 'transformers:tiny-finetune',
      sharedVocabulary: true,
      topK: 0,
      items: [
        {
          promptId: run.prompts[0]!.id,
          side: 'A' as const,
          sample: 0,
          tokens: [{ token: 'As is.', logpA: -2, logpB: -3, kl: 0.2 }],
          logpA: -2,
          logpB: -3,
          llr: -1,
          meanKl: 0.2,
        },
      ],
    };
    const good = contrastiveScoresRecord(result, '2026-12-06T11:00:00.000Z', 'cs-good');
    // Newer but damaged (a positive log probability): passed by.
    const damaged = contrastiveScoresRecord(
      { ...result, items: [{ ...result.items[0]!, logpA: 3 }] },
      '2026-12-06T12:00:00.000Z',
      'cs-bad',
    );
    const contrastive = new ContrastiveState(app);
    contrastive.load({ ...run, analyses: [damaged, good] });
    expect(contrastive.saved?.id).toBe('cs-good');
    expect(contrastive.scores).toBe(result);
    contrastive.load(run);
    expect(contrastive.scores).toBeNull();
  });
});
