/**
 * Remembered folder handles (persistence/folder-handles.ts) in their own small IndexedDB
 * database (fake-indexeddb here): saved by identity hash, replaced on a re-pick, listed newest
 * first, forgotten; the runs database is not touched. The handle is a plain stand-in: only
 * Chromium has real FileSystemDirectoryHandles, and it cannot grant their permission headless.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { LocalFolderInfo } from '../../src/lib/core/local-model/types';
import { FOLDER_HANDLES_DB, FolderHandles } from '../../src/lib/persistence/folder-handles';
import { DB_NAME } from '../../src/lib/persistence/db';

function info(name: string, hash: string): LocalFolderInfo {
  return {
    name,
    layout: 'transformers',
    totalBytes: 10,
    hash,
    files: [{ path: 'config.json', size: 10 }],
  };
}

describe('FolderHandles', () => {
  it('saves, replaces, lists newest first and forgets handles by folder hash', async () => {
    const factory = new IDBFactory();
    const store = new FolderHandles(factory);
    await store.save({
      hash: 'a',
      name: 'one',
      info: info('one', 'a'),
      handle: { id: 1 },
      savedAt: 1,
    });
    await store.save({
      hash: 'b',
      name: 'two',
      info: info('two', 'b'),
      handle: { id: 2 },
      savedAt: 2,
    });
    expect((await store.list<{ id: number }>()).map((r) => r.hash)).toEqual(['b', 'a']);
    await store.save({
      hash: 'a',
      name: 'one',
      info: info('one', 'a'),
      handle: { id: 3 },
      savedAt: 3,
    });
    const a = await store.get<{ id: number }>('a');
    expect(a?.handle).toEqual({ id: 3 });
    expect(a?.info.files).toEqual([{ path: 'config.json', size: 10 }]);
    expect((await store.list()).map((r) => r.hash)).toEqual(['a', 'b']);
    await store.forget('a');
    expect(await store.get('a')).toBeNull();
    expect(await store.list()).toHaveLength(1);
    const names = (await factory.databases()).map((d) => d.name);
    expect(names).toContain(FOLDER_HANDLES_DB);
    expect(names).not.toContain(DB_NAME);
    await store.close();
  });

  it('keeps its records across a reopen of the database', async () => {
    const factory = new IDBFactory();
    const first = new FolderHandles(factory);
    await first.save({ hash: 'h', name: 'f', info: info('f', 'h'), handle: 'x', savedAt: 1 });
    await first.close();
    const again = new FolderHandles(factory);
    expect((await again.get('h'))?.name).toBe('f');
    await again.close();
  });
});
