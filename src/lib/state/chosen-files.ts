/**
 * The files a user hands the import screen, with the folder each came from: picked one by
 * one, picked as a folder (webkitRelativePath) or dropped as folders (walked through
 * webkitGetAsEntry). The folder is what tells alpaca_eval's `<model>/model_outputs.json`
 * files apart.
 */
import { distinctFileNames, filesToImportFromFolders } from '../core/run/import/file-names';
import type { FileToInspect } from '../workers/import.worker';

/** A file the user chose and where it came from. */
export interface ChosenFile {
  file: File;
  /** Its path inside the chosen folder ("results/gpt4/model_outputs.json"), or its name. */
  path: string;
  /** True when it was found inside a folder the user chose rather than chosen itself. */
  inFolder: boolean;
}

// A folder dropped by mistake (a home directory) must not walk the whole disk.
const MAX_FOLDER_ENTRIES = 5000;

/** The files of a file input; webkitRelativePath is set when a folder was picked. */
export function filesFromInput(files: Iterable<File>): ChosenFile[] {
  return [...files].map((file) => {
    const relative = file.webkitRelativePath;
    return { file, path: relative || file.name, inFolder: Boolean(relative) };
  });
}

/**
 * The files of a drop, folders walked. Must be called during the drop event: the browser
 * empties the DataTransfer when the handler returns, so its entries are taken at once.
 */
export function filesFromDrop(transfer: DataTransfer): Promise<ChosenFile[]> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = [...transfer.files];
  if (entries.length === 0 || entries.some((e) => e === null)) {
    return Promise.resolve(filesFromInput(files));
  }
  return walkEntries(entries as FileSystemEntry[]);
}

async function walkEntries(roots: FileSystemEntry[]): Promise<ChosenFile[]> {
  const found: ChosenFile[] = [];
  let seen = 0;
  const walk = async (entry: FileSystemEntry, inFolder: boolean): Promise<void> => {
    if (++seen > MAX_FOLDER_ENTRIES) return;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      found.push({ file, path: entry.fullPath.replace(/^\/+/, '') || file.name, inFolder });
      return;
    }
    if (!entry.isDirectory) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries hands out a directory in batches until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, true);
    }
  };
  for (const root of roots) await walk(root, false);
  return found;
}

/**
 * Which of the chosen files to import, each with a name no other one has: every file chosen
 * itself, and from folders only what filesToImportFromFolders keeps.
 */
export function filesToImport(chosen: readonly ChosenFile[]): FileToInspect[] {
  const fromFolders = chosen.filter((c) => c.inFolder);
  const kept = new Set(
    filesToImportFromFolders(fromFolders.map((c) => c.path)).map((i) => fromFolders[i]),
  );
  const files = chosen.filter((c) => !c.inFolder || kept.has(c));
  const names = distinctFileNames(files.map((c) => c.path));
  return files.map((c, id) => ({
    file: c.file,
    id,
    name: names[id]!,
    folder: c.path.includes('/') ? c.path.slice(0, c.path.lastIndexOf('/')) : '',
  }));
}
