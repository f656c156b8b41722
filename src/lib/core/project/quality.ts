/**
 * Quality measures for projections, used by tests and benchmarks: trustworthiness (Venna and
 * Kaski 2001, as sklearn.manifold.trustworthiness) and leave-one-out kNN classification accuracy.
 * Both are exact and O(n^2): meant for samples of a few thousand points.
 */
import { pairwiseSquaredDistances } from '../vectors/gemm';
import type { Matrix } from '../vectors/matrix';
import { squaredEuclideanAt } from '../vectors/ops';

/** Indices of the k nearest other rows of every row (exact; ties to the lower index). */
function neighbourLists(m: Matrix, k: number): Int32Array {
  const n = m.rows;
  const out = new Int32Array(n * k);
  const bestD = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    // Insertion into a sorted list of k: cheap because few candidates beat the k-th.
    let count = 0;
    const o = i * k;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = squaredEuclideanAt(m.data, i * m.dims, m.data, j * m.dims, m.dims);
      if (count === k && !(d < bestD[k - 1]!)) continue;
      let p = count < k ? count++ : k - 1;
      while (p > 0 && bestD[p - 1]! > d) {
        bestD[p] = bestD[p - 1]!;
        out[o + p] = out[o + p - 1]!;
        p--;
      }
      bestD[p] = d;
      out[o + p] = j;
    }
  }
  return out;
}

/**
 * Trustworthiness of embedding `y` of data `x` with k neighbours: 1 when every embedded
 * neighbour is also a neighbour in the data, lower as intruders rank far in the data.
 */
export function trustworthiness(x: Matrix, y: Matrix, k: number): number {
  const n = x.rows;
  if (y.rows !== n) throw new Error('trustworthiness: x and y must have the same rows');
  if (k >= n / 2) throw new Error(`trustworthiness: k must be below n / 2, got ${k}`);
  const dx = pairwiseSquaredDistances(x, x).data;
  const ny = neighbourLists(y, k);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let t = 0; t < k; t++) {
      const j = ny[i * k + t]!;
      const dj = dx[row + j]!;
      // Rank of j among i's neighbours in the data (1 = nearest): only ranks above k count.
      let rank = 1;
      for (let l = 0; l < n; l++) {
        if (l === i) continue;
        const dl = dx[row + l]!;
        if (dl < dj || (dl === dj && l < j)) rank++;
      }
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - (penalty * 2) / (n * k * (2 * n - 3 * k - 1));
}

/** Leave-one-out k-nearest-neighbour majority-vote accuracy of `labels` in the rows of `y`. */
export function knnAccuracy(y: Matrix, labels: ArrayLike<number>, k: number): number {
  const n = y.rows;
  const nb = neighbourLists(y, k);
  let correct = 0;
  const votes = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    votes.clear();
    for (let t = 0; t < k; t++) {
      const l = labels[nb[i * k + t]!]!;
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    let best = -1;
    let bestCount = -1;
    // Ties go to the smallest label, so the result is deterministic.
    for (const [l, c] of [...votes].sort((a, b) => a[0] - b[0])) {
      if (c > bestCount) {
        best = l;
        bestCount = c;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct / n;
}
