/**
 * Model folders picked in this tab ("Model from this computer"), served to transformers.js and
 * WebLLM as if they were remote: the service worker (workers/local-models.sw.ts) answers
 * requests under `<base>local-models/<token>/` by asking this page for the picked file, so the
 * files are read from disk as the libraries stream them and never stored by the app.
 */
import { LocalFolderMismatchError } from '../core/local-model/errors';
import type { FolderCheck, FolderCheckOptions, LocalFolderInfo } from '../core/local-model/types';
import { FolderHandles } from '../persistence/folder-handles';
import {
  answerFileRequests,
  ensureControlled,
  folderUrlPath,
  inspectFolder,
  serviceWorkerUnavailable,
  sourceFromDirectory,
  sourceFromFiles,
  type DirectoryHandleLike,
  type FolderSource,
} from './local-folder-serving';

/** A folder picked in this tab, served under its URL path. */
export interface PickedFolder {
  /** URL-safe id of this folder's contents: changes when any file changes. */
  readonly token: string;
  readonly info: LocalFolderInfo;
  readonly check: FolderCheck;
  /** Root-relative URL path the service worker answers for this folder, ending in '/'. */
  readonly urlPath: string;
}

/** What backends need to find a run's folder (the registry, or a stand-in in unit tests). */
export interface LocalFolderLookup {
  /** The folder picked in this tab whose identity hash is `hash`. */
  byHash(hash: string): PickedFolder | undefined;
  /** Resolves once the service worker serves this page's requests; rejects saying why not. */
  ready(): Promise<void>;
}

/** A folder remembered by the File System Access API, to be reopened with one permission click. */
export interface RememberedFolder {
  name: string;
  hash: string;
}

/** How the registry reaches the browser; tests replace parts (no service worker in Node). */
export interface LocalFoldersOptions {
  /** Makes the service worker control this page; default: register it and wait for control. */
  ensureControlled?: (onControlled: () => void) => Promise<void>;
  /** Runs when control begins: restarts the dedicated workers that fetch models. */
  onControlled?: () => void;
  /** Where File System Access handles are remembered. */
  handles?: FolderHandles;
}

/**
 * Dedicated workers created before the service worker controlled the page fetch past it; the
 * transformers.js workers start again on their next call (WebLLM starts a worker per load).
 */
function restartModelWorkers(): void {
  void import('../workers/generate-client').then((m) => m.generateWorker.terminate());
  void import('../workers/embed-client').then((m) => m.embedWorker.terminate());
}

/** The folders picked in this tab, newest first. */
export class LocalFolders implements LocalFolderLookup {
  /** Folders picked in this tab, newest first. */
  folders = $state.raw<PickedFolder[]>([]);
  /** Why folders cannot be served in this browser (no service worker, storage blocked), or null. */
  unavailable = $state<string | null>(null);
  /** The files of each picked folder, by token: what the service worker is handed. */
  #sources = new Map<string, FolderSource>();
  #ready: Promise<void> | undefined;
  #listening = false;
  readonly #options: LocalFoldersOptions;
  #handles: FolderHandles | undefined;

  constructor(options: LocalFoldersOptions = {}) {
    this.#options = options;
  }

  /** Whether this browser has `showDirectoryPicker` (a picked folder can then be remembered). */
  get canRemember(): boolean {
    return typeof window !== 'undefined' && 'showDirectoryPicker' in window;
  }

  /** Reads and checks the files of a directory input (their webkitRelativePath names the folder). */
  fromFiles(files: readonly File[], options: FolderCheckOptions): Promise<PickedFolder> {
    return this.#add(sourceFromFiles(files), options);
  }

  /** Asks for a folder with the File System Access API and remembers its handle; null if cancelled. */
  async pickDirectory(options: FolderCheckOptions): Promise<PickedFolder | null> {
    const picker = (globalThis as { showDirectoryPicker?: ShowDirectoryPicker })
      .showDirectoryPicker;
    if (!picker) return null;
    let handle: FileSystemDirectoryHandle;
    try {
      handle = await picker({ id: 'behaviour-diff-model', mode: 'read' });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return null;
      throw error;
    }
    const picked = await this.#add(await sourceFromDirectory(asDirectory(handle)), options);
    await this.#remember(picked, handle);
    return picked;
  }

  /** Checks an already picked folder again for other options (another dtype, say). */
  async recheck(token: string, options: FolderCheckOptions): Promise<PickedFolder> {
    const source = this.#sources.get(token);
    if (!source) throw new Error('That folder is no longer picked in this tab: pick it again.');
    return this.#add(source, options, token);
  }

  /** A remembered folder (File System Access handle) with identity `hash`, if any. */
  async remembered(hash: string): Promise<RememberedFolder | null> {
    if (!this.canRemember) return null;
    const record = await this.#handleStore()
      .get(hash)
      .catch(() => null);
    return record ? { name: record.name, hash: record.hash } : null;
  }

  /** Reopens a remembered folder (asks permission: call from a click); null when refused. */
  async reopen(hash: string, options: FolderCheckOptions): Promise<PickedFolder | null> {
    const record = await this.#handleStore()
      .get<PermissionHandle>(hash)
      .catch(() => null);
    if (!record) return null;
    const handle = record.handle;
    const query = { mode: 'read' as const };
    const state =
      (await handle.queryPermission?.(query)) === 'granted'
        ? 'granted'
        : await handle.requestPermission?.(query);
    if (state !== 'granted') return null;
    const picked = await this.#add(await sourceFromDirectory(asDirectory(handle)), options);
    if (picked.info.hash !== record.info.hash) {
      throw new LocalFolderMismatchError(record.info, picked.info);
    }
    await this.#remember(picked, handle);
    return picked;
  }

  /** The folder picked in this tab whose identity hash is `hash`. */
  byHash(hash: string): PickedFolder | undefined {
    return this.folders.find((f) => f.info.hash === hash);
  }

  /** Resolves once the service worker serves this page's requests; rejects saying why not. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      const ensure = this.#options.ensureControlled ?? ensureControlled;
      this.#listen();
      await ensure(this.#options.onControlled ?? restartModelWorkers);
      this.unavailable = null;
    })().catch((error: unknown) => {
      this.#ready = undefined;
      this.unavailable = error instanceof Error ? error.message : String(error);
      throw error;
    });
    return this.#ready;
  }

  /** The picked file at `path` of folder `token`, as handed to the service worker. */
  openFile(token: string, path: string): Promise<File | null> {
    return this.#sources.get(token)?.open(path) ?? Promise.resolve(null);
  }

  async #add(
    source: FolderSource,
    options: FolderCheckOptions,
    replaces?: string,
  ): Promise<PickedFolder> {
    const { check, info, token } = await inspectFolder(source, options);
    const picked: PickedFolder = { token, info, check, urlPath: folderUrlPath(token) };
    this.#sources.set(token, source);
    this.folders = [
      picked,
      ...this.folders.filter((f) => f.token !== token && f.token !== replaces),
    ];
    this.#startServing();
    return picked;
  }

  /** The first pick registers the service worker (not every page load); failures set `unavailable`. */
  #startServing(): void {
    if (!this.#options.ensureControlled) {
      const reason = serviceWorkerUnavailable();
      if (reason) {
        this.unavailable = reason;
        return;
      }
    }
    this.ready().catch(() => undefined);
  }

  /** Answers the service worker's file requests from this tab's picked folders. */
  #listen(): void {
    if (this.#listening || typeof navigator === 'undefined' || !navigator.serviceWorker) return;
    this.#listening = true;
    const answer = answerFileRequests((token, path) => this.openFile(token, path));
    navigator.serviceWorker.addEventListener('message', answer);
    navigator.serviceWorker.startMessages();
  }

  #handleStore(): FolderHandles {
    this.#handles ??= this.#options.handles ?? new FolderHandles();
    return this.#handles;
  }

  async #remember(picked: PickedFolder, handle: FileSystemDirectoryHandle): Promise<void> {
    // Remembering is a convenience: a browser that keeps no site data still serves the folder.
    await this.#handleStore()
      .save({
        hash: picked.info.hash,
        name: picked.info.name,
        info: picked.info,
        handle,
        savedAt: Date.now(),
      })
      .catch(() => undefined);
  }
}

/** `window.showDirectoryPicker` (Chromium only; not in the DOM lib). */
type ShowDirectoryPicker = (options: {
  id?: string;
  mode?: 'read' | 'readwrite';
}) => Promise<FileSystemDirectoryHandle>;

/** A directory handle with the permission calls (not in the DOM lib). */
type PermissionHandle = FileSystemDirectoryHandle & {
  queryPermission?(options: { mode: 'read' }): Promise<PermissionState>;
  requestPermission?(options: { mode: 'read' }): Promise<PermissionState>;
};

function asDirectory(handle: FileSystemDirectoryHandle): DirectoryHandleLike {
  return handle as unknown as DirectoryHandleLike;
}
