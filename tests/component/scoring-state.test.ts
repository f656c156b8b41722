/**
 * The run page's contrastive state in the browser build: it says what to do until both imported
 * sides have a transformers.js model chosen, scores under the choice, and brings the reason back
 * when a choice is cleared; a run without answers says so. The saved scoring shown is the newest
 * usable record.
 */
import { describe, expect, it } from 'vitest';
import {
  CONTRASTIVE_SCORES_VERSION,
  type ContrastiveScoresResult,
} from '../../src/lib/core/contrastive/types';
import { demoRun } from '../../src/lib/core/generate/new-run';
import type { Run } from '../../src/lib/core/run/types';
import type { AppState } from '../../src/lib/state/app.svelte';
import { ContrastiveState } from '../../src/lib/state/contrastive.svelte';
import { contrastiveScoresRecord } from '../../src/lib/state/contrastive-scoring';
import { answer } from '../unit/persistence-fixtures';

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

describe('ContrastiveState', () => {
  it('asks for the models of imported answers, and scoring becomes possible once chosen', () => {
    const run = importedRun();
    const contrastive = new ContrastiveState(app);
    expect(contrastive.problem(run)).toMatch(
      /^Model A's answers were imported from a file, so the app does not know which model wrote them: choose that model for A/,
    );
    const tinyBase = { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base' } as const;
    contrastive.choose('A', tinyBase);
    expect(contrastive.chosen.A).toEqual(tinyBase);
    expect(contrastive.problem(run)).toMatch(/^Model B's answers were imported/);
    contrastive.choose('B', { label: 'org/tuned', backend: 'transformers', modelId: 'org/tuned' });
    expect(contrastive.problem(run)).toBeNull();
    const plan = contrastive.plan(run);
    expect(plan.items).toHaveLength(2);
    expect(plan.models?.B.modelId).toBe('org/tuned');
    // Clearing a choice brings its reason back.
    contrastive.choose('B', null);
    expect(contrastive.chosen.B).toBeUndefined();
    expect(contrastive.problem(run)).toMatch(/^Model B's answers were imported/);
  });

  it('says when there is nothing to score yet', () => {
    const run = demoRun('demo', '2026-12-06T10:00:00.000Z');
    const contrastive = new ContrastiveState(app);
    expect(contrastive.problem(run)).toBe(
      'There are no answers to score yet: generate them first.',
    );
  });

  it('shows the newest usable saved scoring of the run', () => {
    const run = importedRun();
    const result: ContrastiveScoresResult = {
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
