/**
 * What a cluster of changes (change-clusters.ts) is about, in evidence a reader can check:
 * - terms: per prompt, the share of B's answers containing a term minus the share of A's
 *   (with one answer a side: +1 when only B's has it, -1 when only A's); over the cluster's
 *   prompts, how often B gains it and loses it. Listed by the net count (gained - lost), when
 *   that is at least 2 prompts and 10% of the cluster and the term moves one way (MAX_REVERSE).
 *   Terms come from the keyword tokenizer (stop words removed); a unigram is left out when a
 *   listed bigram holding it is added (or dropped) nearly as often, so "feel free" does not
 *   also list "feel" and "free".
 * - detectors: per prompt, B's mean minus A's mean of each feature's primary measure (presence
 *   per answer, rate per 100 words, or words), averaged over the cluster: the change in the share
 *   of answers showing it, or in the mean rate. Ranked by that change relative to the spread of
 *   the feature's per-prompt changes over all paired prompts, since shares (within +-1), rates
 *   and words are on different scales; the delta itself is reported as is.
 * - examples: the prompts whose change is nearest the cluster's centre, each side's first answer
 *   as an excerpt that starts where the two answers part (an appended closing is otherwise
 *   invisible in an opening excerpt).
 */
import { terms } from '../text/tokenize';
import type { Matrix } from '../vectors/matrix';
import type { ChangeClustersInput, ChangeClustersOptions } from './change-clusters';
import type { PromptSides } from './design';
import { OPENING_CHARS, openingLine } from './length-adjusted-divergence';
import type { ChangeCluster, ChangeDetectorDelta } from './result-types';

/** A term must be added (or dropped) on at least this share of the cluster's prompts... */
const MIN_TERM_SHARE = 0.1;
/** ...and on at least this many prompts. */
const MIN_TERM_PROMPTS = 2;
/**
 * A term is listed only when it moves one way: B loses it on at most this share as many prompts
 * as it gains it (or the reverse). Longer answers contain more words, so a B that writes 1.6x
 * more gains common words on many prompts and loses them on many others ("one": gained on 162
 * Mistral/Snorkel prompts, lost on 87); a term B really adds is seldom lost ("ensuring": 123, 8).
 */
const MAX_REVERSE = 0.25;
/** A unigram is hidden by a qualifying bigram holding it that moves at least this share as often. */
const BIGRAM_COVERS = 0.8;
/** A detector is listed when its cluster change is at least this many of its per-prompt spreads. */
const MIN_DETECTOR_SCORE = 0.25;

/** What every cluster's description reads: computed once per changeClusters call. */
export interface ChangeDescriptionContext {
  input: ChangeClustersInput;
  sides: readonly PromptSides[];
  /** The per-prompt change vectors (rows in the order of `sides`). */
  changes: Matrix;
  centres: Matrix;
  /** Each feature's per-prompt changes (featureChangeTable). */
  featureChanges: readonly FeatureChanges[];
  options: ChangeClustersOptions;
}

/** The description of cluster `centre` (everything but id and test) for its member prompts. */
export function describeChangeCluster(
  context: ChangeDescriptionContext,
  centre: number,
  members: readonly number[],
): Omit<ChangeCluster, 'id' | 'pValue' | 'qValue'> {
  const { input, sides, changes, centres, options } = context;
  const memberSides = members.map((i) => sides[i]!);
  const distance = (row: number) => distanceTo(changes, row, centres, centre);
  const byDistance = [...members].sort((x, y) => distance(x) - distance(y) || x - y);
  return {
    n: members.length,
    promptIds: memberSides.map((s) => input.promptIds[s.prompt]!),
    terms: changedTerms(input.texts, memberSides, options.topTerms ?? 8),
    detectors: detectorDeltas(context.featureChanges, members, options.topDetectors ?? 4),
    examples: byDistance.slice(0, options.examples ?? 3).map((i) => {
      const { prompt, a, b } = sides[i]!;
      const excerpt = differingExcerpts(input.texts[a[0]!]!, input.texts[b[0]!]!);
      return { promptId: input.promptIds[prompt]!, ...excerpt };
    }),
  };
}

function distanceTo(changes: Matrix, row: number, centres: Matrix, centre: number): number {
  let s = 0;
  for (let d = 0; d < changes.dims; d++) {
    s += (changes.data[row * changes.dims + d]! - centres.data[centre * centres.dims + d]!) ** 2;
  }
  return s;
}

/** How often B gains and loses a term over some prompts (in prompts; fractions with samples). */
export interface TermMoves {
  /** Sum over prompts of max(0, share of B's answers containing it - share of A's). */
  gained: number;
  /** Sum over prompts of max(0, share of A's answers containing it - share of B's). */
  lost: number;
}

/** The prompts on which B gains and loses each term, over `prompts`. */
export function termMoves(
  texts: readonly string[],
  prompts: readonly PromptSides[],
): Map<string, TermMoves> {
  const moves = new Map<string, TermMoves>();
  const shares = (answers: readonly number[], sign: number, into: Map<string, number>) => {
    for (const i of answers) {
      for (const t of new Set(terms(texts[i]!))) {
        into.set(t, (into.get(t) ?? 0) + sign / answers.length);
      }
    }
  };
  const difference = new Map<string, number>();
  for (const { a, b } of prompts) {
    difference.clear();
    shares(b, 1, difference);
    shares(a, -1, difference);
    for (const [t, d] of difference) {
      // A tolerance: shares of several samples cancel to values like 1e-17, not 0.
      if (Math.abs(d) < 1e-9) continue;
      const m = moves.get(t) ?? { gained: 0, lost: 0 };
      if (d > 0) m.gained += d;
      else m.lost -= d;
      moves.set(t, m);
    }
  }
  return moves;
}

/** The terms B adds and drops most often over `prompts` (see the file comment). */
export function changedTerms(
  texts: readonly string[],
  prompts: readonly PromptSides[],
  top: number,
): ChangeCluster['terms'] {
  const moves = termMoves(texts, prompts);
  const least = Math.max(MIN_TERM_PROMPTS, Math.ceil(MIN_TERM_SHARE * prompts.length)) - 1e-9;
  const pick = (sign: number): string[] => {
    const ranked: [string, number][] = [];
    for (const [term, { gained, lost }] of moves) {
      const [way, back] = sign > 0 ? [gained, lost] : [lost, gained];
      if (way - back >= least && back <= MAX_REVERSE * way) ranked.push([term, way - back]);
    }
    ranked.sort(
      ([s, v], [t, w]) => w - v || t.split(' ').length - s.split(' ').length || (s < t ? -1 : 1),
    );
    // A unigram nearly always moves at least as often as a bigram holding it, so it ranks first:
    // the cover is checked against every qualifying bigram, not only those already listed.
    const bestBigram = new Map<string, number>();
    for (const [term, w] of ranked) {
      if (!term.includes(' ')) continue;
      for (const word of term.split(' ')) {
        bestBigram.set(word, Math.max(bestBigram.get(word) ?? 0, w));
      }
    }
    return ranked
      .filter(
        ([term, v]) => term.includes(' ') || !((bestBigram.get(term) ?? 0) >= BIGRAM_COVERS * v),
      )
      .slice(0, top)
      .map(([t]) => t);
  };
  return { added: pick(1), removed: pick(-1) };
}

/** One feature's per-prompt changes and their spread over all paired prompts. */
export interface FeatureChanges {
  name: string;
  /** B's mean - A's mean of the feature's primary measure, per paired prompt. */
  changes: Float64Array;
  /** Standard deviation of `changes` (0 when the feature never moves differently). */
  spread: number;
}

/** Per-prompt change (B's mean - A's mean) of every feature's primary measure. */
export function featureChangeTable(
  input: ChangeClustersInput,
  sides: readonly PromptSides[],
): FeatureChanges[] {
  const words = input.wordCounts;
  return input.features.map(({ name, values, measure }) => {
    const measured = (i: number): number => {
      const v = values[i]!;
      if (measure === 'presence') return v > 0 ? 1 : 0;
      if (measure === 'rate') return words[i]! > 0 ? (100 * v) / words[i]! : 0;
      return v;
    };
    const mean = (answers: readonly number[]) =>
      answers.reduce((s, i) => s + measured(i), 0) / answers.length;
    const changes = Float64Array.from(sides, ({ a, b }) => mean(b) - mean(a));
    const all = changes.reduce((s, v) => s + v, 0) / changes.length;
    const spread = Math.sqrt(changes.reduce((s, v) => s + (v - all) ** 2, 0) / changes.length);
    return { name, changes, spread };
  });
}

/**
 * The features that move most over `members` (indices into the table's prompts), with sign,
 * ranked by |delta| / spread (see the file comment), at most `top`.
 */
export function detectorDeltas(
  table: readonly FeatureChanges[],
  members: readonly number[],
  top: number,
): ChangeDetectorDelta[] {
  const scored: { name: string; delta: number; score: number }[] = [];
  for (const { name, changes, spread } of table) {
    if (!(spread > 0)) continue;
    const delta = members.reduce((s, i) => s + changes[i]!, 0) / members.length;
    const score = Math.abs(delta) / spread;
    if (delta !== 0 && score >= MIN_DETECTOR_SCORE) scored.push({ name, delta, score });
  }
  return scored
    .sort((x, y) => y.score - x.score || (x.name < y.name ? -1 : 1))
    .slice(0, top)
    .map(({ name, delta }) => ({ name, delta }));
}

/** Characters of common text shown before the point where two answers part. */
const LEAD_IN = 40;

/**
 * Excerpts of two answers (whitespace collapsed, about OPENING_CHARS long): their openings, or,
 * when they share a long opening, both from shortly before the point where they part, marked
 * with a leading "…".
 */
export function differingExcerpts(a: string, b: string): { a: string; b: string } {
  const flatA = Array.from(a.replace(/\s+/g, ' ').trim());
  const flatB = Array.from(b.replace(/\s+/g, ' ').trim());
  let common = 0;
  while (common < flatA.length && common < flatB.length && flatA[common] === flatB[common]) {
    common++;
  }
  const same = common === flatA.length && common === flatB.length;
  if (same || common <= OPENING_CHARS / 2) {
    return { a: openingLine(a), b: openingLine(b) };
  }
  // Start at a word boundary a little before the parting point, so the excerpt reads.
  let start = common - LEAD_IN;
  while (start > 0 && flatA[start - 1] !== ' ') start--;
  const cut = (chars: string[]) => `…${openingLine(chars.slice(start).join(''))}`;
  return { a: cut(flatA), b: cut(flatB) };
}
