/**
 * Openings and closings: how answers begin and end ("certainly here are", "i hope this"),
 * tested like the words, by whether an answer opens (or closes) with a phrase, paired by prompt.
 *
 * An answer's opening is its first three words and its closing its last three, as the shared
 * tokeniser reads them (`words` in core/text/tokenize): lower-cased, letters and digits only,
 * inner apostrophes kept ("i'm"), everything else dropped. So punctuation and Markdown markup
 * never count: "Certainly! Here are" and "**Certainly**, here are" both open with "certainly
 * here are", "# Title\n\nText" opens with "title text"; a list number is a word ("1. Preheat the"
 * opens with "1 preheat the"). Fenced code counts like prose: an answer that ends inside a code
 * block closes with its code's last words. An answer of one or two words opens and closes with
 * all of it ("yes"); an answer without a word (empty, only punctuation or emoji) has neither
 * and counts as opening with no phrase.
 *
 * Each phrase found in at least `minAnswers` answers (both sides together) is tested by
 * `presenceTests` (exact McNemar with one answer per side per prompt, the within-prompt label
 * permutation otherwise), with Benjamini-Hochberg across the openings and, separately, across
 * the closings. `z` is the signed normal score of the p-value (positive: more of B's answers).
 */
import { words } from '../text/tokenize';
import type { PairedDesign } from './design';
import type { PhraseResult, PhrasesResult } from './result-types';
import { MIN_TERM_ANSWERS, scoreTerms, type PresenceTable } from './word-presence';

/** Words in an opening or a closing. */
const PHRASE_WORDS = 3;

/** Settings of the openings and closings tests (the same as the words'). */
export interface PhraseOptions {
  /** Seed of the permutation stream, used when some prompt has several samples (default 1). */
  seed?: number;
  /** Permutations when some prompt has several samples (default 999). */
  nPermutations?: number;
  /** Phrases listed per direction (default 20). */
  topK?: number;
  /** Fewest answers (A and B together) a phrase must open or close to be tested (default 5). */
  minAnswers?: number;
}

/** The opening and the closing of one answer (null when it has no word). */
export function answerPhrases(text: string): { opening: string | null; closing: string | null } {
  const w = words(text);
  if (w.length === 0) return { opening: null, closing: null };
  return {
    opening: w.slice(0, PHRASE_WORDS).join(' '),
    closing: w.slice(-PHRASE_WORDS).join(' '),
  };
}

/** A presence table with at most one "term" per answer: its phrase, if frequent enough. */
function phraseTable(phrases: readonly (string | null)[], minAnswers: number): PresenceTable {
  const answersWith = new Map<string, number>();
  for (const p of phrases) if (p !== null) answersWith.set(p, (answersWith.get(p) ?? 0) + 1);
  const vocabulary = [...answersWith]
    .filter(([, c]) => c >= minAnswers)
    .map(([p]) => p)
    .sort();
  const id = new Map(vocabulary.map((p, i) => [p, i]));
  const start = new Int32Array(phrases.length + 1);
  const ids: number[] = [];
  phrases.forEach((p, i) => {
    const t = p === null ? undefined : id.get(p);
    if (t !== undefined) ids.push(t);
    start[i + 1] = ids.length;
  });
  return { vocabulary, start, termIds: Int32Array.from(ids) };
}

/** Whether some prompt was answered by both sides (otherwise nothing can be paired). */
function hasPairedPrompt(design: PairedDesign): boolean {
  for (let p = 0; p < design.nPrompts; p++) {
    const size = design.groupStart[p + 1]! - design.groupStart[p]!;
    if (design.bCount[p]! > 0 && design.bCount[p]! < size) return true;
  }
  return false;
}

/** Tests one family (openings or closings) and ranks it by q, then by the difference in answers. */
function testPhrases(
  design: PairedDesign,
  phrases: readonly (string | null)[],
  options: PhraseOptions,
): PhrasesResult {
  const table = phraseTable(phrases, options.minAnswers ?? MIN_TERM_ANSWERS);
  const size = table.vocabulary.length;
  const { scores, test } = scoreTerms(design, table, options);
  const scored: PhraseResult[] = scores.map((score, t) => ({
    text: table.vocabulary[t]!,
    ...score,
  }));
  const rank = (x: PhraseResult, y: PhraseResult) =>
    x.qValue - y.qValue ||
    Math.abs(y.countB - y.countA) - Math.abs(x.countB - x.countA) ||
    (x.text < y.text ? -1 : 1);
  const topK = options.topK ?? 20;
  const side = (keep: (z: number) => boolean) =>
    scored
      .filter((p) => keep(p.z))
      .sort(rank)
      .slice(0, topK);
  return { test, tested: size, moreInA: side((z) => z < 0), moreInB: side((z) => z > 0) };
}

/**
 * Tests which openings and which closings B's answers use more or less often than A's.
 * `texts` are indexed like the design's answers. Both families are null when no prompt was
 * answered by both sides (nothing to pair); otherwise a family with no phrase in `minAnswers`
 * answers has `tested: 0` and empty lists.
 * Throws when the number of texts does not match the design.
 */
export function openingsAndClosings(
  design: PairedDesign,
  texts: readonly string[],
  options: PhraseOptions = {},
): { openings: PhrasesResult | null; closings: PhrasesResult | null } {
  if (texts.length !== design.n) {
    throw new Error(`openingsAndClosings: ${texts.length} texts for ${design.n} answers`);
  }
  if (!hasPairedPrompt(design)) return { openings: null, closings: null };
  const phrases = texts.map(answerPhrases);
  return {
    openings: testPhrases(
      design,
      phrases.map((p) => p.opening),
      options,
    ),
    closings: testPhrases(
      design,
      phrases.map((p) => p.closing),
      options,
    ),
  };
}
