/**
 * Per-cluster comparison: how much of A's and of B's answers fall in each cluster, the
 * difference of those shares with a prompt-clustered bootstrap interval (share-bootstrap.ts), a
 * within-prompt permutation p-value of |shareB - shareA| (every cluster tested on the same
 * permutations), and Benjamini-Hochberg q-values across clusters.
 */
import { requireBothSides, type PairedDesign } from './design';
import { bhQValues } from './fdr';
import { permutationTest, type PermutationStatistic } from './permutation';
import { shareDifferenceIntervals } from './share-bootstrap';

/** Settings of the cluster comparison. */
export interface ClusterCompareOptions {
  nPermutations?: number;
  nBootstrap?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
  seed?: number;
}

/** Statistics of one cluster (label -1, HDBSCAN's noise, is reported like any other). */
export interface ClusterShare {
  /** Cluster label (-1 = noise of HDBSCAN). */
  id: number;
  size: number;
  countA: number;
  countB: number;
  /** countA / nA, with nA all of A's answers (noise included). */
  shareA: number;
  shareB: number;
  /** shareB - shareA. */
  difference: number;
  /** 95% prompt-clustered bootstrap interval of the difference; null with < 2 prompts. */
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number;
  qValue: number;
}

/**
 * |countB/nB - countA/nA| for every cluster. Labels change only by swaps within prompts, so nA
 * and nB are fixed and the counts are updated from the flipped answers alone.
 */
export class ShareDifferenceStatistic implements PermutationStatistic {
  readonly size: number;
  private readonly cluster: Int32Array;
  private readonly clusterSize: Int32Array;
  private readonly countB: Int32Array;
  private readonly nA: number;
  private readonly nB: number;

  /** `cluster[i]` is answer i's compact cluster index in 0..k-1, or -1 for none. */
  constructor(cluster: Int32Array, k: number, nA: number, nB: number) {
    this.size = k;
    this.cluster = cluster;
    this.nA = nA;
    this.nB = nB;
    this.clusterSize = new Int32Array(k);
    for (const c of cluster) if (c >= 0) this.clusterSize[c]!++;
    this.countB = new Int32Array(k);
  }

  /** Counts from scratch. */
  evaluate(isB: Uint8Array, out: Float64Array): void {
    const { cluster, countB } = this;
    countB.fill(0);
    for (let i = 0; i < cluster.length; i++) {
      const c = cluster[i]!;
      if (c >= 0 && isB[i]) countB[c]!++;
    }
    this.write(out);
  }

  /** Adjusts the counts of the clusters of the flipped answers only. */
  update(isB: Uint8Array, flips: Int32Array, nFlips: number, out: Float64Array): void {
    const { cluster, countB } = this;
    for (let f = 0; f < nFlips; f++) {
      const i = flips[f]!;
      const c = cluster[i]!;
      if (c >= 0) countB[c]! += isB[i] ? 1 : -1;
    }
    this.write(out);
  }

  private write(out: Float64Array): void {
    const { countB, clusterSize, nA, nB } = this;
    for (let c = 0; c < this.size; c++) {
      const b = countB[c]!;
      // Integer arithmetic first so identical labellings give bit-identical statistics.
      out[c] = Math.abs(b * nA - (clusterSize[c]! - b) * nB) / (nA * nB);
    }
  }
}

/** Sorted distinct labels and each answer's compact index into them. */
export function compactLabels(labels: ArrayLike<number>): { ids: number[]; index: Int32Array } {
  const ids = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const pos = new Map(ids.map((id, c) => [id, c]));
  const index = Int32Array.from(labels, (l) => pos.get(l)!);
  return { ids, index };
}

/**
 * Compares A's and B's shares of every cluster in `labels` (one label per answer).
 * Throws when the label count differs from the answer count or a side has no answers.
 */
export function compareClusters(
  design: PairedDesign,
  labels: ArrayLike<number>,
  options: ClusterCompareOptions = {},
): ClusterShare[] {
  if (labels.length !== design.n) {
    throw new Error(`compareClusters: ${labels.length} labels for ${design.n} answers`);
  }
  requireBothSides(design, 'compareClusters');
  const seed = options.seed ?? 1;
  const { ids, index } = compactLabels(labels);
  const k = ids.length;
  const { nA, nB } = design;
  const stat = new ShareDifferenceStatistic(index, k, nA, nB);
  const perm = permutationTest(design, stat, {
    seed,
    ...(options.nPermutations !== undefined ? { nPermutations: options.nPermutations } : {}),
  });
  const q = bhQValues(perm.pValues);
  const ci = shareDifferenceIntervals(design, index, k, {
    seed: seed + 7919,
    ...(options.nBootstrap !== undefined ? { nBootstrap: options.nBootstrap } : {}),
    ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
  });
  const countA = new Int32Array(k);
  const countB = new Int32Array(k);
  for (let i = 0; i < design.n; i++) {
    if (design.isB[i]) countB[index[i]!]!++;
    else countA[index[i]!]!++;
  }
  return ids.map((id, c) => {
    const shareA = countA[c]! / nA;
    const shareB = countB[c]! / nB;
    const low = ci.low[c]!;
    const high = ci.high[c]!;
    return {
      id,
      size: countA[c]! + countB[c]!,
      countA: countA[c]!,
      countB: countB[c]!,
      shareA,
      shareB,
      difference: shareB - shareA,
      ciLow: Number.isFinite(low) ? low : null,
      ciHigh: Number.isFinite(high) ? high : null,
      pValue: perm.pValues[c]!,
      qValue: q[c]!,
    };
  });
}
