/**
 * The arithmetic of contrastive scoring, on plain arrays of logits: log-softmax, KL between two
 * next-token distributions, the most likely tokens, amplified logits and sequence totals. Used by
 * the transformers.js scorer and decode loop (backends/llm) and by tests as the direct reference.
 */
import type { ScoreTotals, TokenScore } from './types';

/** log-softmax of one row of logits (`size` values from `offset`), in float64. */
export function logSoftmax(
  logits: ArrayLike<number>,
  offset: number,
  size: number,
  out?: Float64Array,
): Float64Array {
  void logits;
  void offset;
  void size;
  void out;
  throw new Error('not built yet');
}

/** KL(P || Q) in nats from two rows of log probabilities of the same vocabulary. */
export function klDivergence(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  void logP;
  void logQ;
  throw new Error('not built yet');
}

/** The `k` most likely token ids of a row of log probabilities, most likely first (ties: lower id first). */
export function topTokenIds(logp: ArrayLike<number>, k: number): { id: number; logprob: number }[] {
  void logp;
  void k;
  throw new Error('not built yet');
}

/**
 * Amplified logits: logitsB + alpha * (logitsB - logitsA), written into `out` (a new array when
 * absent). alpha = 0 gives B's logits unchanged.
 */
export function amplifyLogits(
  logitsA: ArrayLike<number>,
  logitsB: ArrayLike<number>,
  alpha: number,
  out?: Float32Array,
): Float32Array {
  void logitsA;
  void logitsB;
  void alpha;
  void out;
  throw new Error('not built yet');
}

/**
 * Sequence totals of scored tokens: logpA and logpB summed, llr = logpB - logpA and the mean KL
 * (null when any token's kl is null). `logpA` may be given separately when A tokenized the text
 * differently (its tokens' logpA are then null).
 */
export function scoreTotals(tokens: readonly TokenScore[], logpA?: number): ScoreTotals {
  void tokens;
  void logpA;
  throw new Error('not built yet');
}

/**
 * Per-token scores from two separately scored token lists (remote servers, or tokenizers that
 * differ): B's tokens are kept; A's per-token values are attached only when both split the text
 * into the same tokens, and `kl` is null.
 */
export function alignTokenLogprobs(
  tokensA: readonly { token: string; logprob: number }[],
  tokensB: readonly { token: string; logprob: number }[],
): TokenScore[] {
  void tokensA;
  void tokensB;
  throw new Error('not built yet');
}
