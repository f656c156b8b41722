/**
 * Opening a run on the run screen (RunViewState.load over a real RunRepository on an in-memory
 * IndexedDB): the run and its notices appear, a missing run says so, and when the user opens
 * another run before a slow first one has failed, the first one's failure neither blanks the
 * second run nor shows its error over it.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import type { AppState } from '../../src/lib/state/app.svelte';
import { RunViewState } from '../../src/lib/state/run-view.svelte';
import { makeRun } from '../unit/persistence-fixtures';

async function storedRepo(name: string): Promise<RunRepository> {
  const repo = new RunRepository(await openDb({ factory: new IDBFactory(), name }));
  await repo.create({ ...makeRun('r1', { name: 'Stored run' }), analyses: [] });
  return repo;
}

describe('opening a run', () => {
  it('shows a stored run and says when a run is not there', async () => {
    const repo = await storedRepo('run-view-load');
    const view = new RunViewState({ repo: async () => repo } as unknown as AppState);

    const opening = view.load('r1');
    expect(view.loading).toBe(true);
    await opening;
    expect(view.loading).toBe(false);
    expect(view.error).toBeNull();
    expect(view.run?.name).toBe('Stored run');
    expect(view.rows).toHaveLength(3);
    expect(view.notices).toEqual([]);

    await view.load('no-such-run');
    expect(view.run).toBeNull();
    expect(view.error).toMatch(/no-such-run|not found/i);
  });

  it('keeps the newer run when an earlier, slower load fails afterwards', async () => {
    const repo = await storedRepo('run-view-race');
    // The first load waits for the store until released; later loads get it at once.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const app = {
      repo: async () => {
        if (calls++ === 0) await gate;
        return repo;
      },
    } as unknown as AppState;
    const view = new RunViewState(app);

    const missing = view.load('no-such-run');
    await view.load('r1');
    expect(view.run?.id).toBe('r1');
    release();
    await missing;
    expect(view.run?.id).toBe('r1');
    expect(view.error).toBeNull();
    expect(view.loading).toBe(false);
  });
});
