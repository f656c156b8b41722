/**
 * What the contrastive views show, computed from scored answers: answers and prompts ranked by
 * how much the models disagree on them, n-grams weighted by divergence, and the divergence
 * distribution per cluster. Pure: the state layer joins the scores with the run and the analysis.
 */
import type { ScoredAnswer } from './types';

/** The value an answer is ranked by: its mean KL, or (no shared vocabulary) |llr| per token. */
export function divergenceOf(item: ScoredAnswer): number {
  void item;
  throw new Error('not built yet');
}

/** Answers, most divergent first (ties: by prompt id, side, sample). */
export function rankAnswers(items: readonly ScoredAnswer[]): ScoredAnswer[] {
  void items;
  throw new Error('not built yet');
}

/** One prompt's divergence over its scored answers. */
export interface PromptDivergence {
  promptId: string;
  /** Mean of its answers' divergenceOf. */
  meanDivergence: number;
  /** Mean llr of its A answers and of its B answers (null when it has none of that side). */
  meanLlrA: number | null;
  meanLlrB: number | null;
  answers: number;
}

/** Prompts, most divergent first (ties: by prompt id). */
export function rankPrompts(items: readonly ScoredAnswer[]): PromptDivergence[] {
  void items;
  throw new Error('not built yet');
}

/** An n-gram of answer tokens and the divergence on it. */
export interface DivergentNgram {
  /** The tokens joined as text, trimmed and lower-cased (e.g. "the license"). */
  text: string;
  n: number;
  /** Occurrences over all scored answers. */
  count: number;
  /** Mean over occurrences of the mean KL of the n-gram's tokens. */
  meanKl: number;
  /** Sum over occurrences of that mean: what ranks the list (frequent and divergent first). */
  totalKl: number;
  /** Occurrences in A's answers and in B's answers. */
  countA: number;
  countB: number;
}

/** Options of divergentNgrams. */
export interface NgramOptions {
  /** n-gram lengths to count (default [1, 2, 3]). */
  sizes?: readonly number[];
  /** Leave out n-grams seen fewer times (default 2). */
  minCount?: number;
  /** At most this many, by totalKl (default 50). */
  limit?: number;
}

/**
 * n-grams of consecutive answer tokens weighted by divergence: each occurrence counts the mean
 * KL of its tokens. Tokens that are only whitespace, punctuation or special tokens do not start
 * or end an n-gram. Needs per-token KL: items without it are skipped.
 */
export function divergentNgrams(
  items: readonly ScoredAnswer[],
  options?: NgramOptions,
): DivergentNgram[] {
  void items;
  void options;
  throw new Error('not built yet');
}

/** The divergence distribution of one cluster's scored answers. */
export interface ClusterDivergence {
  clusterId: number;
  /** divergenceOf each scored answer in the cluster, ascending. */
  values: number[];
  mean: number;
  median: number;
  q1: number;
  q3: number;
}

/**
 * Divergence per cluster, most divergent (by median) first. `clusterOf` gives an answer's
 * cluster (undefined or negative: noise or not clustered, left out).
 */
export function divergenceByCluster(
  items: readonly ScoredAnswer[],
  clusterOf: (item: ScoredAnswer) => number | undefined,
): ClusterDivergence[] {
  void items;
  void clusterOf;
  throw new Error('not built yet');
}

/** Shading of a token, 0 (none) to 1 (the most divergent), on a square-root scale up to `maxKl`. */
export function tokenShade(kl: number | null, maxKl: number): number {
  void kl;
  void maxKl;
  throw new Error('not built yet');
}
