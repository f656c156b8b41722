/**
 * Fixtures of the generation queue tests: a scripted ChatBackend that sees only what a real one
 * sees (messages and options), a fresh run on an in-memory IndexedDB, a repository wrapper that
 * can "die" mid-write, and the check that a run holds exactly one correct answer per job.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { expect } from 'vitest';
import type {
  ChatBackend,
  ChatChunk,
  ChatMessage,
  GenerateOptions,
  LoadProgress,
} from '../../src/lib/backends/llm/types';
import { jobKey, planJobs, type JobOrder } from '../../src/lib/core/generate/jobs';
import type { Answer, ModelSpec, Prompt, Run, Side } from '../../src/lib/core/run/types';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import { openDb, runRange, type Db } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import { GenerationQueue, type QueueDeps } from '../../src/lib/state/generation-queue';

/** The run every test generates. */
export const RUN = 'run1';
/** Base seed of both sides: sample i uses SEED + i, which is how the fake knows the sample. */
export const SEED = 100;
/** Start of the fake clock. */
export const NOW = Date.parse('2025-03-01T12:00:00.000Z');

/** What one scripted generation does; default: answer in full. */
export type Behaviour =
  | { kind: 'answer' }
  | { kind: 'throw'; error: unknown; afterTokens?: number }
  /** A closed tab: the stream stops and never ends, abort or not. */
  | { kind: 'freeze'; afterTokens: number }
  /** Waits (abortably) for `gate` after some tokens, then goes on. */
  | { kind: 'wait'; gate: Promise<void>; afterTokens: number }
  | { kind: 'no-final-chunk' };

/** A generation the fake backend saw, keyed like the job it belongs to. */
export interface Call {
  key: string;
  messages: ChatMessage[];
  options: GenerateOptions;
  /** How many times this job was generated before, by this backend. */
  before: number;
}

/** The answer text a side gives to a prompt with a seed: deterministic, several tokens. */
export function expectedText(side: Side, promptText: string, seed: number | undefined): string {
  return `${side} answers "${promptText}" with seed ${seed} .`;
}

/** A ChatBackend that answers by script; derives the job from the prompt text and the seed. */
export class ScriptedBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities = { logprobs: false, batching: false, needsWebGpu: false };
  readonly calls: Call[] = [];
  loads = 0;
  unloads = 0;
  loadError: unknown;
  /** When set, load() waits for it (a slow model download). */
  loadGate: Promise<void> | undefined;
  constructor(
    readonly side: Side,
    private readonly behave: (call: Call) => Behaviour = () => ({ kind: 'answer' }),
    private readonly log: string[] = [],
  ) {
    this.id = `scripted:${side}`;
  }

  async load(onProgress?: (progress: LoadProgress) => void): Promise<void> {
    this.loads++;
    this.log.push(`load ${this.side}`);
    onProgress?.({ loadedBytes: 50, totalBytes: 100, fraction: 0.5, text: 'half' });
    await (this.loadGate ?? Promise.resolve());
    if (this.loadError) throw this.loadError;
    onProgress?.({ loadedBytes: 100, totalBytes: 100, fraction: 1, text: 'loaded' });
  }

  async unload(): Promise<void> {
    this.unloads++;
    this.log.push(`unload ${this.side}`);
  }

  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    const prompt = messages.at(-1)!.content;
    const key = jobKey({
      promptId: prompt.split(' ')[1]!,
      side: this.side,
      sample: (options.seed ?? SEED) - SEED,
    });
    const call = { key, messages, options, before: this.calls.filter((c) => c.key === key).length };
    this.calls.push(call);
    this.log.push(`generate ${key}`);
    const behaviour = this.behave(call);
    const words = expectedText(this.side, prompt, options.seed).split(' ');
    const signal = options.signal;
    let text = '';
    for (const [i, word] of words.entries()) {
      if (behaviour.kind === 'throw' && i === (behaviour.afterTokens ?? 0)) throw behaviour.error;
      if (behaviour.kind === 'freeze' && i === behaviour.afterTokens) await new Promise(() => {});
      if (behaviour.kind === 'wait' && i === behaviour.afterTokens) {
        await Promise.race([behaviour.gate, aborted(signal)]);
      }
      await Promise.resolve();
      if (signal?.aborted) {
        yield done(messages, text, 'abort');
        return;
      }
      const token = i === 0 ? word : ` ${word}`;
      text += token;
      yield { type: 'token', text: token };
    }
    if (behaviour.kind !== 'no-final-chunk') yield done(messages, text, 'stop');
  }
}

/** The final chunk, with word counts as token counts. */
export function done(
  messages: ChatMessage[],
  text: string,
  finishReason: 'stop' | 'abort',
): ChatChunk {
  const promptTokens = messages.map((m) => m.content.split(' ').length).reduce((a, b) => a + b);
  return {
    type: 'done',
    usage: { promptTokens, completionTokens: text ? text.split(' ').length : 0 },
    finishReason,
  };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve()));
}

/** Resolves after `ms` of real time (to let a queue get somewhere). */
export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds (polling), failing after a second. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await tick(2);
  expect(condition()).toBe(true);
}

/** Sampling settings of both fake sides. */
export const params = { temperature: 0.7, topP: 0.9, maxTokens: 64, seed: SEED };
/** Both sides; B has a system prompt, so messages differ. */
export const MODELS: Record<Side, ModelSpec> = {
  A: { label: 'base', backend: 'transformers', modelId: 'base', params },
  B: {
    label: 'tuned',
    backend: 'transformers',
    modelId: 'tuned',
    systemPrompt: 'Be brief.',
    params,
  },
};

/** `n` prompts whose second word is their id (the fake backend reads it). */
export function prompts(n: number): Prompt[] {
  return Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `Prompt q${i} please.` }));
}

/** A fresh database holding one run without answers. */
export async function freshRun(
  promptList: Prompt[],
  samples: number,
  models = MODELS,
): Promise<{ db: Db; repo: RunRepository }> {
  const db = await openDb({ factory: new IDBFactory(), name: 'queue-test' });
  const repo = new RunRepository(db);
  const run: Run = {
    id: RUN,
    name: 'queue test',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    schemaVersion: RUN_SCHEMA_VERSION,
    models,
    promptSet: { id: 'set', name: 'Set', source: 'pasted' },
    samplesPerPrompt: samples,
    prompts: promptList,
    answers: [],
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
  await repo.create(run);
  return { db, repo };
}

/** The repository as the queue sees it, logging every completed write (and able to "die"). */
export function watched(
  repo: RunRepository,
  log: string[],
  die?: { atWrite: number; committed: boolean },
): QueueDeps['repo'] & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    answers: (id) => repo.answers(id),
    touch: (id) => repo.touch(id),
    async appendAnswer(id, answer) {
      const key = jobKey(answer);
      if (die && writes.length === die.atWrite) {
        if (die.committed) await repo.appendAnswer(id, answer);
        await new Promise(() => {}); // the tab is gone
      }
      await repo.appendAnswer(id, answer);
      writes.push(key);
      log.push(`stored ${key}`);
    },
  };
}

/** Every stored answer row of the run, read straight from the database. */
export async function storedRows(db: Db): Promise<Answer[]> {
  return db.getAll('answers', runRange(RUN));
}

/** Checks the run holds exactly one complete, correct answer per planned job. */
export async function expectComplete(db: Db, promptList: Prompt[], samples: number): Promise<void> {
  const rows = await storedRows(db);
  const plan = planJobs(promptList, samples);
  const keys = rows.map(jobKey);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.sort()).toEqual(plan.map(jobKey).sort());
  for (const row of rows) {
    const text = promptList.find((p) => p.id === row.promptId)!.text;
    expect(row.text).toBe(expectedText(row.side, text, SEED + row.sample));
    expect(row.finishReason).toBe('stop');
  }
}

/** A queue over `repo` with scripted backends (a clock moving 10 ms per reading). */
export function makeQueue(
  repo: QueueDeps['repo'],
  backends: Record<Side, ChatBackend>,
  promptList: Prompt[],
  samples: number,
  extra: Partial<QueueDeps> & { order?: JobOrder; oneModelAtATime?: boolean } = {},
): GenerationQueue {
  let clock = NOW;
  const { order, oneModelAtATime, ...deps } = extra;
  const config = { prompts: promptList, models: MODELS, samplesPerPrompt: samples };
  return new GenerationQueue(
    { runId: RUN, ...config, order, oneModelAtATime },
    {
      repo,
      backendFor: (side) => backends[side],
      now: () => (clock += 10),
      retry: { attempts: 2, baseDelayMs: 50 },
      sleep: async () => {},
      ...deps,
    },
  );
}
