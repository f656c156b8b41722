/**
 * Per-prompt divergence: "where do A and B differ most?". For each prompt:
 * - cross: mean distance over all (A answer, B answer) pairs of that prompt;
 * - withinA / withinB: mean distance over distinct pairs of one side's answers (null with fewer
 *   than two samples): how much a model varies with itself, the noise floor;
 * - noiseFloor: the mean of whichever of withinA and withinB exist (null if neither);
 * - divergence: cross - noiseFloor when a noise floor exists, else cross.
 * Subtracting the noise floor keeps prompts where both models are merely random (creative
 * writing) from outranking prompts where they answer consistently but differently. With several
 * samples it is (half) a per-prompt energy distance; it can be slightly negative. Prompts without
 * a floor are ranked on the raw cross distance, which overstates them: `adjusted` says which.
 * The default metric is cosine distance (1 - cos), the easiest to read (0 = same direction).
 */
import type { Matrix } from '../vectors/matrix';
import { pairedPromptSides, type PairedDesign } from './design';
import { rowDistance, type DistanceMetric } from './distances';

/** Divergence of one prompt. */
export interface PromptDivergence {
  promptIndex: number;
  /** Ranking score: cross - noiseFloor when available, else cross. */
  divergence: number;
  cross: number;
  withinA: number | null;
  withinB: number | null;
  noiseFloor: number | null;
  /** Whether `divergence` had the noise floor subtracted. */
  adjusted: boolean;
  nA: number;
  nB: number;
}

/** Mean distance over distinct pairs of `idx`, or null with fewer than two. */
function withinMean(vectors: Matrix, idx: number[], metric: DistanceMetric): number | null {
  if (idx.length < 2) return null;
  let s = 0;
  let pairs = 0;
  for (let a = 0; a < idx.length; a++) {
    for (let b = a + 1; b < idx.length; b++) {
      s += rowDistance(vectors, idx[a]!, idx[b]!, metric);
      pairs++;
    }
  }
  return s / pairs;
}

/**
 * Divergence of every prompt that has answers from both sides, most divergent first (ties by
 * prompt index). Throws when the vector count differs from the answer count.
 */
export function promptDivergence(
  vectors: Matrix,
  design: PairedDesign,
  metric: DistanceMetric = 'cosine',
): PromptDivergence[] {
  if (vectors.rows !== design.n) {
    throw new Error(`promptDivergence: ${vectors.rows} vectors for ${design.n} answers`);
  }
  const out: PromptDivergence[] = [];
  for (const { prompt: p, a, b } of pairedPromptSides(design)) {
    let cross = 0;
    for (const i of a) for (const j of b) cross += rowDistance(vectors, i, j, metric);
    cross /= a.length * b.length;
    const withinA = withinMean(vectors, a, metric);
    const withinB = withinMean(vectors, b, metric);
    const floors = [withinA, withinB].filter((v): v is number => v !== null);
    const noiseFloor = floors.length ? floors.reduce((s, v) => s + v, 0) / floors.length : null;
    out.push({
      promptIndex: p,
      divergence: noiseFloor === null ? cross : cross - noiseFloor,
      cross,
      withinA,
      withinB,
      noiseFloor,
      adjusted: noiseFloor !== null,
      nA: a.length,
      nB: b.length,
    });
  }
  return out.sort((x, y) => y.divergence - x.divergence || x.promptIndex - y.promptIndex);
}
