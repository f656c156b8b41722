/**
 * Embedding with a cache keyed by (embedder id, SHA-256 of the text): re-analysing a run, or
 * another run sharing answers, never embeds the same text twice.
 */
import type { EmbeddingRecord } from '../run/types';
import { nextTask } from '../next-task';
import type { Matrix } from '../vectors/matrix';

/** Where cached vectors live (IndexedDB in the app, nothing or a Map in the CLI). */
export interface VectorCache {
  /** Vectors computed on this machine (the shared cache). */
  get(embedderId: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Stores vectors just computed here. */
  put(records: EmbeddingRecord[]): Promise<void>;
  /**
   * Vectors the analysed run brought in its file: looked up first, and used only at the
   * dimension the embedder really makes (they are a claim, not a computation).
   */
  getImported?(embedderId: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
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

/** How the texts got their vectors. */
export interface EmbedStats {
  /** Distinct texts embedded now. */
  embedded: number;
  /** Texts served by the shared cache (or by a repeat of a text embedded now). */
  cached: number;
  /** Texts served by the run's own imported vectors. */
  imported: number;
  /** The run's own vectors not used because their dimension is not the embedder's. */
  rejected: number;
}

/**
 * One unit vector per text, in order: the run's own (imported) vector, else the cached one,
 * else a fresh embedding; each distinct text is embedded once and new vectors are written
 * back to the cache. Imported vectors of another dimension than the embedder's are replaced
 * by fresh ones; when nothing else tells the dimension, one text is embedded to learn it.
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
  const unique = [...new Set(hashes)];
  const imported =
    cache?.getImported && unique.length > 0
      ? await cache.getImported(embedderId, unique)
      : new Map<string, Float32Array>();
  const found =
    cache && unique.length > imported.size
      ? await cache.get(
          embedderId,
          unique.filter((h) => !imported.has(h)),
        )
      : new Map<string, Float32Array>();
  const textOf = new Map<string, string>();
  hashes.forEach((hash, i) => textOf.set(hash, texts[i]!));
  let missing = unique.filter((h) => !imported.has(h) && !found.has(h));
  // Imported vectors alone cannot vouch for their dimension: ask the cache about one of
  // their texts, else embed it (and use that text's own vector: a computation beats a claim).
  let knownDims: number | undefined;
  if (found.size === 0 && missing.length === 0 && imported.size > 0) {
    const probe = unique[0]!;
    knownDims = (await cache?.get(embedderId, [probe]))?.get(probe)?.length;
    if (knownDims === undefined) {
      missing = [probe];
      imported.delete(probe);
    }
  }
  const embedded = new Set(missing);
  await embedMissing(missing, textOf, embedderId, embed, cache, found, onProgress);
  const dims = knownDims ?? found.values().next().value?.length;
  const rejected = [...imported].filter(([, vector]) => vector.length !== dims).map(([h]) => h);
  for (const hash of rejected) {
    imported.delete(hash);
    embedded.add(hash);
  }
  await embedMissing(rejected, textOf, embedderId, embed, cache, found, onProgress);
  const width = dims ?? 0;
  const data = new Float32Array(texts.length * width);
  hashes.forEach((hash, i) => {
    const vector = imported.get(hash) ?? found.get(hash)!;
    if (vector.length !== width) {
      throw new RangeError(
        `cached vectors of ${embedderId} have ${vector.length} and ${width} dimensions`,
      );
    }
    data.set(vector, i * width);
  });
  const fromFile = hashes.filter((h) => imported.has(h)).length;
  return {
    vectors: { data, rows: texts.length, dims: width },
    stats: {
      embedded: embedded.size,
      cached: texts.length - fromFile - embedded.size,
      imported: fromFile,
      rejected: rejected.length,
    },
  };
}

/** Embeds the texts of `missing` (hashes), stores them in the cache and adds them to `found`. */
async function embedMissing(
  missing: readonly string[],
  textOf: ReadonlyMap<string, string>,
  embedderId: string,
  embed: EmbedFunction,
  cache: VectorCache | null,
  found: Map<string, Float32Array>,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  if (missing.length === 0) return;
  const fresh = await embed(
    missing.map((h) => textOf.get(h)!),
    onProgress,
  );
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
