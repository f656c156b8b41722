import { describe, expect, it } from 'vitest';
import { demoRun } from '../../src/lib/core/generate/new-run';
import { openDb } from '../../src/lib/persistence/db';
import { StorageUnavailableError, toStorageError } from '../../src/lib/persistence/errors';
import { installMemoryIndexedDb } from '../../src/lib/persistence/memory-db';
import { RunRepository } from '../../src/lib/persistence/runs';

// Node has no IndexedDB at all; a getter that throws stands in for a browser refusing it the
// way Firefox does with site data blocked (reading `indexedDB` itself throws).
Object.defineProperty(globalThis, 'indexedDB', {
  configurable: true,
  get() {
    throw new DOMException('The operation is insecure.', 'SecurityError');
  },
});

describe('the in-memory IndexedDB for browsers that refuse storage', () => {
  it('is needed: opening the refused store fails with an error that maps to "unavailable"', async () => {
    const failure = await openDb().then(
      () => null,
      (error: unknown) => error,
    );
    expect(toStorageError(failure)).toBeInstanceOf(StorageUnavailableError);
  });

  it('then holds runs: create, list and read the answers back by key range', async () => {
    await installMemoryIndexedDb();
    const repo = new RunRepository(await openDb());
    const run = demoRun('memory-run', '2026-01-01T00:00:00.000Z');
    run.answers = [
      {
        promptId: run.prompts[0]!.id,
        side: 'A',
        sample: 0,
        text: 'An answer kept in memory.',
        finishReason: 'stop',
        createdAt: '2026-01-01T00:00:01.000Z',
      },
    ];
    await repo.create(run);
    expect((await repo.list()).map((r) => r.id)).toEqual(['memory-run']);
    expect((await repo.answers('memory-run')).map((a) => a.text)).toEqual([
      'An answer kept in memory.',
    ]);
    expect((await repo.open('memory-run')).prompts).toHaveLength(run.prompts.length);
  });
});
