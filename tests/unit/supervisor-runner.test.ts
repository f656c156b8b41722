/**
 * The supervisor runner as the app uses it: the real run repository (fake-indexeddb) as its
 * store, the real OpenAI-compatible client against the stand-in supervisor (its rule is in
 * tests/stand-ins/supervisor-server.ts), the bundled embedder, and an analysis made by the real
 * pipeline. B's answers are always longer and nobody writes lists, so the expected numbers follow
 * from the stand-in's rule by hand.
 */
import 'fake-indexeddb/auto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import { OpenAiBackend } from '../../src/lib/backends/llm/openai';
import { analysisParams, runAnalysis } from '../../src/lib/core/analysis';
import type { SupervisorSettings } from '../../src/lib/core/explain/types';
import { serializeRunFile } from '../../src/lib/core/run';
import type { Answer, Prompt, Run } from '../../src/lib/core/run/types';
import { row } from '../../src/lib/core/vectors/matrix';
import type { RunRepository } from '../../src/lib/persistence/runs';
import { SupervisorRunner, type SupervisorStage } from '../../src/lib/state/supervisor-runner';
import { longerPairs } from '../stand-ins/longer-answers';
import { startStandInSupervisor, type StandInSupervisor } from '../stand-ins/supervisor-server';
import { answer, freshRepo, makeRun } from './persistence-fixtures';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const KEY = 'sk-proj-Hx4Wn8Qp2Ls6Kd0Rt3Yz7Bv1Mc5Fj9Ga2Ue4Io';
const PAIRS = longerPairs(16);

let embedder: TransformersEmbedder;
const embed = async (texts: string[]) => {
  const m = await embedder.embed(texts);
  return Array.from({ length: m.rows }, (_, i) => row(m, i));
};

/** A run of 16 prompts, one sample a side, B always longer, analysed and stored. */
async function storedRun(repo: RunRepository): Promise<Run> {
  const base = makeRun('explained', { prompts: PAIRS.length, samples: 1 });
  const prompts: Prompt[] = base.prompts.map((p, i) => ({ ...p, text: PAIRS[i]!.prompt }));
  const answers: Answer[] = prompts.flatMap((p, i) => [
    answer(p.id, 'A', 0, PAIRS[i]!.a),
    answer(p.id, 'B', 0, PAIRS[i]!.b),
  ]);
  const run: Run = {
    ...base,
    prompts,
    answers,
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
  await repo.create(run);
  const texts = answers.map((a) => a.text);
  const vectors = await embedder.embed(texts);
  const params = analysisParams({
    embedderId: embedder.id,
    k: 2,
    projection: 'pca',
    nPermutations: 99,
    stabilitySeeds: 0,
  });
  const result = await runAnalysis({ prompts, answers, vectors }, params);
  const analysis = {
    id: 'analysis-1',
    createdAt: new Date().toISOString(),
    params: { ...params },
    result,
  };
  await repo.putAnalysis(run.id, analysis);
  return { ...run, analyses: [analysis] };
}

const SETTINGS: SupervisorSettings = {
  provider: 'openai-compatible',
  model: 'stand-in-supervisor',
  temperature: 0,
  seed: 7,
  propertiesSample: 40,
  hypotheses: 5,
  heldOutSample: 60,
};

let server: StandInSupervisor;
beforeAll(async () => {
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  embedder = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });
  await embedder.load();
  server = await startStandInSupervisor({ apiKey: KEY });
}, 60_000);
afterAll(async () => {
  await server.close();
  await embedder.unload();
});

function runnerFor(repo: RunRepository, run: Run): SupervisorRunner {
  const backend = new OpenAiBackend({
    baseUrl: server.url,
    model: server.model,
    apiKey: KEY,
    pageOrigin: null,
    retry: { maxRetries: 0 },
  });
  return new SupervisorRunner(
    { run, analysisId: 'analysis-1', settings: SETTINGS },
    { backend, store: repo, embed, concurrency: 4, maxRequests: null, secrets: [KEY] },
  );
}

describe('SupervisorRunner on the run repository', () => {
  it('runs the stages in order, stores every reply, validates on held-out prompts, and resumes with nothing to send', async () => {
    const { repo } = await freshRepo();
    const run = await storedRun(repo);
    const runner = runnerFor(repo, run);
    expect(runner.discoveryPromptIds).toHaveLength(8);
    expect(runner.heldOutPromptIds).toHaveLength(8);
    // The halves are disjoint and cover every paired prompt.
    expect(new Set([...runner.discoveryPromptIds, ...runner.heldOutPromptIds]).size).toBe(16);

    const stages: SupervisorStage[] = [];
    const excluded = runner.discoveryPromptIds[0]!;
    for (
      let plan = await runner.nextStage({ excludedPromptIds: [excluded] });
      plan;
      plan = await runner.nextStage()
    ) {
      stages.push(plan.stage);
      // Nothing of an excluded prompt is ever sent.
      for (const r of plan.requests) expect(r.promptIds).not.toContain(excluded);
      const snapshot = await runner.runStage(plan);
      expect(snapshot.state).toBe('done');
    }
    expect(stages).toEqual(['describe', 'name-properties', 'propose', 'judge']);
    const excludedText = run.prompts.find((p) => p.id === excluded)!.text;
    for (const r of server.requests) {
      expect(r.body.messages.map((m) => m.content).join('\n')).not.toContain(excludedText);
    }

    const { explanation, hypotheses } = await runner.outcome();
    // 7 discovery prompts asked (one excluded), B longer on each.
    expect(explanation.properties).toHaveLength(1);
    expect(explanation.properties[0]).toMatchObject({
      name: 'gives a longer answer',
      countA: 0,
      countB: 7,
      nPrompts: 7,
    });
    expect(explanation.labels.map((l) => l.cluster).sort()).toEqual([0, 1]);
    expect(hypotheses.map((h) => h.text)).toEqual([
      'Compared with A, B more often give longer answers.',
      'Compared with A, B more often use numbered lists.',
    ]);
    const [longer, lists] = hypotheses.map((h) => h.validation as Record<string, unknown>);
    expect(longer).toMatchObject({
      nHeldOut: 8,
      decided: 8,
      forB: 8,
      accuracy: 1,
      confirmed: true,
      mayBeLength: true,
    });
    expect(longer!.pValue).toBeCloseTo(1 / 256, 12);
    // The AUC scores embedding similarity only: a number in [0, 1], computed on held-out answers.
    expect(longer!.auc).toBeGreaterThanOrEqual(0);
    expect(longer!.auc).toBeLessThanOrEqual(1);
    expect(lists).toMatchObject({ decided: 0, orderFlips: 8, confirmed: false, accuracy: null });

    // Everything is in the repository: the log (one entry per request), hypotheses, explanation.
    const log = await repo.supervisorLog(run.id);
    expect(log).toHaveLength(server.requests.length);
    expect(log.every((e) => typeof e.key === 'string' && typeof e.reply === 'string')).toBe(true);
    const stored = await repo.hypotheses(run.id);
    expect(
      stored.map((h) => (h.validation as { confirmed?: boolean } | undefined)?.confirmed),
    ).toEqual([true, false]);
    expect(await repo.explanations(run.id)).toHaveLength(1);
    // The key went to the server only: not into the exported run file.
    const file = serializeRunFile(await repo.open(run.id));
    expect(file).not.toContain(KEY);
    expect(file).toContain('give longer answers');

    // A new runner over the same store has nothing left to send.
    const sent = server.requests.length;
    const again = runnerFor(repo, run);
    expect(await again.nextStage({ excludedPromptIds: [excluded] })).toBeNull();
    expect(server.requests.length).toBe(sent);
    // Without the exclusion, only that prompt's property request is missing.
    const plan = await runnerFor(repo, run).nextStage();
    expect(plan?.stage).toBe('describe');
    expect(plan?.requests.map((r) => r.promptIds)).toEqual([[excluded]]);
  }, 180_000);

  it('refuses an analysis the run does not have', async () => {
    const { repo } = await freshRepo();
    const run = await storedRun(repo);
    expect(
      () =>
        new SupervisorRunner(
          { run, analysisId: 'no-such-analysis', settings: SETTINGS },
          {
            backend: {} as never,
            store: repo,
            embed,
            concurrency: 1,
            maxRequests: null,
            secrets: [],
          },
        ),
    ).toThrow('The run has no analysis "no-such-analysis" to explain.');
  }, 60_000);
});
