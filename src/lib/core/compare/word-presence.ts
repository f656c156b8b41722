/**
 * Words and bigrams that B's answers contain more often than A's, tested by presence per answer
 * and paired by prompt, so a side that writes 2-3x more does not "use" every word more, and one
 * answer repeating a word 1,000 times counts once.
 *
 * Each term (from the tokeniser in core/text, stop words removed) found in at least `minAnswers`
 * answers is tested on the prompts both sides answered:
 * - one answer per side per prompt: the within-prompt permutation of presence is the exact
 *   McNemar test on the discordant prompts (only A's answer has it vs only B's), computed exactly;
 * - several samples per prompt: the within-prompt label permutation (the cluster test's
 *   machinery) of |share of B's answers containing it - share of A's|, two-sided.
 * Benjamini-Hochberg across every term tested. `z` is the signed normal score of the p-value,
 * Φ^{-1}(1 - p/2), positive when B's answers contain it more often. Terms are ranked by q, then
 * by the difference in the number of answers containing them.
 */
import { terms } from '../text/tokenize';
import type { PairedDesign } from './design';
import { bhQValues } from './fdr';
import { exactMcNemarP, signedNormalScore } from './mcnemar';
import { DEFAULT_PERMUTATIONS, permutationTest, type PermutationStatistic } from './permutation';
import type { WordResult, WordsResult } from './result-types';

/** Terms found in fewer answers than this (both sides together) are not tested. */
export const MIN_TERM_ANSWERS = 5;

/** Settings of the presence test. */
export interface WordPresenceOptions {
  /** Fewest answers (A and B together) a term must occur in to be tested (default 5). */
  minAnswers?: number;
  /** Terms listed per direction (default 20). */
  topK?: number;
  /** Permutations when some prompt has several samples (default 999). */
  nPermutations?: number;
  /** Seed of the permutation stream (default 1). */
  seed?: number;
}

/** The tested vocabulary and, per answer, the ids of the tested terms it contains. */
export interface PresenceTable {
  vocabulary: string[];
  /** Terms of answer i are termIds[start[i] .. start[i + 1]). */
  start: Int32Array;
  termIds: Int32Array;
}

function presenceTable(texts: readonly string[], minAnswers: number): PresenceTable {
  const sets = texts.map((t) => new Set(terms(t, { ngrams: 'both' })));
  const answersWith = new Map<string, number>();
  for (const set of sets)
    for (const term of set) answersWith.set(term, (answersWith.get(term) ?? 0) + 1);
  const vocabulary = [...answersWith]
    .filter(([, c]) => c >= minAnswers)
    .map(([term]) => term)
    .sort();
  const id = new Map(vocabulary.map((term, i) => [term, i]));
  const start = new Int32Array(texts.length + 1);
  const ids: number[] = [];
  sets.forEach((set, i) => {
    for (const term of set) {
      const t = id.get(term);
      if (t !== undefined) ids.push(t);
    }
    start[i + 1] = ids.length;
  });
  return { vocabulary, start, termIds: Int32Array.from(ids) };
}

/** Whether each answer belongs to a prompt that both sides answered (the only ones tested). */
function pairedAnswers(design: PairedDesign): { inTest: Uint8Array; oneToOne: boolean } {
  const inTest = new Uint8Array(design.n);
  let oneToOne = true;
  for (let p = 0; p < design.nPrompts; p++) {
    const from = design.groupStart[p]!;
    const size = design.groupStart[p + 1]! - from;
    const b = design.bCount[p]!;
    if (b === 0 || b === size) continue;
    if (size !== 2) oneToOne = false;
    for (let m = from; m < from + size; m++) inTest[design.members[m]!] = 1;
  }
  return { inTest, oneToOne };
}

/**
 * |share of B's answers containing each term - share of A's|, over the answers of paired
 * prompts, updated incrementally as answers change side.
 */
class PresenceShareDifference implements PermutationStatistic {
  readonly size: number;
  private readonly table: PresenceTable;
  private readonly inTest: Uint8Array;
  private readonly total: Float64Array;
  private readonly withB: Float64Array;
  private readonly nA: number;
  private readonly nB: number;

  constructor(table: PresenceTable, inTest: Uint8Array, isB: Uint8Array) {
    this.table = table;
    this.inTest = inTest;
    this.size = table.vocabulary.length;
    this.total = new Float64Array(this.size);
    this.withB = new Float64Array(this.size);
    let nB = 0;
    let n = 0;
    for (let i = 0; i < inTest.length; i++) {
      if (!inTest[i]) continue;
      n++;
      nB += isB[i]!;
      for (let k = table.start[i]!; k < table.start[i + 1]!; k++) this.total[table.termIds[k]!]!++;
    }
    this.nA = n - nB;
    this.nB = nB;
  }

  /** B's share minus A's share of each term under labelling `isB` (signed). */
  signedDifferences(isB: Uint8Array): Float64Array {
    const out = new Float64Array(this.size);
    this.evaluate(isB, out);
    for (let t = 0; t < this.size; t++) {
      out[t] = this.withB[t]! / this.nB - (this.total[t]! - this.withB[t]!) / this.nA;
    }
    return out;
  }

  evaluate(isB: Uint8Array, out: Float64Array): void {
    this.withB.fill(0);
    const { start, termIds } = this.table;
    for (let i = 0; i < isB.length; i++) {
      if (!this.inTest[i] || !isB[i]) continue;
      for (let k = start[i]!; k < start[i + 1]!; k++) this.withB[termIds[k]!]!++;
    }
    this.write(out);
  }

  update(isB: Uint8Array, flips: Int32Array, nFlips: number, out: Float64Array): void {
    const { start, termIds } = this.table;
    for (let f = 0; f < nFlips; f++) {
      const i = flips[f]!;
      const step = isB[i] ? 1 : -1;
      for (let k = start[i]!; k < start[i + 1]!; k++) this.withB[termIds[k]!]! += step;
    }
    this.write(out);
  }

  private write(out: Float64Array): void {
    for (let t = 0; t < this.size; t++) {
      const b = this.withB[t]!;
      out[t] = Math.abs(b / this.nB - (this.total[t]! - b) / this.nA);
    }
  }
}

/**
 * Two-sided p-value and sign (B minus A) of each term's paired presence test; also used for the
 * behaviour detectors (feature-measures.ts), whose "terms" are detectors.
 */
export function presenceTests(
  design: PairedDesign,
  table: PresenceTable,
  options: WordPresenceOptions,
): { pValues: Float64Array; signs: Float64Array; test: 'mcnemar-exact' | 'permutation' } {
  const size = table.vocabulary.length;
  const { inTest, oneToOne } = pairedAnswers(design);
  const { start, termIds } = table;
  if (oneToOne) {
    const aOnly = new Int32Array(size);
    const bOnly = new Int32Array(size);
    const inA = new Uint8Array(size);
    for (let p = 0; p < design.nPrompts; p++) {
      const from = design.groupStart[p]!;
      if (design.groupStart[p + 1]! - from !== 2 || design.bCount[p] !== 1) continue;
      const [x, y] = [design.members[from]!, design.members[from + 1]!];
      const [a, b] = design.isB[x] ? [y, x] : [x, y];
      for (let k = start[a]!; k < start[a + 1]!; k++) inA[termIds[k]!] = 1;
      for (let k = start[b]!; k < start[b + 1]!; k++) {
        const t = termIds[k]!;
        if (inA[t]) inA[t] = 0;
        else bOnly[t]!++;
      }
      for (let k = start[a]!; k < start[a + 1]!; k++) {
        const t = termIds[k]!;
        if (inA[t]) aOnly[t]!++;
        inA[t] = 0;
      }
    }
    const pValues = new Float64Array(size);
    const signs = new Float64Array(size);
    for (let t = 0; t < size; t++) {
      pValues[t] = exactMcNemarP(aOnly[t]!, bOnly[t]!);
      signs[t] = Math.sign(bOnly[t]! - aOnly[t]!);
    }
    return { pValues, signs, test: 'mcnemar-exact' };
  }
  const statistic = new PresenceShareDifference(table, inTest, design.isB);
  const signs = statistic.signedDifferences(design.isB).map((d) => Math.sign(d));
  const { pValues } = permutationTest(design, statistic, {
    nPermutations: options.nPermutations ?? DEFAULT_PERMUTATIONS,
    seed: options.seed ?? 1,
  });
  return { pValues, signs, test: 'permutation' };
}

/** One tested term's evidence: its answers per side, p-value, signed z (+: B more) and BH q. */
export interface TermScore {
  z: number;
  countA: number;
  countB: number;
  pValue: number;
  qValue: number;
}

/**
 * Tests every term of `table` (presenceTests) and scores it, in vocabulary order, with
 * Benjamini-Hochberg q-values across the table: the one family of the words, the openings or
 * the closings.
 */
export function scoreTerms(
  design: PairedDesign,
  table: PresenceTable,
  options: WordPresenceOptions,
): { scores: TermScore[]; test: 'mcnemar-exact' | 'permutation' } {
  const size = table.vocabulary.length;
  const countA = new Int32Array(size);
  const countB = new Int32Array(size);
  for (let i = 0; i < design.n; i++) {
    const counts = design.isB[i] ? countB : countA;
    for (let k = table.start[i]!; k < table.start[i + 1]!; k++) counts[table.termIds[k]!]!++;
  }
  const { pValues, signs, test } = presenceTests(design, table, options);
  const qValues = bhQValues(pValues);
  const scores = table.vocabulary.map((_, t) => ({
    z: signedNormalScore(pValues[t]!, signs[t]!),
    countA: countA[t]!,
    countB: countB[t]!,
    pValue: pValues[t]!,
    qValue: qValues[t]!,
  }));
  return { scores, test };
}

/**
 * Tests every term found in at least `minAnswers` answers for a paired difference in presence.
 * `texts` are indexed like the design's answers.
 * Throws when the number of texts does not match the design.
 */
export function wordPresence(
  design: PairedDesign,
  texts: readonly string[],
  options: WordPresenceOptions = {},
): WordsResult {
  if (texts.length !== design.n) {
    throw new Error(`wordPresence: ${texts.length} texts for ${design.n} answers`);
  }
  const minAnswers = options.minAnswers ?? MIN_TERM_ANSWERS;
  const table = presenceTable(texts, minAnswers);
  const size = table.vocabulary.length;
  const { scores, test } = scoreTerms(design, table, options);
  const scored: WordResult[] = scores.map((score, t) => ({ term: table.vocabulary[t]!, ...score }));
  const rank = (x: WordResult, y: WordResult) =>
    x.qValue! - y.qValue! ||
    Math.abs(y.countB - y.countA) - Math.abs(x.countB - x.countA) ||
    (x.term < y.term ? -1 : 1);
  const topK = options.topK ?? 20;
  return {
    test,
    tested: size,
    minAnswers,
    moreInA: scored
      .filter((w) => w.z < 0)
      .sort(rank)
      .slice(0, topK),
    moreInB: scored
      .filter((w) => w.z > 0)
      .sort(rank)
      .slice(0, topK),
  };
}
