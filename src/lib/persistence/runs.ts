/**
 * The run repository: every way the app saves, lists, reopens and deletes runs. Each public
 * method writes in one IndexedDB transaction, so a run is never left half written.
 */
import type { Explanation } from '../core/explain/types';
import { redactSecrets } from '../core/run/redact-values';
import { scrubCredentials, scrubLogEntry } from '../core/run/scrub-credentials';
import type {
  AnalysisRecord,
  Answer,
  EmbeddingRecord,
  Hypothesis,
  Run,
  RunMeta,
  RunSummary,
  SupervisorLogEntry,
} from '../core/run/types';
import {
  runTextHashes,
  screenImportedVectors,
  type DroppedVector,
} from '../core/analysis/imported-vectors';
import { screenAnalyses, type DroppedAnalysis } from '../core/analysis/result-schema';
import { each, runRange, withTx, type Db, type StoreName } from './db';
import { InvalidRecordError, RunExistsError, RunNotFoundError } from './errors';
import {
  analysisProblem,
  answerProblem,
  assertReadable,
  assertWritable,
  explanationProblem,
  hypothesisProblem,
  logEntryProblem,
  metaOf,
  metaProblem,
  untag,
} from './records';
import {
  ALL_STORES,
  checkRun,
  checkedExplanations,
  deleteParts,
  readRun,
  screenExplanations,
  screenStoredAnalyses,
  sortAnswers,
  writeParts,
  type DroppedExplanation,
  type OpenedRun,
  type WriteTx,
} from './run-parts';
import { getRunVectors, getVectors, knownDimensions, pruneVectors, putVectors } from './vectors';

/** Tuning and test seams of RunRepository. */
export interface RunRepositoryOptions {
  /** Clock for updatedAt; tests pass a fake one. */
  now?: () => Date;
  /**
   * appendAnswer bumps the run's updatedAt at most this often per run (ms). Rewriting the
   * meta on every answer doubles the bytes written per answer for a timestamp the library
   * only shows to the minute; 0 bumps every time. Default 1000.
   */
  bumpIntervalMs?: number;
  /** Id generator for imported copies. Default a random UUID. */
  newId?: () => string;
}

/** Options of `importRun`. */
export interface ImportOptions {
  /**
   * A string saves under that id instead of the file's (RunExistsError if taken); `true`
   * always saves under a fresh random id, keeping the name.
   */
  newId?: string | true;
}

/** What an import left out of a run file, so the user can be told (nothing goes silently). */
export interface RunImportReport {
  droppedVectors: DroppedVector[];
  droppedAnalyses: DroppedAnalysis[];
  /** Explanations of analyses that were left out (or that the file did not hold). */
  droppedExplanations: DroppedExplanation[];
}

/** The metadata of an imported run, with what was left out of its file. */
export interface ImportedRun extends RunMeta {
  report: RunImportReport;
}

/** Saves, lists, reopens and deletes runs and their parts. */
export class RunRepository {
  readonly #now: () => Date;
  readonly #bumpIntervalMs: number;
  readonly #newId: () => string;
  /** When this repository last bumped each run's updatedAt (ms since epoch). */
  readonly #lastBump = new Map<string, number>();
  /** Reports of runs imported in this session, until the run page has shown them. */
  readonly #importReports = new Map<string, RunImportReport>();

  /** Wraps an open database (from `openDb`). */
  constructor(
    readonly db: Db,
    options: RunRepositoryOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#bumpIntervalMs = options.bumpIntervalMs ?? 1000;
    this.#newId = options.newId ?? randomId;
  }

  /**
   * Saves a new run with all its parts in one transaction.
   * @throws RunExistsError if the id is taken; InvalidRecordError for a malformed part;
   * StorageQuotaError when the disk is full.
   */
  async create(run: Run): Promise<RunMeta> {
    checkRun(run);
    const meta = metaOf(run as Run & Record<string, unknown>);
    await withTx(this.db, ALL_STORES, 'readwrite', async (tx) => {
      if ((await tx.objectStore('runs').getKey(run.id)) !== undefined) {
        throw new RunExistsError(run.id);
      }
      await writeParts(tx, meta, run);
    });
    return meta;
  }

  /**
   * Saves a run read from a file. If its id is already saved, it becomes a copy with a new
   * id and " (copy)" appended to its name, so an import never overwrites. updatedAt is set
   * to now so the import shows at the top of the library; createdAt is kept.
   * The file's vectors serve this run only, and only those for its own texts, of the
   * embedder's dimension (when this machine knows it) and finite; analyses this version
   * cannot read are left out too, with their explanations. The report lists what was dropped (also kept for
   * `takeImportReport` until the run page shows it).
   * @throws InvalidRecordError for a malformed part; RunExistsError if `newId` is taken;
   * StorageQuotaError when the disk is full.
   */
  async importRun(file: Run, options: ImportOptions = {}): Promise<ImportedRun> {
    checkRun(file);
    const analyses = screenAnalyses(file.analyses, new Set(file.prompts.map((p) => p.id)));
    const vectors =
      file.embeddings.length === 0
        ? { kept: [], dropped: [] }
        : screenImportedVectors(
            file.embeddings,
            await runTextHashes(file),
            await knownDimensions(this.db, [...new Set(file.embeddings.map((e) => e.embedderId))]),
          );
    const explanations = screenExplanations(
      file.explanations,
      new Set(analyses.kept.map((a) => a.id)),
    );
    const run: Run = {
      ...file,
      embeddings: vectors.kept,
      analyses: analyses.kept,
      explanations: explanations.kept,
    };
    const report: RunImportReport = {
      droppedVectors: vectors.dropped,
      droppedAnalyses: analyses.dropped,
      droppedExplanations: explanations.dropped,
    };
    const base = metaOf(run as Run & Record<string, unknown>);
    const meta = await withTx(this.db, ALL_STORES, 'readwrite', async (tx) => {
      const runs = tx.objectStore('runs');
      const { newId } = options;
      const id = newId === true ? this.#newId() : (newId ?? base.id);
      let meta: RunMeta = { ...base, id, updatedAt: this.#stamp() };
      if ((await runs.getKey(id)) !== undefined) {
        if (typeof newId === 'string') throw new RunExistsError(newId);
        meta = { ...meta, id: this.#newId(), name: `${base.name} (copy)` };
      }
      await writeParts(tx, meta, run);
      return meta;
    });
    if (
      report.droppedVectors.length > 0 ||
      report.droppedAnalyses.length > 0 ||
      report.droppedExplanations.length > 0
    ) {
      this.#importReports.set(meta.id, report);
    }
    return { ...meta, report };
  }

  /** What the import of run `id` in this session left out (once: the report is then forgotten). */
  takeImportReport(id: string): RunImportReport | undefined {
    const report = this.#importReports.get(id);
    this.#importReports.delete(id);
    return report;
  }

  /**
   * Every run with its prompt and answer counts, most recently updated first. Runs whose
   * stored metadata is damaged are left out so one bad record cannot hide the whole
   * library; `damagedRuns` lists them so the UI can offer to delete them.
   */
  async list(): Promise<RunSummary[]> {
    return withTx(this.db, ['runs', 'prompts', 'answers'], 'readonly', async (tx) => {
      const metas = await tx.objectStore('runs').index('updatedAt').getAll();
      const prompts = tx.objectStore('prompts');
      const bySide = tx.objectStore('answers').index('runSide');
      // Counts walk keys only, never answer texts; all requests are queued at once.
      const summaries = metas
        .reverse()
        .filter((meta) => metaProblem(meta) === null)
        .map(async (meta): Promise<RunSummary> => {
          const [promptCount, a, b] = await Promise.all([
            prompts.count(runRange(meta.id)),
            bySide.count([meta.id, 'A']),
            bySide.count([meta.id, 'B']),
          ]);
          return { ...meta, promptCount, answerCounts: { A: a, B: b } };
        });
      return Promise.all(summaries);
    });
  }

  /** Runs whose stored metadata is damaged, with what is wrong (they can still be deleted). */
  async damagedRuns(): Promise<{ id: string; problem: string }[]> {
    const metas = await withTx(this.db, ['runs'], 'readonly', (tx) => tx.store.getAll());
    return metas.flatMap((meta) => {
      const problem = metaProblem(meta);
      return problem === null ? [] : [{ id: String(meta.id), problem }];
    });
  }

  /**
   * The run's metadata, or undefined if there is no such run.
   * @throws InvalidRecordError if the stored record is damaged.
   */
  async get(id: string): Promise<RunMeta | undefined> {
    const meta = await withTx(this.db, ['runs'], 'readonly', (tx) => tx.store.get(id));
    if (meta !== undefined) assertReadable(metaProblem(meta), 'runs', id);
    return meta;
  }

  /**
   * The whole run with all its parts; answers in prompt order, then side, then sample.
   * @throws RunNotFoundError; InvalidRecordError if a stored part is damaged.
   */
  async open(id: string): Promise<Run> {
    return (await this.openChecked(id)).run;
  }

  /**
   * Like `open`, and also lists the saved analyses left out because this version cannot
   * read them (see readRun), so the page can say so.
   * @throws RunNotFoundError; InvalidRecordError if a stored part is damaged.
   */
  async openChecked(id: string): Promise<OpenedRun> {
    return withTx(this.db, ALL_STORES, 'readonly', (tx) => readRun(tx, id));
  }

  /**
   * The run as a run file carries it, as it is now (same as `open`; the file format is
   * core/run's job): its analyses and every vector they used.
   * @throws RunNotFoundError; InvalidRecordError if a stored part is damaged.
   */
  exportRun(id: string): Promise<Run> {
    return this.open(id);
  }

  /**
   * The run's answers only, in the same order as `open`.
   * @throws RunNotFoundError; InvalidRecordError if a stored answer is damaged.
   */
  async answers(runId: string): Promise<Answer[]> {
    return withTx(this.db, ['runs', 'prompts', 'answers'], 'readonly', async (tx) => {
      const range = runRange(runId);
      const [key, promptRows, rows] = await Promise.all([
        tx.objectStore('runs').getKey(runId),
        tx.objectStore('prompts').getAll(range),
        tx.objectStore('answers').getAll(range),
      ]);
      if (key === undefined) throw new RunNotFoundError(runId);
      return sortAnswers(rows, promptRows, runId);
    });
  }

  /**
   * Renames a run and returns its updated metadata.
   * @throws InvalidRecordError for an empty name; RunNotFoundError.
   */
  async rename(id: string, name: string): Promise<RunMeta> {
    const trimmed = name.trim();
    if (!trimmed) throw new InvalidRecordError('A run name cannot be empty.');
    return this.#updateMeta(id, ['runs'], async () => undefined, { name: trimmed });
  }

  /** Sets a run's updatedAt to now, e.g. when generation ends between throttled bumps. */
  async touch(id: string): Promise<RunMeta> {
    return this.#updateMeta(id, ['runs'], async () => undefined);
  }

  /**
   * Deletes a run and all its parts, and the cached vectors no other run uses.
   * Returns whether the run existed.
   */
  async delete(id: string): Promise<boolean> {
    const existed = await withTx(this.db, ALL_STORES, 'readwrite', (tx) => deleteParts(tx, id));
    this.#lastBump.delete(id);
    this.#importReports.delete(id);
    return existed;
  }

  /**
   * Saves one answer: a single small put keyed by (prompt, side, sample), so re-appending the
   * same job overwrites it. The run's updatedAt is bumped at most every `bumpIntervalMs`.
   * @throws RunNotFoundError; InvalidRecordError; StorageQuotaError when the disk is full.
   */
  async appendAnswer(runId: string, answer: Answer): Promise<void> {
    assertWritable(answerProblem(answer), `an answer of run "${runId}"`);
    const nowMs = this.#now().getTime();
    const last = this.#lastBump.get(runId);
    if (last === undefined || nowMs - last >= this.#bumpIntervalMs) {
      await this.#updateMeta(runId, ['runs', 'answers'], (tx) =>
        tx.objectStore('answers').put({ ...answer, runId }),
      );
      return;
    }
    await withTx(this.db, ['runs', 'answers'], 'readwrite', async (tx) => {
      // Queued together: if the run is gone, throwing aborts the tx and undoes the put.
      // The put goes first so that if it throws synchronously nothing else is left pending.
      const [, key] = await Promise.all([
        tx.objectStore('answers').put({ ...answer, runId }),
        tx.objectStore('runs').getKey(runId),
      ]);
      if (key === undefined) throw new RunNotFoundError(runId);
    });
  }

  /**
   * Saves several answers in one transaction and bumps updatedAt once.
   * @throws RunNotFoundError; InvalidRecordError; StorageQuotaError when the disk is full.
   */
  async appendAnswers(runId: string, answers: readonly Answer[]): Promise<void> {
    answers.forEach((a, i) => assertWritable(answerProblem(a), `answer ${i} of run "${runId}"`));
    await this.#updateMeta(runId, ['runs', 'answers'], async (tx) => {
      const store = tx.objectStore('answers');
      await each(answers, (a) => store.put({ ...a, runId }));
    });
  }

  /**
   * Saves (or replaces, by id) an analysis of a run.
   * @throws RunNotFoundError; InvalidRecordError; StorageQuotaError.
   */
  async putAnalysis(runId: string, analysis: AnalysisRecord): Promise<void> {
    assertWritable(analysisProblem(analysis), `an analysis of run "${runId}"`);
    await this.#updateMeta(runId, ['runs', 'analyses'], (tx) =>
      tx.objectStore('analyses').put({ ...analysis, runId }),
    );
  }

  /**
   * The run's analyses that this version can read, by id.
   * @throws InvalidRecordError if one is damaged.
   */
  async analyses(runId: string): Promise<AnalysisRecord[]> {
    const [rows, promptIds] = await withTx(this.db, ['analyses', 'prompts'], 'readonly', (tx) =>
      Promise.all([
        tx.objectStore('analyses').getAll(runRange(runId)),
        tx.objectStore('prompts').getAllKeys(runRange(runId)),
      ]),
    );
    return screenStoredAnalyses(
      runId,
      rows,
      promptIds.map(([, id]) => id),
    ).kept;
  }

  /**
   * Saves (or replaces, by id) a hypothesis of a run, without credential-named fields.
   * @throws RunNotFoundError; InvalidRecordError; StorageQuotaError.
   */
  async putHypothesis(runId: string, hypothesis: Hypothesis): Promise<void> {
    const clean = scrubCredentials(hypothesis);
    assertWritable(hypothesisProblem(clean), `a hypothesis of run "${runId}"`);
    await this.#updateMeta(runId, ['runs', 'hypotheses'], (tx) =>
      tx.objectStore('hypotheses').put({ ...clean, runId }),
    );
  }

  /**
   * The run's hypotheses, by id.
   * @throws InvalidRecordError if one is damaged.
   */
  async hypotheses(runId: string): Promise<Hypothesis[]> {
    const rows = await withTx(this.db, ['hypotheses'], 'readonly', (tx) =>
      tx.store.getAll(runRange(runId)),
    );
    for (const r of rows) assertReadable(hypothesisProblem(r), 'hypotheses', [runId, r.id]);
    return rows.map(untag);
  }

  /**
   * Deletes hypothesis `id` of a run (the user's "delete"); its judgements stay in the log, as
   * a record of what was sent. Returns whether it existed.
   * @throws RunNotFoundError.
   */
  async deleteHypothesis(runId: string, id: string): Promise<boolean> {
    let existed = false;
    await this.#updateMeta(runId, ['runs', 'hypotheses'], async (tx) => {
      const store = tx.objectStore('hypotheses');
      const [key] = await Promise.all([store.getKey([runId, id]), store.delete([runId, id])]);
      existed = key !== undefined;
    });
    return existed;
  }

  /**
   * Saves (or replaces, by id) an explanation of a run, without credential-named fields. Its
   * analysis and prompts must be the run's, as in a run file, so the run still exports.
   * @throws RunNotFoundError; InvalidRecordError (malformed, or naming an analysis or prompt
   * the run has not got); StorageQuotaError.
   */
  async putExplanation(runId: string, explanation: Explanation): Promise<void> {
    const clean = scrubCredentials(explanation);
    const what = `explanation "${clean.id}" of run "${runId}"`;
    assertWritable(explanationProblem(clean), what);
    const stores = ['runs', 'explanations', 'analyses', 'prompts'] as const;
    await this.#updateMeta(runId, stores, async (tx) => {
      const range = runRange(runId);
      const [runKey, analysisKey, promptKeys] = await Promise.all([
        tx.objectStore('runs').getKey(runId),
        tx.objectStore('analyses').getKey([runId, clean.analysisId]),
        tx.objectStore('prompts').getAllKeys(range),
      ]);
      if (runKey === undefined) throw new RunNotFoundError(runId);
      if (analysisKey === undefined) {
        assertWritable(`its analysis "${clean.analysisId}" is not saved in the run`, what);
      }
      const promptIds = new Set(promptKeys.map(([, id]) => id));
      const stranger = [...clean.discoveryPromptIds, ...clean.heldOutPromptIds].find(
        (id) => !promptIds.has(id),
      );
      if (stranger !== undefined) assertWritable(`prompt "${stranger}" is not in the run`, what);
      await tx.objectStore('explanations').put({ ...clean, runId });
    });
  }

  /**
   * The run's explanations, by id.
   * @throws InvalidRecordError if one is damaged.
   */
  async explanations(runId: string): Promise<Explanation[]> {
    const rows = await withTx(this.db, ['explanations'], 'readonly', (tx) =>
      tx.store.getAll(runRange(runId)),
    );
    return checkedExplanations(runId, rows);
  }

  /**
   * Appends a record of what was sent to a supervisor. Credential-named fields are dropped
   * (scrubLogEntry: all but the entry's own job `key`) and every occurrence of a `secrets` value (the session's API keys) in
   * any of its strings becomes "[redacted]", so no key reaches storage or the run file.
   * @throws RunNotFoundError; InvalidRecordError; StorageQuotaError.
   */
  async appendSupervisorLog(
    runId: string,
    entry: SupervisorLogEntry,
    secrets: readonly string[] = [],
  ): Promise<void> {
    const clean = redactSecrets(scrubLogEntry(entry), secrets);
    assertWritable(logEntryProblem(clean), `a supervisor log entry of run "${runId}"`);
    await this.#updateMeta(runId, ['runs', 'supervisorLog'], (tx) =>
      tx.objectStore('supervisorLog').add({ ...clean, runId }),
    );
  }

  /**
   * Every supervisor log entry of a run, in send order.
   * @throws InvalidRecordError if one is damaged.
   */
  async supervisorLog(runId: string): Promise<SupervisorLogEntry[]> {
    const rows = await withTx(this.db, ['supervisorLog'], 'readonly', (tx) =>
      tx.store.index('runId').getAll(runId),
    );
    for (const r of rows) assertReadable(logEntryProblem(r), 'supervisorLog', [runId, r.at]);
    return rows.map(untag);
  }

  /**
   * The supervisor jobs of a run that are done: for each job key, its latest log entry with a
   * reply (failed attempts, whose reply is null, do not count). Reads only keyed entries, via
   * the `runKey` index.
   * @throws InvalidRecordError if one is damaged.
   */
  async supervisorReplies(runId: string): Promise<Map<string, SupervisorLogEntry>> {
    const rows = await withTx(this.db, ['supervisorLog'], 'readonly', (tx) =>
      tx.store.index('runKey').getAll(runRange(runId)),
    );
    const done = new Map<string, SupervisorLogEntry>();
    // Sorted by key, then by send order: a later reply to the same key replaces an earlier one.
    for (const r of rows) {
      assertReadable(logEntryProblem(r), 'supervisorLog', [runId, r.key]);
      if (typeof r.reply === 'string' && r.key !== undefined) done.set(r.key, untag(r));
    }
    return done;
  }

  /**
   * Cached vectors of `embedderId` for the given text hashes; misses are simply absent. With
   * `runId` the hits are marked as used by that run, so its export carries them.
   * @throws RunNotFoundError (with runId); InvalidRecordError if a cached vector is damaged.
   */
  getVectors(
    embedderId: string,
    hashes: readonly string[],
    options: { runId?: string } = {},
  ): Promise<Map<string, Float32Array>> {
    return getVectors(this.db, embedderId, hashes, options.runId);
  }

  /**
   * The vectors run `runId` brought in its file, for the given text hashes (see importRun).
   * @throws InvalidRecordError if one is damaged.
   */
  getRunVectors(
    runId: string,
    embedderId: string,
    hashes: readonly string[],
  ): Promise<Map<string, Float32Array>> {
    return getRunVectors(this.db, runId, embedderId, hashes);
  }

  /**
   * Caches vectors; with `runId` they also become part of that run (exported with it, and
   * freed when it is deleted and no other run uses them).
   * @throws RunNotFoundError (with runId); InvalidRecordError; StorageQuotaError.
   */
  putVectors(records: readonly EmbeddingRecord[], options: { runId?: string } = {}): Promise<void> {
    return putVectors(this.db, records, options.runId);
  }

  /** Deletes cached vectors that no run uses; returns how many. */
  pruneVectors(): Promise<number> {
    return pruneVectors(this.db);
  }

  /** ISO time now. */
  #stamp(): string {
    return this.#now().toISOString();
  }

  /**
   * In one transaction over `runs` and `stores`: checks the run exists, runs `write`, and
   * saves the meta with `patch` and a fresh updatedAt (never moved backwards).
   */
  async #updateMeta(
    id: string,
    stores: readonly StoreName[],
    write: (tx: WriteTx) => Promise<unknown>,
    patch: Partial<RunMeta> = {},
  ): Promise<RunMeta> {
    const stamp = this.#stamp();
    const meta = await withTx(this.db, stores, 'readwrite', async (tx) => {
      const runs = tx.objectStore('runs');
      // The async wrapper turns a synchronous throw of `write` (e.g. DataCloneError) into a
      // rejection Promise.all can see, so the get is never left unobserved.
      const [current] = await Promise.all([runs.get(id), (async () => write(tx))()]);
      if (current === undefined) throw new RunNotFoundError(id);
      assertReadable(metaProblem(current), 'runs', id);
      const next = { ...current, ...patch, updatedAt: maxIso(current.updatedAt, stamp) };
      await runs.put(next);
      return next;
    });
    this.#lastBump.set(id, Date.parse(stamp));
    return meta;
  }
}

/** The later of two ISO timestamps (string order is time order for toISOString output). */
function maxIso(a: string, b: string): string {
  return a > b ? a : b;
}

/** A random RFC 4122 v4 id; falls back to getRandomValues where randomUUID is missing (http). */
function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
