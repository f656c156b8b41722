import { beforeEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/lib/core/run/types';
import type { Db } from '../../src/lib/persistence/db';
import {
  InvalidRecordError,
  RunExistsError,
  RunNotFoundError,
} from '../../src/lib/persistence/errors';
import { RunRepository } from '../../src/lib/persistence/runs';
import { answer, FakeClock, freshRepo, makeRun, rawCount as countIn } from './persistence-fixtures';

let db: Db;
let clock: FakeClock;
let repo: RunRepository;

beforeEach(async () => {
  ({ db, clock, repo } = await freshRepo());
});

/** How many records of run `runId` a store holds. */
const rawCount = (store: Parameters<typeof countIn>[1], runId: string) => countIn(db, store, runId);

describe('RunRepository create/open', () => {
  it('round-trips every part of a run, keeping prompt order and log order', async () => {
    const run = makeRun('r1', { explained: true });
    expect(run.explanations).toHaveLength(1);
    await repo.create(run);
    const back = await repo.open('r1');
    expect(back).toEqual(run);
    expect(back.prompts.map((p) => p.id)).toEqual(['p30', 'p20', 'p10']);
    expect(back.embeddings[0]!.vector).toBeInstanceOf(Float32Array);
    // Storage-only fields never leak into the run.
    expect(back.answers[0]).not.toHaveProperty('runId');
    expect(back.prompts[0]).not.toHaveProperty('order');
    expect(back).not.toHaveProperty('promptCount');
  });

  it('stores parts in their own stores, not inside the meta record', async () => {
    await repo.create(makeRun('r1'));
    const meta = await db.get('runs', 'r1');
    expect(Object.keys(meta!)).not.toContain('answers');
    expect(await rawCount('answers', 'r1')).toBe(12);
    expect(await rawCount('prompts', 'r1')).toBe(3);
  });

  it('refuses an id that is already saved and leaves the saved run alone', async () => {
    await repo.create(makeRun('r1', { name: 'first' }));
    await expect(repo.create(makeRun('r1', { name: 'second', prompts: 1 }))).rejects.toBeInstanceOf(
      RunExistsError,
    );
    const back = await repo.open('r1');
    expect(back.name).toBe('first');
    expect(back.prompts).toHaveLength(3);
  });

  it('rejects malformed parts with a message naming the part, writing nothing', async () => {
    const bad = makeRun('r1');
    delete (bad.answers[5] as Partial<Answer>).text;
    await expect(repo.create(bad)).rejects.toThrow(/answer 5 of run "r1": "text" is missing/);
    const dup = makeRun('r2');
    dup.prompts.push({ ...dup.prompts[0]! });
    await expect(repo.create(dup)).rejects.toThrow(/prompt id "p30" is used twice/);
    const badSide = makeRun('r3');
    (badSide.answers[0] as { side: string }).side = 'C';
    await expect(repo.create(badSide)).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await repo.list()).toEqual([]);
  });

  it('rejects two answers for one prompt, side and sample (the store would keep only one)', async () => {
    const dup = makeRun('r1');
    const first = dup.answers[0]!;
    dup.answers.push({ ...first, text: 'a different answer' });
    await expect(repo.create(dup)).rejects.toThrow(
      `run "r1": two answers for prompt "${first.promptId}", side ${first.side}, sample ${first.sample}`,
    );
    expect(await repo.list()).toEqual([]);
  });

  it('writes a big run in turns within one transaction: all of it, or none of it', async () => {
    // 300 prompts x 2 sides x 2 samples = 1,200 answers: six turns of 200 requests.
    const big = makeRun('big', { prompts: 300 });
    await repo.create(big);
    expect(await repo.open('big')).toEqual(big);
    expect(await rawCount('answers', 'big')).toBe(1200);
    // A value that cannot be cloned, found in the fifth turn, aborts every turn before it.
    const broken = makeRun('broken', { prompts: 300 });
    (broken.answers[900] as unknown as { extra: () => void }).extra = () => undefined;
    await expect(repo.create(broken)).rejects.toThrow(/a value the browser cannot store/);
    expect(await rawCount('answers', 'broken')).toBe(0);
    expect((await repo.list()).map((r) => r.id)).toEqual(['big']);
  });

  it('throws RunNotFoundError for an unknown id', async () => {
    const error = await repo.open('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunNotFoundError);
    expect((error as RunNotFoundError).runId).toBe('nope');
    expect(await repo.get('nope')).toBeUndefined();
  });

  it('get returns the meta only', async () => {
    await repo.create(makeRun('r1'));
    const meta = await repo.get('r1');
    expect(meta?.name).toBe('Run r1');
    expect(meta).not.toHaveProperty('answers');
  });
});

describe('RunRepository list', () => {
  it('lists newest first with prompt and per-side answer counts', async () => {
    await repo.create({ ...makeRun('old'), updatedAt: '2025-01-01T00:00:00.000Z' });
    await repo.create({
      ...makeRun('new', { prompts: 5, samples: 1 }),
      updatedAt: '2025-03-01T00:00:00.000Z',
    });
    await repo.create({ ...makeRun('mid', { prompts: 0 }), updatedAt: '2025-02-01T00:00:00.000Z' });
    await repo.appendAnswer('mid', answer('x', 'B', 0));
    clock.ms = Date.parse('2025-02-15T00:00:00.000Z');
    const list = await repo.list();
    expect(list.map((r) => r.id)).toEqual(['new', 'mid', 'old']);
    expect(list[0]).toMatchObject({ promptCount: 5, answerCounts: { A: 5, B: 5 } });
    expect(list[1]).toMatchObject({ promptCount: 0, answerCounts: { A: 0, B: 1 } });
    expect(list[2]).toMatchObject({ promptCount: 3, answerCounts: { A: 6, B: 6 } });
    expect(list[0]).not.toHaveProperty('answers');
  });

  it('moves a run to the top when it is written to', async () => {
    await repo.create({ ...makeRun('a'), updatedAt: '2025-01-01T00:00:00.000Z' });
    await repo.create({ ...makeRun('b'), updatedAt: '2025-01-02T00:00:00.000Z' });
    clock.ms = Date.parse('2025-01-03T00:00:00.000Z');
    await repo.appendAnswer('a', answer('p10', 'A', 9));
    expect((await repo.list()).map((r) => r.id)).toEqual(['a', 'b']);
    expect((await repo.get('a'))?.updatedAt).toBe('2025-01-03T00:00:00.000Z');
  });
});

describe('RunRepository rename/delete', () => {
  it('renames, trimming, and bumps updatedAt', async () => {
    await repo.create(makeRun('r1'));
    clock.tick(5000);
    const meta = await repo.rename('r1', '  My run  ');
    expect(meta.name).toBe('My run');
    expect(meta.updatedAt).toBe(clock.now().toISOString());
    expect((await repo.open('r1')).name).toBe('My run');
    await expect(repo.rename('r1', '   ')).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(repo.rename('zz', 'x')).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('deletes every part of one run and nothing of another', async () => {
    await repo.create(makeRun('r1', { explained: true }));
    await repo.create(makeRun('r2', { explained: true }));
    expect(await rawCount('explanations', 'r1')).toBe(1);
    expect(await repo.delete('r1')).toBe(true);
    const stores = ['prompts', 'answers', 'analyses', 'hypotheses', 'explanations'] as const;
    for (const store of [...stores, 'vectorRefs'] as const) {
      expect(await rawCount(store, 'r1'), store).toBe(0);
    }
    expect(await db.countFromIndex('supervisorLog', 'runId', 'r1')).toBe(0);
    expect(await repo.get('r1')).toBeUndefined();
    expect(await repo.open('r2')).toEqual(makeRun('r2', { explained: true }));
    expect(await repo.delete('r1')).toBe(false);
  });

  it('frees cached vectors only when no other run uses them, and a run’s own ones with it', async () => {
    await repo.create(makeRun('r1'));
    await repo.create(makeRun('r2'));
    const vector = (textHash: string) => ({
      embedderId: 'e',
      textHash,
      vector: new Float32Array([1]),
    });
    await repo.putVectors([vector('x1'), vector('shared')], { runId: 'r1' });
    await repo.putVectors([vector('x2'), vector('shared')], { runId: 'r2' });
    await repo.delete('r1');
    const left = await repo.getVectors('e', ['x1', 'x2', 'shared']);
    expect([...left.keys()].sort()).toEqual(['shared', 'x2']);
    expect(await rawCount('runVectors', 'r1')).toBe(0);
    expect(await rawCount('runVectors', 'r2')).toBe(2);
    await repo.delete('r2');
    expect(await db.count('vectors')).toBe(0);
    expect(await db.count('runVectors')).toBe(0);
  });
});

describe('RunRepository import', () => {
  it('imports under the file id when it is free, stamping updatedAt now', async () => {
    const meta = await repo.importRun(makeRun('r1'));
    expect(meta.id).toBe('r1');
    expect(meta.updatedAt).toBe(clock.now().toISOString());
    expect(meta.createdAt).toBe('2025-01-01T00:00:00.000Z');
    const { updatedAt: _u, ...rest } = await repo.open('r1');
    const { updatedAt: _v, ...expected } = makeRun('r1');
    expect(rest).toEqual(expected);
  });

  it('imports a colliding id as a copy instead of overwriting', async () => {
    const repo2 = new RunRepository(db, { now: clock.now, newId: () => 'copy-1' });
    await repo2.create(makeRun('r1', { name: 'Mine', prompts: 1 }));
    const meta = await repo2.importRun(makeRun('r1', { name: 'Theirs' }));
    expect(meta).toMatchObject({ id: 'copy-1', name: 'Theirs (copy)' });
    expect((await repo2.open('r1')).prompts).toHaveLength(1);
    const copy = await repo2.open('copy-1');
    expect(copy.prompts).toHaveLength(3);
    expect(copy.answers).toEqual(makeRun('r1').answers);
    expect(copy.embeddings.map((e) => e.textHash)).toEqual(
      makeRun('r1').embeddings.map((e) => e.textHash),
    );
    // Deleting the original must not take the copy's vectors with it.
    await repo2.delete('r1');
    expect((await repo2.open('copy-1')).embeddings).toHaveLength(2);
  });

  it('honours an explicit new id, refusing a taken one', async () => {
    await repo.create(makeRun('r1'));
    await expect(repo.importRun(makeRun('x'), { newId: 'r1' })).rejects.toBeInstanceOf(
      RunExistsError,
    );
    expect((await repo.importRun(makeRun('r1'), { newId: 'r2' })).id).toBe('r2');
    const fresh = await repo.importRun(makeRun('r3'), { newId: true });
    expect(fresh.id).not.toBe('r3');
    expect(fresh.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.name).toBe('Run r3');
  });
});
