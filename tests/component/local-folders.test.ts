/**
 * The LocalFolders registry (state/local-folders.svelte.ts) with the bundled tiny models' real
 * files picked as File objects: tokens and URL paths, byHash, recheck, the files it hands the
 * service worker, ready() and `unavailable`, and reopening a remembered File System Access
 * handle (stored in fake-indexeddb; the permission is a stand-in: headless Chromium cannot
 * grant it). Here in the component project because the registry uses Svelte runes.
 */
import { File as NodeFile } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { LocalFolderMismatchError } from '../../src/lib/core/local-model/errors';
import { FolderHandles, type FolderHandleRecord } from '../../src/lib/persistence/folder-handles';
import { LocalFolders } from '../../src/lib/state/local-folders.svelte';

// jsdom's File has no text()/arrayBuffer(); Node's is the same Blob API the browser's is.
const File = NodeFile as unknown as typeof globalThis.File;

const CHAT = { layout: 'transformers', purpose: 'chat' } as const;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function picked(dir: string, as: string): File[] {
  return walk(dir).map((path) => {
    const file = new File([readFileSync(path)], path.split('/').pop() ?? '', {
      lastModified: 1_700_000_000_000,
    });
    Object.defineProperty(file, 'webkitRelativePath', { value: `${as}/${relative(dir, path)}` });
    return file;
  });
}

/** A registry whose service worker "takes control" at once, counting the calls. */
function registry(handles?: FolderHandles) {
  const calls = { ensure: 0, controlled: 0 };
  const folders = new LocalFolders({
    ensureControlled: async (onControlled) => {
      calls.ensure += 1;
      onControlled();
    },
    onControlled: () => (calls.controlled += 1),
    handles,
  });
  return { folders, calls };
}

describe('LocalFolders.fromFiles', () => {
  it('checks and registers a picked folder under a token URL, findable by hash, newest first', async () => {
    const { folders, calls } = registry();
    const finetune = await folders.fromFiles(picked('public/models/tiny-finetune', 'ft'), CHAT);
    expect(finetune.check.ok).toBe(true);
    expect(finetune.info.name).toBe('ft');
    expect(finetune.urlPath).toBe(`/local-models/${finetune.token}/`);
    const base = await folders.fromFiles(picked('public/models/tiny-base', 'base'), CHAT);
    expect(folders.folders.map((f) => f.info.name)).toEqual(['base', 'ft']);
    expect(folders.byHash(finetune.info.hash)).toBe(finetune);
    expect(folders.byHash(base.info.hash)).toBe(base);
    expect(folders.byHash('0'.repeat(64))).toBeUndefined();
    // The first pick starts the service worker once; picking again does not register again.
    await folders.ready();
    expect(calls.ensure).toBe(1);
    expect(calls.controlled).toBe(1);
  });

  it('picking the same folder twice keeps one entry', async () => {
    const { folders } = registry();
    const one = await folders.fromFiles(picked('public/models/tiny-finetune', 'ft'), CHAT);
    const two = await folders.fromFiles(picked('public/models/tiny-finetune', 'ft'), CHAT);
    expect(two.token).toBe(one.token);
    expect(folders.folders).toHaveLength(1);
  });

  it('hands the service worker the picked File by token and path, nothing for others', async () => {
    const { folders } = registry();
    const ft = await folders.fromFiles(picked('public/models/tiny-finetune', 'ft'), CHAT);
    const weights = await folders.openFile(ft.token, 'onnx/model.onnx');
    expect(weights?.size).toBe(statSync('public/models/tiny-finetune/onnx/model.onnx').size);
    expect(await folders.openFile(ft.token, 'onnx/model_q4.onnx')).toBeNull();
    expect(await folders.openFile('ffffffffffffffff', 'config.json')).toBeNull();
  });
});

describe('LocalFolders.recheck', () => {
  it('checks the same files for another dtype, replacing the entry; an unknown token says to pick again', async () => {
    const { folders } = registry();
    const ft = await folders.fromFiles(picked('public/models/tiny-finetune', 'ft'), CHAT);
    const q4 = await folders.recheck(ft.token, { ...CHAT, dtype: 'q4' });
    expect(q4.check.ok).toBe(false);
    expect(q4.check.problems.map((p) => p.file).join(' ')).toMatch(/model_q4\.onnx/);
    expect(folders.folders).toHaveLength(1);
    const back = await folders.recheck(q4.token, { ...CHAT, dtype: 'fp32' });
    expect(back.check.ok).toBe(true);
    expect(back.info.dtype).toBe('fp32');
    await expect(folders.recheck('nope', CHAT)).rejects.toThrow(/pick it again/);
  });
});

describe('LocalFolders.ready', () => {
  it('sets `unavailable` to the reason and rejects when the service worker cannot control the page', async () => {
    let attempts = 0;
    const folders = new LocalFolders({
      ensureControlled: async () => {
        attempts += 1;
        throw new Error('site data is blocked');
      },
    });
    await expect(folders.ready()).rejects.toThrow('site data is blocked');
    expect(folders.unavailable).toBe('site data is blocked');
    // A failure is not kept: the next call tries again.
    await expect(folders.ready()).rejects.toThrow();
    expect(attempts).toBe(2);
  });

  it('without an injected worker, jsdom (no service worker) is unavailable with a sentence and picks still work', async () => {
    const folders = new LocalFolders();
    const ft = await folders.fromFiles(picked('public/models/tiny-finetune', 'ft'), CHAT);
    expect(ft.check.ok).toBe(true);
    expect(folders.unavailable).toMatch(/https|service worker/);
    await expect(folders.ready()).rejects.toThrow(folders.unavailable ?? 'x');
  });
});

describe('LocalFolders.reopen', () => {
  /** A stored directory handle over tiny-finetune whose permission answer is `permission`. */
  function handleOver(dir: string, name: string, permission: PermissionState) {
    const tree = (d: string, n: string): unknown => ({
      kind: 'directory',
      name: n,
      queryPermission: async () => 'prompt',
      requestPermission: async () => permission,
      async *values() {
        for (const child of readdirSync(d)) {
          const path = join(d, child);
          if (statSync(path).isDirectory()) yield tree(path, child);
          else
            yield {
              kind: 'file',
              name: child,
              getFile: async () => new File([readFileSync(path)], child, { lastModified: 5 }),
            };
        }
      },
    });
    return tree(dir, name);
  }

  it('reopens a remembered folder after permission, refuses without, and names a changed folder', async () => {
    // Real directory handles are structured-cloneable; these stand-ins carry functions, so the
    // database holds a key and the test maps it to the handle (storage itself: folder-handles test).
    const live = new Map<string, unknown>();
    class Store extends FolderHandles {
      override async save<H>(record: FolderHandleRecord<H>): Promise<void> {
        const key = `h${live.size}`;
        live.set(key, record.handle);
        await super.save({ ...record, handle: key });
      }
      override async get<H>(hash: string): Promise<FolderHandleRecord<H> | null> {
        const record = await super.get<string>(hash);
        return record ? { ...record, handle: live.get(record.handle) as H } : null;
      }
    }
    const store = new Store(new IDBFactory());
    const { folders } = registry(store);
    const ft = await new LocalFolders({ ensureControlled: async () => undefined }).fromFiles(
      picked('public/models/tiny-finetune', 'ft'),
      CHAT,
    );
    const record = (handle: unknown) => ({
      hash: ft.info.hash,
      name: 'ft',
      info: ft.info,
      handle,
      savedAt: 1,
    });
    await store.save(record(handleOver('public/models/tiny-finetune', 'ft', 'denied')));
    expect(await folders.reopen(ft.info.hash, CHAT)).toBeNull();
    expect(folders.folders).toHaveLength(0);

    await store.save(record(handleOver('public/models/tiny-finetune', 'ft', 'granted')));
    const reopened = await folders.reopen(ft.info.hash, CHAT);
    expect(reopened?.info.hash).toBe(ft.info.hash);
    expect(folders.byHash(ft.info.hash)).toBe(reopened);
    expect(await folders.reopen('f'.repeat(64), CHAT)).toBeNull();

    // The handle now points at other files (the folder was overwritten with another model).
    await store.save(record(handleOver('public/models/tiny-base', 'ft', 'granted')));
    await expect(folders.reopen(ft.info.hash, CHAT)).rejects.toBeInstanceOf(
      LocalFolderMismatchError,
    );
    await store.close();
  });
});
