/**
 * The held-out validation of hypotheses: each held-out prompt is judged twice (A's answer shown
 * first, then B's), and counts for a side only when both judgements pick that side's answer.
 * From those counts: accuracy, a Wilson interval, a one-sided exact binomial test against 1/2,
 * Benjamini-Hochberg q across hypotheses, and the length checks (the usual confound: a judge
 * that prefers longer answers "confirms" any hypothesis about B when B writes more).
 */
import { bhQValuesNullable } from '../compare/fdr';
import type { Side } from '../run/types';
import type { HypothesisValidation, PromptJudgement } from './types';

/** The standard normal quantile of 0.975 (scipy.stats.norm.ppf(0.975)). */
const Z95 = 1.959963984540054;
/**
 * A hypothesis must beat the length rule's accuracy by more than 1/20 = 0.05; kept as the
 * whole 20 so the comparison is exact (both accuracies are multiples of 1/(2 decided)).
 */
const LENGTH_MARGIN_INVERSE = 20;
/** Answer length ratios (B / A) inside [0.8, 1.25] count as similar length. */
const SIMILAR_LOW = 0.8;
const SIMILAR_HIGH = 1.25;
/** Fewest similar-length decided prompts before their interval can mark a hypothesis. */
const MIN_SIMILAR_DECIDED = 10;

/**
 * The Wilson score interval of a proportion k/n (z = 1.96 gives 95%), clipped to [0, 1]
 * (the closed form can overshoot 1 by a rounding error).
 * @throws RangeError unless n >= 1 and k is a whole number in [0, n].
 */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 1 || k < 0 || k > n) {
    throw new RangeError(`wilsonInterval: need whole 0 <= k <= n, n >= 1; got k=${k}, n=${n}`);
  }
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** log(i!) for i = 0 .. n, grown on demand. */
const logFactorials: number[] = [0];
function logFactorial(i: number): number {
  for (let j = logFactorials.length; j <= i; j++) {
    logFactorials.push(logFactorials[j - 1]! + Math.log(j));
  }
  return logFactorials[i]!;
}

/**
 * The exact one-sided binomial p-value P(X >= k) for X ~ Binomial(n, p), summed in log space
 * (p^n underflows past n of about 1,000; fine up to n = 10,000 and beyond).
 * A fractional k is rounded up (X is whole); k <= 0 gives 1, k > n gives 0.
 * @throws RangeError unless n is a whole number >= 0 and 0 < p < 1.
 */
export function binomialGreaterP(k: number, n: number, p = 0.5): number {
  if (!Number.isInteger(n) || n < 0 || !(p > 0 && p < 1)) {
    throw new RangeError(`binomialGreaterP: need whole n >= 0 and 0 < p < 1; got n=${n}, p=${p}`);
  }
  const from = Math.ceil(k);
  if (from <= 0) return 1;
  if (from > n) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const logTerms: number[] = [];
  let top = -Infinity;
  for (let i = from; i <= n; i++) {
    const t = logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * logP + (n - i) * logQ;
    logTerms.push(t);
    if (t > top) top = t;
  }
  let sum = 0;
  for (const t of logTerms) sum += Math.exp(t - top);
  return Math.min(1, Math.exp(top + Math.log(sum)));
}

/** One held-out prompt's two judgements read together. */
export interface PromptVerdict {
  /** 'A' or 'B' when both judgements picked that side's answer; 'tie' otherwise. */
  verdict: Side | 'tie';
  /** The two orders picked different sides' answers (one A, one B). */
  flipped: boolean;
  /** How many of the two replies could not be read (0, 1 or 2). */
  unparseable: number;
}

/**
 * Reads a prompt's two judgements: it counts for a side only when both orders picked that
 * side's answer; any 'neither', any unparseable reply or any flip makes it a tie.
 */
export function judgePrompt(j: PromptJudgement): PromptVerdict {
  const picks = [j.aFirst, j.bFirst];
  const unparseable = picks.filter((p) => p === 'unparseable').length;
  const flipped = (j.aFirst === 'A' && j.bFirst === 'B') || (j.aFirst === 'B' && j.bFirst === 'A');
  const verdict =
    j.aFirst === j.bFirst && (j.aFirst === 'A' || j.aFirst === 'B') ? j.aFirst : 'tie';
  return { verdict, flipped, unparseable };
}

/** Whether two answer lengths are similar: B / A within [0.8, 1.25] (two empty answers are). */
function similarLength(lengthA: number, lengthB: number): boolean {
  if (lengthA === 0) return lengthB === 0;
  const ratio = lengthB / lengthA;
  return ratio >= SIMILAR_LOW && ratio <= SIMILAR_HIGH;
}

/**
 * The held-out validation of one hypothesis from its prompts' judgements. Definitions:
 * - decided = prompts counted for A or B (judgePrompt); ties = the rest; accuracy = forB / decided;
 *   Wilson 95% interval; pValue = P(X >= forB), X ~ Binomial(decided, 1/2); all null when
 *   decided = 0.
 * - qValue = pValue here (BH over a family of one); validateHypotheses sets it across the family.
 * - confirmed = qValue < alpha and accuracy > 1/2.
 * - lengthRuleAccuracy = over the decided prompts, the share where B's answer is the longer
 *   (equal lengths count half): how often "the longer answer is B's" would be right there.
 * - similarLengthAccuracy = forB / decided over the decided prompts whose length ratio B / A is
 *   within [0.8, 1.25] (similarLengthDecided of them; null when none).
 * - mayBeLength = decided > 0 and (accuracy <= lengthRuleAccuracy + 0.05, evaluated exactly as
 *   20 (forB - lengthScore) <= decided, or (similarLengthDecided >= 10 and the Wilson 95% low of
 *   the similar-length accuracy <= 0.5)).
 * - rightPromptIds / wrongPromptIds: prompts counted for B / for A, in judgement order.
 * `auc` is passed through (similarity-auc.ts computes it).
 */
export function validateHypothesis(
  judgements: readonly PromptJudgement[],
  auc: number | null,
  alpha = 0.05,
): HypothesisValidation {
  let orderFlips = 0;
  let unparseable = 0;
  let lengthScore = 0;
  let similarDecided = 0;
  let similarForB = 0;
  const right: string[] = [];
  const wrong: string[] = [];
  for (const j of judgements) {
    const v = judgePrompt(j);
    if (v.flipped) orderFlips++;
    unparseable += v.unparseable;
    if (v.verdict === 'tie') continue;
    (v.verdict === 'B' ? right : wrong).push(j.promptId);
    lengthScore += j.lengthB > j.lengthA ? 1 : j.lengthB === j.lengthA ? 0.5 : 0;
    if (similarLength(j.lengthA, j.lengthB)) {
      similarDecided++;
      if (v.verdict === 'B') similarForB++;
    }
  }
  const forB = right.length;
  const forA = wrong.length;
  const decided = forA + forB;
  const ci = decided > 0 ? wilsonInterval(forB, decided) : null;
  const pValue = decided > 0 ? binomialGreaterP(forB, decided) : null;
  const accuracy = decided > 0 ? forB / decided : null;
  const similarLow = similarDecided > 0 ? wilsonInterval(similarForB, similarDecided)[0] : null;
  const mayBeLength =
    decided > 0 &&
    (LENGTH_MARGIN_INVERSE * (forB - lengthScore) <= decided ||
      (similarDecided >= MIN_SIMILAR_DECIDED && similarLow! <= 0.5));
  return {
    nHeldOut: judgements.length,
    decided,
    forA,
    forB,
    ties: judgements.length - decided,
    orderFlips,
    unparseable,
    accuracy,
    ciLow: ci ? ci[0] : null,
    ciHigh: ci ? ci[1] : null,
    pValue,
    qValue: pValue,
    confirmed: pValue !== null && pValue < alpha && accuracy! > 0.5,
    auc,
    lengthRuleAccuracy: decided > 0 ? lengthScore / decided : null,
    similarLengthAccuracy: similarDecided > 0 ? similarForB / similarDecided : null,
    similarLengthDecided: similarDecided,
    mayBeLength,
    rightPromptIds: right,
    wrongPromptIds: wrong,
  };
}

/**
 * Validates a family of hypotheses: each as validateHypothesis, then Benjamini-Hochberg q across
 * the hypotheses that have a p-value (those with nothing decided keep q = null and are not
 * counted in the family), and confirmed = q < alpha and accuracy > 1/2.
 */
export function validateHypotheses(
  list: readonly { judgements: readonly PromptJudgement[]; auc: number | null }[],
  alpha = 0.05,
): HypothesisValidation[] {
  const single = list.map((h) => validateHypothesis(h.judgements, h.auc, alpha));
  const q = bhQValuesNullable(single.map((v) => v.pValue));
  return single.map((v, i) => {
    const qValue = q[i] ?? null;
    return {
      ...v,
      qValue,
      confirmed: qValue !== null && qValue < alpha && v.accuracy! > 0.5,
    };
  });
}
