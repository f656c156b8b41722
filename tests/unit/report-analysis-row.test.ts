import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/lib/core/analysis';
import { analysisParams } from '../../src/lib/core/analysis';
import { analysisRow, embedderName } from '../../src/lib/core/report/analysis-row';

const result = (overrides: Partial<AnalysisResult['params']>, k: number): AnalysisResult =>
  ({
    version: 1,
    params: analysisParams(overrides),
    clustering: {
      method: overrides.clustering ?? 'kmeans',
      k,
      silhouettes: [],
      noise: 0,
      stability: null,
    },
    comparison: {
      overall: { pValue: 0.002 },
      clusters: [
        { id: 0, qValue: 0.01 },
        { id: 1, qValue: 0.2 },
        { id: -1, qValue: 0.001 },
      ],
    },
  }) as unknown as AnalysisResult;

describe('saved-analysis rows', () => {
  it('summarises settings and headline numbers', () => {
    expect(analysisRow(result({ seed: 7 }, 4))).toEqual({
      embedder: 'bundled-embedder',
      projection: 'UMAP',
      clustering: 'k-means++',
      k: '4 (auto)',
      seed: 7,
      overallP: 0.002,
      significantClusters: 1,
    });
  });
  it('shows a fixed k as it is and names the method', () => {
    const row = analysisRow(result({ clustering: 'ward', k: 2, projection: 'pca' }, 2));
    expect(row).toMatchObject({ clustering: 'Ward', k: '2', projection: 'PCA' });
  });
  it('shortens embedder ids', () => {
    expect(embedderName('transformers:Xenova/all-MiniLM-L6-v2')).toBe('all-MiniLM-L6-v2');
    expect(embedderName('openai:text-embedding-3-small@https://api.openai.com')).toBe(
      'text-embedding-3-small',
    );
    expect(embedderName('openai:BAAI/bge-small@http://localhost:8000?dimensions=64')).toBe(
      'bge-small',
    );
  });
});
