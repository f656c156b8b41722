/**
 * Seeded Gaussian blobs for benchmarks (projection and clustering; the generator itself lives in
 * src/lib/core/vectors/blobs.ts so unit tests share it), plus a raw file format that
 * the Python references read (bench/reference/common.py `load_blobs`) so both sides see the
 * SAME numbers: `<base>.f32` (float32 little-endian, row-major), `<base>.labels.i32` (int32
 * little-endian) and `<base>.json` (`{ rows, dims, centers, seed, spread, ... }`).
 *
 * Isotropic blobs in 384 dimensions are either trivially separable or not found at all (the
 * transition is sharp and a clusterer's score then depends on its luck with local optima), so
 * the clustering benchmark overlaps its blobs in a few `informative` dimensions only: the
 * adjusted Rand index is then limited by points lying in the overlaps, the same for any good
 * clusterer and stable from seed to seed.
 */
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeBlobs, type BlobOptions, type Blobs } from '../src/lib/core/vectors/blobs';
import { matrix } from '../src/lib/core/vectors/matrix';
import { createRng } from '../src/lib/core/vectors/random';

// Re-exported so benchmarks import data helpers from one place.
export { makeBlobs, type BlobOptions, type Blobs };

/** Blob options of the benchmarks: makeBlobs' options, optionally with few informative dims. */
export interface BenchBlobOptions extends BlobOptions {
  /**
   * Only the first `informative` dimensions carry the centres (uniform in [-box, box], noise
   * `spread`); the others are pure noise of std `extraSpread`. Default: every dimension.
   */
  informative?: number;
  /** Standard deviation of the uninformative dimensions (default 0.2). */
  extraSpread?: number;
}

/** The default std of the uninformative dimensions. */
const EXTRA_SPREAD = 0.2;

/** Blobs for `options`: makeBlobs, or centres in the first `informative` dimensions only. */
export function makeBenchBlobs(options: BenchBlobOptions): Blobs {
  const { informative, dims, n, seed } = options;
  if (informative === undefined || informative >= dims) return makeBlobs(options);
  const inner = makeBlobs({ ...options, dims: informative });
  const extra = options.extraSpread ?? EXTRA_SPREAD;
  // A stream of its own, so the informative part equals makeBlobs' with `informative` dims.
  const rng = createRng(seed + 0x5eed);
  const m = matrix(n, dims);
  for (let i = 0; i < n; i++) {
    const o = i * dims;
    m.data.set(inner.matrix.data.subarray(i * informative, (i + 1) * informative), o);
    for (let d = informative; d < dims; d++) m.data[o + d] = extra * rng.gaussian();
  }
  return { matrix: m, labels: inner.labels };
}

/** Writes blobs to `<base>.f32`, `<base>.labels.i32` and `<base>.json`. */
export async function writeBlobs(
  base: string,
  blobs: Blobs,
  meta: BenchBlobOptions,
): Promise<void> {
  const { data, rows, dims } = blobs.matrix;
  // Typed arrays are little-endian on every platform this runs on (x86, ARM).
  await writeFile(`${base}.f32`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const l = blobs.labels;
  await writeFile(`${base}.labels.i32`, new Uint8Array(l.buffer, l.byteOffset, l.byteLength));
  await writeFile(`${base}.json`, JSON.stringify({ ...meta, rows, dims }) + '\n');
}

/** Reads blobs written by writeBlobs. */
export async function readBlobs(base: string): Promise<Blobs> {
  const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as { rows: number; dims: number };
  const raw = await readFile(`${base}.f32`);
  const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const lraw = await readFile(`${base}.labels.i32`);
  const labels = new Int32Array(
    lraw.buffer.slice(lraw.byteOffset, lraw.byteOffset + lraw.byteLength),
  );
  return { matrix: matrix(meta.rows, meta.dims, data), labels };
}

/** Folder where benchmark blob files are cached (outside the repo). */
export const BLOB_DIR = join(tmpdir(), 'behaviour-diff-bench');

/** The file base in BLOB_DIR for blobs made with `options` (whether or not it exists yet). */
export function blobBase(options: BenchBlobOptions): string {
  const spread = options.spread ?? 1;
  const box = options.box ?? 10;
  const { n, dims, centers, seed, informative } = options;
  const few =
    informative === undefined || informative >= dims
      ? ''
      : `-i${informative}-x${options.extraSpread ?? EXTRA_SPREAD}`;
  return join(BLOB_DIR, `blobs-n${n}-d${dims}-c${centers}-s${seed}-sp${spread}-b${box}${few}`);
}

/**
 * Returns the file base of blobs for `options` in BLOB_DIR, generating and writing them only
 * when absent (generation is deterministic, so a cached file is always the same data).
 */
export async function ensureBlobs(options: BenchBlobOptions): Promise<string> {
  const spread = options.spread ?? 1;
  const box = options.box ?? 10;
  const base = blobBase(options);
  try {
    await access(`${base}.json`);
    return base;
  } catch {
    // Not cached yet.
  }
  await mkdir(BLOB_DIR, { recursive: true });
  // Write under a per-process name, then rename (the .json last, as it marks completeness), so a
  // concurrent bench never reads half a file.
  const tmp = `${base}.tmp${process.pid}`;
  await writeBlobs(tmp, makeBenchBlobs(options), { ...options, spread, box });
  for (const ext of ['.f32', '.labels.i32', '.json']) await rename(tmp + ext, base + ext);
  return base;
}

// `node --import tsx bench/blobs.ts N DIMS CENTERS SEED [SPREAD [BOX [INFORMATIVE]]]` writes (if
// needed) and prints the file base, for the Python scripts in bench/reference/ that make test
// constants and for choosing the clustering benchmark's blobs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, dims, centers, seed, spread, box, informative] = process.argv.slice(2).map(Number);
  console.log(
    await ensureBlobs({
      n: n!,
      dims: dims!,
      centers: centers!,
      seed: seed!,
      spread: spread ?? 1,
      ...(box === undefined ? {} : { box }),
      ...(informative === undefined ? {} : { informative }),
    }),
  );
}
