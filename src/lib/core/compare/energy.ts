/**
 * Overall test "is there any difference at all between A's and B's answers?": the energy
 * distance between the two answer sets with a within-prompt permutation p-value.
 *
 * Definition (V-statistic, Szekely & Rizzo), with d the chosen metric:
 *   E = 2/(nA nB) sum_{a in A, b in B} d(a, b) - 1/nA^2 sum_{a, a' in A} d(a, a')
 *       - 1/nB^2 sum_{b, b' in B} d(b, b')
 * (within-set sums run over all ordered pairs, the zero diagonal included). In 1-D with
 * d = |x - y| this is scipy.stats.energy_distance(u, v) ** 2: scipy reports the square root.
 *
 * The default metric is Euclidean (the chord on the unit sphere, sqrt(2 - 2 cos)): E is then
 * zero only when the two distributions are equal. With the cosine distance, which is half the
 * squared Euclidean distance on unit vectors, E collapses to ||mean(A) - mean(B)||^2 and only
 * sees shifts of the mean; it is offered for comparison, not as the default.
 */
import { createRng, sampleWithoutReplacement } from '../vectors/random';
import { selectRows, type Matrix } from '../vectors/matrix';
import { pairedDesign, requireBothSides, type PairedDesign } from './design';
import { pairwiseDistances, type DistanceMetric } from './distances';
import { permutationTest, type PermutationStatistic } from './permutation';
import type { Side } from '../run/types';

/** Settings of the energy test. */
export interface EnergyOptions {
  metric?: DistanceMetric;
  nPermutations?: number;
  seed?: number;
  /**
   * Above this many answers, a seeded random subset of whole prompts (all their answers) is
   * used, so the O(n^2) distance matrix stays small (default 2000: 16 MB of float32).
   */
  maxAnswers?: number;
}

/** Result of the energy test. */
export interface EnergyResult {
  method: 'energy';
  metric: DistanceMetric;
  /** Energy distance E as defined above. */
  statistic: number;
  pValue: number;
  nPermutations: number;
  /** Answers used (fewer than given when subsampled). */
  nAnswers: number;
  subsampled: boolean;
}

/** Default cap on the number of answers in the energy test. */
export const DEFAULT_ENERGY_MAX_ANSWERS = 2000;

/**
 * Energy distance of a labelling from a precomputed n x n distance matrix. Only the pairs inside
 * the smaller side are summed per call (the rest follows from fixed row sums), which is what
 * makes thousands of permutations affordable.
 */
export class EnergyStatistic implements PermutationStatistic {
  readonly size = 1;
  private readonly dist: Float32Array;
  private readonly n: number;
  private readonly rowSums: Float64Array;
  private readonly total: number;
  private readonly idx: Int32Array;

  constructor(dist: Float32Array, n: number) {
    if (dist.length !== n * n) throw new Error(`EnergyStatistic: matrix is not ${n} x ${n}`);
    this.dist = dist;
    this.n = n;
    this.rowSums = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += dist[i * n + j]!;
      this.rowSums[i] = s;
      total += s;
    }
    this.total = total;
    this.idx = new Int32Array(n);
  }

  /** Writes E of labelling `isB` into out[0]. */
  evaluate(isB: Uint8Array, out: Float64Array): void {
    const { n, dist, idx, rowSums } = this;
    let nB = 0;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,AssignmentOperator: the statistic is symmetric in the sides; which side is summed only changes the work done
    for (let i = 0; i < n; i++) nB += isB[i]!;
    // Stryker disable next-line ArithmeticOperator: the statistic is symmetric in the sides; which side is summed only changes the work done
    const nA = n - nB;
    // X = the smaller side; its pairs are summed, the other side's follow from the totals.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the statistic is symmetric in the sides; which side is summed only changes the work done
    const xLabel = nB <= nA ? 1 : 0;
    let nX = 0;
    let rX = 0;
    // Stryker disable next-line EqualityOperator: isB[n] is undefined, never equal to a label
    for (let i = 0; i < n; i++) {
      // Stryker disable next-line EqualityOperator: the statistic is symmetric in the sides; which side is summed only changes the work done
      if (isB[i] === xLabel) {
        idx[nX++] = i;
        rX += rowSums[i]!;
      }
    }
    let half = 0;
    // Stryker disable next-line EqualityOperator: one more row starts its inner loop past nX, so adds nothing
    for (let a = 0; a < nX; a++) {
      const off = idx[a]! * n;
      let s = 0;
      for (let b = a + 1; b < nX; b++) s += dist[off + idx[b]!]!;
      half += s;
    }
    const sXX = 2 * half;
    const sXY = rX - sXX;
    const sYY = this.total - 2 * rX + sXX;
    const nY = n - nX;
    out[0] = (2 * sXY) / (nX * nY) - sXX / (nX * nX) - sYY / (nY * nY);
  }
}

/** Energy distance between the rows of `vectors` labelled A and B (`isB[i]` = 1 for B). */
export function energyDistance(
  vectors: Matrix,
  isB: Uint8Array,
  metric: DistanceMetric = 'euclidean',
): number {
  const out = new Float64Array(1);
  new EnergyStatistic(pairwiseDistances(vectors, metric), vectors.rows).evaluate(isB, out);
  return out[0]!;
}

/** Picks whole prompts at random until about `maxAnswers` answers; returns their answers, sorted. */
function subsamplePrompts(design: PairedDesign, maxAnswers: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const order = sampleWithoutReplacement(design.nPrompts, design.nPrompts, rng);
  const keep: number[] = [];
  for (const p of order) {
    const start = design.groupStart[p]!;
    const end = design.groupStart[p + 1]!;
    if (keep.length + (end - start) > maxAnswers && keep.length > 0) continue;
    for (let k = start; k < end; k++) keep.push(design.members[k]!);
  }
  return Int32Array.from(keep.sort((a, b) => a - b));
}

/**
 * Energy distance between A's and B's answers with a within-prompt permutation p-value.
 * Throws when one side has no answers or the row counts disagree.
 */
export function energyTest(
  vectors: Matrix,
  design: PairedDesign,
  options: EnergyOptions = {},
): EnergyResult {
  if (vectors.rows !== design.n) {
    throw new Error(`energyTest: ${vectors.rows} vectors for ${design.n} answers`);
  }
  requireBothSides(design, 'energyTest');
  const metric = options.metric ?? 'euclidean';
  const seed = options.seed ?? 1;
  const maxAnswers = options.maxAnswers ?? DEFAULT_ENERGY_MAX_ANSWERS;
  let used = vectors;
  let usedDesign = design;
  const subsampled = design.n > maxAnswers;
  // Stryker disable next-line ConditionalExpression: keeping every prompt selects all rows in their order, the same data
  if (subsampled) {
    // Whole prompts, so the within-prompt structure of the test is unchanged.
    const keep = subsamplePrompts(design, maxAnswers, seed ^ 0x5eed);
    used = selectRows(vectors, keep);
    const sides: Side[] = Array.from(keep, (i) => (design.isB[i] ? 'B' : 'A'));
    usedDesign = pairedDesign(
      Array.from(keep, (i) => design.promptOf[i]!),
      sides,
      design.nPrompts,
    );
    requireBothSides(usedDesign, 'energyTest (subsample)');
  }
  const statistic = new EnergyStatistic(pairwiseDistances(used, metric), used.rows);
  const res = permutationTest(usedDesign, statistic, {
    seed,
    // Stryker disable next-line ConditionalExpression: permutationTest reads an undefined count as its default (??)
    ...(options.nPermutations !== undefined ? { nPermutations: options.nPermutations } : {}),
  });
  return {
    method: 'energy',
    metric,
    statistic: res.observed[0]!,
    pValue: res.pValues[0]!,
    nPermutations: res.nPermutations,
    nAnswers: used.rows,
    subsampled,
  };
}
