/**
 * Divergence controlled for length: "where do A and B differ most, other than in length?".
 * Embeddings of a 5-word answer and a 300-word answer to the same prompt are far apart whatever
 * they say, so ranking prompts by raw divergence mostly ranks length mismatch. Here each prompt
 * gets its length ratio, and `divergenceAdjusted` is the residual of its divergence after an
 * ordinary least-squares line of divergence on |ln lengthRatio| over the run's prompts: how much
 * further apart the answers are than the prompts with the same length mismatch, on average.
 * A residual near 0 for a length-mismatched prompt says its distance is what length alone
 * predicts; a large positive one on a same-length prompt is a change of content.
 */
import { words } from '../text/tokenize';
import type { PairedDesign } from './design';
import type { PromptDivergence } from './divergence';

/** Characters of an answer's opening kept beside a divergent prompt. */
export const OPENING_CHARS = 160;

/** A prompt's divergence with its length ratio, length-adjusted value and opening lines. */
export interface LengthAdjustedDivergence extends PromptDivergence {
  /** (mean words of B's answers + 1) / (mean words of A's answers + 1); > 1 when B is longer. */
  lengthRatio: number;
  /** divergence minus the fitted line on |ln lengthRatio|; the ranking score. */
  divergenceAdjusted: number;
  /** The opening of the prompt's first answer from each side (whitespace collapsed). */
  answers: { a: string; b: string };
}

/** A straight line y = intercept + slope * x. */
export interface Line {
  intercept: number;
  slope: number;
}

/**
 * Text's first `max` characters (code points) with whitespace collapsed, and "…" when cut, so a
 * list can show how each answer starts without its line breaks.
 */
export function openingLine(text: string, max = OPENING_CHARS): string {
  const flat = Array.from(text.replace(/\s+/g, ' ').trim());
  return flat.length <= max ? flat.join('') : `${flat.slice(0, max).join('').trimEnd()}…`;
}

/**
 * Ordinary least-squares line of `y` on `x`. With no spread in x (or no points) the slope is 0
 * and the intercept the mean of y (0 without points): length then explains nothing.
 */
export function leastSquaresLine(x: readonly number[], y: readonly number[]): Line {
  if (x.length !== y.length) {
    throw new Error(`leastSquaresLine: ${x.length} x values for ${y.length} y values`);
  }
  const n = x.length;
  if (n === 0) return { intercept: 0, slope: 0 };
  const meanX = x.reduce((s, v) => s + v, 0) / n;
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - meanX) ** 2;
    sxy += (x[i]! - meanX) * (y[i]! - meanY);
  }
  // Relative to the x scale, so rounding noise in identical x values does not count as spread.
  const slope = sxx > 1e-12 * (1 + meanX * meanX) * n ? sxy / sxx : 0;
  return { intercept: meanY - slope * meanX, slope };
}

/**
 * Adds the length ratio, the length-adjusted divergence and both sides' opening lines to each
 * prompt's divergence, most divergent after adjustment first (ties by prompt index). `texts`
 * holds the answers in the design's order. Throws when their count differs from the design's.
 */
export function lengthAdjustedDivergence(
  divergences: readonly PromptDivergence[],
  design: PairedDesign,
  texts: readonly string[],
): LengthAdjustedDivergence[] {
  if (texts.length !== design.n) {
    throw new Error(`lengthAdjustedDivergence: ${texts.length} texts for ${design.n} answers`);
  }
  const withLength = divergences.map((d) => {
    const p = d.promptIndex;
    let wordsA = 0;
    let wordsB = 0;
    let firstA: number | null = null;
    let firstB: number | null = null;
    for (let m = design.groupStart[p]!; m < design.groupStart[p + 1]!; m++) {
      const i = design.members[m]!;
      const count = words(texts[i]!).length;
      if (design.isB[i]) {
        wordsB += count;
        firstB ??= i;
      } else {
        wordsA += count;
        firstA ??= i;
      }
    }
    const lengthRatio = (wordsB / Math.max(1, d.nB) + 1) / (wordsA / Math.max(1, d.nA) + 1);
    const answers = {
      a: firstA === null ? '' : openingLine(texts[firstA]!),
      b: firstB === null ? '' : openingLine(texts[firstB]!),
    };
    return { ...d, lengthRatio, answers };
  });
  const mismatch = withLength.map((d) => Math.abs(Math.log(d.lengthRatio)));
  const line = leastSquaresLine(
    mismatch,
    withLength.map((d) => d.divergence),
  );
  return withLength
    .map((d, i) => ({
      ...d,
      divergenceAdjusted: d.divergence - (line.intercept + line.slope * mismatch[i]!),
    }))
    .sort((x, y) => y.divergenceAdjusted - x.divergenceAdjusted || x.promptIndex - y.promptIndex);
}
