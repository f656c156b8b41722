import { describe, expect, it } from 'vitest';
import {
  clusterNote,
  embedNote,
  mapNote,
  qNote,
  teachingNote,
  testNote,
  type TeachingStep,
} from '../../src/lib/core/report/teaching';
import { fixedReport } from './report-test-helpers';

const report = fixedReport();

describe('teaching notes', () => {
  it('embedding: tells the run its own answer count and vector length', () => {
    const text = embedNote({ report, dims: 100 }).join(' ');
    expect(text).toContain('We turned each of the 1,610 answers into a list of 100 numbers');
    expect(text).toContain('transformers:bundled-embedder');
    expect(embedNote({ report }).join(' ')).toContain('into a list of numbers');
  });

  it('map: names the projection and says it is for looking only', () => {
    const text = mapNote({ report, dims: 384 }).join(' ');
    expect(text).toContain("UMAP squeezes each answer's 384 numbers down to 2");
    expect(text).toContain('only for looking');
    const pca = mapNote({
      report: fixedReport({ params: { ...report.params, projection: 'pca' } }),
    });
    expect(pca[0]).toMatch(/^PCA /);
  });

  it('clustering: k-means with the chosen k and its range, HDBSCAN with noise', () => {
    expect(clusterNote({ report })[0]).toBe(
      "k-means sorted A's and B's answers together into 2 clusters, the number between 2 and 12 that separated the groups best (silhouette).",
    );
    const hdb = fixedReport({
      params: { ...report.params, clustering: 'hdbscan', kChosen: 1 },
      clusters: [{ ...report.clusters[0]!, id: -1, size: 17 }, report.clusters[1]!],
    });
    expect(clusterNote({ report: hdb })[0]).toBe(
      'HDBSCAN found 1 cluster of densely packed answers; 17 answers that fit none are "noise".',
    );
  });

  it('permutation test: statistic, shuffles, p and its reading', () => {
    const text = testNote({ report });
    expect(text[0]).toContain('energy distance 0.0128');
    expect(text[1]).toContain('within each prompt 999 times');
    expect(text[1]).toContain('under 1% of the shuffles');
    // 0.001 is the floor of 999 permutations: no shuffle was as extreme (issue 9 item 7).
    expect(text[1]).toContain('p ≤ 0.001');
    expect(text[2]).toContain('unlikely');
    const none = testNote({
      report: fixedReport({ overall: { method: 'energy', statistic: 0.001, pValue: 0.3 } }),
    });
    expect(none[1]).toContain('about 30% of the shuffles');
    expect(none[2]).toContain('cannot say B differs');
  });

  it('q-values: counts the tests and what passes', () => {
    const text = qNote({ report });
    // Two clusters and the two testable features (emoji has no q-value).
    expect(text[0]).toContain('We ran 4 tests here (2 clusters and 2 style features)');
    expect(text[1]).toContain('Benjamini–Hochberg');
    expect(text[2]).toBe('Here 1 of 2 clusters and 1 of 2 style features pass.');
  });

  it('teachingNote gives 2 or 3 sentences for every step', () => {
    for (const step of ['embed', 'map', 'cluster', 'test', 'q'] as TeachingStep[]) {
      const n = teachingNote(step, { report, dims: 100 }).length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(3);
    }
  });
});
