/**
 * Exact k-nearest neighbours by blocked dot products (WASM SIMD where available). Choice: at
 * the sizes this app handles (<= ~20k answers) an exact search, half the pairs thanks to
 * symmetry, costs n^2 d / 2 multiply-adds: 10,000 x 384 is ~2-3 s at the kernel's 7-12 G/s,
 * already faster than umap-learn's approximate NN-descent here, and it gives recall 1.
 * project/nn-descent.ts is the approximate alternative for larger n.
 */
import { DotTiler } from './gemm';
import type { Matrix } from './matrix';
import {
  dotAt,
  meanRow,
  centerRows,
  normalizeRows,
  rowSquaredNorms,
  squaredEuclideanAt,
} from './ops';

/** Distance used for neighbours: Euclidean, or cosine distance 1 - cos. */
export type Metric = 'euclidean' | 'cosine';

/** A k-nearest-neighbour graph: row i's neighbours at [i*k, (i+1)*k), nearest first. */
export interface KnnGraph {
  indices: Int32Array;
  distances: Float32Array;
  n: number;
  k: number;
}

/** Options of the kNN searches. */
export interface KnnOptions {
  metric?: Metric;
  /** Count each point as its own first neighbour (distance 0), as umap-learn does. Default true. */
  includeSelf?: boolean;
  /** Called as work advances (done out of total units). */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects with the signal's reason at the next yield. */
  signal?: AbortSignal;
}

/** Yields to the event loop when more than this many ms passed, so aborts and messages get in. */
const YIELD_MS = 50;

/** Lets pending events run (so an AbortSignal can fire) and throws if aborted. */
export async function yieldAndCheck(signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  signal?.throwIfAborted();
}

/**
 * Bounded max-heaps of (distance, index, flag), one per row, in flat typed arrays. The flag
 * travels with its entry (NN-descent marks entries new/old with it).
 */
export class NeighbourHeaps {
  readonly d: Float32Array;
  readonly idx: Int32Array;
  readonly flags: Uint8Array;
  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.d = new Float32Array(n * k).fill(Infinity);
    this.idx = new Int32Array(n * k).fill(-1);
    this.flags = new Uint8Array(n * k);
  }

  /** Offers neighbour j at distance dist to row i; returns true when it was kept. */
  push(i: number, dist: number, j: number, flag = 0): boolean {
    const { d, idx, flags, k } = this;
    const base = i * k;
    if (!(dist < d[base]!)) return false;
    // Sift down from the root, replacing the current worst.
    let pos = 0;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= k) break;
      const r = l + 1;
      const c = r < k && d[base + r]! > d[base + l]! ? r : l;
      if (d[base + c]! <= dist) break;
      d[base + pos] = d[base + c]!;
      idx[base + pos] = idx[base + c]!;
      flags[base + pos] = flags[base + c]!;
      pos = c;
    }
    d[base + pos] = dist;
    idx[base + pos] = j;
    flags[base + pos] = flag;
    return true;
  }

  /** Whether j is already among row i's neighbours (linear scan: k is small). */
  has(i: number, j: number): boolean {
    const base = i * this.k;
    for (let t = 0; t < this.k; t++) if (this.idx[base + t] === j) return true;
    return false;
  }

  /** Sorts every row ascending and returns the graph (the heaps are consumed). */
  toGraph(): KnnGraph {
    const { n, k, d, idx } = this;
    const order = new Int32Array(k);
    const tmpD = new Float32Array(k);
    const tmpI = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const base = i * k;
      for (let t = 0; t < k; t++) order[t] = t;
      // Ties broken by index so the result never depends on heap history.
      order.sort((x, y) => d[base + x]! - d[base + y]! || idx[base + x]! - idx[base + y]!);
      for (let t = 0; t < k; t++) {
        tmpD[t] = d[base + order[t]!]!;
        tmpI[t] = idx[base + order[t]!]!;
      }
      d.set(tmpD, base);
      idx.set(tmpI, base);
    }
    return { indices: idx, distances: d, n, k };
  }
}

/** Prepares rows so that squared Euclidean distance ranks neighbours for the metric. */
function prepare(m: Matrix, metric: Metric): Matrix {
  // Cosine: unit rows make |x - y|^2 = 2 - 2 cos. Euclidean: centring changes no distance
  // but shrinks the norms, and so the cancellation error of |x|^2 + |y|^2 - 2 x.y.
  return metric === 'cosine' ? normalizeRows(m) : centerRows(m, meanRow(m));
}

/** Exact k nearest neighbours of every row (k includes the point itself unless includeSelf is false). */
export async function exactKnn(m: Matrix, k: number, options: KnnOptions = {}): Promise<KnnGraph> {
  const metric = options.metric ?? 'euclidean';
  const includeSelf = options.includeSelf ?? true;
  const n = m.rows;
  if (k < 1 || k > n - (includeSelf ? 0 : 1))
    throw new Error(`exactKnn: k=${k} impossible with ${n} rows`);
  const x = prepare(m, metric);
  const norms = rowSquaredNorms(x);
  const heaps = new NeighbourHeaps(n, k);
  const hd = heaps.d;
  const tiler = new DotTiler(x, x, 64);
  const totalCols = Math.ceil(n / tiler.tileCols);
  try {
    let last = Date.now();
    for (let cb = 0, cs = 0; cs < n; cb++, cs += tiler.tileCols) {
      options.signal?.throwIfAborted();
      const ce = Math.min(cs + tiler.tileCols, n);
      for (let rs = 0; rs < ce; rs += tiler.tileRows) {
        const re = Math.min(rs + tiler.tileRows, ce);
        const block = tiler.tile(rs, re, cs, ce);
        const ld = tiler.ld;
        for (let i = rs; i < re; i++) {
          const ni = norms[i]!;
          const off = (i - rs) * ld - cs;
          // The heap roots are the current k-th distances: most pairs fail both checks, so
          // they are tested here before any call.
          let worstI = hd[i * k]!;
          // Only j > i: each unordered pair is visited once and offered to both rows.
          for (let j = Math.max(cs, i + 1); j < ce; j++) {
            const v = ni + norms[j]! - 2 * block[off + j]!;
            const dist = v > 0 ? v : 0;
            if (dist < worstI) {
              heaps.push(i, dist, j);
              worstI = hd[i * k]!;
            }
            if (dist < hd[j * k]!) heaps.push(j, dist, i);
          }
          if (includeSelf && i >= cs) heaps.push(i, -1, i);
        }
      }
      if (Date.now() - last > YIELD_MS) {
        options.onProgress?.(cb + 1, totalCols);
        await yieldAndCheck(options.signal);
        last = Date.now();
      }
    }
  } finally {
    tiler.dispose();
  }
  options.onProgress?.(totalCols, totalCols);
  return finishGraph(heaps, m, x, metric);
}

/** Replaces ranking scores by exact distances and sorts; self gets exactly 0. */
export function finishGraph(heaps: NeighbourHeaps, m: Matrix, x: Matrix, metric: Metric): KnnGraph {
  const { n, k, d, idx } = heaps;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = idx[i * k + t]!;
      if (j < 0) continue;
      // Self sorts first (-1), then becomes 0 below, even when exact duplicates tie with it.
      if (j === i) d[i * k + t] = -1;
      else if (metric === 'cosine') {
        d[i * k + t] = Math.max(0, 1 - dotAt(x.data, i * x.dims, x.data, j * x.dims, x.dims));
      } else {
        d[i * k + t] = Math.sqrt(
          squaredEuclideanAt(m.data, i * m.dims, m.data, j * m.dims, m.dims),
        );
      }
    }
  }
  const graph = heaps.toGraph();
  for (let t = 0; t < graph.distances.length; t++) {
    if (graph.distances[t]! < 0) graph.distances[t] = 0;
  }
  return graph;
}

/** Fraction of exact neighbour indices that `approx` also found (rows compared as sets). */
export function knnRecall(approx: KnnGraph, exact: KnnGraph): number {
  if (approx.n !== exact.n) throw new Error('knnRecall: graphs of different sizes');
  let hit = 0;
  const ka = approx.k;
  const ke = exact.k;
  for (let i = 0; i < exact.n; i++) {
    const found = new Set<number>();
    for (let t = 0; t < ka; t++) found.add(approx.indices[i * ka + t]!);
    for (let t = 0; t < ke; t++) if (found.has(exact.indices[i * ke + t]!)) hit++;
  }
  return hit / (exact.n * ke);
}
