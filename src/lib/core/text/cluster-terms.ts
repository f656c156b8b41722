/**
 * Cluster terms by document frequency: each answer counts a term at most once, so one answer
 * that repeats a made-up word 1,000 times weighs as much as one that says it once.
 *
 * Terms: c-TF-IDF (ctfidf.ts) over the number of answers containing each term instead of its
 * token count, keeping only terms found in at least max(MIN_TERM_ANSWERS, 5% of the cluster)
 * of the cluster's answers.
 *
 * Contrast terms: inside one cluster, the terms whose share of answers differs most between
 * the sides; a term separates B from A when it is in at least MIN_TERM_ANSWERS of B's answers
 * in the cluster and its share among them exceeds its share among A's by at least
 * MIN_CONTRAST_DIFFERENCE (and the other way round). A ranking by the difference in answers
 * containing the term, not a test; clusters with answers from one side only have none.
 */
import { ctfidfFromCounts } from './ctfidf';
import { terms as tokenTerms } from './tokenize';

/** Fewest answers of a cluster a term must occur in (also per side for contrast terms). */
export const MIN_TERM_ANSWERS = 3;
/** Share of a cluster's answers a term must occur in, when larger than MIN_TERM_ANSWERS. */
const MIN_TERM_SHARE = 0.05;
/** Smallest difference in share of answers (B's minus A's, or A's minus B's) of a contrast term. */
export const MIN_CONTRAST_DIFFERENCE = 0.1;

/** Terms of one cluster. */
export interface ClusterTerms {
  /** Most characteristic terms, best first. */
  terms: string[];
  /** Terms in more of A's (a) or B's (b) answers of the cluster, largest difference first. */
  contrastTerms: { a: string[]; b: string[] };
}

/** Settings of clusterTerms. */
export interface ClusterTermsOptions {
  /** Terms per cluster (default 10). */
  topK?: number;
  /** Contrast terms per side (default 5). */
  contrastK?: number;
}

/** Fewest answers a term must occur in to describe a cluster of `size` answers. */
export function minTermAnswers(size: number): number {
  return Math.max(MIN_TERM_ANSWERS, Math.ceil(MIN_TERM_SHARE * size));
}

/**
 * Terms and contrast terms of each class, from texts, each text's class (0..nClasses-1; other
 * values, e.g. -1 for noise, are left out) and side (`isB[i]` = 1 for B).
 */
export function clusterTerms(
  texts: readonly string[],
  classOf: ArrayLike<number>,
  isB: ArrayLike<number>,
  nClasses: number,
  options: ClusterTermsOptions = {},
): ClusterTerms[] {
  if (classOf.length !== texts.length || isB.length !== texts.length) {
    throw new Error(
      `clusterTerms: ${texts.length} texts, ${classOf.length} class labels, ${isB.length} sides`,
    );
  }
  const topK = options.topK ?? 10;
  const contrastK = options.contrastK ?? 5;
  const df = Array.from({ length: nClasses }, () => new Map<string, number>());
  const dfB = Array.from({ length: nClasses }, () => new Map<string, number>());
  const size = new Int32Array(nClasses);
  const sizeB = new Int32Array(nClasses);
  texts.forEach((text, i) => {
    const c = classOf[i]!;
    if (!(c >= 0 && c < nClasses)) return;
    const b = isB[i] === 1;
    size[c]!++;
    if (b) sizeB[c]!++;
    for (const t of new Set(tokenTerms(text, { ngrams: 'unigrams', removeStopWords: true }))) {
      df[c]!.set(t, (df[c]!.get(t) ?? 0) + 1);
      if (b) dfB[c]!.set(t, (dfB[c]!.get(t) ?? 0) + 1);
    }
  });
  const scored = ctfidfFromCounts(df, Infinity);
  return scored.map((ranked, c) => {
    const minDf = minTermAnswers(size[c]!);
    const top = ranked.filter((s) => df[c]!.get(s.term)! >= minDf).slice(0, topK);
    return {
      terms: top.map((s) => s.term),
      contrastTerms: contrast(df[c]!, dfB[c]!, size[c]! - sizeB[c]!, sizeB[c]!, contrastK),
    };
  });
}

function contrast(
  df: ReadonlyMap<string, number>,
  dfB: ReadonlyMap<string, number>,
  nA: number,
  nB: number,
  k: number,
): { a: string[]; b: string[] } {
  if (nA === 0 || nB === 0) return { a: [], b: [] };
  const a: { term: string; diff: number; lead: number }[] = [];
  const b: { term: string; diff: number; lead: number }[] = [];
  for (const [term, total] of df) {
    const inB = dfB.get(term) ?? 0;
    const inA = total - inB;
    const diff = inB / nB - inA / nA;
    if (inB >= MIN_TERM_ANSWERS && diff >= MIN_CONTRAST_DIFFERENCE)
      b.push({ term, diff, lead: inB });
    if (inA >= MIN_TERM_ANSWERS && -diff >= MIN_CONTRAST_DIFFERENCE)
      a.push({ term, diff: -diff, lead: inA });
  }
  const order = (x: { term: string; diff: number; lead: number }, y: typeof x): number =>
    y.diff - x.diff || y.lead - x.lead || (x.term < y.term ? -1 : 1);
  return {
    a: a
      .sort(order)
      .slice(0, k)
      .map((t) => t.term),
    b: b
      .sort(order)
      .slice(0, k)
      .map((t) => t.term),
  };
}
