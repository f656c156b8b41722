/**
 * Supervisor work end to end in Node: JobQueue + askSupervisor + the real OpenAiBackend against
 * the stand-in supervisor (tests/stand-ins/supervisor-server.ts) with faults injected in the
 * middle. Counted on the server: nothing stored is lost or asked twice, "continue" finishes, a
 * refused key stops with its message and the key nowhere, the cap is exact, the concurrency holds.
 * The judgement requests are built by hand in the wire format (/tmp/briefs/wire.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAiBackend } from '../../src/lib/backends/llm/openai';
import { jobKeys } from '../../src/lib/core/explain/job-keys';
import type { SupervisorRequest } from '../../src/lib/core/explain/types';
import type { Side, SupervisorLogEntry } from '../../src/lib/core/run/types';
import {
  JobQueue,
  type JobQueueConfig,
  type JobQueueEvent,
  type JobQueueSnapshot,
} from '../../src/lib/state/job-queue';
import {
  askSupervisor,
  supervisorLogEntry,
  type SupervisorReply,
} from '../../src/lib/state/supervisor-call';
import {
  identityOf,
  MALFORMED_REPLY,
  standInReply,
  startStandInSupervisor,
  STAND_IN_MODEL,
  type Fault,
  type StandInSupervisor,
} from '../stand-ins/supervisor-server';

const KEY = 'sk-stand-in-7f3a9c21e4b8d056';
const HYPOTHESIS = 'give longer answers';

/** A fence of the wire format. */
const fence = (label: string, text: string) =>
  `${label}:\n<<<\n${text.replace(/^>>>$/gm, '> > >')}\n>>>`;

/**
 * The two judgements (each order) of 10 held-out prompts: B's answer is longer on prompts 0-6,
 * A's on 7-8, and equal on 9.
 */
function judgementRequests(): SupervisorRequest[] {
  const requests: SupervisorRequest[] = [];
  for (let p = 0; p < 10; p++) {
    const answers: Record<Side, string> = {
      A: `Answer A to ${p}.`.padEnd(p < 7 ? 20 : p < 9 ? 60 : 30, '.'),
      B: `Answer B to ${p}.`.padEnd(p < 7 ? 50 : 30, '.'),
    };
    for (const first of ['A', 'B'] as const) {
      const second: Side = first === 'A' ? 'B' : 'A';
      requests.push({
        key: jobKeys.judgement('h1', `p${p}`, first),
        step: 'judgements',
        maxTokens: 8,
        promptIds: [`p${p}`],
        messages: [
          {
            role: 'system',
            content:
              'TASK: judgements\nSay which answer fits the description better: 1, 2 or neither.',
          },
          {
            role: 'user',
            content: [
              fence('Description', HYPOTHESIS),
              fence('Prompt', `Question ${p}?`),
              fence('Answer 1', answers[first]),
              fence('Answer 2', answers[second]),
            ].join('\n\n'),
          },
        ],
      });
    }
  }
  return requests;
}

interface Job {
  key: string;
  kind: string;
  request: SupervisorRequest;
}

/** The queue over an in-memory log, as the app wires it: run = ask, then store the entry. */
function setUp(server: StandInSupervisor, config: Partial<JobQueueConfig<Job>> = {}, apiKey = KEY) {
  const backend = new OpenAiBackend({
    baseUrl: server.url,
    model: STAND_IN_MODEL,
    apiKey,
    // The queue retries and counts every request; the backend must not retry behind its back.
    retry: { maxRetries: 0 },
    timeoutMs: 400,
    pageOrigin: null,
  });
  const log = new Map<string, SupervisorLogEntry>();
  /** Server requests sent before each key's reply was stored. */
  const sentBeforeStore = new Map<string, number>();
  const jobs = judgementRequests().map((request) => ({
    key: request.key,
    kind: request.step,
    request,
  }));
  const queue = new JobQueue<Job>(
    {
      jobs,
      concurrency: 2,
      maxRequests: null,
      retry: { attempts: 3, baseDelayMs: 20 },
      ...config,
    },
    {
      doneKeys: async () => new Set(log.keys()),
      async run(job, signal, attempt) {
        const at = new Date().toISOString();
        const reply: SupervisorReply = await askSupervisor(backend, job.request, {
          temperature: 0,
          signal,
        });
        const meta = { provider: server.url, model: STAND_IN_MODEL, temperature: 0, at };
        const entry = supervisorLogEntry(job.request, reply, {
          ...meta,
          attempts: attempt,
          secrets: [apiKey],
        });
        if (log.has(job.key)) throw new Error(`${job.key} stored twice`);
        log.set(job.key, entry);
        sentBeforeStore.set(job.key, server.requests.length);
      },
    },
  );
  return { queue, log, jobs, sentBeforeStore };
}

/** Requests of a stored job that the server received after its reply was stored. */
function resentAfterStore(
  server: StandInSupervisor,
  jobs: Job[],
  sentBeforeStore: Map<string, number>,
): string[] {
  return jobs.flatMap((job) => {
    const id = identityOf({ messages: job.request.messages });
    const storedAt = sentBeforeStore.get(job.key);
    if (storedAt === undefined) return [];
    return server.requests
      .filter((r) => r.identity === id && r.index >= storedAt)
      .map(() => job.key);
  });
}

let server: StandInSupervisor | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('supervisor queue against the stand-in server', () => {
  it('loses nothing to 429, 500, a dropped stream, a timeout and a malformed reply; continue after a cancel finishes with nothing asked twice', async () => {
    const faults: Fault[] = [
      { at: 1, kind: '429', retryAfterMs: 60 },
      { at: 3, kind: '500' },
      { at: 5, kind: 'drop' },
      { at: 7, kind: 'malformed' },
      { at: 9, kind: 'timeout' },
    ];
    server = await startStandInSupervisor({ latencyMs: 15, faults });
    const { queue, log, jobs, sentBeforeStore } = setUp(server);
    const events: JobQueueEvent[] = [];
    let cancelledAt: JobQueueSnapshot | undefined;
    queue.subscribe((snapshot, event) => {
      events.push(event);
      // Cancel mid-way, with requests in flight.
      if (event.type === 'stored' && snapshot.byKind.judgements!.done === 12 && !cancelledAt) {
        cancelledAt = snapshot;
        queue.cancel();
      }
    });
    const stopped = await queue.start();
    expect(stopped.state).toBe('cancelled');
    expect(stopped.byKind.judgements).toMatchObject({ done: 12, total: 20 });
    const storedAtCancel = new Map(log);
    const firstPassRequests = server.requests.length;

    const final = await queue.start();
    expect(final.state).toBe('done');
    expect(final.byKind.judgements).toEqual({ done: 20, total: 20, failed: 0 });
    expect(final.failures).toEqual([]);
    // Nothing stored before the cancel was changed or lost.
    for (const [key, entry] of storedAtCancel) expect(log.get(key)).toBe(entry);
    expect(resentAfterStore(server, jobs, sentBeforeStore)).toEqual([]);

    // Each fault hit once and its job was asked again: after the 429's retry-after-ms, else
    // after the first backoff step (the timeout's retry may fall to the cancel, then to continue).
    const outcomes = server.requests.map((r) => r.outcome);
    for (const kind of ['429', '500', 'drop', 'timeout', 'malformed'] as const) {
      expect(outcomes.filter((o) => o === kind)).toHaveLength(1);
    }
    // A 429 waits its retry-after-ms, anything else the doubling backoff from 20 ms. Which job a
    // fault hits depends on timing (one job may meet two faults), so each wait is checked on its own.
    const retries = events.flatMap((e) => (e.type === 'retry' ? [e] : []));
    expect(retries.length).toBeGreaterThanOrEqual(3);
    for (const retry of retries) {
      const expected = retry.reason.includes('HTTP 429') ? 60 : 20 * 2 ** (retry.attempt - 1);
      expect(retry.delayMs).toBe(expected);
    }
    expect(retries.some((r) => r.reason.includes('HTTP 429'))).toBe(true);
    // Complete replies: one per job, plus those a cancel cut after the server had written them.
    const answered = server.requests.filter((r) => r.outcome === 'ok' || r.outcome === 'malformed');
    expect(answered.length).toBeGreaterThanOrEqual(20);
    // A request the cancel aborted before it reached the server still counts as spent.
    expect(final.requestsSpent).toBeGreaterThanOrEqual(server.requests.length);

    // A malformed reply is a complete 200: stored as it came (the parser counts it unparseable).
    const malformed = server.requests.find((r) => r.outcome === 'malformed')!;
    const malformedKey = jobs.find(
      (j) => identityOf({ messages: j.request.messages }) === malformed.identity,
    )!.key;
    expect(log.get(malformedKey)!.reply).toBe(MALFORMED_REPLY);
    // Every other entry holds the rule's reply; B's longer answer is picked in both orders.
    for (const job of jobs) {
      if (job.key === malformedKey) continue;
      expect(log.get(job.key)!.reply).toBe(standInReply(job.request.messages).reply);
    }
    expect(log.get(jobKeys.judgement('h1', 'p0', 'A'))!.reply).toBe('2');
    expect(log.get(jobKeys.judgement('h1', 'p0', 'B'))!.reply).toBe('1');
    expect(log.get(jobKeys.judgement('h1', 'p9', 'A'))!.reply).toBe('neither');
    // Each entry's attempts are the requests its job took in the pass that stored it.
    for (const job of jobs) {
      const id = identityOf({ messages: job.request.messages });
      const inFirstPass = storedAtCancel.has(job.key);
      const sent = server.requests.filter(
        (r) => r.identity === id && r.index < firstPassRequests === inFirstPass,
      );
      expect(log.get(job.key)!.attempts).toBe(sent.length);
    }
    expect(Math.max(...[...log.values()].map((e) => e.attempts!))).toBeGreaterThan(1);
    expect(JSON.stringify([...log.values()])).not.toContain(KEY);
  });

  it('stops on a refused key with its message; the key is nowhere in the snapshot, error or log', async () => {
    server = await startStandInSupervisor({ latencyMs: 20, faults: [{ at: 3, kind: '401' }] });
    const { queue, log } = setUp(server);
    const snapshots: JobQueueSnapshot[] = [];
    queue.subscribe((s) => snapshots.push(s));
    const final = await queue.start();
    expect(final.state).toBe('error');
    expect(final.error).toEqual({
      name: 'AuthError',
      message: 'The supervisor key was refused (HTTP 401): check the key, then continue.',
    });
    // The server echoed the key in its 401 body; none of it reaches what the app keeps or shows.
    expect(server.requests[3]!.outcome).toBe('401');
    expect(JSON.stringify(snapshots)).not.toContain(KEY);
    expect(JSON.stringify(final)).not.toContain(KEY);
    expect(JSON.stringify([...log.values()])).not.toContain(KEY);
    // Requests 0 and 1 were stored; beside the refused request 3 at most one other was in
    // flight (concurrency 2), and no request was sent after those.
    expect(log.size).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(5);
    // A request the refusal aborted before it reached the server still counts as spent.
    expect(final.requestsSpent).toBeGreaterThanOrEqual(server.requests.length);
    // Continue with the key accepted again finishes the rest.
    const resumed = await queue.start();
    expect(resumed.state).toBe('done');
    expect(log.size).toBe(20);
  });

  it('a key refused on every request stops after the first ones in flight', async () => {
    server = await startStandInSupervisor({ apiKey: 'sk-the-right-key-000111' });
    const { queue, log } = setUp(server, {}, KEY);
    const final = await queue.start();
    expect(final.state).toBe('error');
    expect(final.error?.message).toBe(
      'The supervisor key was refused (HTTP 401): check the key, then continue.',
    );
    expect(log.size).toBe(0);
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(final)).not.toContain(KEY);
  });

  it('the cap stops at exactly N requests, retries counted, with what was answered stored', async () => {
    server = await startStandInSupervisor({ latencyMs: 5, faults: [{ at: 1, kind: '500' }] });
    const { queue, log } = setUp(server, { maxRequests: 7 });
    const final = await queue.start();
    expect(final.state).toBe('capped');
    expect(server.requests).toHaveLength(7);
    expect(final.requestsSpent).toBe(7);
    expect(log.size).toBe(6);
    expect(server.requests.every((r) => r.outcome === 'ok' || r.outcome === '500')).toBe(true);
  });

  it('at concurrency 4 the server never sees more than 4 requests at once', async () => {
    server = await startStandInSupervisor({ latencyMs: 30 });
    const { queue, log } = setUp(server, { concurrency: 4 });
    let mostInFlight = 0;
    queue.subscribe((s) => (mostInFlight = Math.max(mostInFlight, s.inFlight)));
    const final = await queue.start();
    expect(final.state).toBe('done');
    expect(log.size).toBe(20);
    expect(server.maxInFlight).toBe(4);
    expect(mostInFlight).toBe(4);
    expect(server.requests).toHaveLength(20);
    expect(new Set(server.countByBody().values())).toEqual(new Set([1]));
  });
});

describe('supervisorLogEntry', () => {
  const request = judgementRequests()[0]!;
  const meta = {
    provider: 'https://user:pw@example.test/v1?api_key=sk-in-the-url-123&api-version=2',
    model: STAND_IN_MODEL,
    temperature: 0.2,
    at: '2026-01-02T03:04:05.000Z',
    attempts: 2,
  };

  it('records purpose, key, what was sent and the reply, with URL credentials stripped', () => {
    const reply = {
      reply: '2',
      usage: { promptTokens: 40, completionTokens: 1, estimated: true },
      latencyMs: 12,
    };
    expect(supervisorLogEntry(request, reply, meta)).toEqual({
      at: '2026-01-02T03:04:05.000Z',
      provider: 'https://example.test/v1?api-version=2',
      model: STAND_IN_MODEL,
      purpose: 'judgements',
      key: 'judgements|h1|p0|A',
      request: { messages: request.messages, temperature: 0.2, maxTokens: 8 },
      reply: '2',
      usage: { promptTokens: 40, completionTokens: 1 },
      latencyMs: 12,
      attempts: 2,
    });
  });

  it('records a failure as reply null with its message, and redacts given secrets anywhere', () => {
    const secret = 'sk-pasted-into-a-prompt-999';
    const leaky = {
      ...request,
      messages: [request.messages[0]!, { role: 'user' as const, content: `key: ${secret}` }],
    };
    const entry = supervisorLogEntry(
      leaky,
      { error: new Error(`401 for ${secret}`) },
      { ...meta, secrets: [secret] },
    );
    expect(entry.reply).toBeNull();
    expect(entry.error).toBe('401 for [redacted]');
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect(JSON.stringify(entry)).toContain('key: [redacted]');
    expect(entry.usage).toBeUndefined();
  });
});
