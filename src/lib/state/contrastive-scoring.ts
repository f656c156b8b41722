/**
 * Scoring a run's answers under both models (issue #14), apart from the screen: which answers
 * and which models (or why scoring is not possible, in words), the chunked calls to the scorer
 * with progress, and the analysis record the scores are saved as. Plain TypeScript so it runs in
 * Node: the scorer is injected (the app passes the generate worker's `contrastiveScore`). A side
 * on an OpenAI-compatible server is scored through vLLM's prompt log probabilities and the other
 * side on its own (the worker's `tokenLogprobs`, or a second server): log probabilities only.
 */
import { OpenAiPromptLogprobScorer } from '../backends/llm/prompt-logprobs';
import type { HttpOptions } from '../backends/llm/http';
import { normaliseOpenAiBaseUrl } from '../backends/llm/openai';
import type {
  ContrastiveScoreReply,
  ContrastiveScoreRequest,
  ContrastiveItem,
  GenerateModelRequest,
  TokenLogprobsRequest,
} from '../backends/llm/worker-protocol';
import { pairSeparateScores } from '../core/contrastive/divergence';
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
import type { RunSecrets } from './session-secrets.svelte';

/** Answers sent to the scorer per call: progress moves and a cancel stops within one chunk. */
export const SCORE_CHUNK = 16;

/** Top next tokens kept per token and model (what the token tooltip lists). */
export const SCORE_TOP_K = 5;

/** A model answers are scored under: what identifies it in a run's spec. */
export type ScoringModel = Pick<
  ModelSpec,
  'label' | 'backend' | 'modelId' | 'localFolder' | 'baseUrl'
>;

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
  // A server's model is named with its server (as the score command's ids are): another
  // server's scores of a model of the same name are not reused.
  if (model.backend === 'openai' && model.baseUrl) {
    return `openai:${model.modelId}@${normaliseOpenAiBaseUrl(model.baseUrl)}`;
  }
  return `${model.backend}:${model.modelId}`;
}

/** Whether each side is scored on its own (a server on either side): no KL, no top tokens. */
export function scoresSeparately(models: Record<Side, ScoringModel>): boolean {
  return SIDES.some((side) => models[side].backend === 'openai');
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
  if (model.backend === 'openai' && !model.baseUrl) {
    return `Model ${side} (${model.label}) has no server address, so it cannot be asked to score.`;
  }
  if (model.backend !== 'transformers' && model.backend !== 'openai') {
    return (
      `Model ${side} (${model.label}) runs on ${BACKEND_NAMES[model.backend]}: this backend ` +
      'gives neither next-token distributions nor the log probabilities of a given answer, so ' +
      'the answers cannot be scored under it. Scoring needs each model as a local ' +
      'transformers.js model (bundled, from the hub or from a folder on this computer) or on ' +
      "an OpenAI-compatible server with vLLM's prompt_logprobs."
    );
  }
  return null;
}

/** The run's own model of a side for scoring: undefined for imported answers. */
function ownModel(spec: ModelSpec): ScoringModel | undefined {
  if (spec.backend === 'imported') return undefined;
  const { label, backend, modelId, localFolder, baseUrl } = spec;
  return {
    label,
    backend,
    modelId,
    ...(localFolder ? { localFolder } : {}),
    ...(backend === 'openai' && baseUrl ? { baseUrl } : {}),
  };
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
  if (
    a.backend === b.backend &&
    a.modelId === b.modelId &&
    a.localFolder?.hash === b.localFolder?.hash &&
    (a.baseUrl ?? '') === (b.baseUrl ?? '')
  ) {
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
  const servers = SIDES.filter((side) => models[side]!.backend === 'openai');
  if (servers.length > 0) {
    const named = servers.map((side) => `${side} (${models[side]!.label})`).join(' and ');
    const server =
      `Model ${named} ${servers.length > 1 ? 'are' : 'is'} scored through ` +
      `${servers.length > 1 ? 'their servers, which give' : 'its server, which gives'} log ` +
      'probabilities only: no KL and no top tokens, so answers are ranked by their log-likelihood ratio. ' +
      "The server must support vLLM's prompt_logprobs (the OpenAI API and Ollama do not), and " +
      'it counts everything its chat template writes after the answer (the end-of-turn token ' +
      'and what follows it) as the answer’s end.';
    note = note ? `${note} ${server}` : server;
  }
  return { models: { A: a, B: b }, items, reason: null, note };
}

/** The scorer: the generate worker's `contrastiveScore`, or a stand-in in tests. */
export type ContrastiveScorer = (
  request: ContrastiveScoreRequest,
  options: { signal: AbortSignal; onProgress: (update: ProgressUpdate) => void },
) => Promise<ContrastiveScoreReply>;

/**
 * One side's per-token log probabilities of answers (end-of-turn last): a server's prompt log
 * probabilities or the generate worker's `tokenLogprobs`. `onProgress` counts answers.
 */
export type TokenLogprobsScorer = (
  items: ContrastiveItem[],
  options: { signal: AbortSignal; onProgress: (done: number, total: number) => void },
) => Promise<{ token: string; logprob: number }[][]>;

/**
 * A server side's scorer: vLLM's prompt log probabilities at its base URL, with the session's
 * key (and credential-bearing base URL) from `secrets`, which never reach the saved scores.
 */
export function serverTokenScorer(
  model: ScoringModel,
  secrets: RunSecrets | undefined,
  http: HttpOptions = {},
): TokenLogprobsScorer {
  const baseUrl = secrets?.baseUrl ?? model.baseUrl;
  if (model.backend !== 'openai' || !baseUrl) {
    throw new Error(`${model.label} is not a model on an OpenAI-compatible server`);
  }
  const scorer = new OpenAiPromptLogprobScorer({
    ...http,
    baseUrl,
    model: model.modelId,
    ...(secrets?.apiKey ? { apiKey: secrets.apiKey } : {}),
  });
  return (items, options) => scorer.scoreTokens(items, options);
}

/** The generate worker's `tokenLogprobs` (or its handler in tests), as a call. */
export type TokenLogprobsCall = (
  request: TokenLogprobsRequest,
  options: { signal: AbortSignal; onProgress: (update: ProgressUpdate) => void },
) => Promise<{ token: string; logprob: number }[][]>;

/** A local side's scorer: `request`'s model in the generate worker, through `call`. */
export function localTokenScorer(
  request: GenerateModelRequest,
  call: TokenLogprobsCall,
): TokenLogprobsScorer {
  return (items, options) =>
    call(
      { ...request, items },
      {
        signal: options.signal,
        onProgress: (update) => {
          if (update.phase === 'score')
            options.onProgress(update.done, update.total ?? items.length);
        },
      },
    );
}

/** Both sides scored on their own, token lists paired: no KL, A's total kept where tokens differ. */
async function scoreSeparately(
  sides: Record<Side, TokenLogprobsScorer>,
  items: ContrastiveItem[],
  signal: AbortSignal,
  onProgress: (done: number) => void,
): Promise<ContrastiveScoreReply> {
  // Half the chunk's progress is A's, half B's: one side at a time.
  let doneA = 0;
  const tokensA = await sides.A(items, {
    signal,
    onProgress: (done) => onProgress(Math.floor((doneA = done) / 2)),
  });
  const tokensB = await sides.B(items, {
    signal,
    onProgress: (done) => onProgress(Math.floor((doneA + done) / 2)),
  });
  if (tokensA.length !== items.length || tokensB.length !== items.length) {
    throw new Error(
      `the scorers returned ${tokensA.length} and ${tokensB.length} token lists for ${items.length} answers`,
    );
  }
  const scores = items.map((_, i) => pairSeparateScores(tokensA[i]!, tokensB[i]!));
  return { sharedVocabulary: false, scores };
}

/** How scoring is cancelled and where it reports how far it is. */
export interface ScoringContext {
  signal: AbortSignal;
  /** Phase 'score' counts answers over the whole run; 'load' passes the models' loading through. */
  progress(update: ProgressUpdate): void;
}

/** What scoreAnswers works with. */
export interface ScoreAnswersOptions {
  models: Record<Side, ScoringModel>;
  /** The worker requests of A's and B's model (see chat-backends' workerModel); with `score`. */
  requests?: Record<Side, GenerateModelRequest>;
  /** Both models local: scored together (KL, top tokens). */
  score?: ContrastiveScorer;
  /** Each side scored on its own (a server on either side): used instead of `score`. */
  sides?: Record<Side, TokenLogprobsScorer>;
  /** Top tokens kept (default SCORE_TOP_K); always 0 when scored by `sides`. */
  topK?: number;
  chunkSize?: number;
  /** Answers already scored under the same models (a cancelled or earlier scoring), kept as they are. */
  previous?: ContrastiveScoresResult;
  /**
   * When a scorer fails after some chunks came back (a server that stops answering, a refused
   * key), return what was scored with the error in `error` instead of throwing it, so it can be
   * saved. An error before any chunk is thrown either way.
   */
  keepOnError?: boolean;
}

/** The scores of a run, possibly partial when cancelled: `complete` says which. */
export interface ScoringOutcome {
  result: ContrastiveScoresResult;
  /** Answers scored by this call. */
  scored: number;
  complete: boolean;
  /** The scorer's error that stopped a `keepOnError` scoring part way (`complete` is then false). */
  error?: unknown;
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
 * @throws the scorer's errors other than the cancel's (see `keepOnError`).
 */
export async function scoreAnswers(
  items: readonly PlannedItem[],
  options: ScoreAnswersOptions,
  context: ScoringContext,
): Promise<ScoringOutcome> {
  const { sides, score, requests } = options;
  if (!sides && !(score && requests)) throw new Error('scoreAnswers needs a scorer');
  const topK = sides ? 0 : (options.topK ?? SCORE_TOP_K);
  const chunkSize = Math.max(1, options.chunkSize ?? SCORE_CHUNK);
  const kept = reusable(items, options.models, topK, options.previous);
  const todo = items.filter((p) => !kept.has(jobKey(p)));
  const scored = new Map(kept);
  let sharedVocabulary = kept.size > 0 ? options.previous!.sharedVocabulary : true;
  let done = 0;
  let complete = true;
  let failure: { error: unknown } | undefined;
  for (let start = 0; start < todo.length; start += chunkSize) {
    if (context.signal.aborted) {
      complete = false;
      break;
    }
    const chunk = todo.slice(start, start + chunkSize);
    let reply: ContrastiveScoreReply;
    const chunkProgress = (chunkDone: number) =>
      context.progress({
        phase: 'score',
        done: kept.size + done + Math.min(chunkDone, chunk.length),
        total: items.length,
      });
    try {
      reply = sides
        ? await scoreSeparately(
            sides,
            chunk.map((p) => p.item),
            context.signal,
            chunkProgress,
          )
        : await score!(
            { a: requests!.A, b: requests!.B, items: chunk.map((p) => p.item), topK },
            {
              signal: context.signal,
              onProgress: (update) => {
                if (update.phase === 'score') chunkProgress(update.done);
                else context.progress(update);
              },
            },
          );
    } catch (error) {
      if (!context.signal.aborted) {
        if (!options.keepOnError || done === 0) throw error;
        failure = { error };
      }
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
    ...(failure ? { error: failure.error } : {}),
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
