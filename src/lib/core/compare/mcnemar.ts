/**
 * Exact McNemar test and the signed normal score used to rank paired presence tests.
 * With one answer per side per prompt, swapping A and B within a prompt only matters where the
 * two answers disagree, so the within-prompt permutation distribution of "prompts where only B
 * has it" is Binomial(discordant, 1/2): the exact McNemar test, computed here directly.
 */
import { normalCdf } from './normal';

/** log(k!) for k = 0 .. n, grown on demand (the binomial sums need them up to the prompt count). */
const logFactorials: number[] = [0];
function logFactorial(k: number): number {
  for (let i = logFactorials.length; i <= k; i++)
    logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[k]!;
}

/**
 * Exact two-sided McNemar p-value: 2 P(X <= min(aOnly, bOnly)) for X ~ Binomial(aOnly + bOnly, 1/2),
 * capped at 1 (scipy.stats.binomtest(aOnly, aOnly + bOnly).pvalue and statsmodels'
 * mcnemar(exact=True) agree with it). No discordant pair gives 1.
 * Throws on negative or non-integer counts.
 */
export function exactMcNemarP(aOnly: number, bOnly: number): number {
  if (!Number.isInteger(aOnly) || !Number.isInteger(bOnly) || aOnly < 0 || bOnly < 0) {
    throw new Error(`exactMcNemarP: counts must be whole numbers >= 0, got ${aOnly} and ${bOnly}`);
  }
  const n = aOnly + bOnly;
  const low = Math.min(aOnly, bOnly);
  if (2 * low >= n) return 1;
  // Summed in log space: 0.5^n underflows for n above ~1074 answers.
  const logN = logFactorial(n) - n * Math.LN2;
  const logTerms: number[] = [];
  for (let k = 0; k <= low; k++) logTerms.push(logN - logFactorial(k) - logFactorial(n - k));
  const top = logTerms[low]!; // the largest term: they grow with k below n / 2
  let sum = 0;
  for (const t of logTerms) sum += Math.exp(t - top);
  return Math.min(1, 2 * Math.exp(top + Math.log(sum)));
}

/** Smallest p-value turned into a score, so the score of any p stays a finite JSON number. */
const MIN_P = 1e-300;

/**
 * The standard normal quantile Φ^{-1}(p) for 0 < p < 1: Acklam's rational approximation
 * (relative error 1e-9) refined by one Halley step against the accurate normalCdf.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  let x: number;
  if (p < 0.02425) x = tail(Math.sqrt(-2 * Math.log(p)));
  else if (p > 1 - 0.02425) x = -tail(Math.sqrt(-2 * Math.log(1 - p)));
  else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * The signed score of a two-sided test: the normal deviate with the same two-sided p-value,
 * Φ^{-1}(1 - p/2), carrying the sign of the observed difference (positive: more in B).
 * p = 1 or no difference gives 0; p is floored at 1e-300 so the score stays finite.
 */
export function signedNormalScore(pValue: number, sign: number): number {
  if (sign === 0 || pValue >= 1) return 0;
  const score = -normalQuantile(Math.max(MIN_P, pValue) / 2);
  return sign > 0 ? score : -score;
}
