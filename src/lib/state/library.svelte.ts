/** The run library: every saved run, newest first, with rename, delete, export and import. */
import type { RunSummary } from '../core/run/types';
import { serializeRunFile } from '../core/run';
import type { AppState } from './app.svelte';
import { downloadFile, fileStem } from './download';
import { Task } from './task.svelte';
import { importWorker } from '../workers/import-client';

/** State of the library screen. */
export class LibraryState {
  runs = $state.raw<RunSummary[]>([]);
  /** A short confirmation of the last action, e.g. "Imported run X". */
  notice = $state<string | null>(null);
  readonly #listing = new Task();
  /** Rename, delete, export and import. */
  readonly #action = new Task();

  constructor(private readonly app: AppState) {}

  /** True while the list loads. */
  get loading(): boolean {
    return this.#listing.busy;
  }

  /** True while an action (rename, delete, export, import) runs. */
  get busy(): boolean {
    return this.#action.busy;
  }

  /** Why the last action, or else loading the list, failed; null when neither did. */
  get error(): string | null {
    return this.#action.error ?? this.#listing.error;
  }

  /** Reloads the list from the store. */
  async refresh(): Promise<void> {
    await this.#listing.run(async () => {
      this.runs = await (await this.app.repo()).list();
    });
  }

  /** Renames a run and refreshes the list. */
  async rename(id: string, name: string): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed) return;
    await this.#act(async () => {
      await (await this.app.repo()).rename(id, trimmed);
    });
  }

  /** Deletes a run with all its answers and analyses. */
  async remove(id: string): Promise<void> {
    const name = this.runs.find((r) => r.id === id)?.name ?? id;
    await this.#act(async () => {
      await (await this.app.repo()).delete(id);
      this.notice = `Deleted "${name}".`;
    });
  }

  /** Downloads a run as a run file. */
  async exportRun(id: string): Promise<void> {
    await this.#act(async () => {
      const run = await (await this.app.repo()).open(id);
      downloadFile(
        `${fileStem(run.name)}.behaviour-diff.json`,
        serializeRunFile(run),
        'application/json',
      );
    });
  }

  /** Reads a run file (in a worker: validation and migration) and adds it to the library. */
  async importRunFile(file: File): Promise<string | null> {
    let newId: string | null = null;
    await this.#act(async () => {
      const run = await importWorker.call('readRunFile', { file });
      const meta = await (await this.app.repo()).importRun(run);
      newId = meta.id;
      const { droppedVectors, droppedAnalyses } = meta.report;
      const left = [
        droppedVectors.length > 0 ? `${droppedVectors.length} embedding vectors` : '',
        droppedAnalyses.length > 0 ? `${droppedAnalyses.length} analyses` : '',
      ].filter(Boolean);
      // The run page, opened next, lists each left-out part and why.
      this.notice =
        `Imported "${meta.name}" (${run.answers.length} answers)` +
        (left.length > 0 ? `; left out ${left.join(' and ')} (see the run page).` : '.');
    });
    return newId;
  }

  async #act(action: () => Promise<void>): Promise<void> {
    this.notice = null;
    // The list is read again below; an old failure to read it no longer holds.
    this.#listing.clear();
    await this.#action.run(async () => {
      await action();
      this.runs = await (await this.app.repo()).list();
    });
  }
}
