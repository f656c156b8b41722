/**
 * The second half of HDBSCAN (Campello, Moulavi and Sander 2013), following the reference
 * implementation in sklearn.cluster.HDBSCAN (from the hdbscan package by McInnes et al.) step
 * for step, so labels agree with it: condense the single-linkage tree with min_cluster_size,
 * compute each cluster's stability (excess of mass), select clusters bottom-up, label points
 * (-1 for noise) and give each a membership strength.
 */
import type { Linkage } from './linkage';

/** The condensed tree: row r says `child` left `parent` at `lambda` (1 / distance), carrying
 * `size` points. Points are 0..n-1; clusters are n (the root) and up, numbered top-down. */
export interface CondensedTree {
  n: number;
  parent: Int32Array;
  child: Int32Array;
  lambda: Float64Array;
  size: Int32Array;
}

/** Flat clusters read off a condensed tree. */
export interface TreeClusters {
  /** Cluster per point, 0..clusters-1, or -1 for noise. */
  labels: Int32Array;
  /** Membership strength per point in [0, 1] (0 for noise), as sklearn's `probabilities_`. */
  probabilities: Float64Array;
  /** Number of clusters found. */
  clusterCount: number;
  /** Excess-of-mass stability per selected cluster, by label. */
  stabilities: Float64Array;
}

/** Nodes of the subtree of `root` in breadth-first order, as scipy's hierarchy numbering. */
function bfsFromHierarchy(merges: Float64Array, n: number, root: number, out: number[]): void {
  out.length = 0;
  out.push(root);
  for (let head = 0; head < out.length; head++) {
    const node = out[head]!;
    if (node >= n) {
      const r = 4 * (node - n);
      out.push(merges[r]!, merges[r + 1]!);
    }
  }
}

/** Condenses a single-linkage tree: splits into pieces smaller than `minClusterSize` become
 * points falling out of their parent rather than new clusters. */
export function condenseTree(tree: Linkage, minClusterSize: number): CondensedTree {
  const { n, merges } = tree;
  const parent: number[] = [];
  const child: number[] = [];
  const lambdas: number[] = [];
  const sizes: number[] = [];
  const root = 2 * n - 2;
  const relabel = new Int32Array(Math.max(root + 1, 1));
  const ignore = new Uint8Array(Math.max(root + 1, 1));
  relabel[root] = n;
  let nextLabel = n + 1;
  const nodes: number[] = [];
  const sub: number[] = [];
  bfsFromHierarchy(merges, n, root, nodes);
  const countOf = (node: number) => (node >= n ? merges[4 * (node - n) + 3]! : 1);
  const fallOut = (from: number, node: number, lambda: number) => {
    bfsFromHierarchy(merges, n, from, sub);
    for (const s of sub) {
      if (s < n) {
        parent.push(relabel[node]!);
        child.push(s);
        lambdas.push(lambda);
        sizes.push(1);
      }
      ignore[s] = 1;
    }
  };
  for (const node of nodes) {
    if (ignore[node] || node < n) continue;
    const r = 4 * (node - n);
    const left = merges[r]!;
    const right = merges[r + 1]!;
    const distance = merges[r + 2]!;
    const lambda = distance > 0 ? 1 / distance : Infinity;
    const leftCount = countOf(left);
    const rightCount = countOf(right);
    if (leftCount >= minClusterSize && rightCount >= minClusterSize) {
      for (const [side, count] of [
        [left, leftCount],
        [right, rightCount],
      ] as const) {
        relabel[side] = nextLabel++;
        parent.push(relabel[node]!);
        child.push(relabel[side]!);
        lambdas.push(lambda);
        sizes.push(count);
      }
    } else if (leftCount < minClusterSize && rightCount < minClusterSize) {
      fallOut(left, node, lambda);
      fallOut(right, node, lambda);
    } else if (leftCount < minClusterSize) {
      relabel[right] = relabel[node]!;
      fallOut(left, node, lambda);
    } else {
      relabel[left] = relabel[node]!;
      fallOut(right, node, lambda);
    }
  }
  return {
    n,
    parent: Int32Array.from(parent),
    child: Int32Array.from(child),
    lambda: Float64Array.from(lambdas),
    size: Int32Array.from(sizes),
  };
}

/** Excess-of-mass stability of every cluster id n.. (index id - n). */
export function clusterStabilities(tree: CondensedTree): Float64Array {
  const { n, parent, child, lambda, size } = tree;
  let maxId = n;
  for (let r = 0; r < parent.length; r++) maxId = Math.max(maxId, parent[r]!, child[r]!);
  const births = new Float64Array(maxId - n + 1);
  for (let r = 0; r < child.length; r++) if (child[r]! >= n) births[child[r]! - n] = lambda[r]!;
  births[0] = 0;
  const stability = new Float64Array(maxId - n + 1);
  for (let r = 0; r < parent.length; r++) {
    const p = parent[r]! - n;
    stability[p] = stability[p]! + (lambda[r]! - births[p]!) * size[r]!;
  }
  return stability;
}

/** Excess-of-mass selection (the root excluded, as sklearn's allow_single_cluster=False),
 * then labels and membership strengths. */
export function extractClusters(tree: CondensedTree): TreeClusters {
  const { n, parent, child, lambda } = tree;
  const stability = clusterStabilities(tree);
  const count = stability.length;
  const kids: number[][] = Array.from({ length: count }, () => []);
  for (let r = 0; r < parent.length; r++) {
    if (child[r]! >= n) kids[parent[r]! - n]!.push(child[r]! - n);
  }
  const selected = new Uint8Array(count);
  // Ids grow top-down, so a descending sweep settles children before their parent.
  for (let c = count - 1; c >= 1; c--) {
    let subtree = 0;
    for (const k of kids[c]!) subtree += stability[k]!;
    if (subtree > stability[c]!) {
      stability[c] = subtree;
    } else {
      selected[c] = 1;
      const stack = [...kids[c]!];
      while (stack.length) {
        const k = stack.pop()!;
        selected[k] = 0;
        stack.push(...kids[k]!);
      }
    }
  }
  // Labels follow increasing cluster id, as sklearn's sorted cluster map does.
  const labelOf = new Int32Array(count).fill(-1);
  let clusterCount = 0;
  for (let c = 1; c < count; c++) if (selected[c]) labelOf[c] = clusterCount++;
  const stabilities = new Float64Array(clusterCount);
  for (let c = 1; c < count; c++) if (selected[c]) stabilities[labelOf[c]!] = stability[c]!;

  // Rows run top-down, so each node's nearest selected ancestor is known before its children.
  const owner = new Int32Array(count).fill(-1);
  const deaths = new Float64Array(count);
  const labels = new Int32Array(n).fill(-1);
  const pointLambda = new Float64Array(n);
  for (let r = 0; r < parent.length; r++) {
    const p = parent[r]! - n;
    deaths[p] = Math.max(deaths[p]!, lambda[r]!);
    const c = child[r]!;
    if (c >= n) {
      owner[c - n] = selected[c - n] ? c - n : owner[p]!;
    } else {
      pointLambda[c] = lambda[r]!;
      if (owner[p]! >= 0) labels[c] = labelOf[owner[p]!]!;
    }
  }
  const clusterOfLabel = new Int32Array(clusterCount);
  for (let c = 1; c < count; c++) if (selected[c]) clusterOfLabel[labelOf[c]!] = c;
  const probabilities = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (labels[i]! < 0) continue;
    const death = deaths[clusterOfLabel[labels[i]!]!]!;
    const l = pointLambda[i]!;
    probabilities[i] = death === 0 || !Number.isFinite(l) ? 1 : Math.min(l, death) / death;
  }
  return { labels, probabilities, clusterCount, stabilities };
}
