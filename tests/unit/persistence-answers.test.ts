import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/lib/persistence/db';
import { InvalidRecordError, RunNotFoundError } from '../../src/lib/persistence/errors';
import { RunRepository } from '../../src/lib/persistence/runs';
import { fakeAnalysisResult } from './analysis-result-fixture';
import { answer, FakeClock, freshRepo, makeRun, rawCount as countIn } from './persistence-fixtures';

let db: Db;
let clock: FakeClock;
let repo: RunRepository;

beforeEach(async () => {
  ({ db, clock, repo } = await freshRepo());
});

/** How many records of run `runId` a store holds. */
const rawCount = (store: Parameters<typeof countIn>[1], runId: string) => countIn(db, store, runId);

describe('RunRepository answers', () => {
  it('appends one answer as one record and overwrites a re-appended job', async () => {
    await repo.create(makeRun('r1', { prompts: 2, samples: 0 }));
    await repo.appendAnswer('r1', answer('p10', 'A', 0, 'first try'));
    await repo.appendAnswer('r1', answer('p10', 'B', 0));
    // The same (prompt, side, sample) job finishing again after a resume.
    await repo.appendAnswer('r1', answer('p10', 'A', 0, 'second try'));
    expect(await rawCount('answers', 'r1')).toBe(2);
    const answers = await repo.answers('r1');
    expect(answers.map((a) => [a.promptId, a.side, a.text])).toEqual([
      ['p10', 'A', 'second try'],
      ['p10', 'B', 'B0 p10'],
    ]);
  });

  it('returns answers in prompt order, then side, then sample', async () => {
    const run = makeRun('r1', { prompts: 3, samples: 2 });
    run.answers.reverse();
    await repo.create(run);
    const keys = (await repo.answers('r1')).map((a) => `${a.promptId}${a.side}${a.sample}`);
    expect(keys.slice(0, 5)).toEqual(['p30A0', 'p30A1', 'p30B0', 'p30B1', 'p20A0']);
  });

  it('refuses answers for a missing run without leaving orphans', async () => {
    await repo.create(makeRun('r1'));
    await repo.appendAnswer('r1', answer('p10', 'A', 5)); // primes the throttle
    await repo.delete('r1');
    await expect(repo.appendAnswer('r1', answer('p10', 'A', 6))).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
    await expect(repo.appendAnswer('r9', answer('p10', 'A', 0))).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
    await expect(repo.appendAnswers('r9', [answer('p10', 'A', 0)])).rejects.toBeInstanceOf(
      RunNotFoundError,
    );
    expect(await db.count('answers')).toBe(0);
    await expect(repo.answers('r9')).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('rejects a malformed answer before touching the store', async () => {
    await repo.create(makeRun('r1', { samples: 0 }));
    const bad = { ...answer('p10', 'A', 0), sample: -1 };
    await expect(repo.appendAnswer('r1', bad)).rejects.toThrow(
      /"sample" should be an integer >= 0/,
    );
    expect(await rawCount('answers', 'r1')).toBe(0);
  });

  it('bumps updatedAt at most once per interval on single appends', async () => {
    await repo.create(makeRun('r1', { samples: 0 }));
    const t0 = clock.now().toISOString();
    await repo.appendAnswer('r1', answer('p10', 'A', 0));
    expect((await repo.get('r1'))?.updatedAt).toBe(t0);
    clock.tick(400);
    await repo.appendAnswer('r1', answer('p10', 'A', 1));
    expect((await repo.get('r1'))?.updatedAt).toBe(t0);
    clock.tick(700);
    await repo.appendAnswer('r1', answer('p10', 'A', 2));
    expect((await repo.get('r1'))?.updatedAt).toBe(clock.now().toISOString());
    clock.tick(10);
    await repo.touch('r1');
    expect((await repo.get('r1'))?.updatedAt).toBe(clock.now().toISOString());
  });

  it('bumps on every append with bumpIntervalMs 0, never moving updatedAt backwards', async () => {
    const eager = new RunRepository(db, { now: clock.now, bumpIntervalMs: 0 });
    await eager.create({ ...makeRun('r1', { samples: 0 }), updatedAt: '2030-01-01T00:00:00.000Z' });
    await eager.appendAnswer('r1', answer('p10', 'A', 0));
    expect((await eager.get('r1'))?.updatedAt).toBe('2030-01-01T00:00:00.000Z');
    clock.ms = Date.parse('2031-01-01T00:00:00.000Z');
    await eager.appendAnswer('r1', answer('p10', 'A', 1));
    clock.tick(1);
    await eager.appendAnswer('r1', answer('p10', 'A', 2));
    expect((await eager.get('r1'))?.updatedAt).toBe('2031-01-01T00:00:00.001Z');
  });

  it('appends a batch in one go, idempotently', async () => {
    await repo.create(makeRun('r1', { prompts: 2, samples: 0 }));
    const batch = [answer('p10', 'A', 0), answer('p10', 'B', 0), answer('p20', 'A', 0)];
    await repo.appendAnswers('r1', batch);
    await repo.appendAnswers('r1', batch);
    const [summary] = await repo.list();
    expect(summary?.answerCounts).toEqual({ A: 2, B: 1 });
  });
});

describe('RunRepository analyses, hypotheses, log', () => {
  it('replaces an analysis by id and keeps others', async () => {
    const run = makeRun('r1');
    await repo.create(run);
    const result = fakeAnalysisResult(run.answers);
    await repo.putAnalysis('r1', { id: 'an1', createdAt: 'x', params: { k: 5 }, result });
    await repo.putAnalysis('r1', { id: 'an2', createdAt: 'y', params: {}, result });
    const analyses = await repo.analyses('r1');
    expect(analyses.map((a) => [a.id, a.params])).toEqual([
      ['an1', { k: 5 }],
      ['an2', {}],
    ]);
    await expect(repo.putAnalysis('r9', analyses[0]!)).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('reports an unstorable value (a function) as InvalidRecordError and stores nothing', async () => {
    await repo.create(makeRun('r1'));
    const bad = { id: 'an9', createdAt: 'x', params: {}, result: { fn: () => 1 } };
    await expect(repo.putAnalysis('r1', bad)).rejects.toThrow(
      /cannot store \(such as a function\)/,
    );
    expect((await repo.analyses('r1')).map((a) => a.id)).toEqual(['an1']);
  });

  it('stores hypotheses by id and appends the supervisor log in order', async () => {
    await repo.create(makeRun('r1'));
    await repo.putHypothesis('r1', {
      id: 'h1',
      text: 'B is shorter',
      createdAt: 'x',
      validation: { acc: 0.8 },
    });
    await repo.appendSupervisorLog('r1', {
      at: 'z',
      provider: 'anthropic',
      model: 'c',
      purpose: 'validate',
      request: [],
    });
    const run = await repo.open('r1');
    expect(run.hypotheses).toEqual([
      { id: 'h1', text: 'B is shorter', createdAt: 'x', validation: { acc: 0.8 } },
    ]);
    expect(run.supervisorLog.map((l) => l.purpose)).toEqual(['labels', 'hypotheses', 'validate']);
  });
});

describe('RunRepository vector cache', () => {
  it('returns hits and omits misses', async () => {
    await repo.putVectors([
      { embedderId: 'e', textHash: 'a', vector: new Float32Array([1, 2]) },
      { embedderId: 'f', textHash: 'a', vector: new Float32Array([3]) },
    ]);
    const hits = await repo.getVectors('e', ['a', 'b']);
    expect([...hits.keys()]).toEqual(['a']);
    expect(Array.from(hits.get('a')!)).toEqual([1, 2]);
  });

  it('links vectors to a run, exports them with it, and prunes unlinked ones', async () => {
    await repo.create(makeRun('r1'));
    await repo.putVectors([{ embedderId: 'e2', textHash: 'z', vector: new Float32Array([5]) }], {
      runId: 'r1',
    });
    await repo.putVectors([
      { embedderId: 'e2', textHash: 'orphan', vector: new Float32Array([6]) },
    ]);
    expect((await repo.open('r1')).embeddings.map((e) => e.textHash)).toContain('z');
    expect(await repo.pruneVectors()).toBe(1);
    expect((await repo.getVectors('e2', ['z', 'orphan'])).size).toBe(1);
    await expect(
      repo.putVectors([{ embedderId: 'e2', textHash: 'y', vector: new Float32Array([1]) }], {
        runId: 'r9',
      }),
    ).rejects.toBeInstanceOf(RunNotFoundError);
    expect((await repo.getVectors('e2', ['y'])).size).toBe(0);
  });

  it('rejects a vector that is not a Float32Array', async () => {
    const bad = { embedderId: 'e', textHash: 'a', vector: [1, 2] as unknown as Float32Array };
    await expect(repo.putVectors([bad])).rejects.toThrow(/"vector" should be a Float32Array/);
  });
});

describe('damaged records', () => {
  it('reports a meta missing fields clearly, keeps the library usable and allows deletion', async () => {
    await repo.create(makeRun('good'));
    const { models: _m, ...broken } = makeRun('bad');
    await db.put('runs', broken as never);
    const error = await repo.open('bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as Error).message).toMatch(/runs record "bad" is damaged: "models" is missing/);
    expect((await repo.list()).map((r) => r.id)).toEqual(['good']);
    expect(await repo.damagedRuns()).toEqual([{ id: 'bad', problem: '"models" is missing' }]);
    expect(await repo.delete('bad')).toBe(true);
    expect(await repo.damagedRuns()).toEqual([]);
  });

  it('names the store and key of a damaged answer', async () => {
    await repo.create(makeRun('r1'));
    await db.put('answers', {
      runId: 'r1',
      promptId: 'p10',
      side: 'A',
      sample: 7,
      finishReason: 'stop',
      createdAt: 'x',
    } as never);
    await expect(repo.open('r1')).rejects.toThrow(
      /answers record \["r1","p10","A",7\] is damaged: "text" is missing/,
    );
    await expect(repo.answers('r1')).rejects.toBeInstanceOf(InvalidRecordError);
  });
});
