/**
 * Words and bigrams that B uses more than A and vice versa: the log-odds ratio with an
 * informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words", eq. 22), with
 * y_i the count of term i and n the total term count of a side:
 *   delta_i = log((yB_i + a_i) / (nB + a0 - yB_i - a_i)) - log((yA_i + a_i) / (nA + a0 - yA_i - a_i))
 *   var_i  ~= 1 / (yB_i + a_i) + 1 / (yA_i + a_i),   z_i = delta_i / sqrt(var_i)
 * Prior: a_i = priorScale * (yA_i + yB_i), the pooled counts of both sides, so a0 = priorScale *
 * (nA + nB). With the default priorScale = 1 the prior weighs as much as the data (what tidylo
 * does without a background corpus): rare terms are shrunk hard towards "no difference", while
 * frequent terms keep almost their plain log-odds; smaller scales trust rare terms more.
 * Unigrams and bigrams are scored as two separate vocabularies (each with its own n) and merged.
 * z > 0 means "more in B". Answers to one prompt share words, so counts are over-dispersed: read
 * z as a ranking score, not as a calibrated test.
 */
import { countTerms, terms } from './tokenize';

/** Score of one term. */
export interface LogOddsTerm {
  term: string;
  /** Positive: B uses it more; negative: A does. */
  z: number;
  /** Log-odds ratio (B vs A) with the prior. */
  delta: number;
  countA: number;
  countB: number;
}

/** Settings of the log-odds comparison. */
export interface LogOddsOptions {
  /** Prior strength relative to the pooled counts (default 1). */
  priorScale?: number;
  /** Terms seen fewer times than this over both sides are not ranked (default 3). */
  minCount?: number;
  /** Number of terms returned per direction (default 20). */
  topK?: number;
  /** Remove stop words (default true). */
  removeStopWords?: boolean;
  /**
   * Occurrences of a term counted per answer at most (default 3). One degenerate answer that
   * repeats a token hundreds of times would otherwise top the list on its own.
   */
  maxPerAnswer?: number;
}

/** The most distinctive terms of each side, strongest first. */
export interface DistinctiveTerms {
  /** Most negative z first. */
  moreInA: LogOddsTerm[];
  /** Most positive z first. */
  moreInB: LogOddsTerm[];
}

/** Log-odds z-scores of every term of two count tables (one vocabulary). */
export function logOddsFromCounts(
  countsA: ReadonlyMap<string, number>,
  countsB: ReadonlyMap<string, number>,
  options: Pick<LogOddsOptions, 'priorScale' | 'minCount'> = {},
): LogOddsTerm[] {
  const scale = options.priorScale ?? 1;
  const minCount = options.minCount ?? 1;
  if (!(scale > 0)) throw new Error(`logOddsFromCounts: priorScale must be > 0, got ${scale}`);
  let nA = 0;
  let nB = 0;
  for (const c of countsA.values()) nA += c;
  for (const c of countsB.values()) nB += c;
  const a0 = scale * (nA + nB);
  const vocab = new Set([...countsA.keys(), ...countsB.keys()]);
  const out: LogOddsTerm[] = [];
  for (const term of vocab) {
    const yA = countsA.get(term) ?? 0;
    const yB = countsB.get(term) ?? 0;
    if (yA + yB < minCount) continue;
    const a = scale * (yA + yB);
    const delta = Math.log((yB + a) / (nB + a0 - yB - a)) - Math.log((yA + a) / (nA + a0 - yA - a));
    const variance = 1 / (yB + a) + 1 / (yA + a);
    out.push({ term, z: delta / Math.sqrt(variance), delta, countA: yA, countB: yB });
  }
  return out;
}

/** Splits scored terms into the top-k of each direction. */
export function topByDirection(scored: LogOddsTerm[], topK: number): DistinctiveTerms {
  // Ties broken by term so the output does not depend on Map insertion order.
  // Stryker disable next-line EqualityOperator: terms are unique within a scored list, so < and <= agree
  const byTerm = (x: LogOddsTerm, y: LogOddsTerm) => (x.term < y.term ? -1 : 1);
  const moreInB = scored
    .filter((t) => t.z > 0)
    .sort((x, y) => y.z - x.z || byTerm(x, y))
    .slice(0, topK);
  const moreInA = scored
    .filter((t) => t.z < 0)
    .sort((x, y) => x.z - y.z || byTerm(x, y))
    .slice(0, topK);
  return { moreInA, moreInB };
}

/** Distinctive unigrams and bigrams of B's answers versus A's. */
export function distinctiveTerms(
  textsA: readonly string[],
  textsB: readonly string[],
  options: LogOddsOptions = {},
): DistinctiveTerms {
  // Stryker disable next-line LogicalOperator: `undefined && true` leaves terms() its own default, true
  const removeStopWords = options.removeStopWords ?? true;
  const scoreOptions = { priorScale: options.priorScale ?? 1, minCount: options.minCount ?? 3 };
  // Stryker disable next-line ArrayDeclaration: a stray non-term has no z, so topByDirection drops it
  const scored: LogOddsTerm[] = [];
  for (const ngrams of ['unigrams', 'bigrams'] as const) {
    const cap = options.maxPerAnswer ?? 3;
    const count = (texts: readonly string[]) => {
      const counts = new Map<string, number>();
      const own = new Map<string, number>();
      for (const t of texts) {
        own.clear();
        countTerms(terms(t, { ngrams, removeStopWords }), own);
        for (const [term, c] of own) counts.set(term, (counts.get(term) ?? 0) + Math.min(c, cap));
      }
      return counts;
    };
    scored.push(...logOddsFromCounts(count(textsA), count(textsB), scoreOptions));
  }
  return topByDirection(scored, options.topK ?? 20);
}
