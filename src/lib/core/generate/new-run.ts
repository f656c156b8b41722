/** Building the run a generation starts from: settings and prompts, no answers yet. */
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../models';
import { DEMO_PROMPT_SET } from '../prompts';
import type { ModelSpec, Prompt, PromptSetInfo, Run, Side } from '../run/types';
import { RUN_SCHEMA_VERSION } from '../run/types';

/** What a new comparison needs. */
export interface NewRunOptions {
  id: string;
  name: string;
  /** ISO timestamp. */
  now: string;
  models: Record<Side, ModelSpec>;
  promptSet: PromptSetInfo;
  prompts: Prompt[];
  samplesPerPrompt: number;
  notes?: string;
}

/** An empty run ready for the generation queue. Throws RangeError on impossible settings. */
export function newRun(options: NewRunOptions): Run {
  if (options.prompts.length === 0) throw new RangeError('a comparison needs at least one prompt');
  if (!Number.isInteger(options.samplesPerPrompt) || options.samplesPerPrompt < 1) {
    throw new RangeError(
      `samples per prompt must be a whole number of at least 1, got ${options.samplesPerPrompt}`,
    );
  }
  return {
    id: options.id,
    name: options.name,
    createdAt: options.now,
    updatedAt: options.now,
    schemaVersion: RUN_SCHEMA_VERSION,
    models: options.models,
    promptSet: options.promptSet,
    samplesPerPrompt: options.samplesPerPrompt,
    ...(options.notes ? { notes: options.notes } : {}),
    prompts: options.prompts,
    answers: [],
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
}

/** Sampling of the offline demo: varied enough to show a distribution, short enough to be quick. */
export const DEMO_PARAMS = Object.freeze({ temperature: 0.9, topP: 0.95, maxTokens: 40, seed: 1 });

/** Samples per prompt in the offline demo. */
export const DEMO_SAMPLES = 3;

/** The offline demo: tiny-base (A) against tiny-finetune (B) on the built-in demo prompts. */
export function demoRun(id: string, now: string): Run {
  const spec = (modelId: string): ModelSpec => ({
    label: modelId,
    backend: 'transformers',
    modelId,
    params: { ...DEMO_PARAMS },
  });
  return newRun({
    id,
    now,
    name: 'Offline demo: tiny-base vs tiny-finetune',
    models: { A: spec(TINY_BASE_MODEL_ID), B: spec(TINY_FINETUNE_MODEL_ID) },
    promptSet: DEMO_PROMPT_SET.info,
    prompts: DEMO_PROMPT_SET.prompts.map((p) => ({ ...p })),
    samplesPerPrompt: DEMO_SAMPLES,
    notes:
      'Toy models bundled with the app: tiny-finetune is tiny-base trained further on the Book of Proverbs.',
  });
}
