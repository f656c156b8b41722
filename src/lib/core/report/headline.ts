/**
 * The headline of a comparison: the few largest significant effects across every section, in
 * plain words with their numbers, most important first ("B's answers are 2.6× longer (median
 * 52 → 136 words)", "B uses tables in 12% of its answers vs 3% of A's"), then one line on the
 * overall test. The app's summary, the Markdown and HTML reports and REPORT.json's `headline`
 * all come from here.
 *
 * The claims are controlled together: ONE weighted Benjamini-Hochberg family over the raw
 * p-values of every test the headline may quote (the overall energy test, the answer clusters,
 * the style features, the words, the openings, the closings and the clusters of change). A
 * section's own q-values control its table; quoting the best of seven tables at once would claim
 * something under no difference in about a third of runs, the joint family in at most ALPHA of
 * them. Words, openings and closings keep only their top terms: the terms tested but not listed
 * count in the family with p = 1, which only makes the listed ones' q-values larger
 * (conservative), since every unlisted term's p is at least that of the listed ones of its side.
 * Weights (Genovese, Roeder & Wasserman 2006: weighted BH on p / w keeps the FDR when the
 * weights average 1): the overall test carries half of the family's weight and the other m - 1
 * tests share the other half. Unweighted, the overall test was one of 4,000-8,000 tests on real
 * alpaca_eval pairs, and its permutation p (floor 0.001 with 999 permutations) could never be
 * claimed however different the answers; weighted, it counts at p <= ALPHA / 2 on its own, and
 * every other test is held to half its unweighted threshold.
 * Magnitude, by which the claims are ranked, is on one scale, the net share of answers (or of
 * prompts) that moved towards B, as a fraction:
 * - a cluster, a presence feature, a word, an opening or a closing: |share of B's answers -
 *   share of A's answers| showing it;
 * - a rate or length feature (and features saved before the measures existed): |effect|, the
 *   matched-pairs rank-biserial correlation, the rank-weighted share of prompts where B is
 *   higher minus where it is lower;
 * - a cluster of change: the share of paired prompts in it.
 * The overall test has no comparable magnitude; its line comes after the claims.
 * Categories add no claims: a claimed feature names the category where it moves most.
 */
import type {
  ClusterResult,
  ComparisonResult,
  FeatureResult,
  PhraseResult,
  WordResult,
} from '../compare/result-types';
import { bhQValues } from '../compare/fdr';
import { changeClusterSentence } from './changes-text';
import {
  MAX_QUOTED,
  TERM_LEADS,
  categoryNote,
  clusterText,
  featureSign,
  featureText,
  quotedTerms,
} from './headline-text';
import { ALPHA, formatCount, pText } from './vocabulary';

/** Claims a headline shows at most, before the overall line. */
export const MAX_HEADLINE_CLAIMS = 6;

/** What a claim is about, so a view can link it to its evidence. */
export type HeadlineClaimKind = 'cluster' | 'feature' | 'word' | 'opening' | 'closing' | 'change';

/** One significant effect of the headline. */
export interface HeadlineClaim {
  kind: HeadlineClaimKind;
  /** Cluster id, feature name, side ('A'/'B': words, openings, closings) or change cluster id. */
  ref: string;
  /** One sentence with its numbers. */
  text: string;
  /** The smallest q-value behind the claim, in the joint family. */
  q: number;
  /** Net share of answers (or prompts) that moved, 0..1 (see the module comment). */
  magnitude: number;
}

/** The headline's parts: claims, the overall line, or the line saying nothing was found. */
export interface HeadlineParts {
  /** Significant effects, largest first, at most `limit`. */
  claims: HeadlineClaim[];
  /** What the overall test found, with what its statistic means. */
  overall: string;
  /** Whether the overall test is significant in the joint family. */
  overallSignificant: boolean;
  /** The honest line when nothing is significant in the joint family; null otherwise. */
  nothingFound: string | null;
  /** Tests in the joint family (its size m). */
  tests: number;
}

/** Share of the joint family's weight the overall test carries (see the module comment). */
export const OVERALL_WEIGHT_SHARE = 0.5;

/**
 * The joint family: every quotable test's raw p-value, plus the unlisted terms' count; one
 * test (the overall one) may be marked to carry OVERALL_WEIGHT_SHARE of the weight.
 */
class JointFamily {
  readonly #items: object[] = [];
  readonly #pValues: number[] = [];
  #unlisted = 0;
  #weighted: object | null = null;
  #q = new Map<object, number>();

  /** Adds one test; `item` is how its q-value is looked up later. */
  add(item: object, pValue: number | null): void {
    if (pValue === null || !Number.isFinite(pValue)) return;
    this.#items.push(item);
    this.#pValues.push(pValue);
  }

  /** Adds the test that carries OVERALL_WEIGHT_SHARE of the family's weight. */
  addWeighted(item: object, pValue: number | null): void {
    this.add(item, pValue);
    if (this.#items.at(-1) === item) this.#weighted = item;
  }

  /** Counts tests that belong to the family but whose p-values were not kept. */
  addUnlisted(count: number): void {
    this.#unlisted += Math.max(0, count);
  }

  /** Tests in the family. */
  get size(): number {
    return this.#items.length + this.#unlisted;
  }

  /** Computes the weighted BH q-values (once every test is added). */
  close(): void {
    const m = this.size;
    // Weights average 1 over the m tests: the weighted test m * share, the others the rest.
    const heavy = this.#weighted && m > 1 ? m * OVERALL_WEIGHT_SHARE : 1;
    const light = this.#weighted && m > 1 ? (m - heavy) / (m - 1) : 1;
    const weightOf = (item: object | null) =>
      item !== null && item === this.#weighted ? heavy : light;
    const all = [
      ...this.#pValues.map((p, i) => p / weightOf(this.#items[i]!)),
      ...new Array<number>(this.#unlisted).fill(1 / light),
    ];
    const q = bhQValues(all);
    this.#q = new Map(this.#items.map((item, i) => [item, Math.min(1, q[i]!)]));
  }

  /** An item's q-value in the joint family; 1 when it was not tested. */
  q(item: object): number {
    return this.#q.get(item) ?? 1;
  }
}

/** The family of every test the headline may quote (see the module comment). */
function jointFamily(c: ComparisonResult): JointFamily {
  const family = new JointFamily();
  family.addWeighted(c.overall, c.overall.pValue);
  // HDBSCAN's noise is not a kind of answer: it is never claimed, so it is not in the family.
  for (const cl of c.clusters) if (!isNoise(cl)) family.add(cl, cl.pValue);
  for (const f of c.features) family.add(f, f.pValue);
  // Words ranked by log-odds (saved before presence testing) have no p-values: never claimed.
  if (c.words.test !== 'log-odds') addTermLists(family, c.words.tested, c.words);
  for (const phrases of [c.openings, c.closings]) {
    if (phrases) addTermLists(family, phrases.tested, phrases);
  }
  for (const change of c.changes?.clusters ?? []) family.add(change, change.pValue);
  family.close();
  return family;
}

/** Adds listed terms by their p-values and the rest of the `tested` as unlisted. */
function addTermLists(
  family: JointFamily,
  tested: number,
  lists: {
    moreInA: readonly (WordResult | PhraseResult)[];
    moreInB: readonly (WordResult | PhraseResult)[];
  },
): void {
  const listed = [...lists.moreInA, ...lists.moreInB];
  for (const t of listed) family.add(t, t.pValue);
  family.addUnlisted(tested - listed.length);
}

const isNoise = (cl: ClusterResult): boolean => cl.noise || cl.id < 0;

/** A feature's magnitude (see the module comment). */
function featureMagnitude(f: FeatureResult): number {
  if (f.measure === 'presence' && f.shareA !== undefined && f.shareB !== undefined) {
    return Math.abs(f.shareB - f.shareA);
  }
  return Math.abs(f.effect ?? 0);
}

/** Share of B's answers minus share of A's answers showing a term. */
function termShift(
  t: { countA: number; countB: number },
  answersA: number,
  answersB: number,
): number {
  return t.countB / Math.max(1, answersB) - t.countA / Math.max(1, answersA);
}
/** The claims of one term section (words, openings or closings): one per side with findings. */
function termClaims(
  kind: 'word' | 'opening' | 'closing',
  lists: {
    moreInA: readonly (WordResult | PhraseResult)[];
    moreInB: readonly (WordResult | PhraseResult)[];
  },
  family: JointFamily,
  c: ComparisonResult,
): HeadlineClaim[] {
  const { answersA, answersB } = c.counts;
  const claims: HeadlineClaim[] = [];
  for (const side of ['B', 'A'] as const) {
    const found = (side === 'B' ? lists.moreInB : lists.moreInA)
      .filter((t) => family.q(t) < ALPHA)
      .map((t) => ({
        text: 'term' in t ? t.term : t.text,
        countA: t.countA,
        countB: t.countB,
        q: family.q(t),
        shift: Math.abs(termShift(t, answersA, answersB)),
      }))
      .sort((x, y) => y.shift - x.shift || x.q - y.q);
    if (!found.length) continue;
    const quoted = found.slice(0, MAX_QUOTED);
    claims.push({
      kind,
      ref: side,
      text: `${TERM_LEADS[kind][side === 'B' ? 'more' : 'less']} ${quotedTerms(quoted)}.`,
      q: Math.min(...quoted.map((t) => t.q)),
      magnitude: found[0]!.shift,
    });
  }
  return claims;
}
/** What the energy distance is, for a reader who has not met it. */
const ENERGY_MEANING =
  "energy distance: how far apart the two sides' clouds of answer embeddings are, 0 when A's and B's answers are distributed alike";

/** The overall test's line, with what its statistic means and how far it can be trusted. */
function overallText(c: ComparisonResult, significant: boolean, tests: number): string {
  const o = c.overall;
  const stats = `energy distance ${o.statistic.toFixed(4)}, within-prompt permutation ${pText(o.pValue, o.nPermutations)} (${ENERGY_MEANING})`;
  if (significant) return `Taken as a whole, B's answers differ from A's: ${stats}.`;
  // Significant alone but not among all the headline's tests: say both, so neither misleads.
  if (o.pValue < ALPHA) {
    return `Taken as a whole, B's answers differ from A's on this test alone, but not once the ${formatCount(tests)} tests of the headline are controlled together: ${stats}.`;
  }
  // No "<" in these lines: they are quoted verbatim in HTML, where it would be escaped.
  return `Taken as a whole, the answers' embeddings do not separate B from A: ${stats}.`;
}

/**
 * What passes within its own section (by the section's q-values, the overall test by its p)
 * though not jointly, e.g. "the overall test and 2 features"; null when nothing does.
 */
function passesAlone(c: ComparisonResult): string | null {
  const below = (q: number | null) => q !== null && q < ALPHA;
  const count = (n: number, noun: string) => (n > 0 ? [formatCount(n, noun)] : []);
  const termCount = (
    lists: {
      moreInA: readonly { qValue: number | null }[];
      moreInB: readonly { qValue: number | null }[];
    } | null,
  ) => (lists ? [...lists.moreInA, ...lists.moreInB].filter((t) => below(t.qValue)).length : 0);
  const parts = [
    ...(c.overall.pValue < ALPHA ? ['the overall test'] : []),
    ...count(c.clusters.filter((cl) => !isNoise(cl) && below(cl.qValue)).length, 'cluster'),
    ...count(c.features.filter((f) => below(f.qValue)).length, 'feature'),
    ...count(c.words.test === 'log-odds' ? 0 : termCount(c.words), 'word'),
    ...count(termCount(c.openings), 'opening'),
    ...count(termCount(c.closings), 'closing'),
    ...count(
      (c.changes?.clusters ?? []).filter((x) => below(x.qValue)).length,
      'cluster of change',
    ),
  ];
  if (!parts.length) return null;
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}` : parts[0]!;
}

/** The sections that had tests, for the line saying none found a difference. */
function testedSections(c: ComparisonResult): string[] {
  const sections = ['the overall test'];
  if (c.clusters.some((cl) => !isNoise(cl))) sections.push('clusters');
  if (c.features.some((f) => f.pValue !== null)) sections.push('features');
  if (c.words.test !== 'log-odds' && c.words.tested > 0) sections.push('words');
  if (c.openings && c.openings.tested > 0) sections.push('openings');
  if (c.closings && c.closings.tested > 0) sections.push('closings');
  if (c.changes?.clusters.some((x) => x.pValue !== null)) sections.push('clusters of change');
  return sections;
}

/**
 * Fewest prompts a change must be seen in to be significant on its own among `tests` tests:
 * every paired test here (McNemar, sign-flip permutation, Wilcoxon) gives a change confined to
 * d prompts a two-sided p of at least 2 / 2^d, and alone, with half the family's weight left
 * for the tests other than the overall one, it needs p ≤ ALPHA / (2 · tests) or so.
 */
export function fewestDetectablePrompts(tests: number): number {
  return Math.ceil(Math.log2((2 * 2 * Math.max(1, tests)) / ALPHA));
}

/** The one honest line when no test is significant in the joint family. */
function nothingFoundText(c: ComparisonResult, tests: number): string {
  const sections = testedSections(c);
  const list =
    sections.length > 1
      ? `${sections.slice(0, -1).join(', ')} and ${sections.at(-1)!}`
      : sections[0]!;
  const prompts = c.counts.pairedPrompts;
  const d = fewestDetectablePrompts(tests);
  const missed =
    d <= prompts
      ? `with ${formatCount(prompts, 'paired prompt')}, a change seen in fewer than ${d} of them cannot reach significance on its own among these tests, so smaller changes may be missed`
      : `with ${formatCount(prompts, 'paired prompt')}, no change confined to some of them can reach significance on its own among these tests; more prompts are needed to find small changes`;
  const alone = passesAlone(c);
  const leads = alone
    ? `; taken section by section, q < ${ALPHA} is reached by ${alone}: leads to check on other prompts, not findings`
    : '';
  return `No difference reaches q < ${ALPHA} when the ${formatCount(tests, 'test')} of ${list} are controlled together; ${missed}${leads}.`;
}

/**
 * The headline's parts (see the module comment): the `limit` largest significant effects in the
 * joint family, the overall line, and the honest line when nothing is significant.
 */
export function headlineParts(c: ComparisonResult, limit = MAX_HEADLINE_CLAIMS): HeadlineParts {
  const family = jointFamily(c);
  const claims: HeadlineClaim[] = [];
  for (const cl of c.clusters) {
    if (isNoise(cl) || family.q(cl) >= ALPHA) continue;
    claims.push({
      kind: 'cluster',
      ref: String(cl.id),
      text: `${clusterText(cl)}.`,
      q: family.q(cl),
      magnitude: Math.abs(cl.difference),
    });
  }
  for (const f of c.features) {
    if (family.q(f) >= ALPHA) continue;
    const sign = featureSign(f);
    claims.push({
      kind: 'feature',
      ref: f.name,
      text: `${featureText(f, sign)}${categoryNote(c.categories, f, sign)}.`,
      q: family.q(f),
      magnitude: featureMagnitude(f),
    });
  }
  if (c.words.test !== 'log-odds') claims.push(...termClaims('word', c.words, family, c));
  if (c.openings) claims.push(...termClaims('opening', c.openings, family, c));
  if (c.closings) claims.push(...termClaims('closing', c.closings, family, c));
  for (const change of c.changes?.clusters ?? []) {
    if (family.q(change) >= ALPHA) continue;
    claims.push({
      kind: 'change',
      ref: String(change.id),
      text: changeClusterSentence(change),
      q: family.q(change),
      magnitude: change.n / Math.max(1, c.changes!.nPrompts),
    });
  }
  claims.sort((x, y) => y.magnitude - x.magnitude || x.q - y.q);
  const overallSignificant = family.q(c.overall) < ALPHA;
  const found = claims.length > 0 || overallSignificant;
  return {
    claims: claims.slice(0, Math.max(0, limit)),
    overall: overallText(c, overallSignificant, family.size),
    overallSignificant,
    nothingFound: found ? null : nothingFoundText(c, family.size),
    tests: family.size,
  };
}

/**
 * The headline, most important first: the largest significant effects across every section in
 * plain words with their numbers, then the overall test's line; when no test is significant in
 * the joint family, the line saying so (and what could have been missed), then the overall line.
 */
export function headline(c: ComparisonResult, limit = MAX_HEADLINE_CLAIMS): string[] {
  const parts = headlineParts(c, limit);
  return parts.nothingFound
    ? [parts.nothingFound, parts.overall]
    : [...parts.claims.map((claim) => claim.text), parts.overall];
}
