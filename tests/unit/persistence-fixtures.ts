/** Shared fixtures of the persistence tests: a hand-moved clock and realistic runs. */
// fake-indexeddb/auto installs the IDB* globals that idb's wrappers and IDBKeyRange need;
// each test still gets its own fresh factory, so tests never share a database.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import type { Answer, Run, Side } from '../../src/lib/core/run/types';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import { openDb, type Db } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import { fakeAnalysisResult, sha256 } from './analysis-result-fixture';
import { sampleExplanation } from './run-test-helpers';

/** A clock the tests move by hand, so updatedAt order is deterministic. */
export class FakeClock {
  ms = Date.parse('2025-01-01T00:00:00.000Z');
  now = (): Date => new Date(this.ms);
  tick(ms = 1000): void {
    this.ms += ms;
  }
}

/** One answer with a recognisable default text. */
export function answer(
  promptId: string,
  side: Side,
  sample: number,
  text = `${side}${sample} ${promptId}`,
): Answer {
  return {
    promptId,
    side,
    sample,
    text,
    finishReason: 'stop',
    createdAt: '2025-01-01T00:00:00.000Z',
    completionTokens: 3,
  };
}

/**
 * A realistic run: prompt ids deliberately not in sort order, both sides, several samples,
 * vectors for two of its own answers (under their real text hashes) and a readable analysis;
 * with `explained`, also an explanation of that analysis.
 */
export function makeRun(
  id: string,
  opts: { prompts?: number; samples?: number; name?: string; explained?: boolean } = {},
): Run {
  const promptCount = opts.prompts ?? 3;
  const samples = opts.samples ?? 2;
  const prompts = Array.from({ length: promptCount }, (_, i) => ({
    id: `p${(promptCount - i) * 10}`,
    text: `Prompt ${i}: explain something`,
    ...(i % 2 ? { category: 'maths' } : {}),
  }));
  const answers = prompts.flatMap((p) =>
    (['A', 'B'] as const).flatMap((side) =>
      Array.from({ length: samples }, (_, s) => answer(p.id, side, s)),
    ),
  );
  const params = { temperature: 0.7, topP: 1, maxTokens: 256, seed: 1 };
  return {
    id,
    name: opts.name ?? `Run ${id}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    schemaVersion: RUN_SCHEMA_VERSION,
    models: {
      A: { label: 'base', backend: 'imported', modelId: 'base', params },
      B: {
        label: 'tuned',
        backend: 'imported',
        modelId: 'tuned',
        systemPrompt: 'Be brief.',
        params,
      },
    },
    promptSet: { id: 'set', name: 'Set', source: 'pasted' },
    samplesPerPrompt: samples,
    prompts,
    answers,
    // In key order, as the store gives them back.
    embeddings: answers
      .slice(0, 2)
      .map((a, i) => ({
        embedderId: 'emb',
        textHash: sha256(a.text),
        vector: new Float32Array(i === 0 ? [0.6, 0.8] : [1, 0]),
      }))
      .sort((x, y) => (x.textHash < y.textHash ? -1 : 1)),
    analyses: [
      {
        id: 'an1',
        createdAt: '2025-01-01T00:00:00.000Z',
        params: { k: 4 },
        result: fakeAnalysisResult(answers),
      },
    ],
    hypotheses: [{ id: 'h1', text: 'B is shorter', createdAt: '2025-01-01T00:00:00.000Z' }],
    supervisorLog: [
      {
        at: '2025-01-01T00:00:01.000Z',
        provider: 'openai',
        model: 'm',
        purpose: 'labels',
        request: { n: 1 },
      },
      {
        at: '2025-01-01T00:00:00.000Z',
        provider: 'openai',
        model: 'm',
        purpose: 'hypotheses',
        request: { n: 2 },
        key: 'proposals|x1',
        reply: '["B is shorter"]',
        attempts: 1,
        usage: { promptTokens: 50, completionTokens: 9 },
        latencyMs: 20,
      },
    ],
    // Only on request: tests that swap the analyses out would leave it pointing at nothing.
    explanations: opts.explained
      ? [
          sampleExplanation(
            'an1',
            prompts.slice(1).map((p) => p.id),
            prompts.slice(0, 1).map((p) => p.id),
          ),
        ]
      : [],
  };
}

/** A fresh database (own factory), a fake clock and a repository using both. */
export async function freshRepo(): Promise<{ db: Db; clock: FakeClock; repo: RunRepository }> {
  const db = await openDb({ factory: new IDBFactory(), name: 'test' });
  const clock = new FakeClock();
  return { db, clock, repo: new RunRepository(db, { now: clock.now }) };
}

/** How many records of run `runId` a store holds, read straight from the database. */
export function rawCount(
  db: Db,
  store:
    | 'prompts'
    | 'answers'
    | 'analyses'
    | 'hypotheses'
    | 'explanations'
    | 'vectorRefs'
    | 'runVectors',
  runId: string,
): Promise<number> {
  return db.count(store, IDBKeyRange.bound([runId], [runId, []]));
}
