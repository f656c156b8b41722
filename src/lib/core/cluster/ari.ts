/**
 * Adjusted Rand index (Hubert and Arabie 1985): pair agreement between two labelings, 1 for
 * identical partitions (up to label names), about 0 for independent ones. Computed from the
 * pair confusion matrix exactly as sklearn.metrics.adjusted_rand_score, special cases included.
 * Labels are arbitrary integers; -1 (noise) is an ordinary label here, as in sklearn.
 */

/** Relabels to 0..count-1 in order of first appearance. */
function dense(labels: ArrayLike<number>): { ids: Int32Array; count: number } {
  const map = new Map<number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = map.get(labels[i]!);
    if (id === undefined) {
      id = map.size;
      map.set(labels[i]!, id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

/** Adjusted Rand index of two labelings of the same points. Throws on a length mismatch. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`adjustedRandIndex: ${a.length} vs ${b.length} labels`);
  }
  const n = a.length;
  const da = dense(a);
  const db = dense(b);
  const rowSums = new Float64Array(da.count);
  const colSums = new Float64Array(db.count);
  // Sparse contingency table: at most n non-zero cells whatever the label counts.
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = da.ids[i]!;
    const y = db.ids[i]!;
    rowSums[x]!++;
    colSums[y]!++;
    const key = x * db.count + y;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  let sumSquares = 0;
  for (const v of cells.values()) sumSquares += v * v;
  let rowSquares = 0;
  for (const v of rowSums) rowSquares += v * v;
  let colSquares = 0;
  for (const v of colSums) colSquares += v * v;
  const tp = sumSquares - n;
  const fp = colSquares - sumSquares;
  const fn = rowSquares - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  // Identical trivial partitions (all one cluster, all singletons) would divide 0 by 0.
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
