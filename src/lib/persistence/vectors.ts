/**
 * The embedding vector cache, shared across runs and keyed by (embedder, text hash), so the
 * same text is never embedded twice by the same embedder. Only vectors computed on this
 * machine go in; vectors from run files stay with their run (`runVectors`). Runs mark the
 * cached vectors they use in `vectorRefs`; see db.ts.
 */
import type { EmbeddingRecord } from '../core/run/types';
import { each, withTx, type Db } from './db';
import { RunNotFoundError } from './errors';
import { assertReadable, assertWritable, vectorProblem } from './records';

/**
 * Cached vectors of `embedderId` for the given text hashes; misses are simply absent. With
 * `runId` the hits are also marked as used by that run (in the same transaction), so a run
 * analysed from cached vectors still exports every vector its analysis used.
 * @throws RunNotFoundError (with runId); InvalidRecordError if a cached vector is damaged.
 */
export async function getVectors(
  db: Db,
  embedderId: string,
  hashes: readonly string[],
  runId?: string,
): Promise<Map<string, Float32Array>> {
  const found =
    runId === undefined
      ? await withTx(db, ['vectors'], 'readonly', (tx) =>
          each(hashes, (h) => tx.store.get([embedderId, h])),
        )
      : await withTx(db, ['runs', 'vectors', 'vectorRefs'], 'readwrite', async (tx) => {
          const vectors = tx.objectStore('vectors');
          const [key, records] = await Promise.all([
            tx.objectStore('runs').getKey(runId),
            each(hashes, (h) => vectors.get([embedderId, h])),
          ]);
          if (key === undefined) throw new RunNotFoundError(runId);
          const hits = records.filter((r) => r !== undefined);
          const refs = tx.objectStore('vectorRefs');
          await each(hits, (r) => refs.put({ runId, embedderId, textHash: r.textHash }));
          return records;
        });
  return readableVectors(found, 'vectors', (v) => [embedderId, v.textHash]);
}

/**
 * The vectors run `runId` brought in its file, for the given text hashes; misses are absent.
 * @throws InvalidRecordError if one is damaged.
 */
export async function getRunVectors(
  db: Db,
  runId: string,
  embedderId: string,
  hashes: readonly string[],
): Promise<Map<string, Float32Array>> {
  const found = await withTx(db, ['runVectors'], 'readonly', (tx) =>
    each(hashes, (h) => tx.store.get([runId, embedderId, h])),
  );
  return readableVectors(found, 'runVectors', (v) => [runId, embedderId, v.textHash]);
}

/** Checks the records found (skipping misses) and maps them by text hash. */
function readableVectors(
  found: readonly (EmbeddingRecord | undefined)[],
  store: string,
  key: (v: EmbeddingRecord) => unknown,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const v of found) {
    if (v === undefined) continue;
    assertReadable(vectorProblem(v), store, key(v));
    out.set(v.textHash, v.vector);
  }
  return out;
}

/**
 * The dimension of each embedder's vectors that this machine has computed (from any one of
 * its cached vectors); embedders never used here are absent.
 */
export async function knownDimensions(
  db: Db,
  embedderIds: readonly string[],
): Promise<Map<string, number>> {
  const first = await withTx(db, ['vectors'], 'readonly', (tx) =>
    each(embedderIds, (id) => tx.store.get(IDBKeyRange.bound([id], [id, []]))),
  );
  const dims = new Map<string, number>();
  first.forEach((v, i) => {
    if (v !== undefined && vectorProblem(v) === null) dims.set(embedderIds[i]!, v.vector.length);
  });
  return dims;
}

/**
 * Caches vectors computed on this machine in one transaction; with `runId` they are also
 * marked as used by that run. Never pass vectors that came from a file: every run reads them.
 * @throws RunNotFoundError (with runId); InvalidRecordError; StorageQuotaError.
 */
export async function putVectors(
  db: Db,
  records: readonly EmbeddingRecord[],
  runId?: string,
): Promise<void> {
  records.forEach((r, i) => assertWritable(vectorProblem(r), `vector ${i}`));
  await withTx(db, ['runs', 'vectors', 'vectorRefs'], 'readwrite', async (tx) => {
    const vectors = tx.objectStore('vectors');
    const refs = tx.objectStore('vectorRefs');
    const [key] = await Promise.all([
      runId === undefined ? 'no run' : tx.objectStore('runs').getKey(runId),
      each(records, (r) => vectors.put(r)),
      runId === undefined
        ? []
        : each(records, (r) => refs.put({ runId, embedderId: r.embedderId, textHash: r.textHash })),
    ]);
    // Throwing aborts the transaction, so no vector is linked to a run that does not exist.
    if (runId !== undefined && key === undefined) throw new RunNotFoundError(runId);
  });
}

/** Deletes cached vectors that no run uses (e.g. from an embedding pass never linked); returns how many. */
export async function pruneVectors(db: Db): Promise<number> {
  return withTx(db, ['vectors', 'vectorRefs'], 'readwrite', async (tx) => {
    const [keys, refs] = await Promise.all([
      tx.objectStore('vectors').getAllKeys(),
      tx.objectStore('vectorRefs').getAllKeys(),
    ]);
    const used = new Set(refs.map(([, embedderId, hash]) => JSON.stringify([embedderId, hash])));
    const unused = keys.filter((k) => !used.has(JSON.stringify(k)));
    await each(unused, (k) => tx.objectStore('vectors').delete(k));
    return unused.length;
  });
}
