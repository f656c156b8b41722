/**
 * The analysis orchestration in Node: a run stored in IndexedDB (the real repository on
 * fake-indexeddb), embedded by the real bundled embedder through the real vector cache, analysed
 * by the real pipeline in-process (in the app it runs in the analysis worker: only that boundary
 * is replaced), and saved with the run.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import { hashTexts, runAnalysis, type AnalysisResult } from '../../src/lib/core/analysis';
import type { Answer, Prompt, Run } from '../../src/lib/core/run/types';
import type { RunRepository } from '../../src/lib/persistence/runs';
import {
  analyseRun,
  type AnalysisRunContext,
  type AnalysisRunnerDeps,
  type LoadedEmbedder,
} from '../../src/lib/state/analysis-runner';
import type { AnalyseRequest } from '../../src/lib/workers/analysis.worker';
import type { ProgressUpdate } from '../../src/lib/workers/rpc';
import { answer, freshRepo, makeRun } from './persistence-fixtures';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const EMBEDDER_ID = 'transformers:bundled-embedder';
const SETTINGS = { k: 2, projection: 'pca', nPermutations: 99, stabilitySeeds: 0 } as const;

const TOPICS = ['rivers', 'volcanoes', 'bread', 'bees', 'tides', 'glaciers', 'comets', 'moss'];

/** Eight prompts, two samples a side: A answers plainly, B opens with a flourish and a list. */
function answeredRun(id: string): Run {
  const run = makeRun(id, { prompts: TOPICS.length, samples: 2, name: 'plain vs listy' });
  const prompts: Prompt[] = run.prompts.map((p, i) => ({
    ...p,
    text: `Tell me about ${TOPICS[i]}.`,
  }));
  const answers: Answer[] = prompts.flatMap((p, i) =>
    [0, 1].flatMap((sample) => [
      answer(p.id, 'A', sample, `${TOPICS[i]} are a natural thing people study in school.`),
      answer(
        p.id,
        'B',
        sample,
        `Certainly! Here is a detailed list about ${TOPICS[i]}:\n1. history\n2. science\n3. fun facts`,
      ),
    ]),
  );
  return { ...run, prompts, answers, embeddings: [], analyses: [] };
}

let embedder: TransformersEmbedder;
beforeAll(() => {
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  embedder = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });
});
afterAll(() => embedder.unload());

let repo: RunRepository;
let saves = 0;
beforeEach(async () => {
  ({ repo } = await freshRepo());
});

/** What the runner reported, and how many texts reached the embedder. */
interface Recorded {
  steps: string[];
  phases: string[];
  embedded: number;
}

/** The app's wiring with the workers' work done in-process; `afterAnalyse` runs on its result. */
function deps(recorded: Recorded, afterAnalyse?: () => void): AnalysisRunnerDeps {
  return {
    repo,
    async loadEmbedder(context): Promise<LoadedEmbedder> {
      await embedder.load();
      return {
        embedderId: embedder.id,
        embed: (batch) => {
          recorded.embedded += batch.length;
          return embedder.embed(batch, { signal: context.signal });
        },
      };
    },
    // What analysis.worker.ts's handler does, without the worker.
    async analyse(request: AnalyseRequest, context): Promise<AnalysisResult> {
      const result = await runAnalysis(request, request.params, {
        signal: context.signal,
        onProgress: (phase, done, total) => context.progress({ phase, done, total }),
      });
      afterAnalyse?.();
      return result;
    },
    newId: () => `analysis-${++saves}`,
    now: () => new Date('2026-03-01T12:00:00.000Z'),
  };
}

function context(recorded: Recorded, controller = new AbortController()): AnalysisRunContext {
  return {
    signal: controller.signal,
    step: (label) => recorded.steps.push(label),
    progress: (update: ProgressUpdate) => recorded.phases.push(update.phase),
  };
}

const fresh = (): Recorded => ({ steps: [], phases: [], embedded: 0 });

describe('analyseRun', () => {
  it('embeds through the cache, analyses and saves the result with the run', async () => {
    const run = answeredRun('r1');
    await repo.create(run);
    const recorded = fresh();
    const outcome = await analyseRun(run, SETTINGS, deps(recorded), context(recorded));

    expect(recorded.steps).toEqual([
      'Loading the embedding model',
      'Embedding answers',
      'Projecting, clustering and testing',
    ]);
    expect(recorded.phases).toContain('cluster');
    // 16 distinct texts (the two samples of a side repeat): each embedded once.
    expect(recorded.embedded).toBe(16);
    expect(outcome.notice).toBeNull();
    expect(outcome.saved.result.rows).toHaveLength(run.answers.length);
    expect(outcome.saved.result.params).toMatchObject({ ...SETTINGS, embedderId: EMBEDDER_ID });
    // B's flourish and list set it apart: one cluster per side.
    const shares = outcome.saved.result.comparison.clusters.map((c) => [c.shareA, c.shareB]);
    expect(shares.sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);

    const stored = await repo.open('r1');
    expect(stored.analyses.map((a) => [a.id, a.createdAt])).toEqual([
      [outcome.saved.id, '2026-03-01T12:00:00.000Z'],
    ]);
    expect(stored.analyses[0]!.params).toMatchObject({ embedderId: EMBEDDER_ID, k: 2 });
    const hashes = await hashTexts(run.answers.map((a) => a.text));
    const cached = await repo.getVectors(EMBEDDER_ID, hashes);
    expect(cached.size).toBe(16);

    // Analysing again finds every vector in the cache and adds a second record.
    const again = fresh();
    await analyseRun(run, { ...SETTINGS, seed: 2 }, deps(again), context(again));
    expect(again.embedded).toBe(0);
    expect((await repo.open('r1')).analyses).toHaveLength(2);
  });

  it("says when the run file's own vectors were of the wrong dimension and replaced", async () => {
    const run = answeredRun('r2');
    // The first sample of A's answers to three prompts: three distinct texts.
    const firstThree = run.answers.filter((a) => a.side === 'A' && a.sample === 0).slice(0, 3);
    const hashes = await hashTexts(firstThree.map((a) => a.text));
    await repo.importRun({
      ...run,
      embeddings: hashes.map((textHash) => ({
        embedderId: EMBEDDER_ID,
        textHash,
        vector: new Float32Array([0.6, 0.8]),
      })),
    });
    const recorded = fresh();
    const outcome = await analyseRun(run, SETTINGS, deps(recorded), context(recorded));
    expect(outcome.notice).toBe(
      `3 embedding vectors that came with this run's file are not of the dimension ` +
        `${EMBEDDER_ID} makes; they were left out and those answers embedded here.`,
    );
    expect(recorded.embedded).toBe(16);
    expect((await repo.open('r2')).analyses).toHaveLength(1);
  });

  it('saves nothing when cancelled while the result was on its way', async () => {
    const run = answeredRun('r3');
    await repo.create(run);
    const recorded = fresh();
    const controller = new AbortController();
    const cancelled = analyseRun(
      run,
      SETTINGS,
      deps(recorded, () => controller.abort()),
      context(recorded, controller),
    );
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect((await repo.open('r3')).analyses).toEqual([]);
    // The vectors embedded before the cancel stay cached for the next attempt.
    const hashes = await hashTexts(run.answers.map((a) => a.text));
    expect((await repo.getVectors(EMBEDDER_ID, hashes)).size).toBe(16);
  });

  it('keeps the run as it was when the pipeline fails', async () => {
    const run = answeredRun('r4');
    await repo.create(run);
    const recorded = fresh();
    // Three answers are too few for an analysis: the pipeline's own error comes through.
    const few = { ...run, answers: run.answers.slice(0, 3) };
    await expect(analyseRun(few, SETTINGS, deps(recorded), context(recorded))).rejects.toThrow(
      'an analysis needs at least 4 answers, got 3',
    );
    expect((await repo.open('r4')).analyses).toEqual([]);
  });
});
