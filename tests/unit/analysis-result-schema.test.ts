import { describe, expect, it } from 'vitest';
import { analysisParams, runAnalysis } from '../../src/lib/core/analysis';
import type { AnalysisParams } from '../../src/lib/core/analysis/params';
import {
  analysisResultProblem,
  describeDroppedAnalysis,
  migrateAnalysisResult,
  screenAnalyses,
} from '../../src/lib/core/analysis/result-schema';
import type { AnalysisResult } from '../../src/lib/core/analysis/pipeline';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run';
import type { Answer, Prompt } from '../../src/lib/core/run/types';
import { createRng } from '../../src/lib/core/vectors/random';
import { asVersion1Result, asVersion2Result, fakeAnalysisResult } from './analysis-result-fixture';
import { makeRun } from './persistence-fixtures';

/** 12 prompts x 2 sides x 2 samples of unit vectors, B partly moved to another direction. */
function smallInput() {
  const rng = createRng(5);
  const dims = 8;
  const prompts: Prompt[] = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, text: `q ${i}` }));
  const answers: Answer[] = [];
  const rows: number[] = [];
  for (const p of prompts) {
    for (const side of ['A', 'B'] as const) {
      for (let sample = 0; sample < 2; sample++) {
        const moved = side === 'B' && rng.next() < 0.5;
        const v = Array.from({ length: dims }, () => (rng.next() - 0.5) * 0.3);
        v[moved ? 1 : 0]! += 1;
        const norm = Math.hypot(...v);
        rows.push(...v.map((x) => x / norm));
        answers.push({
          promptId: p.id,
          side,
          sample,
          text: moved ? 'sure, here is a long list' : 'a short answer',
          finishReason: 'stop',
          createdAt: '2026-01-01T00:00:00.000Z',
        });
      }
    }
  }
  return {
    prompts,
    answers,
    vectors: { data: Float32Array.from(rows), rows: answers.length, dims },
  };
}

describe('analysis result schema', () => {
  const settings: Partial<AnalysisParams>[] = [
    { clustering: 'kmeans', projection: 'pca', k: 'auto' },
    { clustering: 'ward', projection: 'pca', k: 'auto' },
    { clustering: 'hdbscan', projection: 'umap' },
  ];
  for (const overrides of settings) {
    it(`accepts real pipeline output (${overrides.clustering}), also after a run-file round trip`, async () => {
      const input = smallInput();
      const params = analysisParams({ ...overrides, nPermutations: 99, stabilitySeeds: 1 });
      const result = await runAnalysis(input, params);
      expect(analysisResultProblem(result)).toBeNull();

      const run = {
        ...makeRun('r', { prompts: 0 }),
        samplesPerPrompt: 2,
        prompts: input.prompts,
        answers: input.answers,
        embeddings: [],
        analyses: [{ id: 'a1', createdAt: '2026-01-01T00:00:00.000Z', params: {}, result }],
      };
      const back = parseRunFile(serializeRunFile(run), 'r.json');
      expect(analysisResultProblem(back.analyses[0]!.result)).toBeNull();
      const screened = screenAnalyses(back.analyses, new Set(input.prompts.map((p) => p.id)));
      expect(screened.kept).toHaveLength(1);
    });
  }

  it('opens a result saved by version 1 (log-odds words), migrated to the current version', async () => {
    const input = smallInput();
    const current = fakeAnalysisResult(input.answers);
    const saved = asVersion1Result(current);
    expect(analysisResultProblem(saved)).toBeNull();
    const run = {
      ...makeRun('r', { prompts: 0 }),
      samplesPerPrompt: 2,
      prompts: input.prompts,
      answers: input.answers,
      embeddings: [],
      analyses: [{ id: 'a1', createdAt: '2026-01-01T00:00:00.000Z', params: {}, result: saved }],
    };
    const back = parseRunFile(serializeRunFile(run), 'r.json');
    const { kept } = screenAnalyses(back.analyses, new Set(input.prompts.map((p) => p.id)));
    const opened = kept[0]!.result as AnalysisResult;
    expect(opened.version).toBe(3);
    expect(analysisResultProblem(opened)).toBeNull();
    expect(opened.comparison.openings).toBeNull();
    expect(opened.comparison.changes).toBeNull();
    expect(opened.comparison.words).toEqual({
      test: 'log-odds',
      tested: 0,
      minAnswers: 0,
      moreInA: [],
      moreInB: [{ term: 'b', z: 2.1, countA: 0, countB: 3, pValue: null, qValue: null }],
    });
    expect(opened.comparison.wordsLogOdds).toEqual(current.comparison.wordsLogOdds);
    // Not counted in version 1: the degenerate count is unknown, not 0.
    expect(opened.comparison.clusters).toEqual(
      current.comparison.clusters.map((c) => ({ ...c, degenerate: null })),
    );
    expect(migrateAnalysisResult(current)).toBe(current);
  });

  it('opens a result saved by version 2 (no openings, changes or categories) as not computed', () => {
    const input = smallInput();
    const current = fakeAnalysisResult(input.answers);
    const saved = asVersion2Result(current);
    expect(analysisResultProblem(saved)).toBeNull();
    // A version-2 result is not a valid version 3: the new fields are required there.
    expect(analysisResultProblem({ ...(saved as object), version: 3 })).toMatch(/openings/);
    const run = {
      ...makeRun('r', { prompts: 0 }),
      samplesPerPrompt: 2,
      prompts: input.prompts,
      answers: input.answers,
      embeddings: [],
      analyses: [{ id: 'a1', createdAt: '2026-01-01T00:00:00.000Z', params: {}, result: saved }],
    };
    const back = parseRunFile(serializeRunFile(run), 'r.json');
    const { kept } = screenAnalyses(back.analyses, new Set(input.prompts.map((p) => p.id)));
    const opened = kept[0]!.result as AnalysisResult;
    expect(opened).toEqual({
      ...current,
      version: 3,
      comparison: {
        ...current.comparison,
        openings: null,
        closings: null,
        changes: null,
        categories: null,
      },
    });
    expect(analysisResultProblem(opened)).toBeNull();
  });

  it('does not read version-2 words in a version-1 result, nor version-1 words in version 2', () => {
    const current = fakeAnalysisResult(smallInput().answers);
    expect(analysisResultProblem({ ...current, version: 1 })).toMatch(/comparison\.words/);
    const v1 = asVersion1Result(current) as { comparison: { words: unknown } };
    const oldWordsAsV2 = {
      ...current,
      comparison: { ...current.comparison, words: v1.comparison.words },
    };
    expect(analysisResultProblem(oldWordsAsV2)).toMatch(/comparison\.words/);
  });

  it('names the first problem of a result that is only {"version": 1}', () => {
    expect(analysisResultProblem({ version: 1 }, 'run.analyses[0].result')).toBe(
      'run.analyses[0].result: expected an object with a "params" field, got an object with fields "version"',
    );
  });

  it('says which versions it reads when the version is unknown or missing', () => {
    expect(analysisResultProblem({ version: 7 })).toMatch(
      /result\.version is 7; this app reads result versions 1/,
    );
    expect(analysisResultProblem(null)).toMatch(/result\.version is missing/);
    expect(analysisResultProblem([1, 2])).toMatch(/result\.version is missing/);
  });

  it('rejects fields that do not agree with each other', () => {
    const run = makeRun('r');
    const result = fakeAnalysisResult(run.answers);
    expect(analysisResultProblem(result)).toBeNull();
    expect(analysisResultProblem({ ...result, labels: new Int32Array(3) })).toMatch(
      /labels has 3 entries for 12 rows/,
    );
    expect(analysisResultProblem({ ...result, projection: new Float32Array(4) })).toMatch(
      /projection has 4 numbers for 12 rows/,
    );
    const clusters = [{ ...result.comparison.clusters[0]!, exemplarAnswers: { a: [40], b: [] } }];
    expect(
      analysisResultProblem({ ...result, comparison: { ...result.comparison, clusters } }),
    ).toMatch(/cluster 0 points at an answer beyond row 12/);
    expect(
      analysisResultProblem({
        ...result,
        comparison: {
          ...result.comparison,
          overall: { ...result.comparison.overall, pValue: null },
        },
      }),
    ).toMatch(/comparison\.overall\.pValue: expected a number, got null/);
  });

  it('keeps the readable analyses and names the ones it drops', () => {
    const run = makeRun('r');
    const good = run.analyses[0]!;
    const broken = {
      id: 'bad-1',
      createdAt: '2025-02-01T00:00:00.000Z',
      params: {},
      result: { version: 1 },
    };
    const foreign = {
      ...good,
      id: 'foreign',
      result: {
        ...fakeAnalysisResult(run.answers),
        rows: run.answers.map((a) => ({ ...a, promptId: 'zz' })),
      },
    };
    const { kept, dropped } = screenAnalyses(
      [broken, good, foreign],
      new Set(run.prompts.map((p) => p.id)),
    );
    expect(kept).toEqual([good]);
    expect(dropped.map((d) => d.id)).toEqual(['bad-1', 'foreign']);
    expect(describeDroppedAnalysis(dropped[0]!)).toBe(
      'The analysis "bad-1" of 2025-02-01T00:00:00.000Z was left out because it cannot be read: analyses[0].result: expected an object with a "params" field, got an object with fields "version".',
    );
    expect(dropped[1]!.problem).toMatch(/rows name prompt "zz", not in the run/);
  });
});
