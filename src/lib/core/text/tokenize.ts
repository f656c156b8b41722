/**
 * A small, predictable English tokenizer for keyword statistics: Unicode-normalised, lowercase
 * runs of letters and digits, inner apostrophes kept ("don't", "i'm"), curly quotes straightened.
 * Bigrams never cross sentence punctuation or line breaks, so "... end. The ..." is not a bigram.
 */
import { isStopWord } from './stop-words';

const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
// Sentence ends, line breaks, brackets and quotes end a bigram window; apostrophes do not.
// Stryker disable next-line Regex: without the +, a run of marks gives empty segments, which segmentWords drops
const BREAK = /[.!?;:\n\r()[\]{}"“”«»|•]+/u;
/** Longer "words" are URLs, hashes or base64, not vocabulary. */
const MAX_WORD_LENGTH = 40;
const NUMERIC = /^[\p{N}']+$/u;

/** Normalises text the way every tokenizer here sees it. */
export function normalizeText(text: string): string {
  return (
    text
      // NFKC turns ´ into a space and a combining accent ("it´s" -> "it ́s"), so it goes first.
      .replace(/´/g, "'")
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[’‘`]/g, "'")
  );
}

/** Lowercase word tokens of `text`, in order. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of normalizeText(text).matchAll(WORD)) {
    if (m[0].length <= MAX_WORD_LENGTH) out.push(m[0]);
  }
  return out;
}

/** Word tokens grouped by sentence-like segment (for n-grams that respect punctuation). */
export function segmentWords(text: string): string[][] {
  return normalizeText(text)
    .split(BREAK)
    .map((seg) =>
      Array.from(seg.matchAll(WORD), (m) => m[0]).filter((w) => w.length <= MAX_WORD_LENGTH),
    )
    .filter((ws) => ws.length > 0);
}

/** Which terms `terms` produces. */
export interface TermOptions {
  /** Unigrams, bigrams or both (default 'both'). */
  ngrams?: 'unigrams' | 'bigrams' | 'both';
  /** Drop stop words (default true); a bigram is kept only if neither word is one. */
  removeStopWords?: boolean;
}

/** Whether a word can be a keyword: not a number, at least two characters, not a stop word. */
function isKeyword(word: string, removeStopWords: boolean): boolean {
  return word.length >= 2 && !NUMERIC.test(word) && !(removeStopWords && isStopWord(word));
}

/** Keyword terms of `text`, segment by segment: its unigrams, then its bigrams ("w1 w2"). */
export function terms(text: string, options: TermOptions = {}): string[] {
  // Stryker disable next-line StringLiteral: an unknown mode ('') is neither 'unigrams' nor 'bigrams', i.e. both
  const ngrams = options.ngrams ?? 'both';
  const removeStop = options.removeStopWords ?? true;
  const out: string[] = [];
  for (const seg of segmentWords(text)) {
    const keep = seg.map((w) => isKeyword(w, removeStop));
    if (ngrams !== 'bigrams') seg.forEach((w, i) => keep[i] && out.push(w));
    if (ngrams !== 'unigrams') {
      // Stryker disable next-line EqualityOperator,ArithmeticOperator: past the last pair keep[i + 1] is undefined, so nothing more is pushed
      for (let i = 0; i + 1 < seg.length; i++) {
        if (keep[i] && keep[i + 1]) out.push(`${seg[i]} ${seg[i + 1]}`);
      }
    }
  }
  return out;
}

/** Counts of each distinct string. */
export function countTerms(
  tokens: Iterable<string>,
  into = new Map<string, number>(),
): Map<string, number> {
  for (const t of tokens) into.set(t, (into.get(t) ?? 0) + 1);
  return into;
}
