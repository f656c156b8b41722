/** One line per saved analysis, so that analyses with different settings can be compared. */
import type { AnalysisResult } from '../analysis/pipeline';
import { ALPHA } from './vocabulary';

/** The settings and headline numbers of one analysis, as shown in the saved-analyses table. */
export interface AnalysisRow {
  embedder: string;
  projection: string;
  clustering: string;
  /** The number of clusters used, marked when it was chosen automatically. */
  k: string;
  seed: number;
  overallP: number;
  /** Real clusters (not HDBSCAN noise) whose share differs with q below ALPHA. */
  significantClusters: number;
}

const CLUSTERING: Record<string, string> = {
  kmeans: 'k-means++',
  ward: 'Ward',
  hdbscan: 'HDBSCAN',
};

/** A short embedder name: ids carry a backend prefix, a hub organisation or an endpoint origin. */
export function embedderName(embedderId: string): string {
  // Endpoint ids are `openai:model@origin?dimensions=n`: the model is what tells analyses apart.
  const name = embedderId.replace(/^(transformers|openai):/, '').split('@')[0] ?? '';
  return name.slice(name.lastIndexOf('/') + 1) || embedderId;
}

/** The row of `result` in the saved-analyses table. */
export function analysisRow(result: AnalysisResult): AnalysisRow {
  const { params, clustering, comparison } = result;
  const auto = params.k === 'auto' && clustering.method !== 'hdbscan';
  return {
    embedder: embedderName(params.embedderId),
    projection: params.projection.toUpperCase(),
    clustering: CLUSTERING[clustering.method] ?? clustering.method,
    k: auto ? `${clustering.k} (auto)` : String(clustering.k),
    seed: params.seed,
    overallP: comparison.overall.pValue,
    significantClusters: comparison.clusters.filter((c) => c.id >= 0 && c.qValue < ALPHA).length,
  };
}
