/**
 * The supervisor's request pipeline against the stand-in supervisor (tests/stand-ins/
 * supervisor-server.ts): 80 judgement requests (40 held-out prompts × both orders) through
 * JobQueue + askSupervisor + the real OpenAiBackend, each reply stored as a supervisor log entry
 * in memory.
 *
 * - "concurrency 4 vs 1", at a fixed simulated latency of 250 ms a request: ours = the queue at
 *   concurrency 4; the reference = the same queue at concurrency 1 (this file run with
 *   --reference c1). Requests per second = 80 / seconds; the speed-up ref_s / ours_s must be at
 *   least 3.5 (4 would be perfect overlap of the latency). Why 250 ms and not 50: the client and
 *   the stand-in share this process and spend 3-8 ms of CPU a request on the shared, busy 2-core
 *   machine, work that four requests at once cannot overlap; at 50 ms that alone held the
 *   speed-up to 3.54, at 100 ms to 3.2-3.8 as the load varied. Remote supervisors answer in
 *   0.5-5 s, so 250 ms is still a harder case for the target than real use.
 * - "queue overhead per job", at no simulated latency (with it, timer noise of ±2 ms a request
 *   hides anything the queue adds): ours = the queue at concurrency 1, per request; the
 *   reference = a bare loop doing the same per request (askSupervisor, the log entry, the store)
 *   without the queue (--reference bare), the median of 3 passes, per request. Overhead =
 *   ours_s − ref_s. Both sides run two untimed passes first (connections, JIT). The row has no
 *   target: on the shared 2-core machine one request's ~3 ms varies by ±1.5 ms between passes,
 *   far more than the queue adds (a few snapshots of 80 jobs), so a threshold would only test
 *   the machine's load; the figure is reported for the README.
 */
import { fileURLToPath } from 'node:url';
import { OpenAiBackend } from '../../src/lib/backends/llm/openai';
import { jobKeys } from '../../src/lib/core/explain/job-keys';
import type { SupervisorRequest } from '../../src/lib/core/explain/types';
import type { Side, SupervisorLogEntry } from '../../src/lib/core/run/types';
import { JobQueue } from '../../src/lib/state/job-queue';
import { askSupervisor, supervisorLogEntry } from '../../src/lib/state/supervisor-call';
import {
  startStandInSupervisor,
  STAND_IN_MODEL,
  type StandInSupervisor,
} from '../../tests/stand-ins/supervisor-server';
import { median, type BenchCase, type ResultRow, type Verdict } from '../harness';

const LATENCY_MS = 250;
const WARM_UP_PASSES = 2;
const PROMPTS = 40;
const REQUESTS = PROMPTS * 2;
const TARGET_SPEEDUP = 3.5;
const REFERENCE_FLAG = '--reference';
const SELF = fileURLToPath(import.meta.url);

/** A fence of the supervisor wire format. */
const fence = (label: string, text: string) => `${label}:\n<<<\n${text}\n>>>`;

/** 80 judgement requests of the wire format: 40 prompts, each order of its two answers. */
function judgementRequests(): SupervisorRequest[] {
  const requests: SupervisorRequest[] = [];
  for (let p = 0; p < PROMPTS; p++) {
    const answers: Record<Side, string> = {
      A: `A short answer to question ${p}.`,
      B: `1. A longer answer to question ${p},\n2. written as a numbered list\n3. of three items.`,
    };
    for (const first of ['A', 'B'] as const) {
      const second: Side = first === 'A' ? 'B' : 'A';
      requests.push({
        key: jobKeys.judgement('bench', `p${p}`, first),
        step: 'judgements',
        maxTokens: 8,
        promptIds: [`p${p}`],
        messages: [
          { role: 'system', content: 'TASK: judgements\nAnswer 1, 2 or neither.' },
          {
            role: 'user',
            content: [
              fence('Description', 'give longer answers'),
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

const REQUEST_LIST = judgementRequests();

interface Pipeline {
  server: StandInSupervisor;
  backend: OpenAiBackend;
}

/** A fresh server and backend, connections opened by a few untimed requests. */
async function pipeline(latencyMs: number): Promise<Pipeline> {
  const server = await startStandInSupervisor({ latencyMs });
  const backend = new OpenAiBackend({
    baseUrl: server.url,
    model: STAND_IN_MODEL,
    apiKey: 'sk-bench-not-a-real-key',
    retry: { maxRetries: 0 },
    pageOrigin: null,
  });
  await Promise.all(REQUEST_LIST.slice(0, 4).map((r) => ask(backend, r)));
  return { server, backend };
}

/** Closes the server, so the benchmark's child process can exit. */
async function closePipeline({ server }: Pipeline): Promise<void> {
  await server.close();
}

/** What both sides do per request: ask, build the log entry. */
async function ask(
  backend: OpenAiBackend,
  request: SupervisorRequest,
  signal?: AbortSignal,
  attempt = 1,
): Promise<SupervisorLogEntry> {
  const at = new Date().toISOString();
  const reply = await askSupervisor(backend, request, { temperature: 0, signal });
  return supervisorLogEntry(request, reply, {
    provider: backend.id,
    model: STAND_IN_MODEL,
    temperature: 0,
    at,
    attempts: attempt,
  });
}

/** All requests through the queue at `concurrency`; throws unless every one was stored. */
async function queuePass(backend: OpenAiBackend, concurrency: number): Promise<void> {
  const log = new Map<string, SupervisorLogEntry>();
  const queue = new JobQueue(
    {
      jobs: REQUEST_LIST.map((request) => ({ key: request.key, kind: request.step, request })),
      concurrency,
      maxRequests: null,
      retry: { attempts: 3, baseDelayMs: 100 },
    },
    {
      doneKeys: async () => new Set(log.keys()),
      run: async (job, signal, attempt) => {
        log.set(job.key, await ask(backend, job.request, signal, attempt));
      },
    },
  );
  // A progress view reads every snapshot; keep that cost in the measurement.
  let shown = 0;
  queue.subscribe((s) => (shown = s.byKind.judgements?.done ?? shown));
  const final = await queue.start();
  if (final.state !== 'done' || log.size !== REQUESTS || shown !== REQUESTS) {
    throw new Error(`queue ended ${final.state} with ${log.size}/${REQUESTS} stored`);
  }
}

/** The same requests in a plain loop, one at a time, stored in a map. */
async function barePass(backend: OpenAiBackend): Promise<void> {
  const log = new Map<string, SupervisorLogEntry>();
  for (const request of REQUEST_LIST) log.set(request.key, await ask(backend, request));
  if (log.size !== REQUESTS) throw new Error(`bare loop stored ${log.size}/${REQUESTS}`);
}

/** Requests per second of `seconds` for the whole list. */
const perSecond = (seconds: number) => (REQUESTS / seconds).toFixed(1);

/** Concurrency 4 must be at least 3.5× as fast as 1 (ref_s is the concurrency-1 time). */
export function speedupVerdict(row: ResultRow): Verdict {
  const target = `≥ ${TARGET_SPEEDUP}× the requests/s of concurrency 1`;
  if (row.ours_s === null || row.ref_s === null) return { pass: false, target, got: 'no times' };
  const speedup = row.ref_s / row.ours_s;
  return {
    pass: speedup >= TARGET_SPEEDUP,
    target,
    got:
      `${speedup.toFixed(2)}× (${perSecond(row.ours_s)} req/s at 4, ` +
      `${perSecond(row.ref_s)} req/s at 1)`,
  };
}

/** The overhead row's pipeline: no latency, warmed up by full passes of `pass`. */
async function warmPipeline(pass: (backend: OpenAiBackend) => Promise<void>): Promise<Pipeline> {
  const context = await pipeline(0);
  for (let i = 0; i < WARM_UP_PASSES; i++) await pass(context.backend);
  return context;
}

/** The two supervisor rows. */
export function supervisorCases(): BenchCase[] {
  const reference = (mode: 'c1' | 'bare', name: string) => ({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', SELF, REFERENCE_FLAG, mode],
  });
  const speedup: BenchCase<Pipeline> = {
    step: 'supervisor: 80 requests, concurrency 4 vs 1',
    n: REQUESTS,
    repeats: 3,
    setup: () => pipeline(LATENCY_MS),
    run: ({ backend }) => queuePass(backend, 4),
    teardown: closePipeline,
    reference: reference('c1', 'the same queue at concurrency 1'),
    check: speedupVerdict,
  };
  const overhead: BenchCase<Pipeline> = {
    step: 'supervisor: queue overhead per job, concurrency 1',
    n: REQUESTS,
    repeats: 7,
    perItem: REQUESTS,
    setup: () => warmPipeline((backend) => queuePass(backend, 1)),
    run: ({ backend }) => queuePass(backend, 1),
    teardown: closePipeline,
    reference: reference('bare', 'the same requests in a bare loop (per request)'),
  };
  return [speedup, overhead] as BenchCase[];
}

// Run as a reference command: the concurrency-1 queue pass at the simulated latency, or the
// bare loop without latency, warmed up like the queue (its seconds per request).
if (process.argv[1] === SELF && process.argv.includes(REFERENCE_FLAG)) {
  const bare = process.argv[process.argv.indexOf(REFERENCE_FLAG) + 1] === 'bare';
  const context = bare ? await warmPipeline(barePass) : await pipeline(LATENCY_MS);
  const seconds: number[] = [];
  for (let i = 0; i < (bare ? 3 : 1); i++) {
    const start = process.hrtime.bigint();
    if (bare) await barePass(context.backend);
    else await queuePass(context.backend, 1);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  await closePipeline(context);
  console.log(JSON.stringify({ seconds: bare ? median(seconds) / REQUESTS : seconds[0] }));
}
