/**
 * A run file whose base URL still holds a credential parameter (written before `token`, `sig`,
 * ... counted as credentials, or edited by hand) imports without it: read through the real
 * run-file reader and stored through the real repository on an in-memory IndexedDB.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import { sampleRun } from './run-test-helpers';

const TOKEN = 'tok_8f2b6d0e4a9c1f7b3e5d';

describe('importing a run file with a credential in a base URL', () => {
  it('keeps the URL and its api-version, and stores no credential', async () => {
    const file = JSON.parse(serializeRunFile(sampleRun())) as {
      run: { models: Record<'A' | 'B', { baseUrl?: string }> };
    };
    file.run.models.B.baseUrl = `https://gw.example/v1?api-version=2024-06-01&token=${TOKEN}&sig=${TOKEN}`;
    const { run } = readRunFile(JSON.stringify(file), 'shared.json');
    expect(run.models.B.baseUrl).toBe('https://gw.example/v1?api-version=2024-06-01');
    expect(run.models.A).toEqual(sampleRun().models.A);

    const db = await openDb({ factory: new IDBFactory(), name: 'run-file-secrets' });
    const repo = new RunRepository(db);
    const { id } = await repo.importRun(run);
    expect((await repo.get(id))?.models.B.baseUrl).toBe(
      'https://gw.example/v1?api-version=2024-06-01',
    );
    const stores = Array.from(db.objectStoreNames);
    const dump = JSON.stringify(await Promise.all(stores.map((store) => db.getAll(store))));
    expect(dump).not.toContain(TOKEN.slice(4, 12));
    db.close();
  });
});
