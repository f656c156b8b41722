/**
 * Ward agglomerative clustering by the nearest-neighbour chain (Murtagh 1983; Müllner 2011's
 * formulation, which scipy's `linkage(X, 'ward')` and so sklearn's AgglomerativeClustering use).
 * Ward's criterion is reducible, so merging reciprocal nearest neighbours as the chain finds
 * them yields the same tree as the greedy algorithm, in O(n^2) time on a dense table.
 *
 * The table holds squared distances and Lance-Williams updates it in place with Ward's formula
 * on squared distances, which is exactly scipy's formula on distances squared; heights are
 * reported as scipy's: sqrt of the updated value (for two points, their Euclidean distance).
 */
import type { Matrix } from '../vectors/matrix';
import { roundUp4 } from './distance-arena';
import { linkageFromRawMerges, type Linkage } from './linkage';
import { squaredDistanceMatrix, type SquareDistances } from './pairwise';

/** Ward merge tree of the rows of `m` in scipy's linkage format (see linkage.ts). */
export function wardLinkage(m: Matrix): Linkage {
  if (m.rows === 0) throw new RangeError('wardLinkage: no points');
  return wardFromSquaredDistances(squaredDistanceMatrix(m, wardScratchFloats(m.rows)));
}

/** Floats wardFromSquaredDistances needs in the table's arena beyond the table itself. */
export function wardScratchFloats(n: number): number {
  return 2 * roundUp4(n) + 16;
}

/**
 * Ward merge tree from a table of squared distances, which is overwritten; its arena must have
 * wardScratchFloats(n) floats free. Ties are broken as scipy's nn_chain does: the chain's
 * previous element first, then the lowest index.
 *
 * Rows are scanned and updated whole by the kernel (four slots per instruction); merged-away
 * slots are hidden by an +inf penalty rather than skipped, which beats scalar loops over a
 * list of live slots. Only the column copy of each update is a scalar, strided loop.
 */
export function wardFromSquaredDistances(table: SquareDistances): Linkage {
  const { arena, offset, n, stride } = table;
  const d = arena.f32;
  const penalty = arena.alloc(stride);
  const sizes = arena.alloc(stride);
  d.fill(Infinity, penalty + n, penalty + stride);
  // Stryker disable next-line ArithmeticOperator: alloc hands out zeroed floats, so this fill only states the intent
  d.fill(0, penalty, penalty + n);
  d.fill(1, sizes, sizes + n);
  // A cluster is never its own neighbour.
  for (let i = 0; i < n; i++) d[offset + i * stride + i] = Infinity;
  // Live slots in increasing order, for the column copies.
  const active = new Int32Array(n);
  // Stryker disable next-line EqualityOperator: a write past the end of a typed array is dropped
  for (let i = 0; i < n; i++) active[i] = i;
  let live = n;
  const chain = new Int32Array(n);
  let chainLen = 0;
  const raw = {
    a: new Int32Array(n - 1),
    // Stryker disable next-line ArithmeticOperator: linkageFromRawMerges reads raw.a.length merges, so longer b is never read past n - 2
    b: new Int32Array(n - 1),
    // Stryker disable next-line ArithmeticOperator: linkageFromRawMerges reads raw.a.length merges, so longer height is never read past n - 2
    height: new Float64Array(n - 1),
  };

  for (let step = 0; step < n - 1; step++) {
    if (chainLen === 0) chain[chainLen++] = active[0]!;
    let x: number;
    let y: number;
    let best: number;
    for (;;) {
      x = chain[chainLen - 1]!;
      const row = offset + x * stride;
      y = arena.argminMasked(row, penalty, stride);
      best = d[row + y]!;
      // scipy keeps the previous element unless something is strictly nearer.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with one element chain[-1] is undefined, which fails prev >= 0 just like -1
      const prev = chainLen > 1 ? chain[chainLen - 2]! : -1;
      if (prev >= 0 && d[row + prev]! <= best) {
        y = prev;
        best = d[row + prev]!;
        break;
      }
      chain[chainLen++] = y;
    }
    chainLen -= 2;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: linkageFromRawMerges orders each pair itself (min, max of the cluster ids)
    if (x > y) [x, y] = [y, x];
    raw.a[step] = x;
    raw.b[step] = y;
    raw.height[step] = Math.sqrt(best);

    const nx = d[sizes + x]!;
    const ny = d[sizes + y]!;
    const ry = offset + y * stride;
    arena.wardUpdate(offset + x * stride, ry, sizes, stride, nx, ny, best);
    d[ry + y] = Infinity;
    d[penalty + x] = Infinity;
    d[sizes + x] = 0;
    d[sizes + y] = nx + ny;
    const at = lowerBound(active, live, x);
    active.copyWithin(at, at + 1, live);
    live--;
    for (let t = 0; t < live; t++) {
      const i = active[t]!;
      d[offset + i * stride + y] = d[ry + i]!;
    }
  }
  return linkageFromRawMerges(n, raw);
}
/** First position in the sorted prefix active[0..len) whose value is >= x. */
function lowerBound(active: Int32Array, len: number, x: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (active[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
