/**
 * JobQueue on an in-memory store: what runs, in what order and how many at once, retries and
 * their waits, fatal errors, the spending cap, pause, cancel and continue, per-kind progress, the
 * ETA, and the hooks generation uses (prepare, isRetryable, onFailed, afterPass, describeFatal).
 * `run` stands in for "send the request and store the reply"; the errors are the backends' own.
 */
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  BadResponseError,
  CorsError,
  ModelLoadError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../../src/lib/backends/llm/errors';
import { IncompleteAnswerError } from '../../src/lib/state/generation-job';
import {
  JobQueue,
  refusedKeyMessage,
  type JobQueueConfig,
  type JobQueueDeps,
  type JobQueueEvent,
  type QueueJob,
} from '../../src/lib/state/job-queue';

interface Job extends QueueJob {
  n: number;
}

const jobsOf = (kinds: Record<string, number>): Job[] =>
  Object.entries(kinds).flatMap(([kind, count]) =>
    Array.from({ length: count }, (_, n) => ({ key: `${kind}|${n}`, kind, n })),
  );

/** A store and a run function whose behaviour per call a test scripts. */
function harness(
  jobs: Job[],
  config: Partial<JobQueueConfig<Job>> = {},
  behaviour: (job: Job, call: number, signal: AbortSignal) => Promise<void> | void = () => {},
  hooks: Partial<JobQueueDeps<Job>> = {},
) {
  const stored = new Map<string, number>();
  const calls: string[] = [];
  const sleeps: number[] = [];
  const signals: AbortSignal[] = [];
  let open = 0;
  let maxOpen = 0;
  const queue = new JobQueue<Job>(
    {
      jobs,
      concurrency: 1,
      maxRequests: null,
      retry: { attempts: 3, baseDelayMs: 100 },
      ...config,
    },
    {
      doneKeys: async () => new Set(stored.keys()),
      async run(job, signal) {
        const call = calls.length;
        calls.push(job.key);
        signals.push(signal);
        open++;
        maxOpen = Math.max(maxOpen, open);
        try {
          await behaviour(job, call, signal);
        } finally {
          open--;
        }
        stored.set(job.key, (stored.get(job.key) ?? 0) + 1);
      },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...hooks,
    },
  );
  return { queue, stored, calls, sleeps, signals, maxOpen: () => maxOpen };
}

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves after `ms` or rejects as soon as `signal` aborts, like a request would. */
const request = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });

describe('JobQueue', () => {
  it('runs every job once in order, storing each, with progress per kind', async () => {
    const jobs = jobsOf({ properties: 3, labels: 2 });
    const h = harness(jobs);
    const final = await h.queue.start();
    expect(h.calls).toEqual(jobs.map((j) => j.key));
    expect([...h.stored.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(final.state).toBe('done');
    expect(final.byKind).toEqual({
      properties: { done: 3, total: 3, failed: 0 },
      labels: { done: 2, total: 2, failed: 0 },
    });
    expect(final.requestsSpent).toBe(5);
    expect(final.inFlight).toBe(0);
    expect(final.error).toBeNull();
  });

  it('resumes: stored keys are counted done and not run again', async () => {
    const jobs = jobsOf({ judgements: 5 });
    const h = harness(jobs);
    h.stored.set('judgements|1', 1);
    h.stored.set('judgements|3', 1);
    h.stored.set('not-a-job', 1);
    const final = await h.queue.start();
    expect(h.calls).toEqual(['judgements|0', 'judgements|2', 'judgements|4']);
    expect(final.byKind.judgements).toEqual({ done: 5, total: 5, failed: 0 });
    expect(final.requestsSpent).toBe(3);
  });

  it('keeps `concurrency` jobs in flight, never more', async () => {
    const h = harness(jobsOf({ judgements: 12 }), { concurrency: 4 }, (_j, _c, signal) =>
      request(5, signal),
    );
    const seen: number[] = [];
    h.queue.subscribe((s) => seen.push(s.inFlight));
    const final = await h.queue.start();
    expect(final.state).toBe('done');
    expect(h.maxOpen()).toBe(4);
    expect(Math.max(...seen)).toBe(4);
    expect(h.stored.size).toBe(12);
  });

  it('retries retryable errors, waiting Retry-After or the doubling backoff', async () => {
    const failures: Record<number, Error> = {
      0: new RateLimitError('s', 1234),
      1: new ServerError('s', 502),
      2: new TimeoutError('http://s', 10),
      3: new NetworkError('http://s', 'the stream ended'),
      4: new IncompleteAnswerError('s', 'without its final chunk', 3),
      5: new BadResponseError('s', 'not JSON'),
    };
    const h = harness(
      jobsOf({ judgements: 2 }),
      { retry: { attempts: 4, baseDelayMs: 100 } },
      (_j, call) => {
        if (failures[call]) throw failures[call];
      },
    );
    const events: JobQueueEvent[] = [];
    h.queue.subscribe((_s, e) => events.push(e));
    const final = await h.queue.start();
    // Job 0 fails all 4 attempts (calls 0-3) and is listed; job 1 fails twice, then is stored.
    expect(h.calls).toEqual([
      'judgements|0',
      'judgements|0',
      'judgements|0',
      'judgements|0',
      'judgements|1',
      'judgements|1',
      'judgements|1',
    ]);
    // 1234 from Retry-After, then 200 (100·2) and 400 (100·4) for attempts 2 and 3; job 1
    // starts its own backoff at 100.
    expect(h.sleeps).toEqual([1234, 200, 400, 100, 200]);
    expect(final.state).toBe('done');
    expect(final.byKind.judgements).toEqual({ done: 1, total: 2, failed: 1 });
    expect(final.failures).toEqual([
      {
        key: 'judgements|0',
        kind: 'judgements',
        name: 'NetworkError',
        message: failures[3]!.message,
      },
    ]);
    expect(final.requestsSpent).toBe(7);
    expect(
      events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.key),
    ).toEqual(['judgements|0', 'judgements|0', 'judgements|0', 'judgements|1', 'judgements|1']);
  });

  it('lists a job failed after its last attempt and goes on; start() tries it again', async () => {
    let failing = true;
    const h = harness(jobsOf({ labels: 3 }), { retry: { attempts: 2, baseDelayMs: 10 } }, (job) => {
      if (failing && job.n === 1) throw new ServerError('s', 500);
    });
    const first = await h.queue.start();
    expect(first.state).toBe('done');
    expect(first.byKind.labels).toEqual({ done: 2, total: 3, failed: 1 });
    expect(h.stored.has('labels|1')).toBe(false);
    failing = false;
    const second = await h.queue.start();
    expect(second.byKind.labels).toEqual({ done: 3, total: 3, failed: 0 });
    expect(second.failures).toEqual([]);
    expect(h.calls).toEqual(['labels|0', 'labels|1', 'labels|1', 'labels|2', 'labels|1']);
    expect([...h.stored.values()]).toEqual([1, 1, 1]);
  });

  it('stops everything on a refused key with its own message, never the server text', async () => {
    const key = 'sk-test-0123456789abcdef';
    // Job n takes 10n + 5 ms; job 4 is refused at once, while jobs 2 and 3 are in flight.
    const h = harness(jobsOf({ judgements: 10 }), { concurrency: 3 }, async (job, _c, signal) => {
      if (job.n === 4) throw new AuthError('The server', 401, `Incorrect API key provided: ${key}`);
      await request(job.n * 10 + 5, signal);
    });
    const final = await h.queue.start();
    expect(final.state).toBe('error');
    expect(final.error).toEqual({
      name: 'AuthError',
      message: 'The supervisor key was refused (HTTP 401): check the key, then continue.',
    });
    expect(JSON.stringify(final)).not.toContain(key);
    expect([...h.stored.keys()]).toEqual(['judgements|0', 'judgements|1']);
    expect(h.calls).toEqual([0, 1, 2, 3, 4].map((n) => `judgements|${n}`));
    expect(h.signals[2]!.aborted).toBe(true);
    expect(final.failures).toEqual([]);
    expect(final.inFlight).toBe(0);
  });

  it('says 403 when the server said 403, and stops on CORS and unknown errors too', async () => {
    expect(refusedKeyMessage(new AuthError('p', 403))).toBe(
      'The supervisor key was refused (HTTP 403): check the key, then continue.',
    );
    // A revived worker error keeps its fields apart.
    expect(refusedKeyMessage({ name: 'AuthError', fields: { status: 401 } })).toContain(
      '(HTTP 401)',
    );
    const cors = new CorsError('http://s/v1', 'http://page', ['authorization']);
    const h = harness(jobsOf({ labels: 3 }), {}, (job) => {
      if (job.n === 1) throw cors;
    });
    const final = await h.queue.start();
    expect(final.state).toBe('error');
    expect(final.error).toEqual({ name: 'CorsError', message: cors.message });
    expect(h.calls).toEqual(['labels|0', 'labels|1']);

    const bug = harness(jobsOf({ labels: 3 }), {}, (job) => {
      if (job.n === 0) throw new TypeError('x is undefined');
    });
    const stopped = await bug.queue.start();
    expect(stopped.state).toBe('error');
    expect(stopped.error).toEqual({ name: 'TypeError', message: 'x is undefined' });
    expect(bug.calls).toEqual(['labels|0']);
  });

  it('stops at the cap, counting retries; in-flight jobs finish and are stored', async () => {
    const h = harness(
      jobsOf({ judgements: 10 }),
      { concurrency: 2, maxRequests: 5 },
      async (job, call, signal) => {
        if (call === 1) throw new ServerError('s', 503);
        await request(job.n * 3 + 2, signal);
      },
    );
    const final = await h.queue.start();
    expect(final.state).toBe('capped');
    expect(final.requestsSpent).toBe(5);
    expect(h.calls).toHaveLength(5);
    // Calls: job 0, job 1 (503), job 1 again, job 2, job 3: all but the 503 stored.
    expect([...h.stored.keys()].sort()).toEqual([
      'judgements|0',
      'judgements|1',
      'judgements|2',
      'judgements|3',
    ]);
    expect(final.byKind.judgements).toEqual({ done: 4, total: 10, failed: 0 });
    // A raised cap lets continue go on from there.
    h.queue.setMaxRequests(8);
    const more = await h.queue.start();
    expect(more.state).toBe('capped');
    expect(more.requestsSpent).toBe(8);
    expect(more.byKind.judgements!.done).toBe(7);
    h.queue.setMaxRequests(null);
    expect((await h.queue.start()).state).toBe('done');
    expect([...h.stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('ends done, not capped, when the last job uses the last allowed request', async () => {
    const h = harness(jobsOf({ labels: 3 }), { maxRequests: 3 });
    expect((await h.queue.start()).state).toBe('done');
  });

  it('cancel aborts the jobs in flight, keeps what is stored, and continue finishes', async () => {
    const h = harness(jobsOf({ judgements: 8 }), { concurrency: 2 }, (job, _c, signal) =>
      request(10 + job.n, signal),
    );
    const running = h.queue.start();
    while (h.stored.size < 3) await tick();
    h.queue.cancel();
    expect(h.queue.snapshot.state).toBe('cancelled');
    const stopped = await running;
    expect(stopped.state).toBe('cancelled');
    expect(stopped.inFlight).toBe(0);
    const storedAtCancel = new Set(h.stored.keys());
    const callsAtCancel = h.calls.length;
    expect(stopped.byKind.judgements!.done).toBe(storedAtCancel.size);
    expect(h.signals.slice(-2).every((s) => s.aborted)).toBe(true);
    const final = await h.queue.start();
    expect(final.state).toBe('done');
    expect(h.stored.size).toBe(8);
    expect([...h.stored.values()].every((n) => n === 1)).toBe(true);
    expect(h.calls.slice(callsAtCancel).filter((k) => storedAtCancel.has(k))).toEqual([]);
  });

  it('start() during a cancel waits for the pass to wind down, then continues', async () => {
    const h = harness(jobsOf({ labels: 4 }), {}, (_job, _c, signal) => request(5, signal));
    const first = h.queue.start();
    await tick(2);
    h.queue.cancel();
    const again = h.queue.start();
    expect((await first).state).toBe('cancelled');
    expect((await again).state).toBe('done');
    expect(h.stored.size).toBe(4);
  });

  it('estimates the time left from recent durations and the concurrency', async () => {
    // Every reading of the clock moves it on 1 s. Both workers read it as they start (jobs 0
    // and 1 at 1 s and 2 s), then job 0 ends at 3 s: one duration of 2 s, with jobs 2-5
    // pending and job 1 in flight, so 5 jobs × 2 s / 2 at once = 5 s.
    let clock = 0;
    const etas: (number | null)[] = [];
    const queue = new JobQueue<Job>(
      {
        jobs: jobsOf({ judgements: 6 }),
        concurrency: 2,
        maxRequests: null,
        retry: { attempts: 1, baseDelayMs: 1 },
      },
      { doneKeys: async () => new Set(), run: async () => {}, now: () => (clock += 1000) },
    );
    expect(queue.snapshot.etaSeconds).toBeNull();
    queue.subscribe((s, e) => {
      if (e.type === 'stored') etas.push(s.etaSeconds);
    });
    await queue.start();
    expect(etas[0]).toBeCloseTo(5, 10);
    expect(etas).toHaveLength(6);
    // Nothing left running: no estimate.
    expect(queue.snapshot.etaSeconds).toBeNull();
  });

  it('refuses duplicate keys, no concurrency and no attempts', () => {
    const deps = { doneKeys: async () => new Set<string>(), run: async () => {} };
    const retry = { attempts: 1, baseDelayMs: 1 };
    const base = { concurrency: 1, maxRequests: null, retry };
    const dup = [
      { key: 'a', kind: 'x', n: 0 },
      { key: 'a', kind: 'y', n: 1 },
    ];
    expect(() => new JobQueue({ ...base, jobs: dup }, deps)).toThrow(/unique/);
    expect(() => new JobQueue({ ...base, jobs: [], concurrency: 0 }, deps)).toThrow(/concurrency/);
    expect(
      () => new JobQueue({ ...base, jobs: [], retry: { attempts: 0, baseDelayMs: 1 } }, deps),
    ).toThrow(/attempts/);
  });

  it('stops with the error when what is stored cannot be read, and runs nothing', async () => {
    let calls = 0;
    const queue = new JobQueue<Job>(
      {
        jobs: jobsOf({ labels: 2 }),
        concurrency: 1,
        maxRequests: null,
        retry: { attempts: 1, baseDelayMs: 1 },
      },
      {
        doneKeys: async () => {
          throw new DOMException('The database is closed', 'InvalidStateError');
        },
        run: async () => {
          calls++;
        },
      },
    );
    const final = await queue.start();
    expect(final.state).toBe('error');
    expect(final.error).toEqual({ name: 'InvalidStateError', message: 'The database is closed' });
    expect(calls).toBe(0);
  });

  it('prepares each job before its first attempt, uncounted; a failed prepare stops the pass', async () => {
    const log: string[] = [];
    const noFiles = new ModelLoadError('tiny-b', 'its files were not found');
    const h = harness(
      jobsOf({ answers: 3 }),
      { maxRequests: 10 },
      (job, call) => {
        log.push(`run ${job.key}`);
        if (call === 0) throw new ServerError('s', 503);
      },
      {
        prepare: async (job) => {
          log.push(`prepare ${job.key}`);
          if (job.n === 2) throw noFiles;
        },
      },
    );
    const final = await h.queue.start();
    // Once per job, not per attempt; the failed prepare sent nothing.
    expect(log).toEqual([
      'prepare answers|0',
      'run answers|0',
      'run answers|0',
      'prepare answers|1',
      'run answers|1',
      'prepare answers|2',
    ]);
    expect(final.state).toBe('error');
    expect(final.error).toEqual({ name: 'ModelLoadError', message: noFiles.message });
    expect(final.requestsSpent).toBe(3);
    expect(final.byKind.answers).toEqual({ done: 2, total: 3, failed: 0 });
  });

  it('pause while a job prepares stops waiting and ends paused; cancel then makes it cancelled', async () => {
    let prepares = 0;
    const h = harness(jobsOf({ answers: 2 }), {}, undefined, {
      prepare: async (_job, signal) => {
        // The first prepare never ends by itself (a model download that hangs).
        if (prepares++ === 0)
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
      },
    });
    const states: string[] = [];
    h.queue.subscribe((_s, e) => e.type === 'state' && states.push(e.state));
    const running = h.queue.start();
    await tick(2);
    expect(h.queue.waiting).toBe(1);
    h.queue.pause();
    expect(h.queue.snapshot.state).toBe('paused');
    expect(await running).toMatchObject({ state: 'paused', requestsSpent: 0, inFlight: 0 });
    expect(h.calls).toEqual([]);
    expect(h.queue.waiting).toBeNull();
    h.queue.cancel();
    expect(h.queue.snapshot.state).toBe('cancelled');
    expect(await h.queue.start()).toMatchObject({ state: 'done', requestsSpent: 2 });
    expect(h.calls).toEqual(['answers|0', 'answers|1']);
    // 'running' is announced again once what is stored has been read (new counts).
    expect(states).toEqual([
      'running',
      'running',
      'paused',
      'cancelled',
      'running',
      'running',
      'done',
    ]);
  });

  it('isRetryable and describeFatal replace the defaults', async () => {
    const refused = new AuthError('The server', 401, 'Incorrect API key provided');
    const h = harness(
      jobsOf({ answers: 3 }),
      { retry: { attempts: 2, baseDelayMs: 10 } },
      (job, call) => {
        // A plain Error stops the pass by default; this queue's hook calls it passing.
        if (call === 0) throw new Error('socket hang up');
        if (job.n === 1) throw refused;
      },
      {
        isRetryable: (error) => !(error instanceof AuthError),
        describeFatal: (error) => ({ name: 'Shown', message: (error as Error).message }),
      },
    );
    const final = await h.queue.start();
    expect(h.calls).toEqual(['answers|0', 'answers|0', 'answers|1']);
    expect(h.sleeps).toEqual([10]);
    expect(final.state).toBe('error');
    // The backend's own message, not the default "supervisor key" one.
    expect(final.error).toEqual({ name: 'Shown', message: refused.message });
    expect(h.queue.error).toEqual(final.error);
  });

  it('awaits onFailed with the attempts before the next job; a throw there stops the pass', async () => {
    const log: string[] = [];
    const h = harness(
      jobsOf({ answers: 4 }),
      { retry: { attempts: 2, baseDelayMs: 1 } },
      (job) => {
        log.push(`run ${job.key}`);
        if (job.n === 0 || job.n === 2) throw new ServerError('s', 500);
      },
      {
        onFailed: async (job, error, attempts) => {
          await tick(2);
          log.push(`failed ${job.key} after ${attempts} ${(error as Error).name}`);
          if (job.n === 2) throw new Error('the database is closed');
        },
      },
    );
    const final = await h.queue.start();
    expect(log).toEqual([
      'run answers|0',
      'run answers|0',
      'failed answers|0 after 2 ServerError',
      'run answers|1',
      'run answers|2',
      'run answers|2',
      'failed answers|2 after 2 ServerError',
    ]);
    expect(final.state).toBe('error');
    expect(final.error).toEqual({ name: 'Error', message: 'the database is closed' });
    expect(final.failures.map((f) => f.key)).toEqual(['answers|0', 'answers|2']);
    expect(h.calls).not.toContain('answers|3');
  });

  it('awaits afterPass before announcing the end; a throw there turns done, not an earlier error, into error', async () => {
    const seen: string[] = [];
    let afterError: Error | undefined = undefined;
    let refuse = false;
    const h = harness(
      jobsOf({ answers: 2 }),
      {},
      () => {
        if (refuse) throw new AuthError('The server', 401);
      },
      {
        afterPass: async (state) => {
          await tick(1);
          seen.push(`${state} while ${h.queue.snapshot.state}`);
          if (afterError) throw afterError;
        },
      },
    );
    expect((await h.queue.start()).state).toBe('done');
    afterError = new Error('touch failed');
    expect(await h.queue.start()).toMatchObject({
      state: 'error',
      error: { name: 'Error', message: 'touch failed' },
    });
    h.stored.clear();
    refuse = true;
    const refused = await h.queue.start();
    expect(refused.state).toBe('error');
    expect(refused.error!.name).toBe('AuthError');
    expect(seen).toEqual(['done while running', 'done while running', 'error while running']);
  });

  it('retryFailed() puts failed jobs at the end of the running pass, or starts a new one', async () => {
    let healed = false;
    const h = harness(jobsOf({ labels: 3 }), { retry: { attempts: 1, baseDelayMs: 1 } }, (job) => {
      if (!healed && job.n === 0) throw new ServerError('s', 500);
    });
    const stop = h.queue.subscribe((_s, e) => {
      if (e.type !== 'failure') return;
      healed = true;
      void h.queue.retryFailed();
    });
    const final = await h.queue.start();
    expect(h.calls).toEqual(['labels|0', 'labels|1', 'labels|2', 'labels|0']);
    expect(final).toMatchObject({ state: 'done', failures: [], requestsSpent: 4 });
    expect(final.byKind.labels).toEqual({ done: 3, total: 3, failed: 0 });
    stop();

    const later = harness(
      jobsOf({ labels: 2 }),
      { retry: { attempts: 1, baseDelayMs: 1 } },
      (job) => {
        if (job.n === 1 && later.calls.length < 3) throw new ServerError('s', 500);
      },
    );
    expect((await later.queue.start()).byKind.labels).toEqual({ done: 1, total: 2, failed: 1 });
    const retried = await later.queue.retryFailed();
    expect(retried).toMatchObject({ state: 'done', failures: [] });
    expect(later.calls).toEqual(['labels|0', 'labels|1', 'labels|1']);
  });

  it('an empty queue is done at once', async () => {
    const h = harness([]);
    const final = await h.queue.start();
    expect(final).toMatchObject({ state: 'done', byKind: {}, requestsSpent: 0 });
  });
});
