/**
 * Importing answers people already have: the user drops files, the worker detects their
 * format and parses them, the user checks the matching report and saves a run.
 */
import type { Side } from '../core/run/types';
import {
  runFromImport,
  type FieldMapping,
  type ImportedAnswers,
  type TableInspection,
} from '../core/run';
import { modelNameFromFileName } from '../core/run/import/file-names';
import type { ProgressUpdate } from '../workers/rpc';
import type { AppState } from './app.svelte';
import { filesToImport, type ChosenFile } from './chosen-files';
import { Task } from './task.svelte';
import { importWorker } from '../workers/import-client';
import type { DetectedFile } from '../workers/import.worker';

/** What the chosen files add up to. */
export type ImportPlan =
  | { kind: 'none' }
  | { kind: 'alpaca-pair'; files: Record<Side, DetectedFile> }
  | { kind: 'table'; file: DetectedFile; inspection: TableInspection }
  | { kind: 'llm-comparator'; file: DetectedFile }
  | { kind: 'run-file'; file: DetectedFile }
  | { kind: 'invalid'; reason: string };

/** Decides what to do with the detected files, or says why they cannot be imported together. */
export function planImport(files: DetectedFile[]): ImportPlan {
  if (files.length === 0) return { kind: 'none' };
  const formats = files.map((f) => f.format);
  if (files.length === 2 && formats.every((f) => f === 'alpaca-eval')) {
    return { kind: 'alpaca-pair', files: { A: files[0]!, B: files[1]! } };
  }
  if (files.length === 1) {
    const file = files[0]!;
    switch (file.format) {
      case 'run-file':
        return { kind: 'run-file', file };
      case 'llm-comparator':
        return { kind: 'llm-comparator', file };
      case 'alpaca-eval':
        return {
          kind: 'invalid',
          reason: `${file.name} holds one model's alpaca_eval outputs: add the other model's model_outputs.json too (choose both files at once).`,
        };
      default:
        if (file.inspection) return { kind: 'table', file, inspection: file.inspection };
        return { kind: 'invalid', reason: `${file.name}: could not read it as a table.` };
    }
  }
  return {
    kind: 'invalid',
    reason: `Choose either two alpaca_eval model_outputs.json files (one per model) or a single file; got ${files
      .map((f) => `${f.name} (${f.format})`)
      .join(', ')}.`,
  };
}

// Only what the worker needs: a detected file also carries its table inspection.
const namedFile = (d: DetectedFile) => ({ file: d.file, name: d.name });

/** State of the import screen. */
export class ImportState {
  detected = $state.raw<DetectedFile[]>([]);
  plan = $state.raw<ImportPlan>({ kind: 'none' });
  mapping = $state<FieldMapping>({ prompt: '', answer: '', model: '' });
  name = $state('');
  preview = $state.raw<ImportedAnswers | null>(null);
  readonly #task = new Task();

  constructor(private readonly app: AppState) {}

  /** True while files are inspected, parsed or saved. */
  get busy(): boolean {
    return this.#task.busy;
  }

  /** How far reading the files is. */
  get progress(): ProgressUpdate | null {
    return this.#task.progress;
  }

  /** Why the files cannot be imported (which file, what was expected), or null. */
  get error(): string | null {
    return this.#task.error;
  }

  /** Detects the format of the chosen files and prepares a plan (and a default mapping). */
  async choose(chosen: ChosenFile[]): Promise<void> {
    this.reset();
    const files = filesToImport(chosen);
    if (files.length === 0) {
      this.#task.fail(
        'The chosen folder holds no file to import: expected JSON, JSONL, CSV, TSV or TXT files (for alpaca_eval, the model_outputs.json of each model).',
      );
      return;
    }
    await this.#task.run(async ({ signal }) => {
      const detected: DetectedFile[] = [];
      for (const file of files) {
        detected.push(await importWorker.call('inspect', file, { signal }));
      }
      this.detected = detected;
      this.plan = planImport(detected);
      if (this.plan.kind === 'table') this.mapping = { ...this.plan.inspection.suggestedMapping };
      if (this.plan.kind === 'invalid') this.#task.fail(this.plan.reason);
      if (this.plan.kind === 'run-file') this.name = '';
      else
        this.name = detected.map((d) => d.generator ?? modelNameFromFileName(d.name)).join(' vs ');
      if (this.plan.kind === 'alpaca-pair' || this.plan.kind === 'llm-comparator') {
        await this.parse();
      }
    });
  }

  /** Swaps which alpaca_eval file is model A and which is model B. */
  async swapSides(): Promise<void> {
    if (this.plan.kind !== 'alpaca-pair') return;
    const { A, B } = this.plan.files;
    this.plan = { kind: 'alpaca-pair', files: { A: B, B: A } };
    await this.parse();
  }

  /** Parses the files according to the plan and shows the matching report. */
  async parse(): Promise<void> {
    const plan = this.plan;
    this.preview = null;
    await this.#task.run(async ({ signal, progress }) => {
      const options = { signal, onProgress: progress };
      if (plan.kind === 'alpaca-pair') {
        this.preview = await importWorker.call(
          'importAlpacaPair',
          { a: namedFile(plan.files.A), b: namedFile(plan.files.B) },
          options,
        );
      } else if (plan.kind === 'table') {
        this.preview = await importWorker.call(
          'importTable',
          { file: namedFile(plan.file), mapping: $state.snapshot(this.mapping) },
          options,
        );
      } else if (plan.kind === 'llm-comparator') {
        this.preview = await importWorker.call(
          'importLlmComparator',
          { file: namedFile(plan.file) },
          options,
        );
      }
    });
  }

  /** Saves the parsed answers (or the run file) as a run; returns its id. */
  async save(): Promise<string | null> {
    const plan = this.plan;
    const id = await this.#task.run(async ({ signal }) => {
      const repo = await this.app.repo();
      if (plan.kind === 'run-file') {
        const run = await importWorker.call(
          'readRunFile',
          { file: plan.file.file, name: plan.file.name },
          { signal },
        );
        return (await repo.importRun(run)).id;
      }
      if (!this.preview) throw new Error('Nothing to save yet: check the files first.');
      const run = runFromImport(this.preview, {
        id: crypto.randomUUID(),
        name: this.name.trim() || 'Imported answers',
        promptSetName: this.detected.map((d) => d.name).join(' + '),
        now: new Date().toISOString(),
      });
      return (await repo.create(run)).id;
    });
    return id ?? null;
  }

  /** Cancels parsing in progress. */
  cancel(): void {
    this.#task.cancel();
  }

  /** Forgets the chosen files and results. */
  reset(): void {
    this.detected = [];
    this.plan = { kind: 'none' };
    this.preview = null;
    this.#task.clear();
  }
}
