/**
 * Approximate k-nearest neighbours by NN-descent (Dong, Moses and Li 2011) started from a
 * random-projection forest, in the manner of pynndescent: neighbours of neighbours are
 * compared, new candidates only against new and old ones, candidate lists sampled to a fixed
 * size. For inputs too large for the exact search (vectors/knn.ts); the tests check recall
 * against the exact graph.
 */
import {
  finishGraph,
  NeighbourHeaps,
  yieldAndCheck,
  type KnnGraph,
  type KnnOptions,
} from '../vectors/knn';
import type { Matrix } from '../vectors/matrix';
import { centerRows, dotAt, meanRow, normalizeRows, rowSquaredNorms } from '../vectors/ops';
import { createRng, type Rng } from '../vectors/random';

/** Options of nnDescent, beyond those of the exact search. */
export interface NnDescentOptions extends KnnOptions {
  seed?: number;
  /** Random-projection trees for the starting graph (default 5 + round(n^0.25 / 2), as pynndescent). */
  trees?: number;
  /** Maximum candidates per point and round (default k clamped to 15..60). */
  maxCandidates?: number;
  /** Maximum rounds (default max(5, round(log2 n))). */
  maxIterations?: number;
  /** Stop when fewer than delta * n * k updates happen in a round (default 0.001). */
  delta?: number;
}

/** Approximate kNN graph (the point itself first when includeSelf, as in exactKnn). */
export async function nnDescent(
  m: Matrix,
  k: number,
  options: NnDescentOptions = {},
): Promise<KnnGraph> {
  const n = m.rows;
  // Stryker disable next-line StringLiteral: every metric but 'cosine' is Euclidean here
  const metric = options.metric ?? 'euclidean';
  const includeSelf = options.includeSelf ?? true;
  if (k < 1 || k > n - (includeSelf ? 0 : 1))
    throw new Error(`nnDescent: k=${k} impossible with ${n} rows`);
  const x = metric === 'cosine' ? normalizeRows(m) : centerRows(m, meanRow(m));
  const norms = rowSquaredNorms(x);
  const d = x.dims;
  const dist = (i: number, j: number): number => {
    const v = norms[i]! + norms[j]! - 2 * dotAt(x.data, i * d, x.data, j * d, d);
    // Stryker disable next-line EqualityOperator: v = 0 gives 0 either way
    return v > 0 ? v : 0;
  };
  // Search for k neighbours besides self; self is added at the end.
  const kk = includeSelf ? k - 1 : k;
  const rng = createRng(options.seed ?? 0);
  const heaps = new NeighbourHeaps(n, Math.max(kk, 1));
  // Entries enter flagged 1 ("new": not yet used as a candidate).
  const offer = (i: number, dd: number, j: number): number => {
    if (i === j || !(dd < heaps.d[i * heaps.k]!) || heaps.has(i, j)) return 0;
    heaps.push(i, dd, j, 1);
    return 1;
  };
  if (kk > 0) {
    const trees = options.trees ?? 5 + Math.round(Math.pow(n, 0.25) / 2);
    const leafSize = Math.max(10, kk + 1);
    for (let t = 0; t < trees; t++) {
      for (const leaf of rpTreeLeaves(x, leafSize, rng)) {
        // Stryker disable next-line EqualityOperator: leaf[leaf.length] is undefined and its inner loop runs no pair
        for (let p = 0; p < leaf.length; p++) {
          for (let q = p + 1; q < leaf.length; q++) {
            const a = leaf[p]!;
            const b = leaf[q]!;
            const dd = dist(a, b);
            offer(a, dd, b);
            offer(b, dd, a);
          }
        }
      }
    }
    // Rows still short of k (tiny leaves) get random neighbours.
    // Stryker disable next-line EqualityOperator: heaps.idx[n * k] is undefined, not -1, so row n draws nothing
    for (let i = 0; i < n; i++) {
      for (let tries = 0; heaps.idx[i * heaps.k] === -1 && tries < 4 * kk; tries++) {
        const j = rng.int(n);
        offer(i, dist(i, j), j);
      }
    }
    await descend(heaps, offer, dist, rng, n, kk, options);
  }
  const out = new NeighbourHeaps(n, k);
  // Stryker disable next-line EqualityOperator: row n is past the end of both heaps, which ignore it
  for (let i = 0; i < n; i++) {
    // Stryker disable next-line UnaryOperator: out has room for every entry, and finishGraph sets self's distance to -1 anyway
    if (includeSelf) out.push(i, -1, i);
    for (let t = 0; t < heaps.k && kk > 0; t++) {
      const j = heaps.idx[i * heaps.k + t]!;
      if (j >= 0) out.push(i, heaps.d[i * heaps.k + t]!, j);
    }
  }
  return finishGraph(out, m, x, metric);
}

/** The NN-descent rounds proper. */
async function descend(
  heaps: NeighbourHeaps,
  offer: (i: number, d: number, j: number) => number,
  dist: (i: number, j: number) => number,
  rng: Rng,
  n: number,
  k: number,
  options: NnDescentOptions,
): Promise<void> {
  const maxCand = options.maxCandidates ?? Math.max(15, Math.min(60, k));
  const rounds = options.maxIterations ?? Math.max(5, Math.round(Math.log2(n)));
  const delta = options.delta ?? 0.001;
  const isNew = heaps.flags;
  const newC = new CandidateLists(n, maxCand);
  const oldC = new CandidateLists(n, maxCand);
  for (let round = 0; round < rounds; round++) {
    newC.clear();
    oldC.clear();
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const j = heaps.idx[i * k + t]!;
        if (j < 0) continue;
        const lists = isNew[i * k + t] ? newC : oldC;
        const pri = rng.next();
        lists.add(i, j, pri);
        lists.add(j, i, pri);
      }
    }
    // Sampled new candidates are now "old" for the next round.
    // Stryker disable next-line EqualityOperator: isNew[n * k + t] is undefined, so row n clears nothing
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        if (isNew[i * k + t] && newC.has(i, heaps.idx[i * k + t]!)) isNew[i * k + t] = 0;
      }
    }
    let updates = 0;
    // Stryker disable next-line EqualityOperator: row n has no candidates (count[n] is undefined), so it compares nothing
    for (let i = 0; i < n; i++) {
      const nb = i * maxCand;
      const nCount = newC.count[i]!;
      const oCount = oldC.count[i]!;
      for (let p = 0; p < nCount; p++) {
        const a = newC.idx[nb + p]!;
        for (let q = p + 1; q < nCount; q++) {
          const b = newC.idx[nb + q]!;
          const dd = dist(a, b);
          updates += offer(a, dd, b) + offer(b, dd, a);
        }
        for (let q = 0; q < oCount; q++) {
          const b = oldC.idx[nb + q]!;
          if (a === b) continue;
          const dd = dist(a, b);
          updates += offer(a, dd, b) + offer(b, dd, a);
        }
      }
    }
    options.onProgress?.(round + 1, rounds);
    await yieldAndCheck(options.signal);
    if (updates <= delta * n * k) break;
  }
}

/** Per-point candidate sets of bounded size, keeping the lowest random priorities. */
class CandidateLists {
  readonly idx: Int32Array;
  readonly pri: Float32Array;
  readonly count: Int32Array;
  constructor(
    n: number,
    readonly size: number,
  ) {
    this.idx = new Int32Array(n * size);
    this.pri = new Float32Array(n * size);
    this.count = new Int32Array(n);
  }

  clear(): void {
    this.count.fill(0);
  }

  has(i: number, j: number): boolean {
    const base = i * this.size;
    for (let t = 0; t < this.count[i]!; t++) if (this.idx[base + t] === j) return true;
    return false;
  }

  /** Adds j to i's set unless present; when full, replaces the highest priority if higher. */
  add(i: number, j: number, pri: number): void {
    if (this.has(i, j)) return;
    const base = i * this.size;
    const c = this.count[i]!;
    if (c < this.size) {
      this.idx[base + c] = j;
      this.pri[base + c] = pri;
      this.count[i] = c + 1;
      return;
    }
    let worst = 0;
    for (let t = 1; t < this.size; t++)
      if (this.pri[base + t]! > this.pri[base + worst]!) worst = t;
    if (pri < this.pri[base + worst]!) {
      this.idx[base + worst] = j;
      this.pri[base + worst] = pri;
    }
  }
}

/** Leaves (index lists of at most leafSize) of one random-projection tree over the rows of x. */
function rpTreeLeaves(x: Matrix, leafSize: number, rng: Rng): Int32Array[] {
  const d = x.dims;
  const leaves: Int32Array[] = [];
  const all = new Int32Array(x.rows);
  // Stryker disable next-line EqualityOperator: a typed array ignores the write one past its end
  for (let i = 0; i < x.rows; i++) all[i] = i;
  const stack: Int32Array[] = [all];
  const normal = new Float64Array(d);
  while (stack.length) {
    const pts = stack.pop()!;
    if (pts.length <= leafSize) {
      leaves.push(pts);
      continue;
    }
    // Hyperplane halfway between two random points (pynndescent's euclidean split).
    const a = pts[rng.int(pts.length)]!;
    let b = pts[rng.int(pts.length)]!;
    if (a === b) b = pts[(pts.indexOf(a) + 1) % pts.length]!;
    let offset = 0;
    for (let t = 0; t < d; t++) {
      const va = x.data[a * d + t]!;
      const vb = x.data[b * d + t]!;
      normal[t] = va - vb;
      offset -= normal[t]! * (va + vb) * 0.5;
    }
    const side = new Uint8Array(pts.length);
    let left = 0;
    // Stryker disable next-line EqualityOperator: one past the end, s is NaN: no draw, and the write to side is ignored
    for (let p = 0; p < pts.length; p++) {
      let s = offset;
      const o = pts[p]! * d;
      for (let t = 0; t < d; t++) s += normal[t]! * x.data[o + t]!;
      // Ties (duplicates on the plane) go to a random side so splits always progress.
      const goLeft = s === 0 ? rng.next() < 0.5 : s > 0;
      side[p] = goLeft ? 1 : 0;
      if (goLeft) left++;
    }
    if (left === 0 || left === pts.length) {
      // Degenerate split: cut in half at random.
      for (let p = 0; p < pts.length; p++) side[p] = p < pts.length / 2 ? 1 : 0;
      left = Math.ceil(pts.length / 2);
    }
    const l = new Int32Array(left);
    const r = new Int32Array(pts.length - left);
    let li = 0;
    let ri = 0;
    // Stryker disable next-line EqualityOperator: one past the end, side[p] is undefined and r ignores the write
    for (let p = 0; p < pts.length; p++) {
      if (side[p]) l[li++] = pts[p]!;
      else r[ri++] = pts[p]!;
    }
    stack.push(l, r);
  }
  return leaves;
}
