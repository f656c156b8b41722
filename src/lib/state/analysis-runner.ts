/**
 * Analysing a run (workflow steps 3 and 4): load the embedder, embed the answers through the
 * run's vector cache in IndexedDB, run the pipeline, and save the result with the run so
 * reopening it shows the analysis at once. Plain TypeScript (no runes) so it runs in Node: the
 * embedder and the pipeline are injected, the analysis worker being one way to run the latter;
 * `AnalysisState` mirrors its steps and keeps the results for the screen.
 */
import {
  analysisParams,
  embedWithCache,
  embeddingText,
  type AnalysisParams,
  type AnalysisResult,
} from '../core/analysis';
import { analysisResultProblem } from '../core/analysis/result-schema';
import type { AnalysisRecord, Run } from '../core/run/types';
import type { Matrix } from '../core/vectors/matrix';
import { runVectorCache } from '../persistence/run-vector-cache';
import type { RunRepository } from '../persistence/runs';
import type { AnalyseRequest } from '../workers/analysis.worker';
import type { ProgressUpdate } from '../workers/rpc';

/** A saved analysis with its typed result. */
export interface SavedAnalysis {
  id: string;
  createdAt: string;
  result: AnalysisResult;
}

/**
 * Reads our analyses back from stored records, newest first. The repository already left out
 * results this version cannot read; checking again costs little and keeps the results view
 * safe from a record that reached the state some other way.
 */
export function savedAnalyses(records: readonly AnalysisRecord[]): SavedAnalysis[] {
  return records
    .filter((r) => analysisResultProblem(r.result) === null)
    .map((r) => ({ id: r.id, createdAt: r.createdAt, result: r.result as AnalysisResult }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** An embedder ready to use: its id (the cache key) and a function embedding one batch. */
export interface LoadedEmbedder {
  embedderId: string;
  embed(batch: string[]): Promise<Matrix>;
}

/** How an analysis is cancelled and where it reports its steps and progress. */
export interface AnalysisRunContext {
  signal: AbortSignal;
  step(label: string): void;
  progress(update: ProgressUpdate): void;
}

/** What an analysis works with; the two functions are where the app puts its workers. */
export interface AnalysisRunnerDeps {
  repo: RunRepository;
  /** Loads the chosen embedder (a worker model or an HTTP endpoint). */
  loadEmbedder(context: AnalysisRunContext): Promise<LoadedEmbedder>;
  /**
   * Projects, clusters and tests. `vectors` may be transferred (unusable afterwards).
   * @throws an AbortError when `context.signal` aborts.
   */
  analyse(request: AnalyseRequest, context: AnalysisRunContext): Promise<AnalysisResult>;
  /** Id of the saved record. Default crypto.randomUUID. */
  newId?: () => string;
  /** Time of the saved record. Default the wall clock. */
  now?: () => Date;
}

/** A finished, saved analysis and what the user should know about how it was made. */
export interface AnalysisOutcome {
  saved: SavedAnalysis;
  /** E.g. the run's own vectors that were replaced; null when there is nothing to say. */
  notice: string | null;
}

/**
 * Embeds and analyses `run` with `settings` (the embedder id comes from the loaded embedder),
 * then saves the result with the run. Nothing is saved when the signal aborts first.
 * @throws what the embedder, the pipeline or the repository throw, and an AbortError.
 */
export async function analyseRun(
  run: Pick<Run, 'id' | 'prompts' | 'answers'>,
  settings: Partial<AnalysisParams>,
  deps: AnalysisRunnerDeps,
  context: AnalysisRunContext,
): Promise<AnalysisOutcome> {
  const { signal } = context;
  context.step('Loading the embedding model');
  const { embedderId, embed } = await deps.loadEmbedder(context);
  const params = analysisParams({ ...settings, embedderId });

  context.step('Embedding answers');
  const promptText = new Map(run.prompts.map((p) => [p.id, p.text]));
  const texts = run.answers.map((a) =>
    embeddingText(params.embedInput, promptText.get(a.promptId) ?? '', a.text),
  );
  const { vectors, stats } = await embedWithCache(
    texts,
    embedderId,
    embed,
    runVectorCache(deps.repo, run.id),
  );
  const notice =
    stats.rejected > 0
      ? `${stats.rejected} embedding vectors that came with this run's file are not of the ` +
        `dimension ${embedderId} makes; they were left out and those answers embedded here.`
      : null;
  signal.throwIfAborted();

  context.step('Projecting, clustering and testing');
  const result = await deps.analyse(
    { prompts: run.prompts, answers: run.answers, vectors, params },
    context,
  );
  // A result that arrives after a cancel or a newer analysis is not what the user asked for.
  signal.throwIfAborted();
  const record: AnalysisRecord = {
    id: deps.newId?.() ?? crypto.randomUUID(),
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
    params: { ...params },
    result,
  };
  await deps.repo.putAnalysis(run.id, record);
  return { saved: { id: record.id, createdAt: record.createdAt, result }, notice };
}
