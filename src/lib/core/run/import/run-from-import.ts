/** Turning imported answers into a run the app can save, analyse and export. */
import { DEFAULT_GENERATION_PARAMS } from '../defaults';
import { RUN_SCHEMA_VERSION, type ModelSpec, type Run } from '../types';
import type { ImportedAnswers, ImportedModel } from './types';

/** Identity and naming of the run built by runFromImport. */
export interface RunFromImportOptions {
  id: string;
  name: string;
  /** Shown as the prompt set's name, e.g. the imported file names. */
  promptSetName: string;
  /** Creation time of the run, and the time stamped on every answer. */
  now: Date | string;
  notes?: string;
}

function modelSpec(model: ImportedModel): ModelSpec {
  return {
    label: model.label,
    backend: 'imported',
    modelId: model.modelId,
    params: { ...DEFAULT_GENERATION_PARAMS },
  };
}

/** Builds a v1 Run from imported answers (backend "imported", default generation settings). */
export function runFromImport(imported: ImportedAnswers, options: RunFromImportOptions): Run {
  const now = typeof options.now === 'string' ? options.now : options.now.toISOString();
  const samplesPerPrompt = imported.answers.reduce((max, a) => Math.max(max, a.sample + 1), 1);
  const run: Run = {
    id: options.id,
    name: options.name,
    createdAt: now,
    updatedAt: now,
    schemaVersion: RUN_SCHEMA_VERSION,
    models: { A: modelSpec(imported.models.A), B: modelSpec(imported.models.B) },
    promptSet: { id: `${options.id}-prompts`, name: options.promptSetName, source: 'imported' },
    samplesPerPrompt,
    prompts: imported.prompts.map((p) => ({ ...p })),
    answers: imported.answers.map((a) => ({ ...a, createdAt: now })),
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
  if (options.notes !== undefined) run.notes = options.notes;
  return run;
}
