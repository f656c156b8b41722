/**
 * The IndexedDB database: its name, schema version, migrations and the one transaction helper
 * every read and write goes through (so every storage failure is mapped to a named error).
 *
 * Store layout (DB_VERSION 3; see MIGRATIONS):
 * - `runs`          RunMeta, key `id`; index `updatedAt` for the newest-first library.
 * - `prompts`       PromptRow, key [runId, id]; `order` keeps the run's prompt order.
 * - `answers`       AnswerRow, key [runId, promptId, side, sample]: appending an answer is one
 *                   small put and re-appending the same job overwrites it. Index `runSide`
 *                   [runId, side] gives per-side counts without loading answers; a run's
 *                   answers are a range of the primary key, so no separate runId index.
 * - `vectors`       EmbeddingRecord, key [embedderId, textHash]: a cache shared across runs,
 *                   holding only vectors computed on this machine (a vector from a file could
 *                   otherwise change every other run's analysis of the same text).
 * - `runVectors`    RunVectorRow, key [runId, embedderId, textHash] (since v2): vectors that
 *                   arrived in a run file; they serve only that run and go when it is deleted.
 * - `vectorRefs`    VectorRefRow, key [runId, embedderId, textHash]: which cached vectors a run
 *                   uses (its `embeddings` on export); index `vector` [embedderId, textHash] lets
 *                   `delete` drop vectors no other run uses, so deleting runs frees space.
 * - `analyses`      AnalysisRow, key [runId, id].
 * - `hypotheses`    HypothesisRow, key [runId, id].
 * - `supervisorLog` SupervisorLogRow, auto-increment key (keeps send order); index `runId`;
 *                   index `runKey` [runId, key] (since v3) holds only the entries with a job
 *                   key, so the supervisor's "what is done" skips the unkeyed ones.
 * - `explanations`  ExplanationRow, key [runId, id] (since v3): what each supervisor run computed.
 * Hypotheses and the log stay separate stores: one is keyed by id and rewritten as validation
 * lands, the other is append-only with no natural key (a job retried appends a second entry).
 * Per-run ranges use the compound primary keys: [runId] .. [runId, []] spans every key that
 * starts with runId, because arrays sort after strings and numbers.
 */
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Explanation } from '../core/explain/types';
import type {
  AnalysisRecord,
  Answer,
  EmbeddingRecord,
  Hypothesis,
  Prompt,
  RunMeta,
  Side,
  SupervisorLogEntry,
} from '../core/run/types';
import {
  StorageBlockedError,
  StorageError,
  StorageUnavailableError,
  StorageVersionError,
  toStorageError,
} from './errors';

/** Name of the one database the app uses. */
export const DB_NAME = 'behaviour-diff';

/** A prompt as stored: the run it belongs to and its position in the run's prompt list. */
export type PromptRow = Prompt & { runId: string; order: number };
/** An answer as stored, tagged with its run. */
export type AnswerRow = Answer & { runId: string };
/** Marks that run `runId` uses the cached vector [embedderId, textHash]. */
export interface VectorRefRow {
  runId: string;
  embedderId: string;
  textHash: string;
}
/** A vector that came with run `runId`'s file: used by that run only. */
export type RunVectorRow = EmbeddingRecord & { runId: string };
/** An analysis as stored, tagged with its run. */
export type AnalysisRow = AnalysisRecord & { runId: string };
/** A hypothesis as stored, tagged with its run. */
export type HypothesisRow = Hypothesis & { runId: string };
/** A supervisor log entry as stored, tagged with its run. */
export type SupervisorLogRow = SupervisorLogEntry & { runId: string };
/** An explanation (a supervisor run's results) as stored, tagged with its run. */
export type ExplanationRow = Explanation & { runId: string };

/** The typed schema of the current DB_VERSION. */
export interface BehaviourDiffDB extends DBSchema {
  runs: { key: string; value: RunMeta; indexes: { updatedAt: string } };
  prompts: { key: [string, string]; value: PromptRow };
  answers: {
    key: [string, string, Side, number];
    value: AnswerRow;
    indexes: { runSide: [string, Side] };
  };
  vectors: { key: [string, string]; value: EmbeddingRecord };
  vectorRefs: {
    key: [string, string, string];
    value: VectorRefRow;
    indexes: { vector: [string, string] };
  };
  runVectors: { key: [string, string, string]; value: RunVectorRow };
  analyses: { key: [string, string]; value: AnalysisRow };
  hypotheses: { key: [string, string]; value: HypothesisRow };
  supervisorLog: {
    key: number;
    value: SupervisorLogRow;
    indexes: { runId: string; runKey: [string, string] };
  };
  explanations: { key: [string, string]; value: ExplanationRow };
}

/** An open connection to the app database. */
export type Db = IDBPDatabase<BehaviourDiffDB>;
/** Any store name of the schema. */
export type StoreName = StoreNames<BehaviourDiffDB>;

/**
 * One upgrade step. Migrations see the database untyped because they run against the layout
 * of an older version, which the current schema type does not describe. A step that rewrites
 * records may be async but must await only requests of `tx`, or the upgrade commits early.
 */
export type Migration = (
  db: IDBPDatabase<unknown>,
  tx: IDBPTransaction<unknown, string[], 'versionchange'>,
) => void | Promise<void>;

/** v0 -> v1: the baseline layout described at the top of this file. */
const createBaseline: Migration = (db) => {
  const runs = db.createObjectStore('runs', { keyPath: 'id' });
  runs.createIndex('updatedAt', 'updatedAt');
  db.createObjectStore('prompts', { keyPath: ['runId', 'id'] });
  const answers = db.createObjectStore('answers', {
    keyPath: ['runId', 'promptId', 'side', 'sample'],
  });
  answers.createIndex('runSide', ['runId', 'side']);
  db.createObjectStore('vectors', { keyPath: ['embedderId', 'textHash'] });
  const refs = db.createObjectStore('vectorRefs', { keyPath: ['runId', 'embedderId', 'textHash'] });
  refs.createIndex('vector', ['embedderId', 'textHash']);
  db.createObjectStore('analyses', { keyPath: ['runId', 'id'] });
  db.createObjectStore('hypotheses', { keyPath: ['runId', 'id'] });
  const log = db.createObjectStore('supervisorLog', { autoIncrement: true });
  log.createIndex('runId', 'runId');
};

/** v1 -> v2: run-scoped vectors, so imported vectors stay out of the shared cache. */
const addRunVectors: Migration = (db) => {
  db.createObjectStore('runVectors', { keyPath: ['runId', 'embedderId', 'textHash'] });
};

/**
 * v2 -> v3: the supervisor's results (schema v2 runs): explanations, and the log indexed by job
 * key. Existing log entries have no key, so the new index starts empty and nothing is rewritten.
 */
const addExplanations: Migration = (db, tx) => {
  db.createObjectStore('explanations', { keyPath: ['runId', 'id'] });
  tx.objectStore('supervisorLog').createIndex('runKey', ['runId', 'key']);
};

/**
 * MIGRATIONS[i] upgrades a database from version i to i + 1. Append, never edit: a user's
 * browser may hold any earlier version. Migrations that rewrite records use `tx`.
 */
export const MIGRATIONS: readonly Migration[] = [createBaseline, addRunVectors, addExplanations];

/** The schema version this code writes; always the number of migrations. */
export const DB_VERSION = MIGRATIONS.length;

/** Connections closed because another tab upgraded the database (later use says "reload"). */
const closedByUpgrade = new WeakSet<object>();
/** Connections the browser closed itself, e.g. when the user cleared site data. */
const closedByBrowser = new WeakSet<object>();

/** Options of `openDb`; all optional so the app just calls `openDb()`. */
export interface OpenDbOptions {
  /** Database name; tests pass a fresh one. Default `behaviour-diff`. */
  name?: string;
  /** IndexedDB factory; tests pass `new IDBFactory()` from fake-indexeddb. Default global `indexedDB`. */
  factory?: IDBFactory;
  /** Called after this connection closed itself so another tab could upgrade (tell the user to reload). */
  onVersionChange?: () => void;
  /** Migration list to apply (tests and future upgrades); default MIGRATIONS. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating or upgrading as needed) the app database.
 * @throws StorageUnavailableError when IndexedDB is missing or forbidden.
 * @throws StorageBlockedError when the upgrade is held up by another open tab.
 * @throws StorageVersionError when the database was written by a newer app version.
 * @throws StorageQuotaError when there is no room to create or upgrade it.
 */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const factory = options.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) throw new StorageUnavailableError();
  const migrations = options.migrations ?? MIGRATIONS;
  let request: IDBOpenDBRequest;
  try {
    request = factory.open(options.name ?? DB_NAME, migrations.length);
  } catch (error) {
    throw openFailure(error);
  }

  let gaveUp = false;
  let migrationFailure: StorageError | undefined;
  request.addEventListener('upgradeneeded', (event) => {
    const db = wrap(request.result) as unknown as IDBPDatabase<unknown>;
    const tx = wrap(request.transaction!) as unknown as IDBPTransaction<
      unknown,
      string[],
      'versionchange'
    >;
    // A failed upgrade is reported through the open request; this copy would go unheard.
    tx.done.catch(() => undefined);
    const target = event.newVersion ?? migrations.length;
    const fail = (v: number, error: unknown): void => {
      // Aborting rolls the whole upgrade back, so the old data stays readable by old code.
      migrationFailure = new StorageError(
        `Could not upgrade the saved data from version ${v} to ${v + 1} (${String(error)}): ` +
          'reload the page; if this keeps happening, please report it.',
        { cause: error },
      );
      try {
        tx.abort();
      } catch {
        // A failing request already aborted it.
      }
    };
    // Synchronous steps run back to back inside the event; an async step's successor runs
    // when it settles, still inside the upgrade transaction (it awaited only its requests).
    const step = (v: number): void => {
      if (v >= target) return;
      let pending: void | Promise<void>;
      try {
        pending = migrations[v]!(db, tx);
      } catch (error) {
        fail(v, error);
        return;
      }
      if (pending instanceof Promise) {
        pending.then(
          () => step(v + 1),
          (error: unknown) => fail(v, error),
        );
      } else {
        step(v + 1);
      }
    };
    step(event.oldVersion);
  });

  const opened = wrap(request) as unknown as Promise<Db>;
  const blocked = new Promise<never>((_, reject) => {
    request.addEventListener('blocked', () => {
      gaveUp = true;
      reject(new StorageBlockedError());
    });
  });
  // If the other tab closes after we reported the block, the open completes late: close that
  // orphan connection so it cannot block anything in turn.
  opened.then((db) => gaveUp && db.close()).catch(() => undefined);

  let db: Db;
  try {
    db = await Promise.race([opened, blocked]);
  } catch (error) {
    if (migrationFailure) throw migrationFailure;
    throw error instanceof StorageError ? error : openFailure(error);
  }
  db.addEventListener('versionchange', () => {
    // A newer version in another tab wants to upgrade: step aside rather than block it.
    closedByUpgrade.add(db);
    db.close();
    options.onVersionChange?.();
  });
  db.addEventListener('close', () => closedByBrowser.add(db));
  return db;
}

/** Maps an error raised while opening; unknown failures at open mean storage is unusable. */
function openFailure(error: unknown): unknown {
  const mapped = toStorageError(error);
  if (mapped !== error) return mapped;
  if (typeof error === 'object' && error !== null && 'name' in error) {
    return new StorageUnavailableError({ cause: error });
  }
  return error;
}

/**
 * Runs `fn` in one transaction and resolves once it has committed; if `fn` throws, the
 * transaction is aborted so none of its writes land.
 * @throws the error `fn` throws, or a named StorageError for storage failures (quota at
 * commit time included), or StorageVersionError if another tab upgraded the database.
 */
export async function withTx<const S extends readonly StoreName[], M extends IDBTransactionMode, T>(
  db: Db,
  stores: S,
  mode: M,
  fn: (tx: IDBPTransaction<BehaviourDiffDB, S, M>) => Promise<T>,
): Promise<T> {
  let tx: IDBPTransaction<BehaviourDiffDB, S, M>;
  try {
    tx = db.transaction(stores, mode);
  } catch (error) {
    if (closedByUpgrade.has(db)) throw new StorageVersionError(undefined, { cause: error });
    if (closedByBrowser.has(db)) throw new StorageUnavailableError({ cause: error });
    throw toStorageError(error);
  }
  // Quota errors often arrive only at commit, through `done`; observe it now so an early
  // failure in `fn` does not also leave an unhandled rejection behind.
  const done = tx.done;
  done.catch(() => undefined);
  try {
    const result = await fn(tx);
    await done;
    return result;
  } catch (error) {
    // When the browser aborts the transaction itself (quota at commit, disk errors), requests
    // only say AbortError or TransactionInactiveError; the real reason is on the transaction.
    const reason = error instanceof StorageError ? error : (abortReason(tx) ?? error);
    try {
      tx.abort();
    } catch {
      // Already finished or aborted by the failing request: nothing left to roll back.
    }
    throw toStorageError(reason);
  }
}

/** The error a transaction was aborted with, if any (older engines throw while it is active). */
function abortReason(tx: { readonly error: DOMException | null }): DOMException | null {
  try {
    return tx.error;
  } catch {
    return null;
  }
}

/** Requests `each` issues before it waits for one (each costs ~50 µs of main thread). */
const REQUESTS_PER_TURN = 200;

/**
 * Issues one request per item, in turns of 200: after each turn it awaits that turn's last
 * request, whose success event is a task of its own, so the page handles input between turns
 * (a 10,000-answer run issued in one go held the page ~0.9 s) while the transaction stays
 * active, as it does for any continuation of an IndexedDB request. A synchronous throw part
 * way, such as a DataCloneError, rejects the result without stranding the requests already
 * issued as unhandled rejections once the transaction aborts.
 */
export async function each<I, T>(
  items: readonly I[],
  issue: (item: I, index: number) => Promise<T>,
): Promise<T[]> {
  const pending: Promise<T>[] = [];
  for (let i = 0; i < items.length; i++) {
    const request = issue(items[i]!, i);
    request.catch(() => undefined);
    pending.push(request);
    if ((i + 1) % REQUESTS_PER_TURN === 0 && i + 1 < items.length) await request;
  }
  return Promise.all(pending);
}

/** A key range over every compound key whose first element is `runId`. */
export function runRange(runId: string): IDBKeyRange {
  return IDBKeyRange.bound([runId], [runId, []]);
}
