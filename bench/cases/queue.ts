/**
 * Generation queue overhead on the bundled tiny models: the same greedy jobs (8 demo prompts x
 * 1 sample x 2 sides, 48 tokens at most) through the GenerationQueue (streamed snapshots to a
 * listener, one IndexedDB write per answer on fake-indexeddb) and through the bare backends (a
 * plain loop over `generate`). The bare loop is the reference command (this file run with
 * --bare), so ratio = queue s / bare s, and since both produce the same tokens 1 / ratio is the
 * share of the bare tokens/s the queue keeps (target >= 90%, i.e. ratio <= 1.11).
 * Both sides warm the models up first: the first passes after a load run up to twice as slow.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { fileURLToPath } from 'node:url';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type { ChatMessage } from '../../src/lib/backends/llm/types';
import { planJobs } from '../../src/lib/core/generate/jobs';
import { DEMO_PROMPT_SET } from '../../src/lib/core/prompts/builtin-set';
import type { ModelSpec, Prompt, Side } from '../../src/lib/core/run/types';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import { GenerationQueue, type QueueSnapshot } from '../../src/lib/state/generation-queue';
import { median, type BenchCase } from '../harness';

const PROMPTS: Prompt[] = DEMO_PROMPT_SET.prompts.slice(0, 8);
const SAMPLES = 1;
const MAX_TOKENS = 48;
const WARM_UP_PASSES = 2;
const BARE_FLAG = '--bare';
const SELF = fileURLToPath(import.meta.url);

const params = { temperature: 0, topP: 1, maxTokens: MAX_TOKENS, seed: null };
const MODELS: Record<Side, ModelSpec> = {
  A: { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base', params },
  B: { label: 'tiny-finetune', backend: 'transformers', modelId: 'tiny-finetune', params },
};

type Backends = Record<Side, TransformersChatBackend>;

let warm: Promise<{ backends: Backends; tokens: number }> | undefined;

/** Loads both tiny models once per process and runs the bare loop until they are warm. */
function warmBackends(): Promise<{ backends: Backends; tokens: number }> {
  warm ??= (async () => {
    configureTransformers({
      localModelPath: fileURLToPath(new URL('../../public/models/', import.meta.url)),
      allowRemoteModels: false,
    });
    const backends: Backends = {
      A: new TransformersChatBackend({ modelId: 'tiny-base' }),
      B: new TransformersChatBackend({ modelId: 'tiny-finetune' }),
    };
    await backends.A.load();
    await backends.B.load();
    let tokens = 0;
    for (let i = 0; i < WARM_UP_PASSES; i++) tokens = await barePass(backends);
    return { backends, tokens };
  })();
  return warm;
}

/**
 * The reference: the same jobs in the same order straight on the backends, each stream read
 * to its end as the queue does. Returns the completion tokens generated.
 */
async function barePass(backends: Backends): Promise<number> {
  let tokens = 0;
  for (const job of planJobs(PROMPTS, SAMPLES)) {
    const text = PROMPTS.find((p) => p.id === job.promptId)!.text;
    const messages: ChatMessage[] = [{ role: 'user', content: text }];
    const options = { temperature: 0, topP: 1, maxTokens: MAX_TOKENS };
    for await (const chunk of backends[job.side].generate(messages, options)) {
      if (chunk.type === 'done') tokens += chunk.usage.completionTokens;
    }
  }
  return tokens;
}

interface QueueContext {
  queue: GenerationQueue;
  repo: RunRepository;
  expectedTokens: number;
  /** What a progress view last showed; proves the listener ran. */
  view: { tokensShown: number };
}

/** The queue case; its reference runs the bare loop in a process of its own. */
export function queueCases(): BenchCase[] {
  const queueCase: BenchCase<QueueContext> = {
    step: 'queue: tokens/s vs bare backend',
    n: PROMPTS.length * SAMPLES * 2,
    repeats: 7,
    async setup() {
      const { backends, tokens } = await warmBackends();
      const repo = new RunRepository(await openDb({ factory: new IDBFactory(), name: 'bench' }));
      await repo.create({
        id: 'r',
        name: 'queue bench',
        createdAt: '2025-01-01T00:00:00.000Z',
        updatedAt: '2025-01-01T00:00:00.000Z',
        schemaVersion: RUN_SCHEMA_VERSION,
        models: MODELS,
        promptSet: DEMO_PROMPT_SET.info,
        samplesPerPrompt: SAMPLES,
        prompts: PROMPTS,
        answers: [],
        embeddings: [],
        analyses: [],
        hypotheses: [],
        supervisorLog: [],
        explanations: [],
      });
      const queue = new GenerationQueue(
        { runId: 'r', prompts: PROMPTS, models: MODELS, samplesPerPrompt: SAMPLES },
        { repo, backendFor: (side) => backends[side] },
      );
      // A progress view reads every snapshot; keep that cost in the measurement.
      const view = { tokensShown: 0 };
      queue.subscribe((snapshot: QueueSnapshot) => {
        view.tokensShown = snapshot.current?.tokens ?? view.tokensShown;
      });
      return { queue, repo, expectedTokens: tokens, view };
    },
    async run({ queue }) {
      const final = await queue.start();
      if (final.state !== 'done' || final.done !== final.total) {
        throw new Error(`queue ended ${final.state} with ${final.done}/${final.total} answers`);
      }
    },
    async teardown({ repo, expectedTokens, view }) {
      if (view.tokensShown === 0) throw new Error('the listener saw no streamed tokens');
      const answers = await repo.answers('r');
      const tokens = answers.reduce((sum, a) => sum + (a.completionTokens ?? 0), 0);
      // Same greedy jobs, so the same tokens: otherwise the timings are not comparable.
      if (tokens !== expectedTokens) throw new Error(`${tokens} tokens, bare ${expectedTokens}`);
      repo.db.close();
    },
    reference: {
      name: 'the same jobs straight on the backends, no queue',
      command: process.execPath,
      args: ['--import', 'tsx', SELF, BARE_FLAG],
    },
  };
  return [queueCase] as BenchCase[];
}

// Run as the reference command: warm up, time a few bare passes (as warm as the queue's
// repeats, which share one process) and report their median.
if (process.argv[1] === SELF && process.argv.includes(BARE_FLAG)) {
  const { backends } = await warmBackends();
  const seconds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    await barePass(backends);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  await backends.A.unload();
  await backends.B.unload();
  console.log(JSON.stringify({ seconds: median(seconds) }));
}
