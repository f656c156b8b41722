/**
 * Amplified runs made from an open run: the demo's tiny-base vs tiny-finetune run (with its
 * answers) becomes a new run with the same prompts and no answers, A = tiny-finetune plain and
 * B = tiny-finetune amplified away from tiny-base, linked to its source; runs that cannot be
 * amplified say why; the new run is saved and read back through the repository.
 */
import { describe, expect, it } from 'vitest';
import { demoRun } from '../../src/lib/core/generate/new-run';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';
import type { LocalFolderInfo } from '../../src/lib/core/local-model/types';
import type { ModelSpec, Run } from '../../src/lib/core/run/types';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import {
  alphaProblem,
  amplifiedRun,
  amplifyProblem,
  createAmplifiedRun,
  derivedFromText,
  formatAlpha,
  openAmplifiedRun,
} from '../../src/lib/state/amplified-run';
import type { Route, Router } from '../../src/lib/state/router.svelte';
import { answer, freshRepo } from './persistence-fixtures';

const NOW = '2026-12-06T17:00:00.000Z';

/** The offline demo run with two answers per side stored, as a user would have it open. */
function source(): Run {
  const run = demoRun('src-run', '2026-12-01T10:00:00.000Z');
  const [p1, p2] = run.prompts;
  return {
    ...run,
    answers: [
      answer(p1!.id, 'A', 0, 'The sun rose over the hill.'),
      answer(p1!.id, 'B', 0, 'My son, hear the instruction of thy father.'),
      answer(p2!.id, 'A', 0, 'A cat sat by the door.'),
      answer(p2!.id, 'B', 0, 'The fear of the LORD is the beginning of wisdom.'),
    ],
  };
}

const folder: LocalFolderInfo = {
  name: 'my-base',
  layout: 'transformers',
  totalBytes: 3_000_000,
  hash: 'c'.repeat(64),
  files: [{ path: 'config.json', size: 700 }],
  dtype: 'q8',
};

describe('amplifiedRun', () => {
  it('keeps the prompts, drops the answers and samples B plainly against B amplified away from A', () => {
    const src = { ...source(), models: { ...source().models } };
    src.models.B = { ...src.models.B, systemPrompt: 'Speak as a sage.' };
    const run = amplifiedRun(src, 2, undefined, NOW, 'amp-1');

    expect(run.id).toBe('amp-1');
    expect(run.createdAt).toBe(NOW);
    expect(run.updatedAt).toBe(NOW);
    expect(run.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(run.prompts).toEqual(src.prompts);
    expect(run.prompts[0]).not.toBe(src.prompts[0]);
    expect(run.answers).toEqual([]);
    expect(run.analyses).toEqual([]);
    expect(run.samplesPerPrompt).toBe(src.samplesPerPrompt);
    expect(run.promptSet).toEqual(src.promptSet);

    // A: the source's B, plainly; same label, params and system prompt, no amplify.
    expect(run.models.A).toEqual({
      label: TINY_FINETUNE_MODEL_ID,
      backend: 'transformers',
      modelId: TINY_FINETUNE_MODEL_ID,
      systemPrompt: 'Speak as a sage.',
      params: src.models.B.params,
    });
    expect(run.models.A.amplify).toBeUndefined();
    // B: the same model and settings, amplified away from the source's A.
    expect(run.models.B).toEqual({
      label: `${TINY_FINETUNE_MODEL_ID} amplified ×2`,
      backend: 'transformers',
      modelId: TINY_FINETUNE_MODEL_ID,
      systemPrompt: 'Speak as a sage.',
      params: src.models.B.params,
      amplify: {
        alpha: 2,
        base: { label: TINY_BASE_MODEL_ID, backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
      },
    });
    expect(run.derivedFrom).toEqual({
      kind: 'amplified',
      runId: 'src-run',
      runName: src.name,
      alpha: 2,
    });
    expect(run.name).toBe(`${src.name}: B amplified ×2`);
    expect(run.notes).toContain(`Made from "${src.name}"`);
    // The source is not touched.
    expect(src.answers).toHaveLength(4);
    expect(src.models.B.amplify).toBeUndefined();
  });

  it('takes the sample count given, and a base from a folder keeps its identity', () => {
    const src = source();
    src.models = {
      A: { ...src.models.A, label: 'my-base', modelId: 'my-base', localFolder: folder },
      B: src.models.B,
    };
    const run = amplifiedRun(src, 0.5, 5, NOW, 'amp-2');
    expect(run.samplesPerPrompt).toBe(5);
    expect(run.models.B.label).toBe(`${TINY_FINETUNE_MODEL_ID} amplified ×0.5`);
    expect(run.models.B.amplify?.base).toEqual({
      label: 'my-base',
      backend: 'transformers',
      modelId: 'my-base',
      localFolder: folder,
    });
    expect(run.models.A.localFolder).toBeUndefined();
  });

  it('alpha 0 is allowed (plain B on both sides) and the bounds are checked', () => {
    expect(amplifiedRun(source(), 0, 1, NOW, 'a0').models.B.amplify?.alpha).toBe(0);
    expect(alphaProblem(8)).toBeNull();
    expect(alphaProblem(8.5)).toMatch(/from 0 to 8/);
    expect(alphaProblem(-1)).toMatch(/from 0 to 8/);
    expect(alphaProblem(Number.NaN)).toMatch(/got NaN/);
    expect(() => amplifiedRun(source(), -0.5, 1, NOW, 'x')).toThrow(/from 0 to 8, got -0.5/);
    expect(() => amplifiedRun(source(), 1, 0, NOW, 'x')).toThrow(RangeError);
    expect(() => amplifiedRun(source(), 1, 1.5, NOW, 'x')).toThrow(/whole number/);
    expect(formatAlpha(1.5)).toBe('1.5');
    expect(formatAlpha(2)).toBe('2');
    expect(formatAlpha(0.1 + 0.2)).toBe('0.3');
  });

  it('says why a run cannot be amplified', () => {
    const withSpec = (side: 'A' | 'B', spec: Partial<ModelSpec>): Run => {
      const src = source();
      src.models = { ...src.models, [side]: { ...src.models[side], ...spec } };
      return src;
    };
    const webllm = withSpec('B', { backend: 'webllm', label: 'Qwen', modelId: 'Qwen-0.5B' });
    expect(amplifyProblem(webllm)).toMatch(/^Model B \(Qwen\) runs on WebLLM: .*transformers\.js/);
    expect(() => amplifiedRun(webllm, 1)).toThrow(/runs on WebLLM/);
    const openai = withSpec('A', { backend: 'openai', label: 'gpt' });
    expect(amplifyProblem(openai)).toMatch(/^Model A \(gpt\) runs on an OpenAI-compatible server/);
    expect(amplifyProblem(withSpec('A', { backend: 'imported' }))).toMatch(
      /^Model A's answers were imported from a file/,
    );
    expect(amplifyProblem(withSpec('B', { modelId: TINY_BASE_MODEL_ID }))).toMatch(
      /A and B are the same model/,
    );
    // The same id from two different folders is two models.
    expect(
      amplifyProblem(
        withSpec('A', {
          modelId: TINY_FINETUNE_MODEL_ID,
          localFolder: folder,
        }),
      ),
    ).toBeNull();
    const amplified = amplifiedRun(source(), 1, 1, NOW, 'amp');
    expect(amplifyProblem(amplified)).toMatch(/already samples an amplified model/);
    expect(amplifyProblem({ ...source(), prompts: [] })).toMatch(/no prompts/);
    expect(amplifyProblem(source())).toBeNull();
  });
});

describe('createAmplifiedRun', () => {
  it('saves the new run; it reads back with its link and amplify spec and no answers', async () => {
    const { repo } = await freshRepo();
    const src = source();
    await repo.create(src);
    const made = await createAmplifiedRun(repo, src, 3, 2);
    const back = await repo.open(made.id);
    expect(back.id).not.toBe(src.id);
    expect(back.derivedFrom).toEqual({
      kind: 'amplified',
      runId: src.id,
      runName: src.name,
      alpha: 3,
    });
    expect(back.models.B.amplify).toEqual({
      alpha: 3,
      base: { label: TINY_BASE_MODEL_ID, backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
    });
    expect(back.models.A.amplify).toBeUndefined();
    expect(back.answers).toEqual([]);
    expect(back.samplesPerPrompt).toBe(2);
    expect(back.prompts.map((p) => p.id)).toEqual(src.prompts.map((p) => p.id));
    // The source still has its answers.
    expect((await repo.open(src.id)).answers).toHaveLength(4);
  });

  it('saves nothing for a run that cannot be amplified', async () => {
    const { repo } = await freshRepo();
    const src = source();
    src.models = { ...src.models, A: { ...src.models.A, backend: 'anthropic', label: 'claude' } };
    await expect(createAmplifiedRun(repo, src, 1)).rejects.toThrow(/Anthropic API/);
    expect(await repo.list()).toEqual([]);
  });
});

describe('openAmplifiedRun', () => {
  it('saves the run, marks it to generate when its page opens, and goes there', async () => {
    const { repo } = await freshRepo();
    const src = source();
    await repo.create(src);
    const routes: Route[] = [];
    const app = {
      repo: async () => repo,
      autostart: new Set<string>(),
      router: { go: (route: Route) => void routes.push(route) } as unknown as Router,
    };
    const run = await openAmplifiedRun(app, src, 2, 1);
    expect(routes).toEqual([{ name: 'run', id: run.id }]);
    expect([...app.autostart]).toEqual([run.id]);
    expect((await repo.open(run.id)).derivedFrom?.runId).toBe(src.id);
    expect(derivedFromText(run)).toBe(
      `Amplified from the run "${src.name}" (α = 2): A is ${TINY_FINETUNE_MODEL_ID} sampled ` +
        `plainly, B is the same model amplified away from ${TINY_BASE_MODEL_ID}.`,
    );
    expect(derivedFromText(src)).toBeNull();
  });

  it('goes nowhere when the run cannot be amplified', async () => {
    const { repo } = await freshRepo();
    const routes: Route[] = [];
    const app = {
      repo: async () => repo,
      autostart: new Set<string>(),
      router: { go: (route: Route) => void routes.push(route) } as unknown as Router,
    };
    await expect(openAmplifiedRun(app, source(), 9)).rejects.toThrow(/from 0 to 8, got 9/);
    expect(routes).toEqual([]);
    expect(app.autostart.size).toBe(0);
  });
});
