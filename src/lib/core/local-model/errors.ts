/** Errors of models picked from a folder on this computer. */
import type { LocalFolderInfo } from './types';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/**
 * A run's model comes from a folder that has not been picked in this tab (after a reload, or in
 * another browser): the files are never stored, so the user must pick the same folder again.
 */
export class LocalFolderNeededError extends Error {
  override readonly name = 'LocalFolderNeededError';
  constructor(
    readonly folder: LocalFolderInfo,
    /** Which side of the run, or 'embedder'. */
    readonly role: string,
  ) {
    super(
      `${role === 'embedder' ? 'The embedder' : `Model ${role}`} comes from the folder ` +
        `"${folder.name}" on this computer (${folder.files.length} files, ${megabytes(folder.totalBytes)}); ` +
        'its files are never stored, so pick that folder again to go on.',
    );
  }
}

/** A re-picked folder is not the model the run used (its configuration, tokenizer or files differ). */
export class LocalFolderMismatchError extends Error {
  override readonly name = 'LocalFolderMismatchError';
  constructor(
    readonly expected: LocalFolderInfo,
    readonly picked: LocalFolderInfo,
  ) {
    super(
      `The folder "${picked.name}" is not the model this run used ("${expected.name}", ` +
        `${expected.files.length} files, ${megabytes(expected.totalBytes)}): its configuration, ` +
        'tokenizer or file list differ. Pick the folder the run was made with.',
    );
  }
}
