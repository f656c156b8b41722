/**
 * What the supervisor is shown to propose hypotheses, built from the discovery half of the
 * prompts only: every count, share, term, exemplar and excerpt here is recomputed from the
 * discovery prompts' answers, so no held-out prompt's text, answer or count can shape a
 * hypothesis that is then judged on the held-out prompts (that would be testing on the
 * training data). The answer clusters themselves come from an analysis of all answers; only
 * which discovery answers fall in which cluster is read from it.
 */
import { cosineSimilarity } from '../vectors/ops';
import { answerPhrases } from '../compare/openings-closings';
import { clusterTerms } from '../text/cluster-terms';
import { STYLE_FEATURE_NAMES, styleFeatures, type StyleFeatureName } from '../text/style-features';
import { terms } from '../text/tokenize';
import type { AnalysisResult } from '../analysis/pipeline';
import type { Answer, Prompt, Side } from '../run/types';
import type { ClusterLabel, DiscoveryEvidence, PropertyCluster } from './types';

/** How much of each kind of evidence is shown (defaults in DEFAULT_EVIDENCE_LIMITS). */
export interface EvidenceLimits {
  /** Property clusters listed, in the order given (already most different first). */
  properties: number;
  /** Answer clusters listed, the most one-sided first. */
  clusters: number;
  /** Exemplar answers per side of each listed cluster. */
  exemplars: number;
  /** Terms per listed cluster. */
  clusterTerms: number;
  /** Characters (code points) of an exemplar, a divergent prompt or one of its answers. */
  excerptChars: number;
  /** Detectors listed, by |shareB - shareA|. */
  detectors: number;
  /** Words listed, by |shareB - shareA| of answers containing them. */
  words: number;
  /** Openings listed, by |shareB - shareA| of answers opening with them. */
  openings: number;
  /** Fewest discovery answers (both sides) a word or an opening must be in to be listed. */
  minAnswers: number;
  /** Divergent prompts listed. */
  divergent: number;
}

/** The limits of the brief: 6 clusters with 2 exemplars a side cut to 300 characters, etc. */
export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = {
  properties: 12,
  clusters: 6,
  exemplars: 2,
  clusterTerms: 8,
  excerptChars: 300,
  detectors: 8,
  words: 12,
  openings: 6,
  minAnswers: 3,
  divergent: 4,
};

/** What discoveryEvidence reads. */
export interface DiscoveryInput {
  prompts: readonly Prompt[];
  /** Every answer of the run (all samples); only the discovery prompts' are read. */
  answers: readonly Answer[];
  /**
   * Unit or raw embedding of each answer, aligned with `answers` (null/undefined where
   * missing). Used for exemplars (nearest the cluster's discovery centroid) and divergent
   * prompts (lowest cosine of the two sample-0 answers), each only when every vector it needs
   * is there; otherwise exemplars go in discovery order and divergence is by length ratio.
   */
  vectors?: readonly (Float32Array | null | undefined)[];
  /** The analysis: answer identity of each row and its cluster (-1 = noise, left out). */
  analysis: Pick<AnalysisResult, 'rows' | 'labels'> | null;
  /** Supervisor labels of the answer clusters, if any ('' for a cluster without one). */
  clusterLabels?: readonly ClusterLabel[];
  /** Property clusters, already counted on discovery prompts only. */
  properties: readonly PropertyCluster[];
  /** The discovery half (splitPrompts); its order breaks ties. */
  discoveryPromptIds: readonly string[];
  limits?: Partial<EvidenceLimits>;
}

/** The style features read as yes/no detectors: an answer has it when its value is above 0. */
const DETECTORS: readonly StyleFeatureName[] = STYLE_FEATURE_NAMES.filter(
  // Every answer has a length and almost every one a paragraph: not behaviours.
  (name) => name !== 'length_words' && name !== 'paragraphs',
);

/** `text` cut to `max` code points, the last one replaced by '…' when cut. */
function excerpt(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Share k / n, 0 when there is nothing to share. */
const share = (k: number, n: number): number => (n > 0 ? k / n : 0);

/** Compares strings in code-unit order (locale-free, so every machine sorts alike). */
const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** A discovery answer with what the evidence needs of it. */
interface Item {
  answer: Answer;
  /** Position of its prompt in the discovery list (the tie-breaking order). */
  rank: number;
  prompt: string;
  vector: Float32Array | null;
}

/** Per side, how many items have each key (each item counts a key once). */
function presence(
  items: readonly Item[],
  keysOf: (item: Item) => Iterable<string>,
): Map<string, Record<Side, number>> {
  const counts = new Map<string, Record<Side, number>>();
  for (const item of items) {
    for (const key of new Set(keysOf(item))) {
      let c = counts.get(key);
      if (!c) counts.set(key, (c = { A: 0, B: 0 }));
      c[item.answer.side]++;
    }
  }
  return counts;
}

/** Keys ranked by |shareB - shareA| descending, then more answers, then key order. */
function rankByGap(
  counts: Map<string, Record<Side, number>>,
  n: Record<Side, number>,
  minAnswers: number,
  top: number,
): { key: string; A: number; B: number }[] {
  return [...counts]
    .filter(([, c]) => c.A + c.B >= minAnswers)
    .map(([key, c]) => ({ key, ...c, gap: Math.abs(share(c.B, n.B) - share(c.A, n.A)) }))
    .sort((x, y) => y.gap - x.gap || y.A + y.B - (x.A + x.B) || byText(x.key, y.key))
    .slice(0, top)
    .map(({ key, A, B }) => ({ key, A, B }));
}

/** The answer clusters of the discovery answers, the most one-sided first. */
function clusterEvidence(
  items: readonly Item[],
  input: DiscoveryInput,
  n: Record<Side, number>,
  limits: EvidenceLimits,
): DiscoveryEvidence['clusters'] {
  if (!input.analysis) return [];
  const { rows, labels } = input.analysis;
  const labelOf = new Map<string, number>();
  rows.forEach((r, i) => labelOf.set(`${r.promptId}\u0000${r.side}\u0000${r.sample}`, labels[i]!));
  const members = new Map<number, Item[]>();
  for (const item of items) {
    const { promptId, side, sample } = item.answer;
    const c = labelOf.get(`${promptId}\u0000${side}\u0000${sample}`);
    if (c === undefined || c < 0) continue;
    if (!members.has(c)) members.set(c, []);
    members.get(c)!.push(item);
  }
  const ids = [...members.keys()].sort((x, y) => x - y);
  // Terms recounted on the discovery answers (the analysis's own terms read every answer).
  const clustered = ids.flatMap((id, c) => members.get(id)!.map((item) => ({ item, c })));
  const described = clusterTerms(
    clustered.map((m) => m.item.answer.text),
    clustered.map((m) => m.c),
    clustered.map((m) => (m.item.answer.side === 'B' ? 1 : 0)),
    ids.length,
    { topK: limits.clusterTerms },
  );
  const labelText = new Map((input.clusterLabels ?? []).map((l) => [l.cluster, l.label]));
  return ids
    .map((id, c) => {
      const list = members.get(id)!;
      const countA = list.filter((m) => m.answer.side === 'A').length;
      const countB = list.length - countA;
      return {
        id,
        c,
        list,
        countA,
        countB,
        gap: Math.abs(share(countB, n.B) - share(countA, n.A)),
      };
    })
    .sort((x, y) => y.gap - x.gap || x.id - y.id)
    .slice(0, limits.clusters)
    .map(({ id, c, list, countA, countB }) => {
      const ordered = exemplarOrder(list);
      const pick = (side: Side) =>
        ordered
          .filter((m) => m.answer.side === side)
          .slice(0, limits.exemplars)
          .map((m) => excerpt(m.answer.text, limits.excerptChars));
      return {
        cluster: id,
        label: labelText.get(id) ?? '',
        terms: described[c]!.terms,
        countA,
        countB,
        exemplarsA: pick('A'),
        exemplarsB: pick('B'),
      };
    });
}

/**
 * A cluster's discovery members, most typical first: by cosine to their centroid when every
 * member has a vector, otherwise in discovery order (prompt rank, then sample).
 */
function exemplarOrder(list: readonly Item[]): Item[] {
  const inOrder = [...list].sort(
    (x, y) =>
      x.rank - y.rank || x.answer.sample - y.answer.sample || byText(x.answer.side, y.answer.side),
  );
  if (!inOrder.every((m) => m.vector !== null)) return inOrder;
  const dims = inOrder[0]!.vector!.length;
  const centroid = new Float32Array(dims);
  for (const m of inOrder) for (let d = 0; d < dims; d++) centroid[d]! += m.vector![d]!;
  const score = new Map(inOrder.map((m) => [m, cosineSimilarity(centroid, m.vector!)]));
  // A stable sort keeps discovery order among equal scores.
  return inOrder.sort((x, y) => score.get(y)! - score.get(x)!);
}

/** Discovery prompts whose two sample-0 answers differ most. */
function divergentPrompts(
  items: readonly Item[],
  limits: EvidenceLimits,
): DiscoveryEvidence['divergent'] {
  const first = new Map<string, Partial<Record<Side, Item>>>();
  for (const item of items) {
    if (item.answer.sample !== 0) continue;
    const pair = first.get(item.answer.promptId) ?? {};
    pair[item.answer.side] = item;
    first.set(item.answer.promptId, pair);
  }
  const pairs = [...first.values()].filter(
    (p): p is Record<Side, Item> => p.A !== undefined && p.B !== undefined,
  );
  const byVector = pairs.every((p) => p.A.vector !== null && p.B.vector !== null);
  // Higher is more divergent: 1 - cosine, or the length ratio (+1 each so empty answers count).
  const divergence = (p: Record<Side, Item>): number => {
    if (byVector) return 1 - cosineSimilarity(p.A.vector!, p.B.vector!);
    const [a, b] = [p.A.answer.text.length + 1, p.B.answer.text.length + 1];
    return Math.max(a, b) / Math.min(a, b);
  };
  return pairs
    .map((p) => ({ p, d: divergence(p) }))
    .sort((x, y) => y.d - x.d || x.p.A.rank - y.p.A.rank)
    .slice(0, limits.divergent)
    .map(({ p }) => ({
      promptId: p.A.answer.promptId,
      prompt: excerpt(p.A.prompt, limits.excerptChars),
      answerA: excerpt(p.A.answer.text, limits.excerptChars),
      answerB: excerpt(p.B.answer.text, limits.excerptChars),
    }));
}

/**
 * The evidence shown to the supervisor, from the discovery prompts only. Definitions:
 * - nPrompts: distinct discovery prompt ids.
 * - properties: the first `properties` property clusters as given, named by their name (or
 *   their first example while unnamed).
 * - shares of detectors, words and openings: discovery answers of a side (every sample) with
 *   it, over that side's discovery answers (0 when a side has none).
 * - clusters: the analysis's clusters (noise left out), with countA/countB = discovery answers
 *   of each side in the cluster, ranked by one-sidedness |countB/nB - countA/nA| (n = that
 *   side's discovery answers); terms recounted on the cluster's discovery answers
 *   (text/cluster-terms.ts); exemplars per side the most typical discovery answers
 *   (exemplarOrder), cut to `excerptChars`.
 * - detectors: the style features of text/style-features.ts (built on text/detectors.ts) other
 *   than length and paragraphs, an answer having one when its value is above 0 (a refusal,
 *   at least one numbered item, ...), named by their feature name; those no answer has are
 *   left out.
 * - words: keyword terms (text/tokenize `terms`: unigrams and bigrams, stop words dropped) in at
 *   least `minAnswers` discovery answers; openings: first three words (compare/openings-closings
 *   `answerPhrases`) of at least `minAnswers` answers, as answer counts per side.
 * - divergent: discovery prompts with both sample-0 answers, lowest cosine of their vectors
 *   first when all have vectors, else largest length ratio; texts cut to `excerptChars`.
 * Ties go to the discovery order (clusters: lower id; words and openings: more answers, then
 * alphabetical).
 */
export function discoveryEvidence(input: DiscoveryInput): DiscoveryEvidence {
  const limits = { ...DEFAULT_EVIDENCE_LIMITS, ...input.limits };
  const rank = new Map<string, number>();
  for (const id of input.discoveryPromptIds) if (!rank.has(id)) rank.set(id, rank.size);
  const promptText = new Map(input.prompts.map((p) => [p.id, p.text]));
  const items: Item[] = [];
  input.answers.forEach((answer, i) => {
    const r = rank.get(answer.promptId);
    if (r === undefined) return;
    items.push({
      answer,
      rank: r,
      prompt: promptText.get(answer.promptId) ?? '',
      vector: input.vectors?.[i] ?? null,
    });
  });
  // Answers in discovery order, so every later tie breaks the same way whatever the run's order.
  items.sort(
    (x, y) =>
      x.rank - y.rank || byText(x.answer.side, y.answer.side) || x.answer.sample - y.answer.sample,
  );
  const n: Record<Side, number> = { A: 0, B: 0 };
  for (const item of items) n[item.answer.side]++;

  const features = new Map(items.map((m) => [m, styleFeatures(m.answer.text, m.prompt)]));
  const detectorCounts = presence(items, (m) => {
    const f = features.get(m)!;
    return DETECTORS.filter((name) => f[name] > 0);
  });
  const wordCounts = presence(items, (m) => terms(m.answer.text));
  const openingCounts = presence(items, (m) => {
    const opening = answerPhrases(m.answer.text).opening;
    return opening === null ? [] : [opening];
  });

  return {
    nPrompts: rank.size,
    properties: input.properties.slice(0, limits.properties).map((p) => ({
      name: p.name || (p.examples[0] ?? ''),
      definition: p.definition,
      shareA: p.shareA,
      shareB: p.shareB,
    })),
    clusters: clusterEvidence(items, input, n, limits),
    detectors: rankByGap(detectorCounts, n, 1, limits.detectors).map((d) => ({
      name: d.key,
      shareA: share(d.A, n.A),
      shareB: share(d.B, n.B),
    })),
    words: rankByGap(wordCounts, n, limits.minAnswers, limits.words).map((w) => ({
      term: w.key,
      shareA: share(w.A, n.A),
      shareB: share(w.B, n.B),
    })),
    openings: rankByGap(openingCounts, n, limits.minAnswers, limits.openings).map((o) => ({
      phrase: o.key,
      countA: o.A,
      countB: o.B,
    })),
    divergent: divergentPrompts(items, limits),
  };
}
