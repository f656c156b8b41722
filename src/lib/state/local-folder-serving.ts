/**
 * The plain-TS half of "Model from this computer": reading a picked folder (directory input or
 * File System Access handle) into a FolderSource, checking and identifying it, answering the
 * service worker's file requests, and making sure the service worker controls this page. The
 * registry (local-folders.svelte.ts) keeps the picked folders; this file keeps no state.
 */
import {
  checkModelFolder,
  folderIdentity,
  folderToken,
  relativeEntries,
  type FolderCheck,
  type FolderCheckOptions,
  type FolderEntry,
  type FolderIdentityOptions,
  type LocalFolderInfo,
} from '../core/local-model';

/** The URL segment the service worker answers under, below the site root. */
export const LOCAL_MODELS_PREFIX = 'local-models/';
/** The service worker's script, next to index.html (see vite.config.ts). */
export const LOCAL_MODELS_SW_FILE = 'local-models-sw.js';

/** A picked folder's files: their list, and each file on demand (opened, never read here). */
export interface FolderSource {
  /** The folder's name as picked. */
  name: string;
  entries: FolderEntry[];
  /** The file at `path` (relative to the folder), or null when the folder has no such file. */
  open(path: string): Promise<File | null>;
}

/** A folder source read from a directory input's files (`webkitRelativePath` names the folder). */
export function sourceFromFiles(files: readonly File[]): FolderSource {
  const { name, entries, files: byPath } = relativeEntries(files);
  return { name, entries, open: (path) => Promise.resolve(byPath.get(path) ?? null) };
}

/** The parts of FileSystemDirectoryHandle used here (the DOM lib lacks `entries()`). */
export interface DirectoryHandleLike {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}
/** The parts of FileSystemFileHandle used here. */
export interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

/**
 * A folder source over a File System Access directory handle. Each request opens the file
 * again, because a File taken from a handle stops being readable once the file changes on disk.
 */
export async function sourceFromDirectory(root: DirectoryHandleLike): Promise<FolderSource> {
  const found: { path: string; size: number; lastModified: number; handle: FileHandleLike }[] = [];
  async function walk(dir: DirectoryHandleLike, prefix: string): Promise<void> {
    for await (const handle of dir.values()) {
      const path = prefix + handle.name;
      if (handle.kind === 'directory') {
        await walk(handle, `${path}/`);
      } else {
        // getFile() gives size and date without reading the contents.
        const file = await handle.getFile();
        found.push({ path, size: file.size, lastModified: file.lastModified, handle });
      }
    }
  }
  await walk(root, '');
  // The same rules as a directory input: sorted paths, litter (.git/, .DS_Store) left out.
  const { entries, files } = relativeEntries(found, root.name);
  return {
    name: root.name,
    entries,
    open: async (path) => (await files.get(path)?.handle.getFile()) ?? null,
  };
}

/** What checking and identifying a folder gives: enough to serve and to remember it. */
export interface InspectedFolder {
  check: FolderCheck;
  info: LocalFolderInfo;
  token: string;
}

/** Checks a folder (reading only its small JSON files) and computes its identity and URL token. */
export async function inspectFolder(
  source: FolderSource,
  options: FolderCheckOptions,
): Promise<InspectedFolder> {
  const readText = async (path: string): Promise<string> => {
    const file = await source.open(path);
    if (!file) throw new Error(`"${path}" is not in the folder`);
    return file.text();
  };
  const readBytes = async (path: string): Promise<Uint8Array> => {
    const file = await source.open(path);
    if (!file) throw new Error(`"${path}" is not in the folder`);
    return new Uint8Array(await file.arrayBuffer());
  };
  const check = await checkModelFolder(source.entries, options, readText);
  const identityOptions: FolderIdentityOptions = { layout: options.layout };
  if (check.dtype) identityOptions.dtype = check.dtype;
  if (check.modelLib) identityOptions.modelLib = check.modelLib;
  const info = await folderIdentity(source.name, source.entries, readBytes, identityOptions);
  return { check, info, token: folderToken(info, source.entries) };
}

/** Root-relative path of the site (where index.html and the service worker live), ending in '/'. */
export function siteRootPath(): string {
  if (typeof document === 'undefined') return '/';
  return new URL(import.meta.env.BASE_URL, document.baseURI).pathname;
}

/** Root-relative URL path the service worker serves folder `token` under, ending in '/'. */
export function folderUrlPath(token: string, root = siteRootPath()): string {
  return `${root}${LOCAL_MODELS_PREFIX}${token}/`;
}

/** The service worker's question for one file (see workers/local-models.sw.ts). */
export interface FileRequest {
  type: 'local-models:file';
  token: string;
  path: string;
}

function isFileRequest(data: unknown): data is FileRequest {
  const d = data as Partial<FileRequest> | null;
  return (
    d?.type === 'local-models:file' && typeof d.token === 'string' && typeof d.path === 'string'
  );
}

/**
 * The page's answer to the service worker: for a file request, posts `{ file }` (the File, or
 * null when this tab has no such folder or file) on the message's port. Other messages are
 * ignored; a failed lookup answers null so the worker does not wait for its timeout.
 */
export function answerFileRequests(
  open: (token: string, path: string) => Promise<File | null>,
): (event: Pick<MessageEvent, 'data' | 'ports'>) => void {
  return (event) => {
    const port = event.ports[0];
    if (!port || !isFileRequest(event.data)) return;
    const { token, path } = event.data;
    open(token, path).then(
      (file) => port.postMessage({ file }),
      () => port.postMessage({ file: null }),
    );
  };
}

/** Why this page cannot have a service worker, in a sentence; null when it can. */
export function serviceWorkerUnavailable(): string | null {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') {
    return 'Folders on this computer can only be served to the models in a browser.';
  }
  if (!window.isSecureContext) {
    return (
      'Models from a folder on this computer need the page to be served over https (or from ' +
      'localhost): the browser allows the service worker that hands the files to the model only there.'
    );
  }
  if (!('serviceWorker' in navigator)) {
    return (
      'This browser does not offer service workers here (some private windows turn them off), ' +
      'and they are what hands a folder on this computer to the model: use a normal window.'
    );
  }
  return null;
}

/** A sentence for a failed registration (site data blocked is the usual cause). */
export function registrationFailure(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return (
    'The browser refused the service worker that hands a folder on this computer to the model ' +
    `(${reason.replace(/\s+/g, ' ').slice(0, 160)}). This usually means site data is blocked ` +
    'for this site: allow it in the browser settings, then pick the folder again.'
  );
}

/** How long to wait for the worker to take control before saying it did not. */
const CONTROL_MS = 10_000;

/**
 * Registers the service worker (once per page; the browser keeps it) and waits until it
 * controls this page: after a shift-reload a page starts uncontrolled, so the active worker is
 * asked to claim it. `onControlled` runs when control begins in this page (the dedicated
 * workers created before then are not served by the worker and must be restarted).
 */
export async function ensureControlled(onControlled: () => void): Promise<void> {
  const unavailable = serviceWorkerUnavailable();
  if (unavailable) throw new Error(unavailable);
  const container = navigator.serviceWorker;
  const root = new URL(import.meta.env.BASE_URL, document.baseURI);
  let registration: ServiceWorkerRegistration;
  try {
    registration = await container.register(new URL(LOCAL_MODELS_SW_FILE, root), {
      scope: root.pathname,
    });
  } catch (error) {
    throw new Error(registrationFailure(error), { cause: error });
  }
  if (container.controller) return;
  const controlled = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            'The service worker that hands a folder on this computer to the model did not ' +
              'take control of this page: reload the page and pick the folder again.',
          ),
        ),
      CONTROL_MS,
    );
    container.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        onControlled();
        resolve();
      },
      { once: true },
    );
  });
  const ready = await container.ready;
  if (!container.controller)
    (ready.active ?? registration.active)?.postMessage({
      type: 'local-models:claim',
    });
  return controlled;
}
