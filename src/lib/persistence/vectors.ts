/**
 * The embedding vector cache, shared across runs and keyed by (embedder, text hash), so the
 * same text is never embedded twice by the same embedder. Runs mark the vectors they use in
 * `vectorRefs`; see db.ts.
 */
import type { EmbeddingRecord } from '../core/run/types';
import { each, withTx, type Db } from './db';
import { RunNotFoundError } from './errors';
import { assertReadable, assertWritable, vectorProblem } from './records';

/**
 * Cached vectors of `embedderId` for the given text hashes; misses are simply absent.
 * @throws InvalidRecordError if a cached vector is damaged.
 */
export async function getVectors(
  db: Db,
  embedderId: string,
  hashes: readonly string[],
): Promise<Map<string, Float32Array>> {
  const found = await withTx(db, ['vectors'], 'readonly', (tx) =>
    each(hashes, (h) => tx.store.get([embedderId, h])),
  );
  const out = new Map<string, Float32Array>();
  for (const v of found) {
    if (v === undefined) continue;
    assertReadable(vectorProblem(v), 'vectors', [embedderId, v.textHash]);
    out.set(v.textHash, v.vector);
  }
  return out;
}

/**
 * Caches vectors in one transaction; with `runId` they are also marked as used by that run.
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
