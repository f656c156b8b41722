/**
 * File System Access handles of model folders the user picked, so a folder can be reopened
 * after a reload with one permission click. They live in their own small IndexedDB database,
 * not the runs database: a handle is a reference the browser resolves, never a copy of files,
 * and losing this database only costs a re-pick.
 */
import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { LocalFolderInfo } from '../core/local-model/types';

/** Name of the handles database (separate from `behaviour-diff`, the runs database). */
export const FOLDER_HANDLES_DB = 'behaviour-diff-folder-handles';
const STORE = 'folders';

/** One remembered folder: its identity (what runs store) and the browser's handle to it. */
export interface FolderHandleRecord<H = FileSystemDirectoryHandle> {
  /** LocalFolderInfo.hash: the key, so a run's folder is found by what the run stores. */
  hash: string;
  name: string;
  info: LocalFolderInfo;
  handle: H;
  /** Milliseconds since the epoch, when it was (last) picked. */
  savedAt: number;
}

interface HandlesSchema extends DBSchema {
  folders: { key: string; value: FolderHandleRecord<unknown> };
}

/** Remembered folder handles; `factory` lets tests pass fake-indexeddb. */
export class FolderHandles {
  #db: Promise<IDBPDatabase<HandlesSchema>> | undefined;

  constructor(private readonly factory?: IDBFactory) {}

  #open(): Promise<IDBPDatabase<HandlesSchema>> {
    this.#db ??= (async () => {
      const factory = this.factory ?? globalThis.indexedDB;
      if (!factory) throw new Error('This browser keeps no site data (IndexedDB is unavailable).');
      const request = factory.open(FOLDER_HANDLES_DB, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: 'hash' });
      };
      return (await wrap(request)) as unknown as IDBPDatabase<HandlesSchema>;
    })().catch((error: unknown) => {
      this.#db = undefined;
      throw error;
    });
    return this.#db;
  }

  /** Remembers (or replaces) the handle of folder `record.hash`. */
  async save<H>(record: FolderHandleRecord<H>): Promise<void> {
    await (await this.#open()).put(STORE, record);
  }

  /** The remembered folder with identity `hash`, or null. */
  async get<H = FileSystemDirectoryHandle>(hash: string): Promise<FolderHandleRecord<H> | null> {
    return ((await (await this.#open()).get(STORE, hash)) as FolderHandleRecord<H>) ?? null;
  }

  /** Every remembered folder, newest first. */
  async list<H = FileSystemDirectoryHandle>(): Promise<FolderHandleRecord<H>[]> {
    const all = (await (await this.#open()).getAll(STORE)) as FolderHandleRecord<H>[];
    return all.sort((a, b) => b.savedAt - a.savedAt);
  }

  /** Forgets folder `hash` (the files on disk are untouched). */
  async forget(hash: string): Promise<void> {
    await (await this.#open()).delete(STORE, hash);
  }

  /** Closes the database (tests). */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    (await db?.catch(() => undefined))?.close();
  }
}
