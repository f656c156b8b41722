/**
 * A saved analysis that this version cannot read (from a run file or from storage) is left
 * out with a notice naming it, and the run still opens, exports and takes new analyses.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { describeDroppedAnalysis } from '../../src/lib/core/analysis/result-schema';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run';
import type { Db } from '../../src/lib/persistence/db';
import type { RunRepository } from '../../src/lib/persistence/runs';
import { fakeAnalysisResult } from './analysis-result-fixture';
import { freshRepo, makeRun } from './persistence-fixtures';
import { fixtureText } from './run-test-helpers';

let db: Db;
let repo: RunRepository;

beforeEach(async () => {
  ({ db, repo } = await freshRepo());
});

describe('unreadable analyses', () => {
  it('imports a run file whose analysis result is only {"version": 1}, leaving it out', async () => {
    const file = parseRunFile(
      fixtureText('runs/v1-invalid-analysis.json'),
      'v1-invalid-analysis.json',
    );
    const imported = await repo.importRun(file);
    expect(imported.report.droppedAnalyses).toEqual([
      {
        id: 'analysis-only-version',
        createdAt: '2025-03-01T10:04:00.000Z',
        problem:
          'analyses[0].result: expected an object with a "params" field, got an object with fields "version"',
      },
    ]);
    const { run, droppedAnalyses } = await repo.openChecked(imported.id);
    expect(run.analyses).toEqual([]);
    expect(run.answers).toHaveLength(12);
    expect(droppedAnalyses).toEqual([]);
    expect(repo.takeImportReport(imported.id)?.droppedAnalyses.map((d) => d.id)).toEqual([
      'analysis-only-version',
    ]);
    // Told once: the run page takes the report when it shows it.
    expect(repo.takeImportReport(imported.id)).toBeUndefined();

    // The run takes a new, readable analysis as usual.
    const result = fakeAnalysisResult(run.answers);
    await repo.putAnalysis(imported.id, { id: 'new', createdAt: 'z', params: {}, result });
    expect((await repo.open(imported.id)).analyses.map((a) => a.id)).toEqual(['new']);
  });

  it('keeps readable analyses of a file and drops the others, naming each', async () => {
    const run = makeRun('r1');
    const good = run.analyses[0]!;
    const bad = { ...good, id: 'bad', result: { ...fakeAnalysisResult(run.answers), labels: [1] } };
    const imported = await repo.importRun(
      parseRunFile(serializeRunFile({ ...run, analyses: [good, bad] }), 'f.json'),
    );
    expect(imported.report.droppedAnalyses.map((d) => d.id)).toEqual(['bad']);
    expect(imported.report.droppedAnalyses[0]!.problem).toMatch(
      /^analyses\[1\]\.result\.labels: expected Int32Array/,
    );
    expect((await repo.open(imported.id)).analyses.map((a) => a.id)).toEqual(['an1']);
  });

  it('opens a run whose stored analysis cannot be read, and says which one', async () => {
    const run = makeRun('r1');
    await repo.create(run);
    // Written by another version, or damaged on disk: not through putAnalysis.
    await db.put('analyses', {
      runId: 'r1',
      id: 'from-elsewhere',
      createdAt: '2025-04-01T00:00:00.000Z',
      params: {},
      result: { version: 1 },
    });
    const { run: opened, droppedAnalyses } = await repo.openChecked('r1');
    expect(opened.analyses.map((a) => a.id)).toEqual(['an1']);
    expect(droppedAnalyses.map(describeDroppedAnalysis)).toEqual([
      'The analysis "from-elsewhere" of 2025-04-01T00:00:00.000Z was left out because it cannot be read: analyses[1].result: expected an object with a "params" field, got an object with fields "version".',
    ]);
    expect((await repo.analyses('r1')).map((a) => a.id)).toEqual(['an1']);
    expect((await repo.exportRun('r1')).analyses.map((a) => a.id)).toEqual(['an1']);
  });
});
