/**
 * The supervisor part of `npm run analyze` (`--supervisor-url`): runs every stage of the
 * SupervisorRunner against an OpenAI-compatible server without a preview (the command line is
 * the user's consent), shows progress on stderr, and keeps every reply in a cache file
 * (`--cache`) so an interrupted run pays only for what is missing on the next try.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { OpenAiBackend } from '../src/lib/backends/llm/openai';
import type { AnalysisResult } from '../src/lib/core/analysis';
import type { Explanation, SupervisorSettings } from '../src/lib/core/explain/types';
import type { Answer, Hypothesis, Prompt, SupervisorLogEntry } from '../src/lib/core/run/types';
import type { JobQueueSnapshot } from '../src/lib/state/job-queue';
import { SupervisorRunner, type SupervisorStore } from '../src/lib/state/supervisor-runner';
import type { AnalyzeCommand } from './analyze-options';

/** What the supervisor adds to REPORT.json. */
export interface SupervisorOutcome {
  explanation: Explanation;
  hypotheses: Hypothesis[];
  requestsSpent: number;
  /** Why it stopped early (cap, refused key, cancelled), or null when every stage finished. */
  stopped: string | null;
}

const CACHE_VERSION = 1;

/** The cache file's content: everything a SupervisorStore keeps, for one pair of inputs. */
interface CacheFile {
  version: number;
  /** A digest of the prompts and answers: a cache made for other inputs is refused. */
  inputs: string;
  log: SupervisorLogEntry[];
  hypotheses: Hypothesis[];
  explanations: Explanation[];
}

/** A SupervisorStore in memory, written to `path` (if any) after every change. */
export class FileSupervisorStore implements SupervisorStore {
  readonly #path: string | undefined;
  readonly #data: CacheFile;
  #writing: Promise<void> = Promise.resolve();

  /** @throws Error when the cache file is unreadable or was made for other inputs. */
  constructor(path: string | undefined, inputs: string) {
    this.#path = path;
    this.#data = { version: CACHE_VERSION, inputs, log: [], hypotheses: [], explanations: [] };
    if (!path || !existsSync(path)) return;
    let parsed: CacheFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
    } catch (error) {
      throw new Error(
        `${path}: not a supervisor cache (${String(error)}); delete it or choose another --cache`,
        { cause: error },
      );
    }
    if (parsed.version !== CACHE_VERSION || !Array.isArray(parsed.log)) {
      throw new Error(
        `${path}: not a supervisor cache of this version; delete it or choose another --cache`,
      );
    }
    if (parsed.inputs !== inputs) {
      throw new Error(`${path}: made for other answer files; delete it or choose another --cache`);
    }
    this.#data = parsed;
  }

  /** Every log entry, in send order. */
  get log(): readonly SupervisorLogEntry[] {
    return this.#data.log;
  }

  async appendSupervisorLog(_runId: string, entry: SupervisorLogEntry): Promise<void> {
    this.#data.log.push(entry);
    await this.#save();
  }

  async supervisorReplies(): Promise<Map<string, SupervisorLogEntry>> {
    const replies = new Map<string, SupervisorLogEntry>();
    for (const entry of this.#data.log) {
      if (entry.key !== undefined && typeof entry.reply === 'string') replies.set(entry.key, entry);
    }
    return replies;
  }

  async putExplanation(_runId: string, explanation: Explanation): Promise<void> {
    this.#data.explanations = [
      ...this.#data.explanations.filter((e) => e.id !== explanation.id),
      explanation,
    ];
    await this.#save();
  }

  async hypotheses(): Promise<Hypothesis[]> {
    return this.#data.hypotheses.map((h) => ({ ...h }));
  }

  async putHypothesis(_runId: string, hypothesis: Hypothesis): Promise<void> {
    const i = this.#data.hypotheses.findIndex((h) => h.id === hypothesis.id);
    if (i >= 0) this.#data.hypotheses[i] = hypothesis;
    else this.#data.hypotheses.push(hypothesis);
    await this.#save();
  }

  /** Writes the whole cache to a temporary file and renames it: a crash never leaves half a file. */
  #save(): Promise<void> {
    const path = this.#path;
    if (!path) return Promise.resolve();
    this.#writing = this.#writing.then(async () => {
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(this.#data));
      await rename(temporary, path);
    });
    return this.#writing;
  }
}

/** A digest of the inputs the supervisor reads (prompt ids and texts, answer texts). */
export function inputsDigest(prompts: readonly Prompt[], answers: readonly Answer[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const add = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
  };
  for (const p of prompts) add(`${p.id}\u0000${p.text}\u0001`);
  for (const a of answers)
    add(`${a.promptId}\u0000${a.side}\u0000${a.sample}\u0000${a.text}\u0001`);
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

/** One stderr line per progress change of a stage (throttled to one a second). */
function progressPrinter(stage: string): (snapshot: JobQueueSnapshot) => void {
  let last = 0;
  return (s) => {
    const now = Date.now();
    if (now - last < 1000 && s.state === 'running') return;
    last = now;
    const counts = Object.entries(s.byKind)
      .map(([kind, c]) => `${kind} ${c.done}/${c.total}${c.failed ? ` (${c.failed} failed)` : ''}`)
      .join(', ');
    const eta = s.etaSeconds === null ? '' : `, about ${Math.ceil(s.etaSeconds)} s left`;
    console.error(`analyze: supervisor ${stage}: ${counts}; ${s.requestsSpent} requests${eta}`);
  };
}

/**
 * Runs the supervisor over `analysis` to the end (or until the cap, a refused key or a failure
 * stops it: then what was done is reported and the reason given).
 * @throws UsageError-like Error when the key variable is named but empty.
 */
export async function runSupervisorCli(
  command: AnalyzeCommand,
  data: {
    prompts: Prompt[];
    answers: Answer[];
    analysis: AnalysisResult;
    embed: (texts: string[]) => Promise<Float32Array[]>;
    seed: number;
  },
): Promise<SupervisorOutcome> {
  const keyVar = command['supervisor-key-env'];
  const apiKey = keyVar ? process.env[keyVar] : undefined;
  if (keyVar && !apiKey)
    throw new Error(`--supervisor-key-env ${keyVar}: that variable is empty or not set`);
  const model = command['supervisor-model']!;
  const backend = new OpenAiBackend({
    baseUrl: command['supervisor-url']!,
    model,
    ...(apiKey ? { apiKey } : {}),
    pageOrigin: null,
    // The job queue retries (and counts every request against the cap); the client must not.
    retry: { maxRetries: 0 },
  });
  const settings: SupervisorSettings = {
    provider: 'openai-compatible',
    model,
    temperature: 0,
    seed: data.seed,
    propertiesSample: command['properties-sample'] ?? 40,
    hypotheses: command.hypotheses ?? 5,
    heldOutSample: command['held-out-sample'] ?? 60,
  };
  const analysisId = 'cli';
  const store = new FileSupervisorStore(command.cache, inputsDigest(data.prompts, data.answers));
  const runner = new SupervisorRunner(
    {
      run: {
        id: 'cli',
        prompts: data.prompts,
        answers: data.answers,
        analyses: [
          {
            id: analysisId,
            createdAt: new Date().toISOString(),
            params: {},
            result: data.analysis,
          },
        ],
      },
      analysisId,
      settings,
    },
    {
      backend,
      store,
      embed: data.embed,
      concurrency: command.concurrency ?? 4,
      maxRequests: command['max-requests'] ?? 1000,
      secrets: apiKey ? [apiKey] : [],
    },
  );
  let stopped: string | null = null;
  for (let plan = await runner.nextStage(); plan; plan = await runner.nextStage()) {
    console.error(`analyze: supervisor ${plan.stage}: ${plan.requests.length} requests to send`);
    const snapshot = await runner.runStage(plan, progressPrinter(plan.stage));
    if (snapshot.state !== 'done') {
      stopped =
        snapshot.state === 'capped'
          ? `the spending cap of ${command['max-requests'] ?? 1000} requests was reached`
          : (snapshot.error?.message ?? `the ${plan.stage} stage ended ${snapshot.state}`);
      break;
    }
    if (snapshot.failures.length > 0) {
      // Failed jobs stay missing: the next plan would ask them again, forever on a broken server.
      stopped = `${snapshot.failures.length} ${plan.stage} requests failed (${snapshot.failures[0]!.message}); rerun with --cache to retry only those`;
      break;
    }
  }
  if (stopped) console.error(`analyze: supervisor stopped: ${stopped}`);
  const { explanation, hypotheses } = await runner.outcome();
  return { explanation, hypotheses, requestsSpent: runner.requestsSpent, stopped };
}
