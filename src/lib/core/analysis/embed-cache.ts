/**
 * Embedding with a cache keyed by (embedder id, SHA-256 of the text): re-analysing a run, or
 * another run sharing answers, never embeds the same text twice.
 */
import type { EmbeddingRecord } from '../run/types';
import { nextTask } from '../next-task';
import type { Matrix } from '../vectors/matrix';

/** Where cached vectors live (IndexedDB in the app, nothing or a Map in the CLI). */
export interface VectorCache {
  get(embedderId: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  put(records: EmbeddingRecord[]): Promise<void>;
}

/** Embeds texts: row-major unit vectors. */
export type EmbedFunction = (
  texts: string[],
  onProgress?: (done: number, total: number) => void,
) => Promise<{ data: Float32Array; rows: number; dims: number }>;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const encoder = new TextEncoder();

/** Hex SHA-256 of a text (Web Crypto: the same in browsers, workers and Node 20). */
export async function textHash(text: string): Promise<string> {
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text)),
  );
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

/** Texts hashed, or vectors stored, per slice: a few ms of a browser's main thread each. */
const SLICE = 500;

/**
 * Hex SHA-256 of each text, in order. Digests are started a slice at a time with a macrotask
 * between slices: 10,000 at once kept a browser's main thread busy for ~200 ms in one task.
 */
export async function hashTexts(texts: readonly string[]): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < texts.length; i += SLICE) {
    if (i > 0) await nextTask();
    hashes.push(...(await Promise.all(texts.slice(i, i + SLICE).map(textHash))));
  }
  return hashes;
}

/** How many texts were embedded now and how many came from the cache. */
export interface EmbedStats {
  embedded: number;
  cached: number;
}

/**
 * One unit vector per text, in order. Only texts missing from the cache are embedded, each
 * distinct text once; new vectors are written back to the cache.
 * @throws RangeError when the embedder returns vectors of different lengths than the cache.
 */
export async function embedWithCache(
  texts: readonly string[],
  embedderId: string,
  embed: EmbedFunction,
  cache: VectorCache | null,
  onProgress?: (done: number, total: number) => void,
): Promise<{ vectors: Matrix; stats: EmbedStats }> {
  const hashes = await hashTexts(texts);
  const found = cache
    ? await cache.get(embedderId, [...new Set(hashes)])
    : new Map<string, Float32Array>();
  const missing: string[] = [];
  const missingText: string[] = [];
  const queued = new Set<string>();
  hashes.forEach((hash, i) => {
    if (!found.has(hash) && !queued.has(hash)) {
      queued.add(hash);
      missing.push(hash);
      missingText.push(texts[i]!);
    }
  });
  if (missing.length > 0) {
    const fresh = await embed(missingText, onProgress);
    // Copied and stored a slice at a time (10,000 vectors at once held a page ~100 ms).
    for (let start = 0; start < missing.length; start += SLICE) {
      await nextTask();
      const records: EmbeddingRecord[] = missing.slice(start, start + SLICE).map((textHash, j) => {
        const i = start + j;
        return {
          embedderId,
          textHash,
          vector: fresh.data.slice(i * fresh.dims, (i + 1) * fresh.dims),
        };
      });
      for (const record of records) found.set(record.textHash, record.vector);
      await cache?.put(records);
    }
  }
  const dims = found.get(hashes[0] ?? '')?.length ?? 0;
  const data = new Float32Array(texts.length * dims);
  hashes.forEach((hash, i) => {
    const vector = found.get(hash)!;
    if (vector.length !== dims) {
      throw new RangeError(
        `cached vectors of ${embedderId} have ${vector.length} and ${dims} dimensions`,
      );
    }
    data.set(vector, i * dims);
  });
  return {
    vectors: { data, rows: texts.length, dims },
    stats: { embedded: missing.length, cached: texts.length - missing.length },
  };
}
