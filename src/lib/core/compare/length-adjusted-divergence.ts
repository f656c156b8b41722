/**
 * Divergence controlled for length: "where do A and B differ most, other than in length?".
 * Embeddings of a 5-word answer and a 300-word answer to the same prompt are far apart whatever
 * they say, so ranking prompts by raw divergence mostly ranks length mismatch. Here each prompt
 * gets its length ratio, and is ranked within its length-ratio band: the prompts are split into
 * up to 10 equal-count bands of |ln lengthRatio|, and `divergenceAdjusted` is a robust z-score
 * within the band, (divergence - band median) / band MAD: how unusual the prompt's divergence is
 * among prompts with a similar length mismatch. Not a residual from one line: on real pairs
 * (alpaca_eval) the spread of divergence grows with the mismatch, so a least-squares residual
 * still put 14 of its top 20 among the 29% of prompts whose answers differ 2x in length; the
 * band z-score put 6 there.
 */
import { words } from '../text/tokenize';
import type { PairedDesign } from './design';
import type { PromptDivergence } from './divergence';

/** Characters of an answer's opening kept beside a divergent prompt. */
export const OPENING_CHARS = 160;

/** A prompt's divergence with its length ratio, length-adjusted divergence and opening lines. */
export interface LengthAdjustedDivergence extends PromptDivergence {
  /** (mean words of B's answers + 1) / (mean words of A's answers + 1); > 1 when B is longer. */
  lengthRatio: number;
  /** (divergence - band median) / band MAD within its |ln lengthRatio| band; the ranking score. */
  divergenceAdjusted: number;
  /** The opening of the prompt's first answer from each side (whitespace collapsed). */
  answers: { a: string; b: string };
}

/** Most bands of |ln lengthRatio|; fewer when there are few prompts. */
const MAX_LENGTH_BANDS = 10;

/** Fewest prompts per band, so that a band's median and MAD mean something. */
const MIN_PROMPTS_PER_BAND = 8;

/**
 * Text's first `max` characters (code points) with whitespace collapsed, and "…" when cut, so a
 * list can show how each answer starts without its line breaks.
 */
export function openingLine(text: string, max = OPENING_CHARS): string {
  const flat = Array.from(text.replace(/\s+/g, ' ').trim());
  return flat.length <= max ? flat.join('') : `${flat.slice(0, max).join('').trimEnd()}…`;
}

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Robust z-scores of `values`: (value - median) / MAD. When the MAD is 0 (over half the values
 * equal) the mean absolute deviation from the median stands in; when that is 0 too, every value
 * is the median and every score 0. An empty list gives an empty list.
 */
export function robustZ(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const centre = median(values);
  const deviations = values.map((v) => Math.abs(v - centre));
  const scale = median(deviations) || deviations.reduce((s, d) => s + d, 0) / values.length;
  return values.map((v) => (scale > 0 ? (v - centre) / scale : 0));
}

/**
 * Band of each value when `values` are split into `nBands` bands of (nearly) equal count by
 * size; equal values share the lower band's order by index, so the split is deterministic.
 */
export function equalCountBands(values: readonly number[], nBands: number): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]! || i - j);
  const band = new Array<number>(values.length);
  order.forEach((i, rank) => (band[i] = Math.floor((rank * nBands) / values.length)));
  return band;
}

/** How many length bands `nPrompts` prompts are split into: 1 to MAX_LENGTH_BANDS. */
export function lengthBandCount(nPrompts: number): number {
  return Math.max(1, Math.min(MAX_LENGTH_BANDS, Math.floor(nPrompts / MIN_PROMPTS_PER_BAND)));
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
  const nBands = lengthBandCount(withLength.length);
  const band = equalCountBands(mismatch, nBands);
  const adjusted = new Array<number>(withLength.length);
  for (let b = 0; b < nBands; b++) {
    const members = band.flatMap((bb, i) => (bb === b ? [i] : []));
    const z = robustZ(members.map((i) => withLength[i]!.divergence));
    members.forEach((i, k) => (adjusted[i] = z[k]!));
  }
  return withLength
    .map((d, i) => ({ ...d, divergenceAdjusted: adjusted[i]! }))
    .sort((x, y) => y.divergenceAdjusted - x.divergenceAdjusted || x.promptIndex - y.promptIndex);
}
