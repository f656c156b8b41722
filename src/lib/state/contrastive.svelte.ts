/**
 * The contrastive panel of a run (issue #14): whether its answers can be scored under both models
 * and, if not, why; scoring them in the generate worker with progress, ETA and cancel; and the
 * latest saved scores for the views. The work itself is contrastive-scoring.ts's; this class
 * gives it the app's worker, folders, session keys (for a side on an OpenAI-compatible server)
 * and store and mirrors its state for the screen.
 */
import { getCapabilities } from '../backends/capabilities';
import type { GenerateModelRequest } from '../backends/llm/worker-protocol';
import { latestContrastiveScores } from '../core/contrastive/record';
import type { ContrastiveScoresResult } from '../core/contrastive/types';
import { estimateRemaining } from '../core/generate/rate';
import type { AnalysisRecord, Run, Side } from '../core/run/types';
import { SIDES } from '../core/run/types';
import type { ProgressUpdate } from '../workers/rpc';
import { generateWorker } from '../workers/generate-client';
import type { AppState } from './app.svelte';
import { workerModel } from './chat-backends';
import {
  contrastiveScoresRecord,
  localTokenScorer,
  scoreAnswers,
  scoresSeparately,
  scoringPlan,
  serverTokenScorer,
  type ContrastiveScorer,
  type ScoringModel,
  type ScoringPlan,
  type TokenLogprobsScorer,
} from './contrastive-scoring';
import { describeError } from './describe-error';
import { Task } from './task.svelte';

/** The saved scoring shown, with the record it is saved in. */
export interface SavedContrastiveScores {
  id: string;
  createdAt: string;
  result: ContrastiveScoresResult;
}

/** The newest usable contrastive scoring among a run's analyses, or null. */
export function savedContrastiveScores(
  records: readonly AnalysisRecord[],
): SavedContrastiveScores | null {
  const result = latestContrastiveScores(records);
  const record = result ? records.find((r) => r.result === result) : undefined;
  return record && result ? { id: record.id, createdAt: record.createdAt, result } : null;
}

/** State of the contrastive panel of one run. */
export class ContrastiveState {
  /** Models chosen for sides whose answers were imported (the run does not name them). */
  chosen = $state.raw<Partial<Record<Side, ScoringModel>>>({});
  /** The scoring shown: the newest saved, or the one just made (possibly partial). */
  saved = $state.raw<SavedContrastiveScores | null>(null);
  /** What the last scoring left to say, e.g. that it was cancelled part way; null otherwise. */
  notice = $state<string | null>(null);
  /** Seconds the scoring under way should still take, or null when not known yet. */
  etaSeconds = $state<number | null>(null);
  readonly #task = new Task();

  constructor(private readonly app: AppState) {}

  /** The latest saved scores, or null: what the views show. */
  get scores(): ContrastiveScoresResult | null {
    return this.saved?.result ?? null;
  }

  /** True while answers are scored. */
  get busy(): boolean {
    return this.#task.busy;
  }

  /** The step under way, e.g. "Scoring answers". */
  get step(): string | null {
    return this.#task.step;
  }

  /** How far scoring is: phase 'score' counts answers over the run, 'load' the models' bytes. */
  get progress(): ProgressUpdate | null {
    return this.#task.progress;
  }

  /** Why the last scoring failed, or null. */
  get error(): string | null {
    return this.#task.error;
  }

  /** What scoring `run` would do (answers, models) or why it cannot. */
  plan(run: Run): ScoringPlan {
    return scoringPlan(run, this.chosen);
  }

  /**
   * Why `run`'s answers cannot be scored here now, in words, or null when they can: the plan's
   * reason, or a model's folder that is not picked in this tab.
   */
  problem(run: Run): string | null {
    const plan = this.plan(run);
    if (!plan.models) return plan.reason;
    try {
      for (const side of SIDES) {
        // A server side needs no folder; its key (if any) is checked by the server.
        if (plan.models[side].backend === 'openai') continue;
        workerModel(
          plan.models[side],
          { webgpu: false, localFolders: this.app.localFolders },
          side,
        );
      }
    } catch (error) {
      return describeError(error);
    }
    return null;
  }

  /** Chooses the model a side is scored under (for imported answers); null forgets the choice. */
  choose(side: Side, model: ScoringModel | null): void {
    const next = { ...this.chosen };
    if (model) next[side] = model;
    else delete next[side];
    this.chosen = next;
  }

  /** Shows the scoring saved with the run. */
  load(run: Run): void {
    this.saved = savedContrastiveScores(run.analyses);
    this.notice = null;
  }

  /**
   * Scores every answer of both sides not scored yet under the same models (the saved scoring's
   * are kept), saves the scores with the run (also what a cancel or a failure part way leaves)
   * and shows them;
   * `onsaved` gets the record so the page's run can hold it.
   */
  async start(run: Run, onsaved?: (record: AnalysisRecord) => void): Promise<void> {
    this.notice = null;
    this.etaSeconds = null;
    const plan = this.plan(run);
    const previous = this.saved;
    await this.#task.run(async ({ signal, step, progress }) => {
      if (!plan.models) throw new Error(plan.reason ?? 'These answers cannot be scored.');
      const models = plan.models;
      const caps = await getCapabilities();
      const folders = this.app.localFolders;
      const options = { webgpu: caps.webgpu && !caps.fallbackAdapter, localFolders: folders };
      const separately = scoresSeparately(models);
      // Local sides only: a server side is asked over HTTP, with this tab's key for the run.
      const local = SIDES.filter((side) => models[side].backend !== 'openai').map(
        (side) => [side, workerModel(models[side], options, side)] as const,
      );
      // The service worker must serve this page before a folder model's files can be fetched.
      if (local.some(([, model]) => model.fromFolder)) await folders.ready();
      for (const [side, model] of local) {
        step(`Loading model ${side} (${models[side].label})`);
        await generateWorker.call('load', model.request, { signal, onProgress: progress });
      }
      const requests: Partial<Record<Side, GenerateModelRequest>> = Object.fromEntries(
        local.map(([side, m]) => [side, m.request]),
      );
      const secrets = this.app.sessionSecrets.forRun(run.id);
      const sideScorer = (side: Side): TokenLogprobsScorer => {
        const request = requests[side];
        return request
          ? localTokenScorer(request, (r, callOptions) =>
              generateWorker.call('tokenLogprobs', r, callOptions),
            )
          : serverTokenScorer(models[side], secrets?.[side]);
      };
      const score: ContrastiveScorer = (request, callOptions) =>
        generateWorker.call('contrastiveScore', request, callOptions);
      const scorers = separately
        ? { sides: { A: sideScorer('A'), B: sideScorer('B') } }
        : { requests: { A: requests.A!, B: requests.B! }, score };
      step(`Scoring ${plan.items.length} answers under both models`);
      let mark: { at: number; done: number } | null = null;
      const outcome = await scoreAnswers(
        plan.items,
        {
          models,
          ...scorers,
          previous: previous?.result,
          // A server that fails part way must not cost the answers it already scored.
          keepOnError: true,
        },
        {
          signal,
          progress: (update) => {
            progress(update);
            if (update.phase !== 'score' || update.total === undefined) return;
            const now = performance.now();
            mark ??= { at: now, done: update.done };
            this.etaSeconds = estimateRemaining({
              startedAt: mark.at,
              startDone: mark.done,
              now,
              done: update.done,
              total: update.total,
            });
          },
        },
      );
      this.etaSeconds = null;
      // Cancelled before any chunk came back: there is nothing new to save.
      if (outcome.scored === 0 && !outcome.complete) signal.throwIfAborted();
      if (outcome.scored === 0 && previous?.result.items.length === outcome.result.items.length) {
        this.notice = 'Every answer was already scored.';
        return;
      }
      // The same models' earlier scoring is replaced in place: one record per run and models.
      const sameModels =
        previous &&
        previous.result.modelA === outcome.result.modelA &&
        previous.result.modelB === outcome.result.modelB &&
        previous.result.topK === outcome.result.topK;
      const createdAt = new Date().toISOString();
      const record = sameModels
        ? contrastiveScoresRecord(outcome.result, createdAt, previous.id)
        : contrastiveScoresRecord(outcome.result, createdAt);
      await (await this.app.repo()).putAnalysis(run.id, record);
      this.saved = { id: record.id, createdAt, result: outcome.result };
      onsaved?.(record);
      if (outcome.error !== undefined) {
        this.notice =
          `Scoring stopped after ${outcome.result.items.length} of ${plan.items.length} ` +
          'answers; those are saved. Score again to go on from there.';
        throw outcome.error;
      }
      if (!outcome.complete) {
        this.notice =
          `Scoring was cancelled after ${outcome.result.items.length} of ${plan.items.length} ` +
          'answers; those are saved. Score again to go on from there.';
      }
    });
  }

  /** Stops the scoring under way; what is scored by then is saved. */
  cancel(): void {
    this.#task.cancel();
  }
}
