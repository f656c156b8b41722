/**
 * The generation queue against a real RunRepository on an in-memory IndexedDB, with a scripted
 * ChatBackend (see generation-queue-fixtures.ts), plus one run on the real transformers.js
 * backend with the bundled tiny models.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import {
  AuthError,
  ModelLoadError,
  NetworkError,
  RateLimitError,
} from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type { ChatMessage, LoadProgress } from '../../src/lib/backends/llm/types';
import { jobKey, missingJobs, planJobs } from '../../src/lib/core/generate/jobs';
import type { ModelSpec, Side } from '../../src/lib/core/run/types';
import { StorageQuotaError } from '../../src/lib/persistence/errors';
import {
  GenerationQueue,
  type QueueDeps,
  type QueueEvent,
  type QueueSnapshot,
} from '../../src/lib/state/generation-queue';
import { RemoteError } from '../../src/lib/workers/rpc';
import {
  expectComplete,
  expectedText,
  freshRun,
  makeQueue,
  NOW,
  prompts,
  RUN,
  ScriptedBackend,
  storedRows,
  tick,
  until,
  watched,
  type Behaviour,
  type Call,
} from './generation-queue-fixtures';

describe('GenerationQueue', () => {
  it('runs every job in plan order, storing each answer before the next starts', async () => {
    const P = prompts(3);
    const { db, repo } = await freshRun(P, 2);
    const log: string[] = [];
    const backends = {
      A: new ScriptedBackend('A', undefined, log),
      B: new ScriptedBackend('B', undefined, log),
    };
    const queue = makeQueue(watched(repo, log), backends, P, 2);
    const final = await queue.start();

    expect(final).toMatchObject({ state: 'done', done: 12, total: 12, failed: 0, current: null });
    expect(final.bySide).toEqual({
      A: { done: 6, total: 6, failed: 0 },
      B: { done: 6, total: 6, failed: 0 },
    });
    const plan = planJobs(P, 2).map(jobKey);
    const work = log.filter((l) => !l.startsWith('load'));
    expect(work).toEqual(plan.flatMap((k) => [`generate ${k}`, `stored ${k}`]));
    expect([backends.A.loads, backends.B.loads]).toEqual([1, 1]);
    expect(log.indexOf('load A')).toBeLessThan(log.indexOf(`generate ${plan[0]}`));
    await expectComplete(db, P, 2);

    // Messages: B's system prompt first; options from the spec, seed + sample.
    const b1 = backends.B.calls.find(
      (c) => c.key === jobKey({ promptId: 'q1', side: 'B', sample: 1 }),
    )!;
    expect(b1.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Prompt q1 please.' },
    ]);
    expect(b1.options).toMatchObject({ temperature: 0.7, topP: 0.9, maxTokens: 64, seed: 101 });
    expect(backends.A.calls[0]!.messages).toEqual([{ role: 'user', content: 'Prompt q0 please.' }]);
    const row = (await storedRows(db)).find((r) => jobKey(r) === b1.key)!;
    expect(row).toMatchObject({
      promptTokens: 5,
      completionTokens: expectedText('B', 'Prompt q1 please.', 101).split(' ').length,
      finishReason: 'stop',
      latencyMs: expect.any(Number),
    });
    expect(Date.parse(row.createdAt)).toBeGreaterThan(NOW);
    // The run's updatedAt marks the end of generation.
    expect((await repo.get(RUN))!.updatedAt > '2025-01-01T00:00:00.000Z').toBe(true);
  });

  it('publishes state, load progress, streamed text, tokens/s and ETA', async () => {
    const P = prompts(2);
    const { repo } = await freshRun(P, 1);
    const backends = { A: new ScriptedBackend('A'), B: new ScriptedBackend('B') };
    const queue = makeQueue(repo, backends, P, 1);
    const seen: [QueueSnapshot, QueueEvent][] = [];
    const stop = queue.subscribe((s, e) => seen.push([s, e]));
    await queue.start();
    stop();

    const states = seen.filter(([, e]) => e.type === 'state').map(([s]) => s.state);
    expect(states).toEqual(['running', 'loading', 'running', 'loading', 'running', 'done']);
    const loads = seen.filter(([s]) => s.loading?.progress).map(([s]) => s.loading);
    expect(loads).toContainEqual({
      side: 'A',
      label: 'base',
      progress: expect.objectContaining({ fraction: 0.5 }),
    });
    const streaming = seen.filter(([, e]) => e.type === 'token').map(([s]) => s.current!);
    expect(streaming[0]).toMatchObject({
      promptId: 'q0',
      side: 'A',
      sample: 0,
      attempt: 1,
      tokens: 1,
      text: 'A',
    });
    expect(streaming[2]!.text).toBe('A answers "Prompt');
    const firstAnswer = seen.find(([, e]) => e.type === 'answer')![0];
    expect(firstAnswer).toMatchObject({ done: 1, total: 4, current: null });
    expect(firstAnswer.tokensPerSecond).toBeGreaterThan(0);
    expect(firstAnswer.etaSeconds).toBeGreaterThan(0);
    expect(seen.at(-1)![0]).toMatchObject({ state: 'done', etaSeconds: 0 });
    expect(states.length).toBe(6);
    expect(queue.snapshot.state).toBe('done');
  });

  it('resumes after the tab dies at any point: every job stored exactly once, none lost', async () => {
    const P = prompts(3);
    const total = 12;
    const ways = ['while generating', 'before its write lands', 'after its write lands'] as const;
    for (const way of ways) {
      for (let k = 0; k < total; k++) {
        const { db, repo } = await freshRun(P, 2);
        // First tab: dies at job k (in the stream, or inside the answer's write).
        const log: string[] = [];
        const freezeAt = planJobs(P, 2)[k]!;
        const dying =
          way === 'while generating'
            ? (c: Call) =>
                c.key === jobKey(freezeAt)
                  ? ({ kind: 'freeze', afterTokens: 2 } as const)
                  : ({ kind: 'answer' } as const)
            : undefined;
        const first = watched(
          repo,
          log,
          way === 'while generating'
            ? undefined
            : { atWrite: k, committed: way === 'after its write lands' },
        );
        const old = makeQueue(
          first,
          { A: new ScriptedBackend('A', dying, log), B: new ScriptedBackend('B', dying, log) },
          P,
          2,
        );
        void old.start();
        await until(() => log.includes(`generate ${jobKey(freezeAt)}`));
        await tick(5);
        expect(old.snapshot.state).toBe('running'); // frozen mid-job, never to finish

        // Second tab: a new queue over the same database.
        const fresh = { A: new ScriptedBackend('A'), B: new ScriptedBackend('B') };
        const second = watched(repo, []);
        const final = await makeQueue(second, fresh, P, 2).start();
        expect(final).toMatchObject({ state: 'done', done: total, failed: 0 });
        await expectComplete(db, P, 2);
        // The first tab had stored every answer before job k the moment it finished.
        expect(first.writes).toEqual(planJobs(P, 2).slice(0, k).map(jobKey));
        // Nothing stored by the first tab ran again; what it lost ran exactly once more.
        const before = new Set(first.writes);
        if (way === 'after its write lands') before.add(jobKey(freezeAt));
        expect(second.writes.filter((key) => before.has(key))).toEqual([]);
        expect(second.writes.length + before.size).toBe(total);
        expect(new Set(second.writes).size).toBe(second.writes.length);
        db.close();
      }
    }
  });

  it('pause aborts the job in flight without storing it; resume reruns it', async () => {
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 2);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const target = jobKey({ promptId: 'q1', side: 'A', sample: 0 });
    const behave = (c: Call): Behaviour =>
      c.key === target && c.before === 0
        ? { kind: 'wait', gate, afterTokens: 2 }
        : { kind: 'answer' };
    const backends = { A: new ScriptedBackend('A', behave), B: new ScriptedBackend('B', behave) };
    const queue = makeQueue(repo, backends, P, 2);
    const running = queue.start();
    await until(() => queue.snapshot.current?.text === 'A answers');
    queue.pause();
    expect(queue.snapshot.state).toBe('paused');
    const paused = await running;
    open();
    expect(paused).toMatchObject({ state: 'paused', done: 4, current: null });
    const inFlight = backends.A.calls.find((c) => c.key === target)!;
    expect(inFlight.options.signal?.aborted).toBe(true);
    expect((await storedRows(db)).map(jobKey)).not.toContain(target);

    const resumed = await queue.resume();
    expect(resumed).toMatchObject({ state: 'done', done: 8 });
    expect(backends.A.calls.filter((c) => c.key === target)).toHaveLength(2);
    expect(backends.A.calls).toHaveLength(5);
    await expectComplete(db, P, 2);
  });

  it('resume right after pause waits for the aborted job, then carries on', async () => {
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 1);
    const stuck = (c: Call): Behaviour =>
      c.before === 0 && c.key.startsWith('q1')
        ? { kind: 'wait', gate: new Promise(() => {}), afterTokens: 1 }
        : { kind: 'answer' };
    const backends = { A: new ScriptedBackend('A', stuck), B: new ScriptedBackend('B') };
    const queue = makeQueue(repo, backends, P, 1);
    const first = queue.start();
    await until(() => queue.snapshot.current?.promptId === 'q1');
    queue.pause();
    const second = queue.resume();
    expect((await first).state).toBe('paused');
    expect(await second).toMatchObject({ state: 'done', done: 4 });
    await expectComplete(db, P, 1);
  });

  it('pause while a model loads stops waiting for it; resume goes on', async () => {
    const P = prompts(1);
    const { db, repo } = await freshRun(P, 1);
    const backends = { A: new ScriptedBackend('A'), B: new ScriptedBackend('B') };
    let loaded!: () => void;
    backends.A.loadGate = new Promise((resolve) => (loaded = resolve));
    const queue = makeQueue(repo, backends, P, 1);
    const running = queue.start();
    await until(() => queue.snapshot.loading?.progress?.fraction === 0.5);
    expect(queue.snapshot).toMatchObject({
      state: 'loading',
      loading: { side: 'A', label: 'base' },
    });
    queue.pause();
    expect(await running).toMatchObject({ state: 'paused', loading: null, done: 0 });
    loaded();
    expect(await queue.resume()).toMatchObject({ state: 'done', done: 2 });
    await expectComplete(db, P, 1);
  });

  it('cancel keeps what is stored, and a later start finishes the rest', async () => {
    const P = prompts(3);
    const { db, repo } = await freshRun(P, 1);
    const third = jobKey({ promptId: 'q1', side: 'A', sample: 0 });
    const gate = new Promise<void>(() => {});
    const behave = (c: Call): Behaviour =>
      c.key === third && c.before === 0
        ? { kind: 'wait', gate, afterTokens: 1 }
        : { kind: 'answer' };
    const backends = { A: new ScriptedBackend('A', behave), B: new ScriptedBackend('B') };
    // One attempt only: an aborted last attempt must still not count as a failure.
    const queue = makeQueue(repo, backends, P, 1, { retry: { attempts: 1, baseDelayMs: 0 } });
    const running = queue.start();
    await until(() => queue.snapshot.current?.tokens === 1 && queue.snapshot.done === 2);
    queue.cancel();
    expect(queue.snapshot.state).toBe('cancelled');
    expect(await running).toMatchObject({ state: 'cancelled', done: 2, failed: 0 });
    expect(await storedRows(db)).toHaveLength(2);
    expect((await queue.start()).state).toBe('done');
    await expectComplete(db, P, 1);
  });

  it('marks a job failed after its attempts, stores an error answer, goes on, and retries it later', async () => {
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 1);
    const broken = jobKey({ promptId: 'q0', side: 'B', sample: 0 });
    let healed = false;
    const behave = (c: Call): Behaviour =>
      c.key === broken && !healed
        ? {
            kind: 'throw',
            error: new NetworkError('http://x', 'connection reset', 'B ans'),
            afterTokens: 2,
          }
        : { kind: 'answer' };
    const backends = { A: new ScriptedBackend('A'), B: new ScriptedBackend('B', behave) };
    const delays: number[] = [];
    const queue = makeQueue(repo, backends, P, 1, {
      sleep: async (ms) => void delays.push(ms),
    });
    const events: QueueEvent[] = [];
    queue.subscribe((_, e) => events.push(e));
    const final = await queue.start();

    expect(backends.B.calls.filter((c) => c.key === broken)).toHaveLength(2);
    expect(delays).toEqual([50]);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({
      delayMs: 50,
      job: { attempt: 1 },
    });
    expect(final).toMatchObject({ state: 'done', done: 3, failed: 1 });
    expect(final.bySide.B).toEqual({ done: 1, total: 2, failed: 1 });
    expect(final.failures).toEqual([
      {
        promptId: 'q0',
        side: 'B',
        sample: 0,
        attempts: 2,
        name: 'NetworkError',
        message: expect.stringContaining('connection reset'),
        at: expect.any(String),
      },
    ]);
    expect(events.filter((e) => e.type === 'failure')).toHaveLength(1);
    const rows = await storedRows(db);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => jobKey(r) === broken)).toMatchObject({
      text: '',
      finishReason: 'error',
    });
    expect(missingJobs(planJobs(P, 1), rows).map(jobKey)).toEqual([broken]);

    healed = true;
    const retried = await queue.retryFailed();
    expect(retried).toMatchObject({ state: 'done', done: 4, failed: 0, failures: [] });
    await expectComplete(db, P, 1);
  });

  it('retryFailed() during a pass puts failed jobs back at its end', async () => {
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 1);
    const flaky = (c: Call): Behaviour =>
      c.before === 0 && c.key.startsWith('q0')
        ? { kind: 'throw', error: new Error('socket hang up') }
        : { kind: 'answer' };
    const backends = { A: new ScriptedBackend('A', flaky), B: new ScriptedBackend('B') };
    const queue = makeQueue(repo, backends, P, 1, { retry: { attempts: 1, baseDelayMs: 0 } });
    const order: string[] = [];
    queue.subscribe((_, e) => {
      if (e.type === 'failure') void queue.retryFailed();
      if (e.type === 'answer') order.push(jobKey(e.answer));
    });
    const final = await queue.start();
    expect(final).toMatchObject({ state: 'done', done: 4, failed: 0 });
    expect(order.at(-1)).toBe(jobKey({ promptId: 'q0', side: 'A', sample: 0 }));
    await expectComplete(db, P, 1);
  });

  it('a later queue retries a stored failure; incomplete streams count as failures', async () => {
    const P = prompts(1);
    const { db, repo } = await freshRun(P, 1);
    const bad = new ScriptedBackend('A', () => ({ kind: 'no-final-chunk' }));
    const first = await makeQueue(repo, { A: bad, B: new ScriptedBackend('B') }, P, 1).start();
    expect(first.failures.map((f) => f.name)).toEqual(['IncompleteAnswerError']);
    expect(first.failures[0]!.message).toContain('without its final chunk');
    const second = await makeQueue(
      repo,
      { A: new ScriptedBackend('A'), B: new ScriptedBackend('B') },
      P,
      1,
    ).start();
    expect(second).toMatchObject({ state: 'done', done: 2, failed: 0 });
    await expectComplete(db, P, 1);
  });

  it("waits as long as a 429's retryAfterMs says, from our error or a worker's", async () => {
    const P = prompts(1);
    const { db, repo } = await freshRun(P, 1);
    const fromWorker = new RemoteError({
      name: 'RateLimitError',
      message: 'slow down',
      fields: { retryAfterMs: 777 },
    });
    const first =
      (error: unknown) =>
      (c: Call): Behaviour =>
        c.before === 0 ? { kind: 'throw', error } : { kind: 'answer' };
    const backends = {
      A: new ScriptedBackend('A', first(new RateLimitError('OpenAI', 12_345))),
      B: new ScriptedBackend('B', first(fromWorker)),
    };
    const delays: number[] = [];
    const final = await makeQueue(repo, backends, P, 1, {
      sleep: async (ms) => void delays.push(ms),
    }).start();
    expect(delays).toEqual([12_345, 777]);
    expect(final).toMatchObject({ state: 'done', done: 2, failed: 0 });
    await expectComplete(db, P, 1);
  });

  it('a pause during a long Retry-After wait stops at once', async () => {
    const P = prompts(1);
    const { repo } = await freshRun(P, 1);
    const backends = {
      A: new ScriptedBackend('A', () => ({
        kind: 'throw',
        error: new RateLimitError('X', 600_000),
      })),
      B: new ScriptedBackend('B'),
    };
    const queue = makeQueue(repo, backends, P, 1, { sleep: undefined });
    const running = queue.start();
    await until(() => queue.snapshot.current?.retryInMs === 600_000);
    queue.pause();
    expect(await running).toMatchObject({ state: 'paused', done: 0, failed: 0 });
  });

  it('an AuthError stops the queue with its message, keeping what was done', async () => {
    const P = prompts(3);
    const { db, repo } = await freshRun(P, 1);
    let keyFixed = false;
    const auth = (c: Call): Behaviour =>
      c.key.startsWith('q1') && !keyFixed
        ? { kind: 'throw', error: new AuthError('OpenAI', 401) }
        : { kind: 'answer' };
    const backends = { A: new ScriptedBackend('A', auth), B: new ScriptedBackend('B', auth) };
    const queue = makeQueue(repo, backends, P, 1);
    const final = await queue.start();
    expect(final).toMatchObject({ state: 'error', done: 2, failed: 0 });
    expect(final.error).toEqual({
      name: 'AuthError',
      message: expect.stringContaining('Check the API key'),
    });
    expect(backends.A.calls).toHaveLength(2); // no retry, nothing after it
    expect((await storedRows(db)).map((r) => r.promptId)).toEqual(['q0', 'q0']);

    keyFixed = true;
    expect(await queue.start()).toMatchObject({ state: 'done', done: 6, error: null });
    await expectComplete(db, P, 1);
  });

  it('a model that will not load, or a full disk, stops the queue with a message', async () => {
    const P = prompts(1);
    const { repo } = await freshRun(P, 1);
    const A = new ScriptedBackend('A');
    A.loadError = new ModelLoadError('base', 'its files were not found');
    const noLoad = await makeQueue(repo, { A, B: new ScriptedBackend('B') }, P, 1).start();
    expect(noLoad).toMatchObject({ state: 'error', done: 0, error: { name: 'ModelLoadError' } });
    expect(A.calls).toHaveLength(0);

    const full: QueueDeps['repo'] = {
      answers: (id) => repo.answers(id),
      touch: (id) => repo.touch(id),
      appendAnswer: async () => {
        throw new StorageQuotaError();
      },
    };
    const B = new ScriptedBackend('B');
    const diskFull = await makeQueue(full, { A: new ScriptedBackend('A'), B }, P, 1).start();
    expect(diskFull.state).toBe('error');
    expect(diskFull.error!.message).toContain('storage for this site is full');
    expect(B.calls).toHaveLength(0); // stopped at the first write
  });

  it('one model at a time: all of A, then A unloaded before B loads', async () => {
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 2);
    const log: string[] = [];
    const backends = {
      A: new ScriptedBackend('A', undefined, log),
      B: new ScriptedBackend('B', undefined, log),
    };
    const queue = makeQueue(watched(repo, log), backends, P, 2, { order: 'one-model-at-a-time' });
    expect((await queue.start()).state).toBe('done');
    const models = log.filter((l) => /^(load|unload)/.test(l));
    expect(models).toEqual(['load A', 'unload A', 'load B']);
    expect(log.indexOf('unload A')).toBe(
      log.lastIndexOf('stored ' + jobKey({ promptId: 'q1', side: 'A', sample: 1 })) + 1,
    );
    await expectComplete(db, P, 2);

    // Same model for both sides (a system-prompt intervention): never unloaded.
    const other = await freshRun(P, 1);
    const shared = new ScriptedBackend('A');
    const both = makeQueue(other.repo, { A: shared, B: shared }, P, 1, {
      order: 'one-model-at-a-time',
    });
    expect(await both.start()).toMatchObject({ state: 'done', done: 4 });
    expect([shared.loads, shared.unloads]).toEqual([1, 0]);
  });

  it('one model at a time with side-by-side order reloads before every switch', async () => {
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 1);
    const log: string[] = [];
    const A = new ScriptedBackend('A', undefined, log);
    const B = new ScriptedBackend('B', undefined, log);
    const queue = makeQueue(repo, { A, B }, P, 1, { oneModelAtATime: true });
    expect((await queue.start()).state).toBe('done');
    expect(log.filter((l) => !l.startsWith('generate'))).toEqual([
      'load A',
      'unload A',
      'load B',
      'unload B',
      'load A',
      'unload A',
      'load B',
    ]);
    await expectComplete(db, P, 1);
  });

  it('rejects plans that would mix up answers', () => {
    const backends = { A: new ScriptedBackend('A'), B: new ScriptedBackend('B') };
    const repo = {} as QueueDeps['repo'];
    expect(() => makeQueue(repo, backends, prompts(1), 1.5)).toThrow(RangeError);
    const twice = [...prompts(1), ...prompts(1)];
    expect(() => makeQueue(repo, backends, twice, 1)).toThrow(/unique/);
  });

  it('runs the real transformers.js backend on the tiny models', async () => {
    configureTransformers({
      localModelPath: fileURLToPath(new URL('../../public/models/', import.meta.url)),
      allowRemoteModels: false,
    });
    const greedy = { temperature: 0, topP: 1, maxTokens: 24, seed: null };
    const models: Record<Side, ModelSpec> = {
      A: { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base', params: greedy },
      B: {
        label: 'tiny-finetune',
        backend: 'transformers',
        modelId: 'tiny-finetune',
        params: greedy,
      },
    };
    const P = [
      { id: 'p1', text: 'What does the licence say?' },
      { id: 'p2', text: 'Tell me a story.' },
    ];
    const { db, repo } = await freshRun(P, 1, models);
    const real = {
      A: new TransformersChatBackend({ modelId: 'tiny-base' }),
      B: new TransformersChatBackend({ modelId: 'tiny-finetune' }),
    };
    const queue = new GenerationQueue(
      { runId: RUN, prompts: P, models, samplesPerPrompt: 1 },
      { repo, backendFor: (side) => real[side] },
    );
    const progress: LoadProgress[] = [];
    queue.subscribe((s) => s.loading?.progress && progress.push(s.loading.progress));
    try {
      const final = await queue.start();
      expect(final).toMatchObject({ state: 'done', done: 4, total: 4, failed: 0 });
      expect(final.tokensPerSecond).toBeGreaterThan(0);
      expect(progress.some((p) => p.fraction === 1)).toBe(true);
      const rows = await storedRows(db);
      expect(rows).toHaveLength(4);
      for (const row of rows) {
        expect(row.completionTokens).toBeGreaterThan(0);
        expect(['stop', 'length']).toContain(row.finishReason);
        // The queue stores exactly what the bare backend generates.
        const prompt = P.find((p) => p.id === row.promptId)!.text;
        const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
        const bare = await generateText(real[row.side], messages, {
          temperature: 0,
          topP: 1,
          maxTokens: greedy.maxTokens,
        });
        expect(row.text).toBe(bare.text);
        expect(row.text.length).toBeGreaterThan(0);
      }
    } finally {
      await real.A.unload();
      await real.B.unload();
    }
  });
});
