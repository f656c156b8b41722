/**
 * The arithmetic of contrastive scoring, on plain arrays of logits: log-softmax, KL between two
 * next-token distributions, the most likely tokens, amplified logits and sequence totals. Used by
 * the transformers.js scorer and decode loop (backends/llm) and by tests as the direct reference.
 */
import type { ScoreTotals, TextScore, TokenScore } from './types';

/** log-softmax of one row of logits (`size` values from `offset`), in float64. */
export function logSoftmax(
  logits: ArrayLike<number>,
  offset: number,
  size: number,
  out?: Float64Array,
): Float64Array {
  if (offset < 0 || size < 0 || offset + size > logits.length) {
    throw new RangeError(
      `logSoftmax: row ${offset}..${offset + size} outside ${logits.length} logits`,
    );
  }
  const result = out ?? new Float64Array(size);
  if (result.length < size)
    throw new RangeError(`logSoftmax: out holds ${result.length} < ${size}`);
  // Subtracting the maximum keeps exp() in range for logits of any size (1e4 would overflow).
  let max = -Infinity;
  for (let i = 0; i < size; i++) {
    const x = logits[offset + i]!;
    if (x > max) max = x;
  }
  // Every logit -Infinity (or NaN): no distribution exists; say so with NaN rather than guess.
  if (max === -Infinity || Number.isNaN(max)) {
    result.fill(NaN, 0, size);
    return result;
  }
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(logits[offset + i]! - max);
  // (x - max) - log(sum), not x - (max + log(sum)): the latter rounds to the ulp of max.
  const logSum = Math.log(sum);
  for (let i = 0; i < size; i++) result[i] = logits[offset + i]! - max - logSum;
  return result;
}

/** KL(P || Q) in nats from two rows of log probabilities of the same vocabulary. */
export function klDivergence(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  if (logP.length !== logQ.length) {
    throw new RangeError(`klDivergence: ${logP.length} and ${logQ.length} log probabilities`);
  }
  // Neumaier-compensated sum: a 150k-term sum of small terms loses digits in a plain loop.
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < logP.length; i++) {
    const lp = logP[i]!;
    // p = 0 contributes 0 (the limit of p log p), even where q = 0 too.
    if (lp === -Infinity) continue;
    const term = Math.exp(lp) * (lp - logQ[i]!);
    // q = 0 where p > 0: infinite divergence (compensation would turn it into NaN).
    if (term === Infinity) return Infinity;
    const t = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
  }
  const kl = sum + compensation;
  // KL is never negative; a negative total is rounding of two nearly equal distributions.
  return kl < 0 ? 0 : kl;
}

/** The `k` most likely token ids of a row of log probabilities, most likely first (ties: lower id first). */
export function topTokenIds(logp: ArrayLike<number>, k: number): { id: number; logprob: number }[] {
  const keep = Math.min(Math.max(0, Math.floor(k)), logp.length);
  if (keep === 0) return [];
  // A sorted buffer of the best `keep` so far: most entries fail the one comparison with the
  // worst kept, so a 150k vocabulary costs one pass, not a sort.
  const ids = new Int32Array(keep);
  const values = new Float64Array(keep);
  let filled = 0;
  for (let id = 0; id < logp.length; id++) {
    const x = logp[id]!;
    if (Number.isNaN(x)) continue;
    // Ids arrive ascending, so an equal value loses to the kept one (lower id first).
    if (filled === keep && x <= values[keep - 1]!) continue;
    let at = filled === keep ? keep - 1 : filled;
    while (at > 0 && values[at - 1]! < x) {
      values[at] = values[at - 1]!;
      ids[at] = ids[at - 1]!;
      at--;
    }
    values[at] = x;
    ids[at] = id;
    if (filled < keep) filled++;
  }
  return Array.from({ length: filled }, (_, i) => ({ id: ids[i]!, logprob: values[i]! }));
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
  if (logitsA.length !== logitsB.length) {
    throw new RangeError(`amplifyLogits: ${logitsA.length} and ${logitsB.length} logits`);
  }
  const n = logitsB.length;
  const result = out ?? new Float32Array(n);
  if (result.length < n) throw new RangeError(`amplifyLogits: out holds ${result.length} < ${n}`);
  // Copied, not computed: b + 0 * (b - a) turns -0 into 0 and an infinite difference into NaN.
  if (alpha === 0) {
    for (let i = 0; i < n; i++) result[i] = logitsB[i]!;
    return result;
  }
  for (let i = 0; i < n; i++) {
    const a = logitsA[i]!;
    const b = logitsB[i]!;
    // A token either model rules out (-Infinity) has no finite difference: keep B's value, so a
    // token B forbids stays forbidden and one only A forbids is neither forced nor NaN.
    result[i] = a === -Infinity || b === -Infinity ? b : b + alpha * (b - a);
  }
  return result;
}

/**
 * Sequence totals of scored tokens: logpA and logpB summed, llr = logpB - logpA and the mean KL
 * (null when any token's kl is null). `logpA` may be given separately when A tokenized the text
 * differently (its tokens' logpA are then null).
 */
export function scoreTotals(tokens: readonly TokenScore[], logpA?: number): ScoreTotals {
  let sumA = 0;
  let sumB = 0;
  let sumKl = 0;
  let missingA = false;
  let missingKl = tokens.length === 0;
  for (const t of tokens) {
    sumB += t.logpB;
    if (t.logpA === null) missingA = true;
    else sumA += t.logpA;
    if (t.kl === null) missingKl = true;
    else sumKl += t.kl;
  }
  if (logpA === undefined && missingA) {
    throw new Error("scoreTotals: some tokens have no logpA; pass A's total separately");
  }
  const totalA = logpA ?? sumA;
  return {
    logpA: totalA,
    logpB: sumB,
    llr: sumB - totalA,
    meanKl: missingKl ? null : sumKl / tokens.length,
  };
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
  const same =
    tokensA.length === tokensB.length && tokensA.every((t, i) => t.token === tokensB[i]!.token);
  return tokensB.map((t, i) => ({
    token: t.token,
    logpA: same ? tokensA[i]!.logprob : null,
    logpB: t.logprob,
    kl: null,
  }));
}

/**
 * One answer scored by each model on its own (a server, or tokenizers that differ): B's tokens
 * with A's values where the tokens agree (alignTokenLogprobs), and totals in which A's total
 * stands even where its tokens differ from B's (their logpA are then null).
 */
export function pairSeparateScores(
  tokensA: readonly { token: string; logprob: number }[],
  tokensB: readonly { token: string; logprob: number }[],
): TextScore {
  const tokens = alignTokenLogprobs(tokensA, tokensB);
  return {
    tokens,
    ...scoreTotals(
      tokens,
      tokensA.reduce((sum, t) => sum + t.logprob, 0),
    ),
  };
}
