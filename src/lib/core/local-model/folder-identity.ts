/**
 * What identifies a picked model folder without its files: a SHA-256 over the configuration and
 * tokenizer files and the file list (the same model copied elsewhere hashes the same; a changed
 * tokenizer or a weight file of another size does not), a short token for URLs that also changes
 * when any file is rewritten, and the folder-relative file list of a directory pick.
 */
import type { FolderEntry, LocalFolderInfo, LocalModelLayout, OnnxDtype } from './types';

/** A file as a directory pick or a folder walk gives it: a File, or a plain record in Node. */
export interface PickedFile {
  /** A directory input's path, starting with the picked folder's own name. */
  webkitRelativePath?: string;
  /** A path already relative to the picked folder (File System Access walks, Node). */
  path?: string;
  /** The file's own name; the path when neither of the above is set. */
  name?: string;
  size: number;
  lastModified?: number;
}

/** Names that are never part of a model: version control, OS and notebook litter. */
const IGNORED_NAMES = new Set(['__MACOSX', 'Thumbs.db', 'desktop.ini', '__pycache__']);

/**
 * True for files a model never uses and a copy may or may not carry: anything under a dot-folder
 * (`.git/`, huggingface_hub's `.cache/`), dot-files (`.DS_Store`, `.gitattributes`) and OS litter.
 */
export function isIgnoredPath(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.') || IGNORED_NAMES.has(part));
}

/**
 * The folder's name and its files relative to it, sorted by path, ignored files left out;
 * `files` maps each kept path back to the caller's object (the File to serve). A directory
 * input's `webkitRelativePath` starts with the folder's own name, which is stripped and
 * returned; other paths are taken as relative already and `folderName` names the folder.
 */
export function relativeEntries<F extends PickedFile>(
  picked: readonly F[],
  folderName = '',
): { name: string; entries: FolderEntry[]; files: Map<string, F> } {
  let name = folderName;
  const files = new Map<string, F>();
  const entries: FolderEntry[] = [];
  for (const file of picked) {
    let path: string;
    if (file.webkitRelativePath) {
      const [top = '', ...rest] = file.webkitRelativePath.replace(/\\/g, '/').split('/');
      if (!name) name = top;
      path = rest.join('/');
    } else {
      path = (file.path ?? file.name ?? '').replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
    }
    if (path === '' || isIgnoredPath(path) || files.has(path)) continue;
    files.set(path, file);
    entries.push({
      path,
      size: file.size,
      ...(file.lastModified !== undefined ? { lastModified: file.lastModified } : {}),
    });
  }
  entries.sort((a, b) => comparePaths(a.path, b.path));
  return { name, entries, files };
}

/** Code-unit order, the same in every locale, so hashes agree across machines. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads one file of the folder in full, by its path relative to the folder. */
export type ReadFolderBytes = (path: string) => Promise<Uint8Array>;

/** What folderIdentity records besides the files: the layout and the run's choices. */
export interface FolderIdentityOptions {
  layout: LocalModelLayout;
  /** transformers.js: the precision the run loads. */
  dtype?: OnnxDtype;
  /** WebLLM: the compiled model library's path in the folder. */
  modelLib?: string;
}

const TRANSFORMERS_IDENTITY_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

/** Tokenizer files an MLC conversion copies; hashed when present even if tokenizer_files omits them. */
const MLC_TOKENIZER_NAMES = [
  'tokenizer.json',
  'tokenizer.model',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
];

const utf8 = new TextEncoder();

/** mlc-chat-config.json's tokenizer_files, or none when it cannot be read as such. */
function mlcTokenizerFiles(bytes: Uint8Array | undefined): string[] {
  if (!bytes) return [];
  try {
    const config = JSON.parse(new TextDecoder().decode(bytes)) as { tokenizer_files?: unknown };
    const files = config.tokenizer_files;
    return Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

/** The files whose bytes go into the hash, read through `readBytes`, sorted by path. */
async function identityFiles(
  entries: readonly FolderEntry[],
  layout: LocalModelLayout,
  readBytes: ReadFolderBytes,
): Promise<[string, Uint8Array][]> {
  const present = new Set(entries.map((e) => e.path));
  const read = async (paths: Iterable<string>) =>
    Promise.all(
      [...new Set(paths)]
        .filter((p) => present.has(p))
        .sort(comparePaths)
        .map(async (p): Promise<[string, Uint8Array]> => [p, await readBytes(p)]),
    );
  if (layout === 'transformers') return read(TRANSFORMERS_IDENTITY_FILES);
  const configs = await read(['mlc-chat-config.json', 'ndarray-cache.json']);
  const mlc = configs.find(([p]) => p === 'mlc-chat-config.json')?.[1];
  const tokenizers = await read([...mlcTokenizerFiles(mlc), ...MLC_TOKENIZER_NAMES]);
  return [...configs, ...tokenizers].sort(([a], [b]) => comparePaths(a, b));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The folder's identity as a run stores it. The hash covers the configuration and tokenizer
 * files' bytes (transformers.js: config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json; WebLLM: mlc-chat-config.json, ndarray-cache.json and the tokenizer
 * files) and the sorted `path<TAB>size` list; not the folder's name, so a renamed copy matches.
 * Weights are covered by their sizes only: hashing gigabytes at every pick would take minutes.
 */
export async function folderIdentity(
  name: string,
  entries: readonly FolderEntry[],
  readBytes: ReadFolderBytes,
  options: FolderIdentityOptions,
): Promise<LocalFolderInfo> {
  const files = [...entries]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map(({ path, size }) => ({ path, size }));
  const parts: Uint8Array[] = [utf8.encode(`local model folder v1 ${options.layout}\n`)];
  for (const [path, bytes] of await identityFiles(files, options.layout, readBytes)) {
    // The length prefix keeps one file's end from reading as the next one's start.
    parts.push(utf8.encode(`file ${path} ${bytes.byteLength}\n`), bytes, utf8.encode('\n'));
  }
  parts.push(utf8.encode(`files\n${files.map((f) => `${f.path}\t${f.size}\n`).join('')}`));
  const buffer = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.byteLength;
  }
  const digest = await globalThis.crypto.subtle.digest('SHA-256', buffer);
  return {
    name,
    layout: options.layout,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    hash: toHex(new Uint8Array(digest)),
    files,
    ...(options.dtype ? { dtype: options.dtype } : {}),
    ...(options.modelLib ? { modelLib: options.modelLib } : {}),
  };
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * A short URL-safe token (16 hex digits) for serving the folder: FNV-1a 64 over the identity
 * hash and every file's path, size and lastModified, so rewriting any file (a re-export to the
 * same place) gives a new token and no cache can serve the old bytes under it. Synchronous on
 * purpose: callers build URLs with it where awaiting is awkward. Not a security boundary.
 */
export function folderToken(info: LocalFolderInfo, entries: readonly FolderEntry[]): string {
  const lines = [...entries]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((e) => `${e.path}\t${e.size}\t${e.lastModified ?? ''}\n`);
  let hash = FNV_OFFSET;
  for (const byte of utf8.encode(`${info.hash}\n${lines.join('')}`)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}
