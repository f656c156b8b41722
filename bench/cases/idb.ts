/**
 * IndexedDB cases, on fake-indexeddb in Node. Its absolute times are not a browser's (no disk,
 * no inter-process hop), so these rows track regressions in our own request pattern (requests
 * per answer, per open, per list), not real-world latency.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import type { Answer, Run } from '../../src/lib/core/run/types';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import { openDb, type Db } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import type { BenchCase } from '../harness';

const ANSWERS = 10_000;
const SAMPLES = 5;
const PROMPTS = ANSWERS / (2 * SAMPLES);

/** A deterministic answer text of about 1,500 characters, a typical chat answer. */
function text(i: number): string {
  return (
    `Answer ${i}: ` + 'Here is a careful, structured explanation with a few steps. '.repeat(25)
  );
}

/** `count` answers spread over prompts, both sides and SAMPLES samples. */
function answers(count: number): Answer[] {
  return Array.from({ length: count }, (_, i) => ({
    promptId: `p${Math.floor(i / (2 * SAMPLES))}`,
    side: (i / SAMPLES) % 2 < 1 ? 'A' : 'B',
    sample: i % SAMPLES,
    text: text(i),
    completionTokens: 300,
    finishReason: 'stop',
    latencyMs: 1200,
    createdAt: '2025-01-01T00:00:00.000Z',
  }));
}

/** A run with `prompts` prompts and the given answers. */
function run(id: string, prompts: number, withAnswers: Answer[]): Run {
  const params = { temperature: 0.7, topP: 1, maxTokens: 512, seed: 0 };
  return {
    id,
    name: `bench ${id}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    schemaVersion: RUN_SCHEMA_VERSION,
    models: {
      A: { label: 'a', backend: 'webllm', modelId: 'a', params },
      B: { label: 'b', backend: 'webllm', modelId: 'b', params },
    },
    promptSet: { id: 'bench', name: 'bench', source: 'builtin' },
    samplesPerPrompt: SAMPLES,
    prompts: Array.from({ length: prompts }, (_, i) => ({ id: `p${i}`, text: `Prompt ${i}?` })),
    answers: withAnswers,
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
}

/** Appending answers one by one, as the generation queue does; cost per answer. */
function appendCase(
  bumpIntervalMs: number,
  label: string,
): BenchCase<{ repo: RunRepository; batch: Answer[] }> {
  return {
    step: `idb: append 1 answer (per answer, ${label})`,
    n: ANSWERS,
    repeats: 3,
    perItem: ANSWERS,
    async setup() {
      const db = await openDb({ factory: new IDBFactory(), name: 'bench' });
      const repo = new RunRepository(db, { bumpIntervalMs });
      await repo.create(run('r', PROMPTS, []));
      return { repo, batch: answers(ANSWERS) };
    },
    async run({ repo, batch }) {
      for (const a of batch) await repo.appendAnswer('r', a);
    },
    async teardown({ repo }) {
      const [summary] = await repo.list();
      if (summary!.answerCounts.A + summary!.answerCounts.B !== ANSWERS)
        throw new Error('lost answers');
      repo.db.close();
    },
  };
}

/** The IndexedDB cases. */
export function idbCases(): BenchCase[] {
  const reopen: BenchCase<{ factory: IDBFactory }> = {
    step: 'idb: reopen a 10,000-answer run (openDb + open)',
    n: ANSWERS,
    async setup() {
      const factory = new IDBFactory();
      const db = await openDb({ factory, name: 'bench' });
      await new RunRepository(db).create(run('r', PROMPTS, answers(ANSWERS)));
      db.close();
      return { factory };
    },
    async run({ factory }) {
      const db: Db = await openDb({ factory, name: 'bench' });
      const opened = await new RunRepository(db).open('r');
      if (opened.answers.length !== ANSWERS) throw new Error('wrong answer count');
      db.close();
    },
  };
  const list: BenchCase<{ repo: RunRepository }> = {
    step: 'idb: list 100 runs of 100 answers (with counts)',
    n: 100,
    async setup() {
      const repo = new RunRepository(await openDb({ factory: new IDBFactory(), name: 'bench' }));
      for (let r = 0; r < 100; r++) await repo.create(run(`r${r}`, 10, answers(100)));
      return { repo };
    },
    async run({ repo }) {
      if ((await repo.list()).length !== 100) throw new Error('wrong run count');
    },
  };
  return [
    appendCase(1000, 'meta bump at most 1/s'),
    appendCase(0, 'meta bump every answer'),
    reopen,
    list,
  ] as BenchCase[];
}
