/**
 * What the contrastive views show, computed from scored answers: answers and prompts ranked by
 * how much the models disagree on them, n-grams weighted by divergence, and the divergence
 * distribution per cluster. Pure: the state layer joins the scores with the run and the analysis.
 */
import { quantileSorted } from '../compare/share-bootstrap';
import type { ScoredAnswer, TokenScore } from './types';

/** The value an answer is ranked by: its mean KL, or (no shared vocabulary) |llr| per token. */
export function divergenceOf(item: ScoredAnswer): number {
  if (item.meanKl !== null) return item.meanKl;
  // Per token, so a long answer is not ranked as divergent for its length alone.
  return Math.abs(item.llr) / Math.max(1, item.tokens.length);
}

/** Orders answers by prompt id, side and sample: the run's own order, for ties. */
function byKey(x: ScoredAnswer, y: ScoredAnswer): number {
  if (x.promptId !== y.promptId) return x.promptId < y.promptId ? -1 : 1;
  if (x.side !== y.side) return x.side < y.side ? -1 : 1;
  return x.sample - y.sample;
}

/** Answers, most divergent first (ties: by prompt id, side, sample). */
export function rankAnswers(items: readonly ScoredAnswer[]): ScoredAnswer[] {
  const keyed = items.map((item) => ({ item, d: divergenceOf(item) }));
  keyed.sort((x, y) => y.d - x.d || byKey(x.item, y.item));
  return keyed.map((k) => k.item);
}

/** One prompt's divergence over its scored answers. */
export interface PromptDivergence {
  promptId: string;
  /** Mean of its answers' divergenceOf. */
  meanDivergence: number;
  /** Mean llr of its A answers and of its B answers (null when it has none of that side). */
  meanLlrA: number | null;
  meanLlrB: number | null;
  answers: number;
}

/** Prompts, most divergent first (ties: by prompt id). */
export function rankPrompts(items: readonly ScoredAnswer[]): PromptDivergence[] {
  const groups = new Map<string, { d: number; llrA: number[]; llrB: number[]; n: number }>();
  for (const item of items) {
    let g = groups.get(item.promptId);
    if (!g) groups.set(item.promptId, (g = { d: 0, llrA: [], llrB: [], n: 0 }));
    g.d += divergenceOf(item);
    g.n++;
    (item.side === 'A' ? g.llrA : g.llrB).push(item.llr);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const prompts = [...groups].map(([promptId, g]) => ({
    promptId,
    meanDivergence: g.d / g.n,
    meanLlrA: mean(g.llrA),
    meanLlrB: mean(g.llrB),
    answers: g.n,
  }));
  prompts.sort(
    (x, y) =>
      y.meanDivergence - x.meanDivergence ||
      (x.promptId < y.promptId ? -1 : x.promptId > y.promptId ? 1 : 0),
  );
  return prompts;
}

/** An n-gram of answer tokens and the divergence on it. */
export interface DivergentNgram {
  /** The tokens joined as text, trimmed and lower-cased (e.g. "the license"). */
  text: string;
  n: number;
  /** Occurrences over all scored answers. */
  count: number;
  /** Mean over occurrences of the mean KL of the n-gram's tokens. */
  meanKl: number;
  /** Sum over occurrences of that mean. */
  totalKl: number;
  /**
   * Sum over occurrences of (that mean - the mean KL per token of all scored answers): what ranks
   * the list. Frequent words the models agree on as usual ("the", "of") sit near zero or below;
   * phrases where they disagree more than usual, and often, come first.
   */
  excessKl: number;
  /** Occurrences in A's answers and in B's answers. */
  countA: number;
  countB: number;
}

/** Options of divergentNgrams. */
export interface NgramOptions {
  /** n-gram lengths to count (default [1, 2, 3]). */
  sizes?: readonly number[];
  /** Leave out n-grams seen fewer times (default 2). */
  minCount?: number;
  /** At most this many, by excessKl (default 50). */
  limit?: number;
}

/** Special tokens by their decoded names: GPT-2's <|endoftext|>, ChatML's <|im_end|>, Llama's </s>. */
const SPECIAL_TOKEN = /^(<\|.*\|>|<\/?s>)$/;
/** Tokens with no word in them: whitespace, punctuation or nothing. */
const NO_WORD = /^[\s\p{P}]*$/u;

/** A word of an answer: the tokens that spell it, as words() below groups them. */
interface Word {
  text: string;
  /** Sum and count of its tokens' KL. */
  klSum: number;
  tokens: number;
  /** Only whitespace or punctuation: it sits inside an n-gram, never at an end. */
  noWord: boolean;
  special: boolean;
}

/**
 * An answer's tokens grouped into words, so n-grams are of words and never of word pieces
 * ("ing", "ed"): a token continues the word before it unless it begins with whitespace, is
 * punctuation or a special token, or follows one. Tokenizers' texts carry the space before a
 * word (GPT-2's "Ġ", SentencePiece's "▁" decode to it), which is what marks a new word.
 */
function words(tokens: readonly TokenScore[]): Word[] {
  const out: Word[] = [];
  let open: Word | undefined;
  for (const t of tokens) {
    const special = SPECIAL_TOKEN.test(t.token);
    const noWord = !special && NO_WORD.test(t.token);
    const continues = open && !special && !noWord && !/^\s/.test(t.token);
    if (continues && open) {
      open.text += t.token;
      open.klSum += t.kl!;
      open.tokens++;
      continue;
    }
    const word: Word = { text: t.token, klSum: t.kl!, tokens: 1, noWord, special };
    out.push(word);
    open = special || noWord ? undefined : word;
  }
  return out;
}

/**
 * Word n-grams of the answers weighted by divergence: each occurrence counts the mean KL of the
 * tokens that spell it, ranked by how far above the answers' usual KL per token they sum to. Words are grouped from tokens (see words()); whitespace, punctuation
 * and special tokens do not start or end an n-gram, and a special token is never inside one.
 * Needs per-token KL: items without it are skipped.
 */
export function divergentNgrams(
  items: readonly ScoredAnswer[],
  options: NgramOptions = {},
): DivergentNgram[] {
  const sizes = options.sizes ?? [1, 2, 3];
  const minCount = options.minCount ?? 2;
  const limit = options.limit ?? 50;
  const grams = new Map<string, DivergentNgram>();
  let klSum = 0;
  let tokenCount = 0;
  for (const item of items) {
    if (item.tokens.some((t) => t.kl === null)) continue;
    for (const t of item.tokens) klSum += t.kl!;
    tokenCount += item.tokens.length;
    const list = words(item.tokens);
    const edge = list.map((w) => !w.special && !w.noWord);
    for (const n of sizes) {
      if (!Number.isInteger(n) || n < 1) continue;
      for (let start = 0; start < list.length; start++) {
        if (!edge[start]) continue;
        // n counts words; punctuation and whitespace between them ride along.
        let taken = 0;
        let end = start;
        for (; end < list.length; end++) {
          if (list[end]!.special) break;
          if (edge[end]) taken++;
          if (taken === n) break;
        }
        if (taken !== n || end >= list.length) continue;
        const window = list.slice(start, end + 1);
        const text = ngramText(window);
        const kl =
          window.reduce((s, w) => s + w.klSum, 0) / window.reduce((s, w) => s + w.tokens, 0);
        const key = `${n}\u0000${text}`;
        let g = grams.get(key);
        if (!g) {
          g = { text, n, count: 0, meanKl: 0, totalKl: 0, excessKl: 0, countA: 0, countB: 0 };
          grams.set(key, g);
        }
        g.count++;
        g.totalKl += kl;
        if (item.side === 'A') g.countA++;
        else g.countB++;
      }
    }
  }
  const baseline = tokenCount > 0 ? klSum / tokenCount : 0;
  const kept = [...grams.values()].filter((g) => g.count >= minCount);
  for (const g of kept) {
    g.meanKl = g.totalKl / g.count;
    g.excessKl = g.totalKl - g.count * baseline;
  }
  kept.sort(
    (x, y) =>
      y.excessKl - x.excessKl || x.n - y.n || (x.text < y.text ? -1 : x.text > y.text ? 1 : 0),
  );
  return kept.slice(0, Math.max(0, limit));
}

/** The words as one lower-cased phrase: a line break between words reads as a space. */
function ngramText(list: readonly Word[]): string {
  return list
    .map((w) => w.text)
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The divergence distribution of one cluster's scored answers. */
export interface ClusterDivergence {
  clusterId: number;
  /** divergenceOf each scored answer in the cluster, ascending. */
  values: number[];
  mean: number;
  median: number;
  q1: number;
  q3: number;
}

/**
 * Divergence per cluster, most divergent (by median) first. `clusterOf` gives an answer's
 * cluster (undefined or negative: noise or not clustered, left out).
 */
export function divergenceByCluster(
  items: readonly ScoredAnswer[],
  clusterOf: (item: ScoredAnswer) => number | undefined,
): ClusterDivergence[] {
  const groups = new Map<number, number[]>();
  for (const item of items) {
    const id = clusterOf(item);
    if (id === undefined || !(id >= 0)) continue;
    let values = groups.get(id);
    if (!values) groups.set(id, (values = []));
    values.push(divergenceOf(item));
  }
  // Quartiles by linear interpolation between order statistics: numpy.percentile's default
  // method='linear' (Hyndman and Fan type 7), so they match what numpy and pandas report.
  const clusters = [...groups].map(([clusterId, values]) => {
    values.sort((a, b) => a - b);
    return {
      clusterId,
      values,
      mean: values.reduce((s, x) => s + x, 0) / values.length,
      median: quantileSorted(values, 0.5),
      q1: quantileSorted(values, 0.25),
      q3: quantileSorted(values, 0.75),
    };
  });
  clusters.sort((x, y) => y.median - x.median || x.clusterId - y.clusterId);
  return clusters;
}

/** Shading of a token, 0 (none) to 1 (the most divergent), on a square-root scale up to `maxKl`. */
export function tokenShade(kl: number | null, maxKl: number): number {
  if (kl === null || !(kl > 0) || !(maxKl > 0)) return 0;
  if (kl >= maxKl) return 1;
  // The square root lifts small divergences into view: KL is heavy-tailed, a few tokens dominate.
  return Math.sqrt(kl / maxKl);
}
