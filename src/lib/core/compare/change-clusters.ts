/**
 * Clusters of change, not of topic (issue 9 item 5). On topic-diverse prompt sets answers group
 * by topic, so answer clusters say little about behaviour. Here each paired prompt contributes
 * its change d_p = (mean embedding of B's answers) - (mean embedding of A's answers); prompts
 * whose changes point the same way form a kind of change ("B appends 'I hope this helps'", "B
 * adds a numbered list").
 *
 * The clusters are found and tested on different prompts (split-half), because a test of
 * clusters found on the same differences is biased (under no change, k-means still finds
 * directions in the noise, and the members of each cluster point its way by construction):
 * - a seeded random half of the paired prompts (discovery) is clustered with k-means, k chosen
 *   by silhouette from 2 to 10 (cluster/choose-k.ts);
 * - each centre c_j gives a direction u_j = c_j / |c_j|; each prompt of the other half (held
 *   out) is assigned to its nearest centre, and cluster j's statistic is
 *   T_j = sum over its held-out members of d_p . u_j: the members' mean change projected on the
 *   direction the discovery half found, times their number. A projection rather than a norm
 *   because the direction was fixed before the held-out prompts were seen, so only changes that
 *   go that way count (a norm would reward whatever direction the held-out members share); a sum
 *   rather than a mean so that one far prompt landing in a cluster cannot match many prompts
 *   that move its way;
 * - sign-flip permutations: under "the intervention changed nothing" A's and B's answers to a
 *   prompt are exchangeable, so each held-out d_p is as likely as -d_p, independently per prompt,
 *   and independently of the discovery half. Each permutation flips every held-out d_p's sign by
 *   a coin, re-assigns it to the nearest centre (the centres stay fixed) and recomputes every
 *   T_j; p_j = (1 + #{T_j(flipped) >= T_j}) / (1 + permutations), one-sided. Benjamini-Hochberg
 *   across the clusters.
 * Every paired prompt (both halves) is then assigned to its nearest centre for the description
 * (change-descriptions.ts): n, prompts, the terms B adds and drops, the detectors that move, and
 * the example pairs nearest the centre. Seeded: the same input gives the same result.
 */
import { chooseK } from '../cluster/choose-k';
import { matrix, selectRows, type Matrix } from '../vectors/matrix';
import { createRng, shuffle, type Rng } from '../vectors/random';
import { describeChangeCluster, featureChangeTable } from './change-descriptions';
import { pairedPromptSides, type PairedDesign, type PromptSides } from './design';
import type { MeasuredFeatureColumn } from './feature-measures';
import { bhQValuesNullable } from './fdr';
import { DEFAULT_PERMUTATIONS } from './permutation';
import type { ChangeCluster, ChangesResult } from './result-types';

/** What changeClusters reads, per answer unless said otherwise. */
export interface ChangeClustersInput {
  design: PairedDesign;
  /** Unit-normalised answer embeddings, one row per answer. */
  vectors: Matrix;
  texts: readonly string[];
  /** Prompt ids (or labels), indexed by prompt index. */
  promptIds: readonly string[];
  /** Per-answer detector and feature columns with their measure (style-features.ts). */
  features: readonly MeasuredFeatureColumn[];
  /** Words of each answer (the denominator of a rate per 100 words). */
  wordCounts: ArrayLike<number>;
}

/** Settings of changeClusters; every field has a default. */
export interface ChangeClustersOptions {
  /** Seed of the split, the k-means and the sign flips (default 1). */
  seed?: number;
  /** Sign-flip permutations (default 999). */
  nPermutations?: number;
  /** Fewest paired prompts for which the clusters are computed (default 20). */
  minPrompts?: number;
  /** Largest k tried (default 10; smallest is 2). */
  kMax?: number;
  /** Terms listed per direction (default 8). */
  topTerms?: number;
  /** Detectors listed per cluster (default 4). */
  topDetectors?: number;
  /** Example pairs per cluster (default 3). */
  examples?: number;
}

/**
 * Fewest paired prompts (and changed prompts) for clusters of change: each half then has 10
 * prompts, about the least on which k-means with k >= 2 and a sign-flip test (2^10 sign
 * patterns) mean anything.
 */
export const MIN_CHANGE_PROMPTS = 20;

/** ChangesResult.method of this module. */
export const CHANGES_METHOD = 'split-half sign-flip';

/** Largest k tried by default (issue 9: the number of clusters is chosen from 2 to 10). */
const DEFAULT_K_MAX = 10;

/**
 * Clusters the per-prompt changes (B minus A) and tests each cluster on held-out prompts (see
 * the file comment). Returns null when fewer than `minPrompts` prompts have answers from both
 * sides. Only the prompts whose answers changed are clustered (`nPrompts`); when fewer than
 * `minPrompts` did (B's answers are A's), or the discovery half has fewer than three distinct
 * directions of change, there is nothing to split, cluster and test: k 0, no clusters.
 * Throws when the per-answer inputs do not have one entry per answer of the design.
 */
export function changeClusters(
  input: ChangeClustersInput,
  options: ChangeClustersOptions = {},
): ChangesResult | null {
  checkLengths(input);
  const { design } = input;
  const seed = options.seed ?? 1;
  const minPrompts = options.minPrompts ?? MIN_CHANGE_PROMPTS;
  const paired = pairedPromptSides(design);
  if (paired.length < minPrompts) return null;
  const { sides, changes } = changedPrompts(input, paired);
  const nPaired = sides.length;
  const empty = { method: CHANGES_METHOD, nPrompts: nPaired, silhouette: null };
  if (nPaired < minPrompts) return { ...empty, k: 0, clusters: [] };

  const rng = createRng(seed);
  const order = shuffle(
    Int32Array.from({ length: nPaired }, (_, i) => i),
    rng,
  );
  const half = nPaired >> 1;
  const discovery = order.slice(0, half).sort();
  const heldOut = order.slice(half).sort();
  const discoveryChanges = selectRows(changes, discovery);
  const distinct = distinctRows(discoveryChanges);
  if (distinct < 3) return { ...empty, k: 0, clusters: [] };

  const chosen = chooseK(discoveryChanges, {
    kMin: 2,
    kMax: Math.min(options.kMax ?? DEFAULT_K_MAX, distinct - 1),
    seed,
  });
  const centres = chosen.result.centroids;
  const silhouette = chosen.scores.find((s) => s.k === chosen.k)?.silhouette ?? NaN;
  const pValues = heldOutSignFlipTest(
    changes,
    heldOut,
    centres,
    options.nPermutations ?? DEFAULT_PERMUTATIONS,
    rng,
  );
  const qValues = bhQValuesNullable(pValues);

  const nearest = nearestCentres(changes, centres);
  const context = {
    input,
    sides,
    changes,
    centres,
    featureChanges: featureChangeTable(input, sides),
    options,
  };
  const clusters: ChangeCluster[] = [];
  for (let j = 0; j < centres.rows; j++) {
    const members: number[] = [];
    nearest.forEach((c, i) => c === j && members.push(i));
    // A centre duplicated by k-means on tied points gets no prompt: not a kind of change.
    if (members.length === 0) continue;
    clusters.push({
      id: j,
      ...describeChangeCluster(context, j, members),
      pValue: pValues[j]!,
      qValue: qValues[j]!,
    });
  }
  // Most significant first, then the largest; ids follow that order.
  clusters.sort((x, y) => (x.qValue ?? 2) - (y.qValue ?? 2) || y.n - x.n || x.id - y.id);
  clusters.forEach((c, i) => (c.id = i));
  return {
    ...empty,
    k: chosen.k,
    silhouette: Number.isFinite(silhouette) ? silhouette : null,
    clusters,
  };
}

function checkLengths(input: ChangeClustersInput): void {
  const { design, vectors, texts, promptIds, features, wordCounts } = input;
  const n = design.n;
  const problems: string[] = [];
  if (vectors.rows !== n) problems.push(`${vectors.rows} vectors`);
  if (texts.length !== n) problems.push(`${texts.length} texts`);
  if (wordCounts.length !== n) problems.push(`${wordCounts.length} word counts`);
  for (const f of features) {
    if (f.values.length !== n) problems.push(`${f.values.length} values of feature ${f.name}`);
  }
  if (problems.length) {
    throw new Error(`changeClusters: ${n} answers but ${problems.join(', ')}`);
  }
  if (promptIds.length !== design.nPrompts) {
    throw new Error(
      `changeClusters: ${design.nPrompts} prompts but ${promptIds.length} prompt ids`,
    );
  }
}

/** Below this norm, B's mean embedding is A's: the prompt did not change (float noise aside). */
const UNCHANGED_NORM = 1e-6;

/**
 * The prompts whose answers changed, with the direction of each change: d_p = mean of B's rows
 * - mean of A's rows (summed in float64), scaled to unit length. Directions, not raw
 * differences, are clustered: |d_p| mostly says how long the answers are (appending one sentence
 * moves a 30-word answer's embedding ten times as far as a 300-word one's), while the kind of
 * change is where it points. A prompt whose two sides gave the same texts, or the same mean
 * embedding, has no direction and is left out.
 */
function changedPrompts(
  input: ChangeClustersInput,
  paired: readonly PromptSides[],
): { sides: PromptSides[]; changes: Matrix } {
  const { vectors, texts } = input;
  const dims = vectors.dims;
  const sides: PromptSides[] = [];
  const rows: Float64Array[] = [];
  for (const side of paired) {
    const textsA = side.a.map((i) => texts[i]!).sort();
    const textsB = side.b.map((i) => texts[i]!).sort();
    if (textsA.length === textsB.length && textsA.every((t, k) => t === textsB[k])) continue;
    const acc = new Float64Array(dims);
    for (const [answers, weight] of [
      [side.b, 1 / side.b.length],
      [side.a, -1 / side.a.length],
    ] as const) {
      for (const r of answers) {
        for (let d = 0; d < dims; d++) acc[d] = acc[d]! + weight * vectors.data[r * dims + d]!;
      }
    }
    const norm = Math.sqrt(acc.reduce((s, v) => s + v * v, 0));
    if (!(norm > UNCHANGED_NORM)) continue;
    for (let d = 0; d < dims; d++) acc[d] = acc[d]! / norm;
    sides.push(side);
    rows.push(acc);
  }
  const changes = matrix(sides.length, dims);
  rows.forEach((r, i) => changes.data.set(r, i * dims));
  return { sides, changes };
}

/** Number of distinct rows (exact float equality): k-means cannot find more clusters than that. */
function distinctRows(m: Matrix): number {
  const buckets = new Map<number, number[]>();
  const bits = new Uint32Array(m.data.buffer, m.data.byteOffset, m.data.length);
  let distinct = 0;
  for (let i = 0; i < m.rows; i++) {
    const row = bits.subarray(i * m.dims, (i + 1) * m.dims);
    let h = 0x811c9dc5;
    for (const w of row) h = Math.imul(h ^ w, 0x01000193);
    const bucket = buckets.get(h) ?? [];
    const seen = bucket.some((j) => {
      const other = bits.subarray(j * m.dims, (j + 1) * m.dims);
      return other.every((w, d) => w === row[d]);
    });
    if (!seen) {
      bucket.push(i);
      buckets.set(h, bucket);
      distinct++;
    }
  }
  return distinct;
}

/** Index of the nearest centre of every row (the first on a tie). */
function nearestCentres(m: Matrix, centres: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  const { dims } = m;
  for (let i = 0; i < m.rows; i++) {
    let best = Infinity;
    for (let j = 0; j < centres.rows; j++) {
      let s = 0;
      for (let d = 0; d < dims; d++) {
        const diff = m.data[i * dims + d]! - centres.data[j * dims + d]!;
        s += diff * diff;
      }
      if (s < best) {
        best = s;
        out[i] = j;
      }
    }
  }
  return out;
}

/**
 * The sign-flip p-value of every centre's statistic on the held-out changes (see the file
 * comment); null for a centre at the origin, which has no direction to test. With a sign s,
 * |s d - c|^2 = |d|^2 - 2 s d.c + |c|^2, so one table of d.c serves every permutation.
 */
function heldOutSignFlipTest(
  changes: Matrix,
  heldOut: Int32Array,
  centres: Matrix,
  nPermutations: number,
  rng: Rng,
): (number | null)[] {
  const k = centres.rows;
  const h = heldOut.length;
  const { dims } = changes;
  const dots = new Float64Array(h * k);
  const squared = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (let d = 0; d < dims; d++) squared[j] = squared[j]! + centres.data[j * dims + d]! ** 2;
    heldOut.forEach((row, i) => {
      let s = 0;
      for (let d = 0; d < dims; d++)
        s += changes.data[row * dims + d]! * centres.data[j * dims + d]!;
      dots[i * k + j] = s;
    });
  }
  const length = squared.map(Math.sqrt);
  const signs = new Int8Array(h).fill(1);
  const statistics = (out: Float64Array): Float64Array => {
    out.fill(0);
    for (let i = 0; i < h; i++) {
      const s = signs[i]!;
      let best = 0;
      let bestDistance = Infinity;
      for (let j = 0; j < k; j++) {
        const distance = squared[j]! - 2 * s * dots[i * k + j]!;
        if (distance < bestDistance) {
          bestDistance = distance;
          best = j;
        }
      }
      if (length[best]! > 0) out[best] = out[best]! + (s * dots[i * k + best]!) / length[best]!;
    }
    return out;
  };
  const observed = statistics(new Float64Array(k));
  // Ties count as exceedances (relative tolerance as in permutation.ts), so p is never too small.
  const threshold = observed.map((o) => o - 1e-9 * Math.max(1, Math.abs(o)));
  const exceed = new Int32Array(k);
  const current = new Float64Array(k);
  for (let b = 0; b < nPermutations; b++) {
    for (let i = 0; i < h; i++) signs[i] = rng.nextUint32() & 1 ? 1 : -1;
    statistics(current);
    for (let j = 0; j < k; j++) if (current[j]! >= threshold[j]!) exceed[j]!++;
  }
  return Array.from(exceed, (e, j) => (length[j]! > 0 ? (1 + e) / (1 + nPermutations) : null));
}
