/** Honest clusters end to end: comparison, pipeline, REPORT.json and a version-1 result. */
import { describe, expect, it } from 'vitest';
import { analysisParams, runAnalysis, toReportJson } from '../../src/lib/core/analysis';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import {
  analysisResultProblem,
  migrateAnalysisResult,
} from '../../src/lib/core/analysis/result-schema';
import { compareAnswers } from '../../src/lib/core/compare/compare';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { createRng } from '../../src/lib/core/vectors/random';
import { asVersion1Result, fakeAnalysisResult } from './analysis-result-fixture';
import { synthetic } from './compare-test-helpers';

const LOOP = Array.from({ length: 300 }, () => 'zorblax').join(' ');

/** 24 prompts: every answer in cluster 0 or 1 by its label; B's first answer is a loop. */
function comparisonInput() {
  const s = synthetic({ nPrompts: 24, samples: 1, dims: 6, k: 2, seed: 3 });
  const texts = s.sides.map((side, i) =>
    side === 'B' && i === 1
      ? LOOP
      : `${side === 'B' ? 'Certainly! ' : ''}Answer ${i} about topic ${s.labels[i]} with common words.`,
  );
  return {
    prompts: Array.from({ length: s.nPrompts }, (_, p) => `p${p}`),
    promptIndex: s.promptIndex,
    sides: s.sides,
    labels: s.labels,
    vectors: s.vectors,
    texts,
  };
}

describe('honest clusters in the comparison', () => {
  it('counts degenerate answers, never shows them as exemplars, and gives each side its medoids', () => {
    const input = comparisonInput();
    const res = compareAnswers(input, { nPermutations: 99, nBootstrap: 50 });
    const loopCluster = res.clusters.find((c) => c.id === input.labels[1])!;
    expect(loopCluster.degenerate).toBe(1);
    expect(res.clusters.reduce((s, c) => s + (c.degenerate ?? 0), 0)).toBe(1);
    for (const c of res.clusters) {
      expect(c.noise).toBe(false);
      expect([...c.exemplars.a, ...c.exemplars.b]).not.toContain(LOOP);
      expect(c.terms).not.toContain('zorblax');
      if (c.countA > 0) expect(c.exemplars.a.length).toBeGreaterThan(0);
      if (c.countB > 1) expect(c.exemplars.b.length).toBeGreaterThan(0);
      // "Certainly" is in B's answers only: a contrast term for B wherever both sides are.
      if (c.countA >= 3 && c.countB >= 4) expect(c.contrastTerms.b).toContain('certainly');
      expect(c.contrastTerms.a).not.toContain('certainly');
    }
  });

  it('names HDBSCAN noise as noise: no terms, no exemplars', () => {
    const input = comparisonInput();
    const labels = Int32Array.from(input.labels, (l, i) => (i % 7 === 0 ? -1 : l));
    const res = compareAnswers({ ...input, labels }, { nPermutations: 99, nBootstrap: 50 });
    const noise = res.clusters.find((c) => c.id === -1)!;
    expect(noise.noise).toBe(true);
    expect(noise.terms).toEqual([]);
    expect(noise.contrastTerms).toEqual({ a: [], b: [] });
    expect(noise.exemplars).toEqual({ a: [], b: [] });
    expect(res.clusters.filter((c) => c.noise)).toHaveLength(1);
  });
});

/** Two tight groups of answers and a few stray ones, texts by group. */
function pipelineInput() {
  const rng = createRng(8);
  const dims = 6;
  const prompts: Prompt[] = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, text: `Q${i}?` }));
  const answers: Answer[] = [];
  const rows: number[] = [];
  for (const p of prompts) {
    for (const side of ['A', 'B'] as const) {
      const group = side === 'B' && rng.next() < 0.6 ? 1 : 0;
      const v = Array.from({ length: dims }, () => (rng.next() - 0.5) * 0.1);
      v[group]! += 1;
      const norm = Math.hypot(...v);
      rows.push(...v.map((x) => x / norm));
      answers.push({
        promptId: p.id,
        side,
        sample: 0,
        text: group ? 'Sure, here is a numbered list.' : 'A short plain answer.',
        finishReason: 'stop',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    }
  }
  return {
    prompts,
    answers,
    vectors: { data: Float32Array.from(rows), rows: answers.length, dims },
  };
}

describe('cluster quality and assignments in REPORT.json', () => {
  for (const clustering of ['kmeans', 'hdbscan'] as const) {
    it(`gives every answer's cluster and the quality of the clusters (${clustering})`, async () => {
      const input = pipelineInput();
      const params = analysisParams({ clustering, projection: 'pca', k: 2, nPermutations: 99 });
      const result = await runAnalysis(input, params);
      expect(analysisResultProblem(result)).toBeNull();
      const report = toReportJson(result, input.prompts);
      expect(report.assignments).toHaveLength(input.answers.length);
      report.assignments.forEach((a, i) => {
        expect(a).toEqual({
          promptId: input.answers[i]!.promptId,
          prompt: input.prompts.find((p) => p.id === input.answers[i]!.promptId)!.text,
          side: input.answers[i]!.side,
          sample: 0,
          cluster: result.labels[i],
        });
      });
      const q = report.clusterQuality;
      expect(q.silhouette).toBe(result.clustering.silhouette);
      // Two tight, far apart groups: a high silhouette and no warning.
      expect(q.silhouette!).toBeGreaterThan(0.5);
      expect(q.noise).toBe(result.labels.filter((l) => l < 0).length);
      expect(q.stabilityAri).toBe(
        clustering === 'kmeans' ? result.clustering.stability!.mean : null,
      );
      expect(q.warning).toBeNull();
      for (const c of report.clusters) expect(c.noise).toBe(c.id < 0);
    });
  }

  it('warns when the clusters are weak', () => {
    const result = fakeAnalysisResult(pipelineInput().answers);
    const weak: AnalysisResult = {
      ...result,
      clustering: { ...result.clustering, silhouette: 0.08 },
    };
    expect(toReportJson(weak, []).clusterQuality.warning).toMatch(
      /answers do not form distinct groups; read the features and words first/,
    );
  });
});

describe('a version-1 result', () => {
  it('opens with noise named, no noise terms, and the chosen k silhouette (null without one)', () => {
    const current = fakeAnalysisResult(pipelineInput().answers);
    const withNoise: AnalysisResult = {
      ...current,
      comparison: {
        ...current.comparison,
        clusters: [
          { ...current.comparison.clusters[0]!, id: -1, terms: ['junk', 'words'] },
          current.comparison.clusters[1]!,
        ],
      },
    };
    const v1 = asVersion1Result(withNoise);
    expect(analysisResultProblem(v1)).toBeNull();
    const opened = migrateAnalysisResult(v1);
    expect(analysisResultProblem(opened)).toBeNull();
    const [noise, one] = opened.comparison.clusters;
    expect(noise).toMatchObject({ id: -1, noise: true, terms: [], degenerate: null });
    expect(one).toMatchObject({ id: 1, noise: false, terms: ['explain'] });
    expect(one!.contrastTerms).toEqual({ a: [], b: [] });
    expect(opened.clustering.silhouette).toBe(0.3);
    const fixedK = asVersion1Result({
      ...current,
      clustering: { ...current.clustering, silhouettes: [] },
    });
    expect(migrateAnalysisResult(fixedK).clustering.silhouette).toBeNull();
    const report = toReportJson(opened, []);
    expect(report.clusterQuality.silhouette).toBe(0.3);
    expect(report.assignments).toHaveLength(opened.rows.length);
  });
});
