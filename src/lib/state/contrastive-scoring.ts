/**
 * Scoring a run's answers under both models (issue #14), apart from the screen: which answers
 * and which models (or why scoring is not possible, in words), the chunked calls to the scorer
 * with progress, and the analysis record the scores are saved as. Plain TypeScript so it runs in
 * Node: the scorer is injected (the app passes the generate worker's `contrastiveScore`).
 */
import type {
  ContrastiveScoreReply,
  ContrastiveScoreRequest,
  ContrastiveItem,
  GenerateModelRequest,
} from '../backends/llm/worker-protocol';
import {
  CONTRASTIVE_SCORES_VERSION,
  type ContrastiveScoresResult,
  type ScoredAnswer,
} from '../core/contrastive/types';
import { jobKey } from '../core/generate/jobs';
import type { AnalysisRecord, ModelSpec, Run, Side } from '../core/run/types';
import { SIDES } from '../core/run/types';
import type { ProgressUpdate } from '../workers/rpc';
import { jobRequest } from './generation-job';

/** Answers sent to the scorer per call: progress moves and a cancel stops within one chunk. */
export const SCORE_CHUNK = 16;

/** Top next tokens kept per token and model (what the token tooltip lists). */
export const SCORE_TOP_K = 5;

/** A model answers are scored under: what identifies it in a run's spec. */
export type ScoringModel = Pick<ModelSpec, 'label' | 'backend' | 'modelId' | 'localFolder'>;

/** One answer to score: its key and what the scorer gets for it. */
export interface PlannedItem {
  promptId: string;
  side: Side;
  sample: number;
  item: ContrastiveItem;
}

/** What scoring a run would do, or why it cannot. */
export interface ScoringPlan {
  /** The models the answers are scored under; null when scoring is not possible. */
  models: Record<Side, ScoringModel> | null;
  /** The answers to score, in the run's order (empty when not possible). */
  items: PlannedItem[];
  /** Why scoring is not possible, one or two sentences for the user; null when it is. */
  reason: string | null;
  /** Something the user should know about how the answers are scored, or null. */
  note: string | null;
}

/** The `params` of a saved contrastive scoring. */
export interface ContrastiveScoresParams {
  kind: 'contrastive-scores';
  modelA: string;
  modelB: string;
  topK: number;
}

/** How a model is named in a saved scoring: the backend id the app gives it. */
export function scoringModelId(model: ScoringModel): string {
  return `${model.backend}:${model.modelId}`;
}

const BACKEND_NAMES: Record<ModelSpec['backend'], string> = {
  webllm: 'WebLLM',
  openai: 'an OpenAI-compatible server',
  anthropic: 'the Anthropic API',
  transformers: 'transformers.js',
  imported: 'a file',
};

// Only the messages of jobRequest are used; its options' signal is never read.
const UNUSED_SIGNAL = new AbortController().signal;

/** Why `model` (side `side`) cannot score, or null. */
function modelProblem(side: Side, model: ScoringModel | undefined): string | null {
  if (!model) {
    return (
      `Model ${side}'s answers were imported from a file, so the app does not know which model ` +
      `wrote them: choose that model for ${side} (a transformers.js model, bundled or from the ` +
      'hub) to score them.'
    );
  }
  if (model.backend !== 'transformers') {
    return (
      `Model ${side} (${model.label}) runs on ${BACKEND_NAMES[model.backend]}: this backend ` +
      'cannot give full next-token distributions, so the answers cannot be scored under it. ' +
      'Scoring needs both models as local transformers.js models (bundled, from the hub or ' +
      'from a folder on this computer).'
    );
  }
  return null;
}

/** The run's own model of a side for scoring: undefined for imported answers. */
function ownModel(spec: ModelSpec): ScoringModel | undefined {
  if (spec.backend === 'imported') return undefined;
  const { label, backend, modelId, localFolder } = spec;
  return { label, backend, modelId, ...(localFolder ? { localFolder } : {}) };
}

/**
 * What scoring `run` would do: every answer of both sides (failed and aborted ones left out),
 * each with the messages its generation was given (system prompts included), under the run's
 * two models or those `chosen` for a side (imported answers need one). An amplified run's
 * answers are scored under the two models it amplifies between.
 */
export function scoringPlan(
  run: Pick<Run, 'models' | 'prompts' | 'answers'>,
  chosen: Partial<Record<Side, ScoringModel>> = {},
): ScoringPlan {
  const none = (reason: string): ScoringPlan => ({ models: null, items: [], reason, note: null });
  let note: string | null = null;
  const models: Partial<Record<Side, ScoringModel>> = {};
  const amplify = run.models.B.amplify;
  if (amplify && !chosen.A && !chosen.B) {
    models.A = { ...amplify.base };
    models.B = ownModel({ ...run.models.B, label: run.models.A.label });
    note =
      `B samples ${run.models.A.label} amplified away from ${amplify.base.label}: both sides' ` +
      `answers are scored under ${amplify.base.label} (A) and ${run.models.A.label} (B), the ` +
      'models it amplifies between.';
  } else {
    for (const side of SIDES) models[side] = chosen[side] ?? ownModel(run.models[side]);
  }
  for (const side of SIDES) {
    const problem = modelProblem(side, models[side]);
    if (problem) return none(problem);
  }
  const a = models.A!;
  const b = models.B!;
  if (a.modelId === b.modelId && a.localFolder?.hash === b.localFolder?.hash) {
    return none(
      'A and B are the same model (they differ only in how they are prompted or sampled): ' +
        'scoring compares two models on the same text, so it would find no difference.',
    );
  }
  const prompts = new Map(run.prompts.map((p) => [p.id, p]));
  const items: PlannedItem[] = [];
  for (const answer of run.answers) {
    const prompt = prompts.get(answer.promptId);
    if (!prompt || answer.finishReason === 'error' || answer.finishReason === 'abort') continue;
    const { messages } = jobRequest(run.models[answer.side], prompt, answer.sample, UNUSED_SIGNAL);
    items.push({
      promptId: answer.promptId,
      side: answer.side,
      sample: answer.sample,
      item: { messages, answer: answer.text },
    });
  }
  if (items.length === 0) return none('There are no answers to score yet: generate them first.');
  return { models: { A: a, B: b }, items, reason: null, note };
}

/** The scorer: the generate worker's `contrastiveScore`, or a stand-in in tests. */
export type ContrastiveScorer = (
  request: ContrastiveScoreRequest,
  options: { signal: AbortSignal; onProgress: (update: ProgressUpdate) => void },
) => Promise<ContrastiveScoreReply>;

/** How scoring is cancelled and where it reports how far it is. */
export interface ScoringContext {
  signal: AbortSignal;
  /** Phase 'score' counts answers over the whole run; 'load' passes the models' loading through. */
  progress(update: ProgressUpdate): void;
}

/** What scoreAnswers works with. */
export interface ScoreAnswersOptions {
  models: Record<Side, ScoringModel>;
  /** The worker requests of A's and B's model (see chat-backends' workerModel). */
  requests: Record<Side, GenerateModelRequest>;
  score: ContrastiveScorer;
  topK?: number;
  chunkSize?: number;
  /** Answers already scored under the same models (a cancelled or earlier scoring), kept as they are. */
  previous?: ContrastiveScoresResult;
}

/** The scores of a run, possibly partial when cancelled: `complete` says which. */
export interface ScoringOutcome {
  result: ContrastiveScoresResult;
  /** Answers scored by this call. */
  scored: number;
  complete: boolean;
}

/**
 * Whether a saved scoring can be reused for an answer: same key and, as far as token texts
 * tell, the same text (a regenerated answer is scored again).
 */
function stillFits(saved: ScoredAnswer, planned: PlannedItem): boolean {
  return saved.tokens
    .map((t) => t.token)
    .join('')
    .startsWith(planned.item.answer);
}

/** The previous scoring's answers that still fit the plan, by job key. */
function reusable(
  items: readonly PlannedItem[],
  models: Record<Side, ScoringModel>,
  topK: number,
  previous: ContrastiveScoresResult | undefined,
): Map<string, ScoredAnswer> {
  const kept = new Map<string, ScoredAnswer>();
  if (
    !previous ||
    previous.modelA !== scoringModelId(models.A) ||
    previous.modelB !== scoringModelId(models.B) ||
    previous.topK !== topK
  ) {
    return kept;
  }
  const saved = new Map(previous.items.map((s) => [jobKey(s), s]));
  for (const planned of items) {
    const s = saved.get(jobKey(planned));
    if (s && stillFits(s, planned)) kept.set(jobKey(planned), s);
  }
  return kept;
}

/**
 * Scores the planned answers in chunks of `chunkSize`, reusing what `previous` already scored
 * under the same models. On a cancel the answers scored so far come back with `complete` false
 * (at most the chunk under way is lost); nothing is thrown for it.
 * @throws the scorer's errors other than the cancel's.
 */
export async function scoreAnswers(
  items: readonly PlannedItem[],
  options: ScoreAnswersOptions,
  context: ScoringContext,
): Promise<ScoringOutcome> {
  const topK = options.topK ?? SCORE_TOP_K;
  const chunkSize = Math.max(1, options.chunkSize ?? SCORE_CHUNK);
  const kept = reusable(items, options.models, topK, options.previous);
  const todo = items.filter((p) => !kept.has(jobKey(p)));
  const scored = new Map(kept);
  let sharedVocabulary = kept.size > 0 ? options.previous!.sharedVocabulary : true;
  let done = 0;
  let complete = true;
  for (let start = 0; start < todo.length; start += chunkSize) {
    if (context.signal.aborted) {
      complete = false;
      break;
    }
    const chunk = todo.slice(start, start + chunkSize);
    let reply: ContrastiveScoreReply;
    try {
      reply = await options.score(
        {
          a: options.requests.A,
          b: options.requests.B,
          items: chunk.map((p) => p.item),
          topK,
        },
        {
          signal: context.signal,
          onProgress: (update) => {
            if (update.phase === 'score') {
              context.progress({
                phase: 'score',
                done: kept.size + done + Math.min(update.done, chunk.length),
                total: items.length,
              });
            } else context.progress(update);
          },
        },
      );
    } catch (error) {
      if (!context.signal.aborted) throw error;
      complete = false;
      break;
    }
    if (reply.scores.length !== chunk.length) {
      throw new Error(
        `the scorer returned ${reply.scores.length} scores for ${chunk.length} answers`,
      );
    }
    if (!reply.sharedVocabulary) sharedVocabulary = false;
    chunk.forEach((p, i) => {
      scored.set(jobKey(p), {
        ...reply.scores[i]!,
        promptId: p.promptId,
        side: p.side,
        sample: p.sample,
      });
    });
    done += chunk.length;
    context.progress({ phase: 'score', done: kept.size + done, total: items.length });
  }
  // In the plan's order, so a resumed scoring reads like a whole one.
  const ordered = items.map((p) => scored.get(jobKey(p))).filter((s): s is ScoredAnswer => !!s);
  return {
    result: {
      version: CONTRASTIVE_SCORES_VERSION,
      modelA: scoringModelId(options.models.A),
      modelB: scoringModelId(options.models.B),
      sharedVocabulary,
      topK,
      items: ordered,
    },
    scored: done,
    complete,
  };
}

/** The analysis record a run's contrastive scores are saved as. */
export function contrastiveScoresRecord(
  result: ContrastiveScoresResult,
  createdAt: string,
  id = `contrastive-scores-${Date.parse(createdAt).toString(36)}${Math.random().toString(36).slice(2, 6)}`,
): AnalysisRecord {
  const params: ContrastiveScoresParams = {
    kind: 'contrastive-scores',
    modelA: result.modelA,
    modelB: result.modelB,
    topK: result.topK,
  };
  return { id, createdAt, params: { ...params }, result };
}
