/**
 * Model folders picked in this tab ("Model from this computer"), served to transformers.js and
 * WebLLM as if they were remote: the service worker (workers/local-models.sw.ts) answers
 * requests under `<base>local-models/<token>/` by asking this page for the picked file, so the
 * files are read from disk as the libraries stream them and never stored by the app.
 *
 * CONTRACT (session 5): the public API below is fixed; the implementation is being written.
 */
import type { FolderCheck, FolderCheckOptions, LocalFolderInfo } from '../core/local-model/types';

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

/** The folders picked in this tab, newest first. */
export class LocalFolders implements LocalFolderLookup {
  /** Folders picked in this tab, newest first. */
  folders = $state.raw<PickedFolder[]>([]);
  /** Why folders cannot be served in this browser (no service worker, storage blocked), or null. */
  unavailable = $state<string | null>(null);

  /** Whether this browser has `showDirectoryPicker` (a picked folder can then be remembered). */
  get canRemember(): boolean {
    return typeof window !== 'undefined' && 'showDirectoryPicker' in window;
  }

  /** Reads and checks the files of a directory input (their webkitRelativePath names the folder). */
  fromFiles(files: readonly File[], options: FolderCheckOptions): Promise<PickedFolder> {
    void files;
    void options;
    throw new Error('not built yet');
  }

  /** Asks for a folder with the File System Access API and remembers its handle; null if cancelled. */
  pickDirectory(options: FolderCheckOptions): Promise<PickedFolder | null> {
    void options;
    throw new Error('not built yet');
  }

  /** Checks an already picked folder again for other options (another dtype, say). */
  recheck(token: string, options: FolderCheckOptions): Promise<PickedFolder> {
    void token;
    void options;
    throw new Error('not built yet');
  }

  /** A remembered folder (File System Access handle) with identity `hash`, if any. */
  remembered(hash: string): Promise<RememberedFolder | null> {
    void hash;
    throw new Error('not built yet');
  }

  /** Reopens a remembered folder (asks permission: call from a click); null when refused. */
  reopen(hash: string, options: FolderCheckOptions): Promise<PickedFolder | null> {
    void hash;
    void options;
    throw new Error('not built yet');
  }

  /** The folder picked in this tab whose identity hash is `hash`. */
  byHash(hash: string): PickedFolder | undefined {
    return this.folders.find((f) => f.info.hash === hash);
  }

  /** Resolves once the service worker serves this page's requests; rejects saying why not. */
  ready(): Promise<void> {
    throw new Error('not built yet');
  }
}
