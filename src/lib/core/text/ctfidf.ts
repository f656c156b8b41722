/**
 * Class-based TF-IDF (BERTopic's ClassTfidfTransformer, default settings): all answers of a
 * cluster form one document; for term t and class c
 *   W_{t,c} = tf_{t,c} * log(1 + A / f_t)
 * where tf_{t,c} is the count of t in c divided by the total count of c (L1-normalised, as in
 * BERTopic), f_t the count of t over all classes, and A the average number of terms per class,
 * truncated to an integer as BERTopic does (int(X.sum(axis=1).mean())).
 */
import { countTerms, terms, type TermOptions } from './tokenize';

/** One scored term. */
export interface ScoredTerm {
  term: string;
  score: number;
}

/** Settings of c-TF-IDF. */
export interface CtfidfOptions extends TermOptions {
  /** Terms returned per class (default 10). */
  topK?: number;
}

/** c-TF-IDF top terms of each class from its term counts (one map per class). */
export function ctfidfFromCounts(
  classCounts: readonly ReadonlyMap<string, number>[],
  topK = 10,
): ScoredTerm[][] {
  const m = classCounts.length;
  const f = new Map<string, number>();
  let total = 0;
  const classTotals = classCounts.map((counts) => {
    let s = 0;
    for (const [t, c] of counts) {
      s += c;
      f.set(t, (f.get(t) ?? 0) + c);
    }
    total += s;
    return s;
  });
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no classes there is nothing to score, so avg is never read
  const avg = m > 0 ? Math.trunc(total / m) : 0;
  return classCounts.map((counts, c) => {
    const size = classTotals[c]!;
    const scored: ScoredTerm[] = [];
    for (const [term, count] of counts) {
      if (count <= 0) continue;
      scored.push({ term, score: (count / size) * Math.log(1 + avg / f.get(term)!) });
    }
    // Stryker disable next-line EqualityOperator: terms of one class are distinct, so < and <= agree
    return scored.sort((x, y) => y.score - x.score || (x.term < y.term ? -1 : 1)).slice(0, topK);
  });
}

/**
 * c-TF-IDF top terms of each class, from texts and each text's class index (0..nClasses-1;
 * texts with another class index, e.g. -1, are ignored).
 */
export function ctfidfTopTerms(
  texts: readonly string[],
  classOf: ArrayLike<number>,
  nClasses: number,
  options: CtfidfOptions = {},
): ScoredTerm[][] {
  if (classOf.length !== texts.length) {
    throw new Error(`ctfidfTopTerms: ${classOf.length} class labels for ${texts.length} texts`);
  }
  const counts = Array.from({ length: nClasses }, () => new Map<string, number>());
  const termOptions: TermOptions = {
    ngrams: options.ngrams ?? 'unigrams',
    // Stryker disable next-line LogicalOperator: `undefined && true` leaves terms() its own default, true
    removeStopWords: options.removeStopWords ?? true,
  };
  texts.forEach((text, i) => {
    const c = classOf[i]!;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: counts[c] outside 0..nClasses-1 is undefined, and countTerms then counts into a fresh map that is dropped
    if (c >= 0 && c < nClasses) countTerms(terms(text, termOptions), counts[c]);
  });
  return ctfidfFromCounts(counts, options.topK ?? 10);
}
