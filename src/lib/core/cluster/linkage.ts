/**
 * Merge trees in scipy's linkage format, shared by Ward and HDBSCAN's single-linkage tree:
 * n - 1 rows of [a, b, height, size], where leaves are 0..n-1 and the cluster made by row r is
 * n + r. Algorithms that find merges out of order (NN-chain) sort them and then relabel, exactly
 * like scipy's `label`, so trees compare row by row with scipy's.
 */

/** A merge tree of `n` points: `merges` is (n - 1) x 4 row-major [a, b, height, size]. */
export interface Linkage {
  n: number;
  merges: Float64Array;
}

/** Merges found by representative point index (any order), before relabelling. */
export interface RawMerges {
  a: Int32Array;
  b: Int32Array;
  height: Float64Array;
}

/** Union-find over merge steps: `find` maps a point to the id of the newest cluster holding it. */
class MergeUnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  private next: number;

  constructor(n: number) {
    // Stryker disable next-line ArithmeticOperator: ids stop at 2n - 2, so longer arrays are never read further
    this.parent = new Int32Array(2 * n - 1).fill(-1);
    // Stryker disable next-line ArithmeticOperator: ids stop at 2n - 2, so longer arrays are never read further
    this.size = new Int32Array(2 * n - 1).fill(1);
    this.next = n;
  }

  find(x: number): number {
    let root = x;
    // Stryker disable next-line EqualityOperator: parent ids are n + r >= 1, never 0
    while (this.parent[root]! >= 0) root = this.parent[root]!;
    // Path compression keeps later finds O(1) amortised.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: path compression only saves time; inverted, it points a root at itself just before union re-parents it
    while (this.parent[x]! >= 0) {
      const up = this.parent[x]!;
      this.parent[x] = root;
      x = up;
    }
    return root;
  }

  /** Merges two roots into a new cluster id and returns its size. */
  union(x: number, y: number): number {
    const id = this.next++;
    this.parent[x] = id;
    this.parent[y] = id;
    this.size[id] = this.size[x]! + this.size[y]!;
    return this.size[id]!;
  }
}

/**
 * Sorts merges by height (stably, as scipy does) and renames their members to cluster ids:
 * each row lists its smaller id first and gets its size, giving scipy's linkage matrix.
 */
export function linkageFromRawMerges(n: number, raw: RawMerges): Linkage {
  const count = raw.a.length;
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((i, j) => raw.height[i]! - raw.height[j]!);
  const merges = new Float64Array(count * 4);
  const uf = new MergeUnionFind(Math.max(n, 1));
  // Stryker disable next-line EqualityOperator: one step past the end reads undefined merges whose writes fall outside the typed arrays
  for (let r = 0; r < count; r++) {
    const k = order[r]!;
    const x = uf.find(raw.a[k]!);
    const y = uf.find(raw.b[k]!);
    merges[4 * r] = Math.min(x, y);
    merges[4 * r + 1] = Math.max(x, y);
    merges[4 * r + 2] = raw.height[k]!;
    merges[4 * r + 3] = uf.union(x, y);
  }
  return { n, merges };
}

/**
 * Flat labels 0..k-1 from a merge tree cut into `k` clusters (the last k - 1 merges undone, as
 * scipy's fcluster(maxclust) and sklearn's AgglomerativeClustering do when heights are
 * distinct). Labels are numbered by first appearance in point order. Throws RangeError unless
 * 1 <= k <= n.
 */
export function cutTree(tree: Linkage, k: number): Int32Array {
  const { n, merges } = tree;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`cutTree: k must be an integer in 1..${n}, got ${k}`);
  }
  const keep = n - k;
  const parent = new Int32Array(n + keep).fill(-1);
  for (let r = 0; r < keep; r++) {
    parent[merges[4 * r]!] = n + r;
    parent[merges[4 * r + 1]!] = n + r;
  }
  // A parent always has a larger id than its children, so one descending pass finds each
  // node's topmost ancestor.
  const top = new Int32Array(n + keep);
  // Stryker disable next-line ArithmeticOperator,EqualityOperator: top[n + keep] lies past the array (dropped), and parent ids are >= n, never 0
  for (let id = n + keep - 1; id >= 0; id--) top[id] = parent[id]! >= 0 ? top[parent[id]!]! : id;
  const labelOf = new Int32Array(n + keep).fill(-1);
  const labels = new Int32Array(n);
  let next = 0;
  // Stryker disable next-line EqualityOperator: the extra step numbers a cluster after every point has its label; labels[n] is dropped
  for (let i = 0; i < n; i++) {
    const root = top[i]!;
    if (labelOf[root]! < 0) labelOf[root] = next++;
    labels[i] = labelOf[root]!;
  }
  return labels;
}
