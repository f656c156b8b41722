/**
 * Amplified runs (issue #14): a new run made from an open one, whose A is the source's model B
 * sampled plainly and whose B is B amplified away from the source's A (logits_B + alpha *
 * (logits_B - logits_A)), so the usual analysis shows what amplification exaggerates. The run is
 * saved without answers; the run page's generation queue then generates them.
 */
import type { ModelSpec, Run } from '../core/run/types';
import { RUN_SCHEMA_VERSION } from '../core/run/types';
import type { RunRepository } from '../persistence/runs';
import type { AppState } from './app.svelte';

/** The largest alpha the form offers; larger values mostly give noise on small models. */
export const MAX_AMPLIFY_ALPHA = 8;

/** What a side must be for amplification: a local transformers.js model (bundled, hub or folder). */
function isLocalTransformers(spec: ModelSpec): boolean {
  return spec.backend === 'transformers';
}

/** Whether two specs name the same model (same id, and the same folder when from one). */
function sameModel(a: ModelSpec, b: ModelSpec): boolean {
  return a.modelId === b.modelId && a.localFolder?.hash === b.localFolder?.hash;
}

/** Why `source` cannot be amplified, in words for the user, or null when it can. */
export function amplifyProblem(source: Pick<Run, 'models' | 'prompts'>): string | null {
  const { A, B } = source.models;
  for (const [side, spec] of [
    ['A', A],
    ['B', B],
  ] as const) {
    if (spec.backend === 'imported') {
      return (
        `Model ${side}'s answers were imported from a file, so there is no model to run: ` +
        'amplified sampling needs both models as local transformers.js models.'
      );
    }
    if (!isLocalTransformers(spec)) {
      return (
        `Model ${side} (${spec.label}) runs on ${backendName(spec.backend)}: amplified sampling ` +
        'runs both models side by side on their full next-token distributions, so both must be ' +
        'local transformers.js models (bundled, from the hub or from a folder).'
      );
    }
  }
  if (A.amplify || B.amplify) {
    return 'This run already samples an amplified model: amplify its source run instead.';
  }
  if (sameModel(A, B)) {
    return (
      'A and B are the same model (they differ only in how they are prompted or sampled): ' +
      'amplification needs two different models to amplify the difference between.'
    );
  }
  if (source.prompts.length === 0) return 'This run has no prompts to sample.';
  return null;
}

function backendName(backend: ModelSpec['backend']): string {
  switch (backend) {
    case 'webllm':
      return 'WebLLM';
    case 'openai':
      return 'an OpenAI-compatible server';
    case 'anthropic':
      return 'the Anthropic API';
    default:
      return backend;
  }
}

/** α as shown in labels and names: 2, 1.5, 0.25. */
export function formatAlpha(alpha: number): string {
  return String(Number(alpha.toFixed(3)));
}

/** Why `alpha` is not a usable amplification, or null. */
export function alphaProblem(alpha: number): string | null {
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > MAX_AMPLIFY_ALPHA) {
    return `alpha must be a number from 0 to ${MAX_AMPLIFY_ALPHA}, got ${String(alpha)}`;
  }
  return null;
}

/**
 * The amplified run of `source`: same prompts (and approval setup), no answers; A = the source's
 * B sampled plainly, B = the source's B amplified by `alpha` away from the source's A, both with
 * B's system prompt and sampling settings so the two sides differ only in the amplification.
 * @throws Error with the amplifyProblem or alphaProblem sentence; RangeError for a bad sample count.
 */
export function amplifiedRun(
  source: Run,
  alpha: number,
  samplesPerPrompt: number = source.samplesPerPrompt,
  now: string = new Date().toISOString(),
  id: string = crypto.randomUUID(),
): Run {
  const problem = amplifyProblem(source) ?? alphaProblem(alpha);
  if (problem) throw new Error(problem);
  if (!Number.isInteger(samplesPerPrompt) || samplesPerPrompt < 1) {
    throw new RangeError(
      `samples per prompt must be a whole number of at least 1, got ${samplesPerPrompt}`,
    );
  }
  const { A: sourceA, B: sourceB } = source.models;
  const { amplify: _none, ...plainB } = sourceB;
  const base: NonNullable<ModelSpec['amplify']>['base'] = {
    label: sourceA.label,
    backend: sourceA.backend,
    modelId: sourceA.modelId,
    ...(sourceA.localFolder ? { localFolder: sourceA.localFolder } : {}),
  };
  const a: ModelSpec = { ...plainB, params: { ...plainB.params } };
  const b: ModelSpec = {
    ...plainB,
    label: `${sourceB.label} amplified ×${formatAlpha(alpha)}`,
    params: { ...plainB.params },
    amplify: { alpha, base },
  };
  return {
    id,
    name: `${source.name}: B amplified ×${formatAlpha(alpha)}`,
    createdAt: now,
    updatedAt: now,
    schemaVersion: RUN_SCHEMA_VERSION,
    models: { A: a, B: b },
    promptSet: { ...source.promptSet },
    samplesPerPrompt,
    notes:
      `Made from "${source.name}": A is ${sourceB.label} sampled plainly, B is ${sourceB.label} ` +
      `amplified ×${formatAlpha(alpha)} away from ${sourceA.label} ` +
      `(logits_B + ${formatAlpha(alpha)} × (logits_B − logits_A)).`,
    ...(source.approval ? { approval: source.approval } : {}),
    derivedFrom: { kind: 'amplified', runId: source.id, runName: source.name, alpha },
    prompts: source.prompts.map((p) => ({ ...p })),
    answers: [],
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
}

/**
 * Builds the amplified run of `source` and saves it; the caller opens it (its generation starts
 * on the run page).
 * @throws what amplifiedRun throws, and the repository's errors.
 */
export async function createAmplifiedRun(
  repo: Pick<RunRepository, 'create'>,
  source: Run,
  alpha: number,
  samplesPerPrompt?: number,
): Promise<Run> {
  const run = amplifiedRun(source, alpha, samplesPerPrompt);
  await repo.create(run);
  return run;
}

/**
 * Saves the amplified run of `source` and opens it; its generation starts there at once (the
 * run page generates an autostarted run's missing answers).
 * @throws what amplifiedRun throws, and the repository's errors.
 */
export async function openAmplifiedRun(
  app: Pick<AppState, 'repo' | 'autostart' | 'router'>,
  source: Run,
  alpha: number,
  samplesPerPrompt?: number,
): Promise<Run> {
  const run = await createAmplifiedRun(await app.repo(), source, alpha, samplesPerPrompt);
  app.autostart.add(run.id);
  app.router.go({ name: 'run', id: run.id });
  return run;
}

/** What a run made by amplification says about where it came from, or null for other runs. */
export function derivedFromText(run: Pick<Run, 'derivedFrom' | 'models'>): string | null {
  const from = run.derivedFrom;
  if (from?.kind !== 'amplified') return null;
  const base = run.models.B.amplify?.base.label;
  return (
    `Amplified from the run "${from.runName}" (α = ${formatAlpha(from.alpha)}): A is ` +
    `${run.models.A.label} sampled plainly, B is the same model amplified` +
    `${base ? ` away from ${base}` : ''}.`
  );
}
