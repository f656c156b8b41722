/**
 * An offline score of a hypothesis, with no LLM: how well the embedding similarity of an answer
 * to the hypothesis text tells B's answers from A's. 1 means every B answer is closer to the
 * hypothesis than every A answer, 0.5 means it does not separate them at all.
 */
import { cosineSimilarity } from '../vectors/ops';

/** Cosine similarity of two vectors of the same length. */
function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`similarityAuc: vector lengths ${a.length} and ${b.length} differ`);
  }
  return cosineSimilarity(a, b);
}

/**
 * The AUC of scoring answers by cosine similarity to the hypothesis: P(score of a B answer >
 * score of an A answer) + 0.5 P(tie), as the Mann-Whitney U of B over A divided by nA nB, from
 * mid-ranks of the pooled scores (O(n log n); equal scores share their average rank). The same
 * as sklearn.metrics.roc_auc_score with B as the positive class. Null when a side has no answer.
 * @throws RangeError when a vector's length differs from the hypothesis's.
 */
export function similarityAuc(
  hypothesis: Float32Array,
  answersA: readonly Float32Array[],
  answersB: readonly Float32Array[],
): number | null {
  const nA = answersA.length;
  const nB = answersB.length;
  if (nA === 0 || nB === 0) return null;
  const scored = [
    ...answersA.map((v) => ({ s: cosine(hypothesis, v), b: false })),
    ...answersB.map((v) => ({ s: cosine(hypothesis, v), b: true })),
  ].sort((x, y) => x.s - y.s);
  let rankSumB = 0;
  for (let i = 0; i < scored.length;) {
    let j = i;
    while (j + 1 < scored.length && scored[j + 1]!.s === scored[i]!.s) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let t = i; t <= j; t++) if (scored[t]!.b) rankSumB += midRank;
    i = j + 1;
  }
  return (rankSumB - (nB * (nB + 1)) / 2) / (nA * nB);
}
