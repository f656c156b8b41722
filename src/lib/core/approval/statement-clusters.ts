/** Statements embedded and clustered, each cluster with its approval rates, terms and a hierarchy. */
import { chooseK } from '../cluster/choose-k';
import { kmeans } from '../cluster/kmeans';
import { wardLinkage } from '../cluster/ward';
import { ctfidfFromCounts } from '../text/ctfidf';
import { terms as tokenTerms } from '../text/tokenize';
import { matrix, row, type Matrix } from '../vectors/matrix';
import type {
  ApprovalClusters,
  ApprovalResults,
  ApprovalStatementCluster,
  ApprovalStatementRow,
} from './types';

/** Terms shown per cluster. */
const TERMS_PER_CLUSTER = 8;

/** The key of a statement across conditions: `file/statementId`. */
function statementKey(s: Pick<ApprovalStatementRow, 'file' | 'statementId'>): string {
  return `${s.file}/${s.statementId}`;
}

/**
 * Unique statements of the results (`file/statementId` keys, their text), in the order to embed
 * them: the order they first appear in `results.statements` (only compared statements are there).
 */
export function statementsToEmbed(results: ApprovalResults): { key: string; text: string }[] {
  const seen = new Set<string>();
  const out: { key: string; text: string }[] = [];
  for (const s of results.statements) {
    const key = statementKey(s);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, text: s.statement });
  }
  return out;
}

/** Labels and centres: k-means at the given k, or at the k with the best silhouette. */
function clusterVectors(
  vectors: Matrix,
  seed: number,
  k: number | undefined,
): { labels: Int32Array; centroids: Matrix } {
  const n = vectors.rows;
  if (k !== undefined) {
    if (!Number.isInteger(k) || k < 1) {
      throw new RangeError(`approvalClusters: k must be a whole number >= 1, got ${k}`);
    }
    return kmeans(vectors, { k: Math.min(k, n), seed, restarts: 3 });
  }
  // Silhouettes need at least 3 points (and 2 clusters); fewer statements are one cluster.
  if (n < 3) return kmeans(vectors, { k: 1, seed, restarts: 1 });
  return chooseK(vectors, { seed, restarts: 3 }).result;
}

/** Squared Euclidean distance, in float64, between row i of `a` and row j of `b`. */
function squaredDistance(a: Matrix, i: number, b: Matrix, j: number): number {
  const x = row(a, i);
  const y = row(b, j);
  let sum = 0;
  for (let d = 0; d < x.length; d++) {
    const diff = x[d]! - y[d]!;
    sum += diff * diff;
  }
  return sum;
}

/**
 * Clusters the embedded statements (k by silhouette unless given) with rates, terms and hierarchy.
 * `vectors` row i embeds statementsToEmbed(results)[i]. Clusters are numbered by size, largest
 * first (ties: the one whose first statement comes first). Rates count every condition's clear
 * answers of the cluster's statements. Terms are c-TF-IDF over statements (each statement counts
 * a term once). The hierarchy is Ward's linkage of the cluster centres, each centre one point
 * (sizes in its rows count clusters, not statements); empty for a single cluster.
 * @throws Error when the vectors' row count differs from the statements'.
 */
export function approvalClusters(
  results: ApprovalResults,
  vectors: Matrix,
  options: { embedderId: string; seed: number; k?: number },
): ApprovalClusters {
  const items = statementsToEmbed(results);
  if (vectors.rows !== items.length) {
    throw new Error(
      `approvalClusters: ${vectors.rows} vectors for ${items.length} statements to cluster`,
    );
  }
  if (items.length === 0) return { embedderId: options.embedderId, clusters: [], hierarchy: [] };

  const { labels, centroids } = clusterVectors(vectors, options.seed, options.k);
  const k = centroids.rows;
  const membersOf: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((c, i) => membersOf[c]!.push(i));
  // Empty clusters (k-means can leave one when statements repeat) are dropped.
  const order = Array.from({ length: k }, (_, c) => c)
    .filter((c) => membersOf[c]!.length > 0)
    .sort(
      (x, y) =>
        membersOf[y]!.length - membersOf[x]!.length || membersOf[x]![0]! - membersOf[y]![0]!,
    );

  const clusterOfKey = new Map<string, number>();
  order.forEach((c, id) => {
    for (const i of membersOf[c]!) clusterOfKey.set(items[i]!.key, id);
  });

  const counts = order.map(() => ({ clearA: 0, matchA: 0, clearB: 0, matchB: 0 }));
  for (const s of results.statements) {
    const tally = counts[clusterOfKey.get(statementKey(s))!]!;
    if (s.answerA !== 'unclear') {
      tally.clearA++;
      if (s.answerA === s.matching) tally.matchA++;
    }
    if (s.answerB !== 'unclear') {
      tally.clearB++;
      if (s.answerB === s.matching) tally.matchB++;
    }
  }

  const documentFrequencies = order.map((c) => {
    const df = new Map<string, number>();
    for (const i of membersOf[c]!) {
      const unique = new Set(
        tokenTerms(items[i]!.text, { ngrams: 'unigrams', removeStopWords: true }),
      );
      for (const t of unique) df.set(t, (df.get(t) ?? 0) + 1);
    }
    return df;
  });
  const scored = ctfidfFromCounts(documentFrequencies, TERMS_PER_CLUSTER);

  const clusters: ApprovalStatementCluster[] = order.map((c, id) => {
    const tally = counts[id]!;
    const distance = new Map(
      membersOf[c]!.map((i) => [i, squaredDistance(vectors, i, centroids, c)]),
    );
    const members = [...membersOf[c]!].sort((x, y) => distance.get(x)! - distance.get(y)! || x - y);
    return {
      id,
      size: members.length,
      terms: scored[id]!.map((t) => t.term),
      matchA: tally.clearA === 0 ? null : tally.matchA / tally.clearA,
      matchB: tally.clearB === 0 ? null : tally.matchB / tally.clearB,
      members: members.map((i) => items[i]!.key),
    };
  });

  const centres = matrix(order.length, vectors.dims);
  order.forEach((c, id) => centres.data.set(row(centroids, c), id * vectors.dims));
  const hierarchy: [number, number, number, number][] = [];
  if (order.length >= 2) {
    const merges = wardLinkage(centres).merges;
    for (let r = 0; r < order.length - 1; r++) {
      hierarchy.push([merges[4 * r]!, merges[4 * r + 1]!, merges[4 * r + 2]!, merges[4 * r + 3]!]);
    }
  }
  return { embedderId: options.embedderId, clusters, hierarchy };
}
