/**
 * The analysis after embedding: 2-D projection, clustering of A's and B's answers together,
 * cluster stability across seeds, and every comparison statistic. Pure and seeded: the same
 * answers, vectors and parameters give the same result. Runs in a worker in the app and in
 * Node for the CLI and the benchmarks.
 */
import type { Answer, Prompt, Side } from '../run/types';
import type { Matrix } from '../vectors/matrix';
import { pca } from '../project/pca';
import { umap } from '../project/umap';
import { chooseK, chooseKBySilhouette } from '../cluster/choose-k';
import { hdbscan } from '../cluster/hdbscan';
import { kmeans } from '../cluster/kmeans';
import { cutTree, type Linkage } from '../cluster/linkage';
import { sampleDistances, silhouetteOfSample } from '../cluster/silhouette';
import { seedStability, type StabilitySummary } from '../cluster/stability';
import { wardLinkage } from '../cluster/ward';
import { compareAnswers, comparisonInputFromRun } from '../compare/compare';
import type { ComparisonResult } from '../compare/result-types';
import type { AnalysisParams } from './params';

/** The steps of an analysis, in order, as reported to progress callbacks. */
export type AnalysisStep = 'project' | 'cluster' | 'stability' | 'compare';

/** What the pipeline needs: answers in the same order as the rows of `vectors`. */
export interface AnalysisInput {
  prompts: readonly Prompt[];
  answers: readonly Answer[];
  /** Unit-normalised embeddings, one row per answer. */
  vectors: Matrix;
}

/** Progress and cancellation. */
export interface AnalysisHooks {
  onProgress?: (step: AnalysisStep, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** How the clusters were made. */
export interface ClusteringSummary {
  method: AnalysisParams['clustering'];
  k: number;
  /** Silhouette of each k tried when k was chosen automatically. */
  silhouettes: { k: number; silhouette: number }[];
  /** HDBSCAN's noise answers (label -1). */
  noise: number;
  /** Agreement (adjusted Rand index) of the clustering across seeds; null when not run. */
  stability: StabilitySummary | null;
  /** Silhouette of the clustering used (noise left out); null when not computable. */
  silhouette: number | null;
}

/** The result of one analysis, saved with the run. Typed arrays travel by transfer. */
export interface AnalysisResult {
  /**
   * 3 since openings, closings, clusters of change and categories (2: words tested by presence
   * per answer); older versions are migrated on reading.
   */
  version: 3;
  params: AnalysisParams;
  n: { prompts: number; answersA: number; answersB: number };
  /** Answer identity of each row, so results can be joined back to the run. */
  rows: { promptId: string; side: Side; sample: number }[];
  /** 2-D map coordinates, one pair per answer (x0, y0, x1, y1, ...). */
  projection: Float32Array;
  /** Cluster of each answer; -1 is HDBSCAN noise. */
  labels: Int32Array;
  clustering: ClusteringSummary;
  /** The Ward merge tree (scipy linkage rows), for the hierarchy view; null when not computed. */
  tree: { n: number; merges: Float64Array } | null;
  comparison: ComparisonResult;
  /** Seconds per step. */
  timings: Record<string, number>;
}

/** Ward trees are built for the hierarchy view up to this many answers even with other methods. */
export const WARD_TREE_MAX_ANSWERS = 4000;

/** HDBSCAN's smallest cluster when set to 'auto': about 1% of the answers, at least 5. */
export function autoMinClusterSize(n: number): number {
  return Math.max(5, Math.round(n / 100));
}

const now = (): number => globalThis.performance.now();

/**
 * Runs projection, clustering, stability and comparison.
 * @throws RangeError when there are too few answers or a side has none; AbortError when cancelled.
 */
export async function runAnalysis(
  input: AnalysisInput,
  params: AnalysisParams,
  hooks: AnalysisHooks = {},
): Promise<AnalysisResult> {
  const { answers, prompts, vectors } = input;
  if (vectors.rows !== answers.length) {
    throw new RangeError(`${answers.length} answers but ${vectors.rows} embedding rows`);
  }
  if (answers.length < 4) {
    throw new RangeError(`an analysis needs at least 4 answers, got ${answers.length}`);
  }
  const timings: Record<string, number> = {};
  const timed = async <T>(step: AnalysisStep, work: () => T | Promise<T>): Promise<T> => {
    hooks.signal?.throwIfAborted();
    hooks.onProgress?.(step, 0, 1);
    const started = now();
    const result = await work();
    timings[step] = (now() - started) / 1000;
    hooks.onProgress?.(step, 1, 1);
    return result;
  };

  const projection = await timed('project', () => project(vectors, params, hooks));
  const { labels, clustering, tree } = await timed('cluster', () => cluster(vectors, params));
  clustering.stability = await timed('stability', () => stability(vectors, params, clustering.k));
  clustering.silhouette = finalSilhouette(vectors, labels, clustering, params.seed);
  const comparison = await timed('compare', () =>
    compareAnswers(comparisonInputFromRun(prompts, answers, labels, vectors), {
      seed: params.seed,
      nPermutations: params.nPermutations,
    }),
  );

  const answersA = answers.filter((a) => a.side === 'A').length;
  return {
    version: 3,
    params,
    n: {
      prompts: new Set(answers.map((a) => a.promptId)).size,
      answersA,
      answersB: answers.length - answersA,
    },
    rows: answers.map((a) => ({ promptId: a.promptId, side: a.side, sample: a.sample })),
    projection,
    labels,
    clustering,
    tree,
    comparison,
    timings,
  };
}

async function project(
  vectors: Matrix,
  params: AnalysisParams,
  hooks: AnalysisHooks,
): Promise<Float32Array> {
  if (params.projection === 'pca') {
    return pca(vectors, { components: 2, seed: params.seed }).projected.data;
  }
  const result = await umap(vectors, {
    nNeighbors: 15,
    minDist: 0.1,
    seed: params.seed,
    signal: hooks.signal,
    onProgress: (done, total, stage) =>
      hooks.onProgress?.(
        'project',
        stage === 'neighbours' ? done / total / 2 : 0.5 + done / total / 2,
        1,
      ),
  });
  return result.embedding.data;
}

function cluster(
  vectors: Matrix,
  params: AnalysisParams,
): { labels: Int32Array; clustering: ClusteringSummary; tree: AnalysisResult['tree'] } {
  const n = vectors.rows;
  const kMax = Math.min(params.kMax, n - 1);
  const kMin = Math.min(params.kMin, kMax);
  const wardTree =
    params.clustering === 'ward' || n <= WARD_TREE_MAX_ANSWERS ? wardLinkage(vectors) : null;
  const tree = wardTree ? { n: wardTree.n, merges: wardTree.merges } : null;
  const summary = (
    k: number,
    silhouettes: ClusteringSummary['silhouettes'],
    noise = 0,
  ): ClusteringSummary => ({
    method: params.clustering,
    k,
    silhouettes,
    noise,
    stability: null,
    silhouette: null,
  });

  if (params.clustering === 'hdbscan') {
    const minClusterSize =
      params.minClusterSize === 'auto' ? autoMinClusterSize(n) : params.minClusterSize;
    const result = hdbscan(vectors, { minClusterSize });
    const noise = result.labels.reduce((count, l) => count + (l < 0 ? 1 : 0), 0);
    return { labels: result.labels, clustering: summary(result.clusterCount, [], noise), tree };
  }
  if (params.clustering === 'ward') {
    const linkage = wardTree as Linkage;
    if (params.k !== 'auto') {
      return {
        labels: cutTree(linkage, Math.min(params.k, n)),
        clustering: summary(params.k, []),
        tree,
      };
    }
    const cutAt = (k: number) => ({ labels: cutTree(linkage, k) });
    const chosen = chooseKBySilhouette(vectors, cutAt, { kMin, kMax, seed: params.seed });
    return { labels: chosen.result.labels, clustering: summary(chosen.k, chosen.scores), tree };
  }
  if (params.k !== 'auto') {
    const k = Math.min(params.k, n);
    return {
      labels: kmeans(vectors, { k, seed: params.seed, restarts: 3 }).labels,
      clustering: summary(k, []),
      tree,
    };
  }
  const chosen = chooseK(vectors, { kMin, kMax, seed: params.seed, restarts: 3 });
  return { labels: chosen.result.labels, clustering: summary(chosen.k, chosen.scores), tree };
}

/**
 * The silhouette of the labels used, for the cluster-quality warning: the chosen k's when k was
 * chosen by silhouette, otherwise scored now on the same seeded sample size.
 */
function finalSilhouette(
  vectors: Matrix,
  labels: Int32Array,
  clustering: ClusteringSummary,
  seed: number,
): number | null {
  const chosen = clustering.silhouettes.find((s) => s.k === clustering.k);
  const value = chosen
    ? chosen.silhouette
    : silhouetteOfSample(sampleDistances(vectors, { seed }), labels);
  return Number.isFinite(value) ? value : null;
}

/** Re-clusters with other seeds; only k-means depends on the seed (Ward and HDBSCAN do not). */
function stability(vectors: Matrix, params: AnalysisParams, k: number): StabilitySummary | null {
  if (params.stabilitySeeds <= 0 || params.clustering !== 'kmeans') return null;
  const seeds = Array.from({ length: params.stabilitySeeds + 1 }, (_, i) => params.seed + i * 7919);
  return seedStability((seed) => kmeans(vectors, { k, seed, restarts: 1 }).labels, seeds);
}
