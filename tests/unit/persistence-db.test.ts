// fake-indexeddb/auto installs the IDB* globals idb needs; each test uses a fresh factory.
import 'fake-indexeddb/auto';
import { forceCloseDatabase, IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { unwrap } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Answer, Run } from '../../src/lib/core/run/types';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import {
  DB_NAME,
  DB_VERSION,
  MIGRATIONS,
  openDb,
  type Migration,
} from '../../src/lib/persistence/db';
import {
  StorageBlockedError,
  StorageError,
  StorageQuotaError,
  StorageUnavailableError,
  StorageVersionError,
} from '../../src/lib/persistence/errors';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { metaOf } from '../../src/lib/persistence/records';
import { RunRepository } from '../../src/lib/persistence/runs';
import { fakeAnalysisResult } from './analysis-result-fixture';
import { makeRun } from './persistence-fixtures';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const params = { temperature: 0, topP: 1, maxTokens: 64, seed: null };

function tinyRun(id: string): Run {
  return {
    id,
    name: id,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    schemaVersion: RUN_SCHEMA_VERSION,
    models: {
      A: { label: 'a', backend: 'imported', modelId: 'a', params },
      B: { label: 'b', backend: 'imported', modelId: 'b', params },
    },
    promptSet: { id: 's', name: 's', source: 'pasted' },
    samplesPerPrompt: 1,
    prompts: [{ id: 'p1', text: 'Hi' }],
    answers: [],
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
}

function tinyAnswer(sample: number): Answer {
  return { promptId: 'p1', side: 'A', sample, text: 'x', finishReason: 'stop', createdAt: 'x' };
}

/** Opens a raw (non-idb) connection, optionally building a layout by hand in its upgrade. */
function rawOpen(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase) => void,
) {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const request = version === undefined ? factory.open(name) : factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

describe('openDb schema', () => {
  it('creates the documented v3 layout', async () => {
    const db = await openDb({ factory: new IDBFactory(), name: 'layout' });
    expect(DB_VERSION).toBe(3);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(
      [
        'analyses',
        'answers',
        'explanations',
        'hypotheses',
        'prompts',
        'runs',
        'runVectors',
        'supervisorLog',
        'vectorRefs',
        'vectors',
      ].sort(),
    );
    const tx = db.transaction([
      'runs',
      'answers',
      'prompts',
      'vectors',
      'runVectors',
      'supervisorLog',
      'explanations',
    ]);
    expect(tx.objectStore('runVectors').keyPath).toEqual(['runId', 'embedderId', 'textHash']);
    expect(tx.objectStore('answers').keyPath).toEqual(['runId', 'promptId', 'side', 'sample']);
    expect(tx.objectStore('answers').index('runSide').keyPath).toEqual(['runId', 'side']);
    expect(tx.objectStore('prompts').keyPath).toEqual(['runId', 'id']);
    expect(tx.objectStore('vectors').keyPath).toEqual(['embedderId', 'textHash']);
    expect(tx.objectStore('runs').index('updatedAt').keyPath).toBe('updatedAt');
    expect(tx.objectStore('supervisorLog').autoIncrement).toBe(true);
    expect(tx.objectStore('supervisorLog').index('runKey').keyPath).toEqual(['runId', 'key']);
    expect(tx.objectStore('explanations').keyPath).toEqual(['runId', 'id']);
    db.close();
  });

  it('uses the app name by default and is stable when opened again', async () => {
    const factory = new IDBFactory();
    const db1 = await openDb({ factory });
    expect(db1.name).toBe(DB_NAME);
    await new RunRepository(db1).create(tinyRun('r1'));
    db1.close();
    const db2 = await openDb({ factory });
    expect(db2.version).toBe(DB_VERSION);
    expect((await new RunRepository(db2).open('r1')).prompts).toEqual([{ id: 'p1', text: 'Hi' }]);
    db2.close();
  });

  it('upgrades a v1 database built by hand from its documented layout; its runs still open', async () => {
    const factory = new IDBFactory();
    const raw = await rawOpen(factory, 'hand', 1, (db) => {
      db.createObjectStore('runs', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
      db.createObjectStore('prompts', { keyPath: ['runId', 'id'] });
      db.createObjectStore('answers', {
        keyPath: ['runId', 'promptId', 'side', 'sample'],
      }).createIndex('runSide', ['runId', 'side']);
      db.createObjectStore('vectors', { keyPath: ['embedderId', 'textHash'] });
      db.createObjectStore('vectorRefs', {
        keyPath: ['runId', 'embedderId', 'textHash'],
      }).createIndex('vector', ['embedderId', 'textHash']);
      db.createObjectStore('analyses', { keyPath: ['runId', 'id'] });
      db.createObjectStore('hypotheses', { keyPath: ['runId', 'id'] });
      db.createObjectStore('supervisorLog', { autoIncrement: true }).createIndex('runId', 'runId');
    });
    const {
      prompts: _p,
      answers: _a,
      embeddings: _e,
      analyses: _n,
      hypotheses: _h,
      supervisorLog: _s,
      ...meta
    } = tinyRun('legacy');
    const tx = raw.transaction(
      ['runs', 'prompts', 'answers', 'vectors', 'vectorRefs', 'analyses'],
      'readwrite',
    );
    tx.objectStore('runs').put(meta);
    tx.objectStore('prompts').put({ runId: 'legacy', id: 'p1', text: 'Hi', order: 0 });
    tx.objectStore('answers').put({ runId: 'legacy', ...tinyAnswer(0) });
    const vector = { embedderId: 'e', textHash: 'h', vector: new Float32Array([0.6, 0.8]) };
    tx.objectStore('vectors').put(vector);
    tx.objectStore('vectorRefs').put({ runId: 'legacy', embedderId: 'e', textHash: 'h' });
    const legacyAnalysis = {
      id: 'an1',
      createdAt: '2025-01-01T00:00:00.000Z',
      params: {},
      result: fakeAnalysisResult([tinyAnswer(0)]),
    };
    tx.objectStore('analyses').put({ runId: 'legacy', ...legacyAnalysis });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    raw.close();

    // Opening upgrades it to the current version; the run opens with all its parts.
    const db = await openDb({ factory, name: 'hand' });
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames]).toContain('runVectors');
    const repo = new RunRepository(db);
    expect((await repo.list())[0]).toMatchObject({
      id: 'legacy',
      promptCount: 1,
      answerCounts: { A: 1, B: 0 },
    });
    const run = await repo.open('legacy');
    expect(run.answers).toEqual([tinyAnswer(0)]);
    expect(run.embeddings).toEqual([vector]);
    expect(run.analyses).toEqual([legacyAnalysis]);
    // And it works as a current database: the run can be deleted with its cached vector.
    expect(await repo.delete('legacy')).toBe(true);
    expect(await db.count('vectors')).toBe(0);
    db.close();
  });
});

describe('migrations', () => {
  // A plausible future v2: index runs by name and backfill a field with a cursor rewrite.
  const v2: Migration = async (_db, tx) => {
    const runs = tx.objectStore('runs');
    runs.createIndex('name', 'name');
    for (let cursor = await runs.openCursor(); cursor; cursor = await cursor.continue()) {
      await cursor.update({ ...cursor.value, notes: 'migrated' });
    }
  };
  // And a synchronous v3 after an async step, which must still run inside the upgrade.
  const v3: Migration = (db) => {
    db.createObjectStore('extra');
  };

  it('upgrades an existing database step by step, preserving and rewriting data', async () => {
    const factory = new IDBFactory();
    const v1 = await openDb({ factory, name: 'm' });
    await new RunRepository(v1).create(tinyRun('r1'));
    await new RunRepository(v1).appendAnswer('r1', tinyAnswer(0));
    v1.close();

    const spy = vi.fn(v2);
    const db = await openDb({ factory, name: 'm', migrations: [...MIGRATIONS, spy, v3] });
    expect(db.version).toBe(DB_VERSION + 2);
    expect(spy).toHaveBeenCalledTimes(1);
    expect([...db.objectStoreNames]).toContain('extra');
    const run = await new RunRepository(db).open('r1');
    expect(run.notes).toBe('migrated');
    expect(run.answers).toEqual([tinyAnswer(0)]);
    db.close();

    // Opening at the same version again runs nothing.
    const again = await openDb({ factory, name: 'm', migrations: [...MIGRATIONS, spy, v3] });
    expect(spy).toHaveBeenCalledTimes(1);
    again.close();
  });

  it('rolls a failed migration back and says which step failed', async () => {
    const factory = new IDBFactory();
    const v1 = await openDb({ factory, name: 'f' });
    await new RunRepository(v1).create(tinyRun('r1'));
    v1.close();
    const broken: Migration = () => {
      throw new Error('boom');
    };
    const error = await openDb({ factory, name: 'f', migrations: [...MIGRATIONS, broken] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(
      new RegExp(`from version ${DB_VERSION} to ${DB_VERSION + 1} \\(Error: boom\\)`),
    );
    const db = await openDb({ factory, name: 'f' });
    expect(db.version).toBe(DB_VERSION);
    expect(await new RunRepository(db).get('r1')).toBeDefined();
    db.close();
  });
});

describe('open failures', () => {
  it('reports a database written by a newer version', async () => {
    const factory = new IDBFactory();
    (await rawOpen(factory, 'newer', 7)).close();
    await expect(openDb({ factory, name: 'newer' })).rejects.toBeInstanceOf(StorageVersionError);
  });

  it('reports a blocked upgrade, then closes the late connection once unblocked', async () => {
    const factory = new IDBFactory();
    (await openDb({ factory, name: 'b' })).close();
    // An old tab that does not handle versionchange keeps the v1 connection open.
    const stubborn = await rawOpen(factory, 'b');
    const error = await openDb({
      factory,
      name: 'b',
      migrations: [...MIGRATIONS, () => undefined],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageBlockedError);
    expect((error as Error).message).toMatch(/close other Behaviour Diff tabs and reload/);
    stubborn.close();
    // The pending upgrade now completes; its orphan connection must not block the next open.
    await vi.waitFor(async () => {
      const db = await rawOpen(factory, 'b');
      expect(db.version).toBe(DB_VERSION + 1);
      db.close();
    });
    const db = await openDb({
      factory,
      name: 'b',
      migrations: [...MIGRATIONS, () => undefined, () => undefined],
    });
    expect(db.version).toBe(DB_VERSION + 2);
    db.close();
  });

  it('steps aside for an upgrade in another tab and then says to reload', async () => {
    const factory = new IDBFactory();
    const onVersionChange = vi.fn();
    const db = await openDb({ factory, name: 'vc', onVersionChange });
    const repo = new RunRepository(db);
    const other = await rawOpen(factory, 'vc', DB_VERSION + 1);
    expect(other.version).toBe(DB_VERSION + 1);
    expect(onVersionChange).toHaveBeenCalledOnce();
    const error = await repo.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageVersionError);
    expect((error as Error).message).toMatch(/reload this page/);
    other.close();
  });

  it('reports a connection the browser closed (site data cleared) as unavailable', async () => {
    const db = await openDb({ factory: new IDBFactory(), name: 'closed' });
    // fake-indexeddb types this parameter as the class, not an instance.
    forceCloseDatabase(unwrap(db) as never);
    await expect(new RunRepository(db).list()).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('reports missing or forbidden IndexedDB as unavailable', async () => {
    vi.stubGlobal('indexedDB', undefined);
    await expect(openDb()).rejects.toBeInstanceOf(StorageUnavailableError);
    for (const name of ['SecurityError', 'InvalidStateError']) {
      const factory = new IDBFactory();
      vi.spyOn(factory, 'open').mockImplementation(() => {
        throw new DOMException('denied', name);
      });
      const error = await openDb({ factory }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toMatch(/private browsing/);
      expect((error as Error).cause).toBeInstanceOf(DOMException);
    }
  });
});

describe('quota errors', () => {
  const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

  async function setup() {
    const db = await openDb({ factory: new IDBFactory(), name: 'q' });
    const repo = new RunRepository(db, { bumpIntervalMs: 0 });
    await repo.create(tinyRun('r1'));
    return { db, repo };
  }

  it('maps a put that throws QuotaExceededError', async () => {
    const { db, repo } = await setup();
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quota();
    });
    const error = await repo.appendAnswer('r1', tinyAnswer(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageQuotaError);
    expect((error as Error).message).toMatch(/storage for this site is full: delete old runs/);
    expect((error as Error).cause).toMatchObject({ name: 'QuotaExceededError' });
    vi.restoreAllMocks();
    expect(await db.count('answers')).toBe(0);
  });

  it('maps a request that fails asynchronously, rolling the whole run back', async () => {
    const { db, repo } = await setup();
    const original = IDBObjectStore.prototype.put;
    let calls = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args
    ) {
      // The 50th write of the run fails the way a browser reports it: an error on the request.
      if (++calls !== 50) return original.apply(this, args as Parameters<typeof original>);
      const tx = this.transaction as unknown as { _execRequestAsync(o: object): IDBRequest };
      return tx._execRequestAsync({
        source: this,
        operation: () => {
          throw quota();
        },
      });
    });
    const big = { ...tinyRun('r2'), answers: Array.from({ length: 100 }, (_, i) => tinyAnswer(i)) };
    await expect(repo.create(big)).rejects.toBeInstanceOf(StorageQuotaError);
    vi.restoreAllMocks();
    expect(await repo.get('r2')).toBeUndefined();
    expect(await db.count('answers')).toBe(0);
  });

  it('maps a transaction the browser aborts for quota (requests only see AbortError)', async () => {
    const { db, repo } = await setup();
    const original = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args
    ) {
      const request = original.apply(this, args as Parameters<typeof original>);
      (this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
      return request;
    });
    await expect(repo.appendAnswers('r1', [tinyAnswer(0), tinyAnswer(1)])).rejects.toBeInstanceOf(
      StorageQuotaError,
    );
    vi.restoreAllMocks();
    expect(await db.count('answers')).toBe(0);
  });
});

describe('the v2 -> v3 upgrade (explanations)', () => {
  it('upgrades a database written by the previous version and keeps every part of its runs', async () => {
    const factory = new IDBFactory();
    // The previous app's database: its migrations only, written as its run-parts.ts wrote runs.
    const old = await openDb({ factory, name: 'prev', migrations: MIGRATIONS.slice(0, 2) });
    expect(old.version).toBe(2);
    expect([...old.objectStoreNames]).not.toContain('explanations');
    const run = makeRun('legacy', { explained: true });
    const { prompts, answers, embeddings, analyses, hypotheses, supervisorLog } = run;
    const meta = { ...metaOf(run as Run & Record<string, unknown>), schemaVersion: 1 };
    const stores = ['runs', 'prompts', 'answers', 'runVectors', 'analyses', 'hypotheses'];
    const tx = unwrap(old).transaction([...stores, 'supervisorLog'], 'readwrite');
    tx.objectStore('runs').put(meta);
    prompts.forEach((p, order) => tx.objectStore('prompts').put({ ...p, runId: 'legacy', order }));
    answers.forEach((a) => tx.objectStore('answers').put({ ...a, runId: 'legacy' }));
    embeddings.forEach((e) => tx.objectStore('runVectors').put({ ...e, runId: 'legacy' }));
    analyses.forEach((a) => tx.objectStore('analyses').put({ ...a, runId: 'legacy' }));
    hypotheses.forEach((h) => tx.objectStore('hypotheses').put({ ...h, runId: 'legacy' }));
    // v1-era log entries: no job key, no reply.
    const oldLog = supervisorLog.map(({ at, provider, model, purpose, request }) => ({
      at,
      provider,
      model,
      purpose,
      request,
    }));
    oldLog.forEach((l) => tx.objectStore('supervisorLog').add({ ...l, runId: 'legacy' }));
    await new Promise((resolve) => (tx.oncomplete = resolve));
    old.close();

    const db = await openDb({ factory, name: 'prev' });
    expect(db.version).toBe(3);
    const repo = new RunRepository(db);
    const back = await repo.open('legacy');
    expect(back).toEqual({
      ...run,
      schemaVersion: 1,
      supervisorLog: oldLog,
      explanations: [],
    });
    // Old entries have no job key, so nothing counts as done; new ones do.
    expect((await repo.supervisorReplies('legacy')).size).toBe(0);
    await repo.appendSupervisorLog('legacy', { ...oldLog[0]!, key: 'labels|an1|0', reply: 'x' });
    expect([...(await repo.supervisorReplies('legacy')).keys()]).toEqual(['labels|an1|0']);
    await repo.putExplanation('legacy', run.explanations[0]!);
    expect(await repo.explanations('legacy')).toEqual(run.explanations);
    // And the upgraded run exports as a v2 file that reads back whole.
    const file = parseRunFile(serializeRunFile(await repo.exportRun('legacy')), 'legacy.json');
    expect(file.explanations).toEqual(run.explanations);
    expect(file.supervisorLog).toHaveLength(3);
    expect(file.answers).toEqual(run.answers);
    db.close();
  });
});
