/**
 * How a run's parts map onto the object stores: writing a whole run, reading it back (checked)
 * and deleting it. Each function works inside a transaction the caller owns (see withTx),
 * so a run is written, read or deleted atomically.
 */
import type { IDBPTransaction } from 'idb';
import type { Explanation } from '../core/explain/types';
import { jobKey } from '../core/generate/jobs';
import { scrubCredentials, scrubLogEntry } from '../core/run/scrub-credentials';
import { SIDES } from '../core/run/types';
import type { AnalysisRecord, Answer, EmbeddingRecord, Run, RunMeta } from '../core/run/types';
import { screenAnalyses, type DroppedAnalysis } from '../core/analysis/result-schema';
import {
  each,
  runRange,
  type AnalysisRow,
  type AnswerRow,
  type BehaviourDiffDB,
  type ExplanationRow,
  type StoreName,
} from './db';
import { RunNotFoundError } from './errors';
import {
  analysisProblem,
  answerProblem,
  assertReadable,
  assertWritable,
  explanationProblem,
  hypothesisProblem,
  logEntryProblem,
  metaProblem,
  promptProblem,
  rowToPrompt,
  untag,
  vectorProblem,
} from './records';

/** Every store, for transactions over a whole run. */
export const ALL_STORES = [
  'runs',
  'prompts',
  'answers',
  'vectors',
  'vectorRefs',
  'runVectors',
  'analyses',
  'hypotheses',
  'supervisorLog',
  'explanations',
] as const satisfies readonly StoreName[];

/** A transaction over some stores (which ones IndexedDB checks at run time). */
export type AnyTx<M extends IDBTransactionMode = IDBTransactionMode> = IDBPTransaction<
  BehaviourDiffDB,
  readonly StoreName[],
  M
>;
/** A read-write transaction over some stores. */
export type WriteTx = AnyTx<'readwrite'>;

/**
 * Checks a whole run before writing; duplicate keys would silently collapse in the store.
 * @throws InvalidRecordError naming the first bad part.
 */
export function checkRun(run: Run): void {
  assertWritable(metaProblem(run), 'the run');
  const what = `run "${run.id}"`;
  const promptIds = new Set<string>();
  run.prompts.forEach((p, i) => {
    assertWritable(promptProblem(p), `prompt ${i} of ${what}`);
    if (promptIds.has(p.id)) assertWritable(`prompt id "${p.id}" is used twice`, what);
    promptIds.add(p.id);
  });
  const answerKeys = new Set<string>();
  run.answers.forEach((a, i) => {
    assertWritable(answerProblem(a), `answer ${i} of ${what}`);
    const key = jobKey(a);
    if (answerKeys.has(key)) {
      assertWritable(
        `two answers for prompt "${a.promptId}", side ${a.side}, sample ${a.sample}`,
        what,
      );
    }
    answerKeys.add(key);
  });
  run.embeddings.forEach((e, i) => assertWritable(vectorProblem(e), `embedding ${i} of ${what}`));
  run.analyses.forEach((a, i) => assertWritable(analysisProblem(a), `analysis ${i} of ${what}`));
  run.hypotheses.forEach((h, i) =>
    assertWritable(hypothesisProblem(h), `hypothesis ${i} of ${what}`),
  );
  run.supervisorLog.forEach((l, i) =>
    assertWritable(logEntryProblem(l), `log entry ${i} of ${what}`),
  );
  const explanationIds = new Set<string>();
  run.explanations.forEach((e, i) => {
    assertWritable(explanationProblem(e), `explanation ${i} of ${what}`);
    if (explanationIds.has(e.id)) assertWritable(`explanation id "${e.id}" is used twice`, what);
    explanationIds.add(e.id);
  });
}

/** An explanation left out of a run because the analysis it explains is not in the run. */
export interface DroppedExplanation {
  id: string;
  analysisId: string;
}

/**
 * Splits explanations into those whose analysis is among `analysisIds` and those left out: an
 * explanation of an analysis this version cannot read (see screenAnalyses) would otherwise make
 * the run's file fail its own reference check when it is imported again.
 */
export function screenExplanations(
  explanations: readonly Explanation[],
  analysisIds: ReadonlySet<string>,
): { kept: Explanation[]; dropped: DroppedExplanation[] } {
  const kept: Explanation[] = [];
  const dropped: DroppedExplanation[] = [];
  for (const e of explanations) {
    if (analysisIds.has(e.analysisId)) kept.push(e);
    else dropped.push({ id: e.id, analysisId: e.analysisId });
  }
  return { kept, dropped };
}

/**
 * Queues the writes of a whole run (meta under `meta.id`) in `tx` and waits for them. The
 * run's embeddings become its own (`runVectors`), never entries of the shared cache: only the
 * analysis puts vectors there, after computing them on this machine. Hypotheses, log entries
 * and explanations lose credential-named fields first (a hand-edited file may carry a key).
 */
export async function writeParts(tx: WriteTx, meta: RunMeta, run: Run): Promise<void> {
  const runId = meta.id;
  const prompts = tx.objectStore('prompts');
  const answers = tx.objectStore('answers');
  const runVectors = tx.objectStore('runVectors');
  const analyses = tx.objectStore('analyses');
  const hypotheses = tx.objectStore('hypotheses');
  const log = tx.objectStore('supervisorLog');
  const explanations = tx.objectStore('explanations');
  await Promise.all([
    tx.objectStore('runs').put(meta),
    each(run.prompts, (p, order) => prompts.put({ ...p, runId, order })),
    each(run.answers, (a) => answers.put({ ...a, runId })),
    each(run.embeddings, (e) =>
      runVectors.put({ runId, embedderId: e.embedderId, textHash: e.textHash, vector: e.vector }),
    ),
    each(run.analyses, (a) => analyses.put({ ...a, runId })),
    each(run.hypotheses, (h) => hypotheses.put({ ...scrubCredentials(h), runId })),
    each(run.supervisorLog, (l) => log.add({ ...scrubLogEntry(l), runId })),
    each(run.explanations, (e) => explanations.put({ ...scrubCredentials(e), runId })),
  ]);
}

/** Orders answers by their prompt's position, then side, then sample; checks each. */
export function sortAnswers(
  rows: AnswerRow[],
  prompts: readonly { id: string; order: number }[],
  runId: string,
): Answer[] {
  const order = new Map(prompts.map((p) => [p.id, p.order]));
  for (const r of rows) {
    assertReadable(answerProblem(r), 'answers', [runId, r.promptId, r.side, r.sample]);
  }
  // Answers to prompts the run no longer lists sort last, by prompt id (the key order).
  const pos = (a: AnswerRow) => order.get(a.promptId) ?? Number.MAX_SAFE_INTEGER;
  rows.sort(
    (x, y) =>
      pos(x) - pos(y) ||
      (x.promptId < y.promptId ? -1 : x.promptId > y.promptId ? 1 : 0) ||
      SIDES.indexOf(x.side) - SIDES.indexOf(y.side) ||
      x.sample - y.sample,
  );
  return rows.map(untag);
}

/**
 * Run `runId`'s stored analyses, checked, split into those this version can read and those it
 * leaves out (see screenAnalyses); `promptIds` are the run's prompts.
 * @throws InvalidRecordError if a stored analysis is damaged.
 */
export function screenStoredAnalyses(
  runId: string,
  rows: readonly AnalysisRow[],
  promptIds: Iterable<string>,
): { kept: AnalysisRecord[]; dropped: DroppedAnalysis[] } {
  for (const r of rows) assertReadable(analysisProblem(r), 'analyses', [runId, r.id]);
  return screenAnalyses(rows.map(untag), new Set(promptIds));
}

/** A run read back, with the saved analyses (and explanations of them) left out of it. */
export interface OpenedRun {
  run: Run;
  droppedAnalyses: DroppedAnalysis[];
  droppedExplanations: DroppedExplanation[];
}

/**
 * Run `runId`'s stored explanations, checked, in id order.
 * @throws InvalidRecordError if one is damaged.
 */
export function checkedExplanations(runId: string, rows: readonly ExplanationRow[]): Explanation[] {
  for (const r of rows) assertReadable(explanationProblem(r), 'explanations', [runId, r.id]);
  return rows.map(untag);
}

/**
 * Reads run `id` with all its parts; answers in prompt order, then side, then sample. Its
 * embeddings are its own vectors, then the cached ones it uses (its own win for a text).
 * Analyses whose result this version cannot read are left out and listed, so the run opens.
 * @throws RunNotFoundError; InvalidRecordError if a stored part is damaged.
 */
export async function readRun(tx: AnyTx, id: string): Promise<OpenedRun> {
  const range = runRange(id);
  const [meta, promptRows, answerRows, ownVectors, refs, analyses, hypotheses, log, explained] =
    await Promise.all([
      tx.objectStore('runs').get(id),
      tx.objectStore('prompts').getAll(range),
      tx.objectStore('answers').getAll(range),
      tx.objectStore('runVectors').getAll(range),
      tx.objectStore('vectorRefs').getAll(range),
      tx.objectStore('analyses').getAll(range),
      tx.objectStore('hypotheses').getAll(range),
      tx.objectStore('supervisorLog').index('runId').getAll(id),
      tx.objectStore('explanations').getAll(range),
    ]);
  if (meta === undefined) throw new RunNotFoundError(id);
  assertReadable(metaProblem(meta), 'runs', id);
  const vectorStore = tx.objectStore('vectors');
  const owned = new Set(ownVectors.map((r) => JSON.stringify([r.embedderId, r.textHash])));
  const cachedRefs = refs.filter((r) => !owned.has(JSON.stringify([r.embedderId, r.textHash])));
  const vectors = await each(cachedRefs, (ref) => vectorStore.get([ref.embedderId, ref.textHash]));
  for (const row of promptRows) assertReadable(promptProblem(row), 'prompts', [id, row.id]);
  const { kept, dropped } = screenStoredAnalyses(
    id,
    analyses,
    promptRows.map((p) => p.id),
  );
  for (const r of hypotheses) assertReadable(hypothesisProblem(r), 'hypotheses', [id, r.id]);
  for (const r of log) assertReadable(logEntryProblem(r), 'supervisorLog', [id, r.at]);
  const explanations = screenExplanations(
    checkedExplanations(id, explained),
    new Set(kept.map((a) => a.id)),
  );
  const embeddings: EmbeddingRecord[] = [];
  for (const r of ownVectors) {
    assertReadable(vectorProblem(r), 'runVectors', [id, r.embedderId, r.textHash]);
    embeddings.push(untag(r));
  }
  for (const v of vectors) {
    // A vector missing from the cache is lost work (it can be recomputed), not damage.
    if (v === undefined) continue;
    assertReadable(vectorProblem(v), 'vectors', [v.embedderId, v.textHash]);
    embeddings.push(v);
  }
  promptRows.sort((x, y) => x.order - y.order);
  const run: Run = {
    ...meta,
    prompts: promptRows.map(rowToPrompt),
    answers: sortAnswers(answerRows, promptRows, id),
    embeddings,
    analyses: kept,
    hypotheses: hypotheses.map(untag),
    supervisorLog: log.map(untag),
    explanations: explanations.kept,
  };
  return { run, droppedAnalyses: dropped, droppedExplanations: explanations.dropped };
}

/**
 * Deletes run `id` and all its parts (its own vectors included), then the cached vectors no
 * other run uses.
 * Returns whether the run existed.
 */
export async function deleteParts(tx: WriteTx, id: string): Promise<boolean> {
  const range = runRange(id);
  const refStore = tx.objectStore('vectorRefs');
  const logStore = tx.objectStore('supervisorLog');
  const [key, refs, logKeys] = await Promise.all([
    tx.objectStore('runs').getKey(id),
    refStore.getAll(range),
    logStore.index('runId').getAllKeys(id),
  ]);
  await Promise.all([
    tx.objectStore('runs').delete(id),
    tx.objectStore('prompts').delete(range),
    tx.objectStore('answers').delete(range),
    tx.objectStore('analyses').delete(range),
    tx.objectStore('hypotheses').delete(range),
    tx.objectStore('explanations').delete(range),
    tx.objectStore('runVectors').delete(range),
    refStore.delete(range),
    each(logKeys, (k) => logStore.delete(k)),
  ]);
  // Requests run in order, so these counts already see this run's refs gone.
  const users = await each(refs, (r) => refStore.index('vector').count([r.embedderId, r.textHash]));
  const vectors = tx.objectStore('vectors');
  const unused = refs.filter((_, i) => users[i] === 0);
  await each(unused, (r) => vectors.delete([r.embedderId, r.textHash]));
  return key !== undefined;
}
