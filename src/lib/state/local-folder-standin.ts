/**
 * TEMPORARY stand-ins for core/local-model's check-folder.ts and folder-identity.ts (being
 * written by another engineer), with their signatures, so the registry works meanwhile.
 * To be deleted once they land.
 */
import type {
  FolderCheck,
  FolderCheckOptions,
  FolderEntry,
  LocalFolderInfo,
} from '../core/local-model/types';

/** Stand-in: entries of a directory input's files, paths relative to the picked folder. */
export function relativeEntries(files: readonly File[]): { name: string; entries: FolderEntry[] } {
  const first = files[0]?.webkitRelativePath ?? '';
  const name = first.includes('/') ? (first.split('/')[0] ?? '') : '';
  const entries = files.map((f) => {
    const rel = f.webkitRelativePath || f.name;
    const slash = rel.indexOf('/');
    return {
      path: slash >= 0 ? rel.slice(slash + 1) : rel,
      size: f.size,
      lastModified: f.lastModified,
    };
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { name, entries };
}

/** Stand-in: every folder passes. */
export async function checkModelFolder(
  entries: readonly FolderEntry[],
  options: FolderCheckOptions,
  readText: (path: string) => Promise<string>,
): Promise<FolderCheck> {
  void readText;
  const has = (p: string) => entries.some((e) => e.path === p);
  const problems =
    has('config.json') || has('mlc-chat-config.json')
      ? []
      : [{ file: 'config.json', message: 'missing' }];
  return {
    ok: problems.length === 0,
    problems,
    notes: [],
    onnxVariants: [],
    chatTemplate: null,
    dtype: options.dtype,
  };
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Stand-in: SHA-256 of config.json and the file list. */
export async function folderIdentity(
  name: string,
  entries: readonly FolderEntry[],
  readBytes: (path: string) => Promise<Uint8Array>,
  options: FolderCheckOptions,
): Promise<LocalFolderInfo> {
  const parts: Uint8Array[] = [];
  for (const e of entries) if (e.path.endsWith('config.json')) parts.push(await readBytes(e.path));
  parts.push(new TextEncoder().encode(entries.map((e) => `${e.path}:${e.size}`).join('\n')));
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  const hash = hex(await crypto.subtle.digest('SHA-256', joined));
  return {
    name,
    layout: options.layout,
    totalBytes: entries.reduce((n, e) => n + e.size, 0),
    hash,
    files: entries.map((e) => ({ path: e.path, size: e.size })),
    ...(options.dtype ? { dtype: options.dtype } : {}),
  };
}

/** Stand-in: hash prefix plus the files' dates. */
export function folderToken(info: LocalFolderInfo, entries: readonly FolderEntry[]): string {
  const dates = entries.reduce((n, e) => (n * 31 + (e.lastModified ?? 0)) % 1e9, 7);
  return `${info.hash.slice(0, 16)}-${dates.toString(36)}`;
}
