import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { migrateRunFile, runFileVersion } from '../../src/lib/core/run/migrate';
import { migrateV1ToV2 } from '../../src/lib/core/run/migrations/v1-to-v2';
import { migrateV2ToV3 } from '../../src/lib/core/run/migrations/v2-to-v3';
import { migrateV3ToV4 } from '../../src/lib/core/run/migrations/v3-to-v4';
import { migrateV4ToV5 } from '../../src/lib/core/run/migrations/v4-to-v5';
import { savedAnalyses } from '../../src/lib/state/analysis-runner';
import { parseRunFile, readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import { XSS_IMG, XSS_SCRIPT, fixtureText, sampleExplanation } from './run-test-helpers';

describe('v0 -> v1 migration', () => {
  const text = fixtureText('runs/v0-tiny.json');

  it('reads a v0 file as a valid current run (through v1)', () => {
    const { run, fileVersion, exportedAt } = readRunFile(text, 'v0-tiny.json');
    expect(fileVersion).toBe(0);
    expect(exportedAt).toBe('2024-11-02T10:00:00.000Z');
    expect(run.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(run.name).toBe('tiny-base vs tiny-finetune');
    expect(run.createdAt).toBe('2024-11-02T10:00:00.000Z');
    expect(run.updatedAt).toBe(run.createdAt);
    expect(run.models.A).toEqual({
      label: 'tiny-base',
      backend: 'imported',
      modelId: 'tiny-base',
      params: { temperature: 0.8, topP: 1, maxTokens: 128, seed: 7 },
    });
    expect(run.models.B.modelId).toBe('tiny-finetune');
    expect(run.promptSet).toMatchObject({ name: 'everyday questions', source: 'imported' });
    expect(run.prompts).toEqual([
      { id: 'p0001', text: 'How do I boil an egg?', category: 'cooking' },
      { id: 'p0002', text: 'Write a web page that greets the user.', category: 'code' },
      { id: 'p0003', text: 'Say something nice.' },
    ]);
    // 2 + 1, 1 + 1, 1 + 3 answers; the widest item has 3 samples.
    expect(run.answers).toHaveLength(9);
    expect(run.samplesPerPrompt).toBe(3);
    expect(
      run.answers
        .filter((a) => a.promptId === 'p0003' && a.side === 'B')
        .map((a) => [a.sample, a.text]),
    ).toEqual([
      [0, 'You are doing wonderfully!'],
      [1, 'Keep it up!'],
      [2, 'Nice work.'],
    ]);
    expect(
      run.answers.every((a) => a.finishReason === 'unknown' && a.createdAt === run.createdAt),
    ).toBe(true);
    expect(run.answers.find((a) => a.promptId === 'p0002' && a.side === 'A')!.text).toBe(
      XSS_SCRIPT,
    );
    expect(run.answers.find((a) => a.promptId === 'p0002' && a.side === 'B')!.text).toContain(
      XSS_IMG,
    );
    expect(run.embeddings).toEqual([]);
    expect(run.explanations).toEqual([]);
  });

  it('gives the same run id every time the same file is migrated', () => {
    const a = parseRunFile(text, 'v0-tiny.json');
    const b = parseRunFile(text, 'copy.json');
    expect(a.id).toMatch(/^v0-[0-9a-f]{8}$/);
    expect(b.id).toBe(a.id);
    const other = parseRunFile(
      text.replace('tiny-base vs tiny-finetune', 'another title'),
      'x.json',
    );
    expect(other.id).not.toBe(a.id);
  });

  it('saves a migrated run as a current file that reads back identically', () => {
    const run = parseRunFile(text, 'v0-tiny.json');
    const again = readRunFile(serializeRunFile(run), 'v2.json');
    expect(again.fileVersion).toBe(RUN_SCHEMA_VERSION);
    expect(again.run).toEqual(run);
  });

  it('defaults the settings v0 did not record', () => {
    const minimal = JSON.stringify({
      version: 0,
      title: 't',
      created: '2024-01-01',
      modelA: 'a',
      modelB: 'b',
      items: [{ prompt: 'p', a: [], b: ['x'] }],
    });
    const run = parseRunFile(minimal, 'min.json');
    expect(run.models.A.params).toEqual({ temperature: 0.7, topP: 1, maxTokens: 512, seed: null });
    expect(run.promptSet.name).toBe('t');
    expect(run.samplesPerPrompt).toBe(1);
    expect(run.answers).toEqual([
      {
        promptId: 'p0001',
        side: 'B',
        sample: 0,
        text: 'x',
        finishReason: 'unknown',
        createdAt: '2024-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('reports a malformed v0 file with the path of the problem', () => {
    try {
      parseRunFile(fixtureText('runs/v0-bad-answer.json'), 'v0-bad-answer.json');
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe(
        'v0-bad-answer.json, items[1].a[0]: expected a string, got the number 42',
      );
    }
  });
});

describe('v1 -> v2 migration', () => {
  // tests/fixtures/runs/v1-small.json was written by hand in the v1 format, before v2 existed.
  const text = fixtureText('runs/v1-small.json');
  const v1 = JSON.parse(text) as { run: Record<string, unknown> };

  it('opens a v1 file with its answers, analyses, hypotheses and log as they were', () => {
    const { run, fileVersion, exportedAt } = readRunFile(text, 'v1-small.json');
    expect(fileVersion).toBe(1);
    expect(exportedAt).toBe('2025-01-15T09:30:00.000Z');
    expect(run.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(run.explanations).toEqual([]);
    expect(run.answers).toEqual(v1.run.answers);
    expect(run.prompts).toEqual(v1.run.prompts);
    expect(run.hypotheses).toEqual([
      {
        id: 'h-1',
        text: 'B greets more warmly.',
        createdAt: '2025-01-15T09:15:00.000Z',
        validation: { accuracy: 0.8 },
      },
    ]);
    expect(run.supervisorLog).toEqual([
      {
        at: '2025-01-15T09:12:00.000Z',
        provider: 'openai',
        model: 'gpt-x',
        purpose: 'label clusters',
        request: { messages: [{ role: 'user', content: 'Label these.' }] },
      },
    ]);
    expect(run.analyses).toEqual([
      {
        id: 'an-1',
        createdAt: '2025-01-15T09:10:00.000Z',
        params: { k: 2, method: 'kmeans' },
        result: { labels: new Int32Array([0, 1]), note: 'two clusters' },
      },
    ]);
  });

  it('moves both version numbers and adds an empty explanation list, changing nothing else', () => {
    const migrated = migrateV1ToV2(JSON.parse(text)) as typeof v1 & { schemaVersion: number };
    expect(migrated.schemaVersion).toBe(2);
    expect(migrated.run).toEqual({ ...v1.run, schemaVersion: 2, explanations: [] });
    // The whole chain then only moves the numbers on (v2 -> v3 -> v4 add nothing to a v1 run).
    const chained = migrateRunFile(JSON.parse(text), 'v1-small.json') as typeof v1 & {
      schemaVersion: number;
    };
    expect(chained.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(chained.run).toEqual({
      ...v1.run,
      schemaVersion: RUN_SCHEMA_VERSION,
      explanations: [],
    });
  });

  it('saves the opened v1 run as a current file that reads back the same and gains explanations', () => {
    const run = parseRunFile(text, 'v1-small.json');
    const saved = serializeRunFile(run, { now: '2025-06-01T00:00:00.000Z' });
    expect(readRunFile(saved, 'v4.json')).toMatchObject({ fileVersion: RUN_SCHEMA_VERSION, run });
    const explained = { ...run, explanations: [sampleExplanation('an-1', ['p0001'], ['p0002'])] };
    expect(parseRunFile(serializeRunFile(explained), 'v2.json').explanations).toEqual(
      explained.explanations,
    );
  });

  it('reports a v1 file whose run is not an object at its path', () => {
    const broken = JSON.stringify({ ...JSON.parse(text), run: 'gone' });
    expect(() => parseRunFile(broken, 'b.json')).toThrow('b.json, run: expected');
  });
});

describe('run file versions', () => {
  it('refuses files from a newer app, saying which version', () => {
    try {
      parseRunFile(fixtureText('runs/v99-from-the-future.json'), 'future.json');
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const e = error as InputError;
      expect(e.message).toContain(
        'future.json: made by a newer Behaviour Diff, version 99; this app reads up to 5',
      );
      expect(e.location).toBe('schemaVersion');
    }
  });

  it('detects versions and leaves current files alone', () => {
    const current = { format: 'behaviour-diff-run', schemaVersion: 5, exportedAt: 'x', run: {} };
    expect(runFileVersion(current, 'f')).toBe(5);
    expect(migrateRunFile(current, 'f')).toBe(current);
    expect(runFileVersion({ version: 0 }, 'f')).toBe(0);
  });

  it('refuses nonsense versions', () => {
    expect(() =>
      runFileVersion({ format: 'behaviour-diff-run', schemaVersion: '1' }, 'f.json'),
    ).toThrow('f.json, schemaVersion: expected a whole schema version number, got "1"');
    expect(() =>
      runFileVersion({ format: 'behaviour-diff-run', schemaVersion: 0.5 }, 'f.json'),
    ).toThrow('schemaVersion');
    expect(() => runFileVersion({ version: 1, items: [] }, 'f.json')).toThrow(
      'expected a Behaviour Diff run file',
    );
  });
});

describe('v2 -> v3 migration', () => {
  // tests/fixtures/runs/v2-analysed.json was written by the v2 app's serializeRunFile (before
  // v3 existed) from a run with one k-means analysis of 32 answers.
  const text = fixtureText('runs/v2-analysed.json');
  const v2 = JSON.parse(text) as { schemaVersion: number; run: Record<string, unknown> };

  it('moves both version numbers and changes nothing else', () => {
    expect(v2.schemaVersion).toBe(2);
    const migrated = migrateV2ToV3(JSON.parse(text)) as typeof v2;
    expect(migrated.schemaVersion).toBe(3);
    expect(migrated.run).toEqual({ ...v2.run, schemaVersion: 3 });
    const chained = migrateRunFile(JSON.parse(text), 'v2-analysed.json') as typeof v2;
    expect(chained.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(chained.run).toEqual({ ...v2.run, schemaVersion: RUN_SCHEMA_VERSION });
    expect(migrateV2ToV3('not an object')).toBe('not an object');
    expect(migrateV2ToV3({ ...v2, run: 'gone' })).toEqual({ ...v2, run: 'gone', schemaVersion: 3 });
  });

  it('opens a v2 file with its models (no folder), answers and readable analysis', () => {
    const { run, fileVersion } = readRunFile(text, 'v2-analysed.json');
    expect(fileVersion).toBe(2);
    expect(run.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(run.models.A).toEqual({
      label: 'tiny-base',
      backend: 'transformers',
      modelId: 'tiny-base',
      params: { temperature: 0.7, topP: 0.95, maxTokens: 32, seed: 1 },
    });
    expect('localFolder' in run.models.B).toBe(false);
    expect(run.answers).toHaveLength(32);
    const saved = savedAnalyses(run.analyses);
    expect(saved.map((s) => s.id)).toEqual(['an-v2']);
    expect(saved[0]!.result.params.embedderId).toBe('transformers:bundled-embedder');
    expect(saved[0]!.result.comparison.clusters.map((c) => c.difference).sort()).toEqual([
      -0.5625, 0.5625,
    ]);
  });

  it('saves the opened v2 run as a current file that reads back identically', () => {
    const run = parseRunFile(text, 'v2-analysed.json');
    const saved = serializeRunFile(run, { now: '2026-12-01T00:00:00.000Z' });
    expect(JSON.parse(saved).schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(readRunFile(saved, 'v4.json')).toMatchObject({ fileVersion: RUN_SCHEMA_VERSION, run });
  });
});

describe('v3 -> v4 migration', () => {
  // tests/fixtures/runs/v3-analysed.json was written by the v3 app's serializeRunFile (before v4
  // existed): the v2-analysed run with a system prompt on A and a folder model on B.
  const text = fixtureText('runs/v3-analysed.json');
  const v3 = JSON.parse(text) as { schemaVersion: number; run: Record<string, unknown> };

  it('moves both version numbers and changes nothing else', () => {
    expect(v3.schemaVersion).toBe(3);
    expect(v3.run.schemaVersion).toBe(3);
    const migrated = migrateRunFile(JSON.parse(text), 'v3-analysed.json') as typeof v3;
    expect(migrated.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(migrated.run).toEqual({ ...v3.run, schemaVersion: RUN_SCHEMA_VERSION });
    expect(migrateV3ToV4(JSON.parse(text))).toMatchObject({
      schemaVersion: 4,
      run: { ...v3.run, schemaVersion: 4 },
    });
    expect(migrateV3ToV4(migrated.run)).not.toBe(migrated.run);
    expect(migrateV3ToV4(42)).toBe(42);
    expect(migrateV3ToV4({ ...v3, run: null })).toEqual({ ...v3, run: null, schemaVersion: 4 });
  });

  it('opens a v3 file with its models, answers and readable analysis, and no approval fields', () => {
    const { run, fileVersion, exportedAt } = readRunFile(text, 'v3-analysed.json');
    expect(fileVersion).toBe(3);
    expect(exportedAt).toBe('2026-12-05T10:06:00.000Z');
    expect(run.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(run.models.A.systemPrompt).toBe('You are a terse assistant.');
    expect(run.models.B.localFolder?.name).toBe('tiny-finetune-copy');
    expect(run.answers).toEqual(v3.run.answers);
    expect(run.prompts).toEqual(v3.run.prompts);
    expect(run.answers).toHaveLength(32);
    expect(run.answers.some((a) => 'pYes' in a)).toBe(false);
    expect(run.prompts.some((p) => 'approval' in p || 'systemPrompt' in p)).toBe(false);
    expect('approval' in run).toBe(false);
    const saved = savedAnalyses(run.analyses);
    expect(saved.map((s) => s.id)).toEqual(['an-v2']);
    expect(saved[0]!.result.comparison.clusters.map((c) => c.difference).sort()).toEqual([
      -0.5625, 0.5625,
    ]);
  });

  it('saves the opened v3 run as a current file that reads back identically', () => {
    const run = parseRunFile(text, 'v3-analysed.json');
    const saved = serializeRunFile(run, { now: '2026-12-06T00:00:00.000Z' });
    expect(JSON.parse(saved)).toMatchObject({
      schemaVersion: RUN_SCHEMA_VERSION,
      run: { schemaVersion: RUN_SCHEMA_VERSION },
    });
    expect(readRunFile(saved, 'v5.json')).toMatchObject({ fileVersion: RUN_SCHEMA_VERSION, run });
    // The v3 fields keep their places: a current file of the same run is the v3 file's bytes
    // but for the version numbers and the export time.
    expect(saved).toBe(
      text
        .replaceAll('"schemaVersion":3', `"schemaVersion":${RUN_SCHEMA_VERSION}`)
        .replace('2026-12-05T10:06:00.000Z', '2026-12-06T00:00:00.000Z'),
    );
  });
});

describe('v4 -> v5 migration', () => {
  // tests/fixtures/runs/v4-analysed.json was written by the v4 app's serializeRunFile (before v5
  // existed): the v3-analysed run with a prompt's own system prompt and answers' P(Yes).
  const text = fixtureText('runs/v4-analysed.json');
  const v4 = JSON.parse(text) as { schemaVersion: number; run: Record<string, unknown> };

  it('moves both version numbers and changes nothing else', () => {
    expect(v4.schemaVersion).toBe(4);
    expect(v4.run.schemaVersion).toBe(4);
    const migrated = migrateRunFile(JSON.parse(text), 'v4-analysed.json') as typeof v4;
    expect(migrated.schemaVersion).toBe(5);
    expect(migrated.run).toEqual({ ...v4.run, schemaVersion: 5 });
    expect(migrateV4ToV5(42)).toBe(42);
    expect(migrateV4ToV5({ ...v4, run: null })).toEqual({ ...v4, run: null, schemaVersion: 5 });
  });

  it('opens a v4 file with its models, approval fields, answers and readable analysis', () => {
    const { run, fileVersion } = readRunFile(text, 'v4-analysed.json');
    expect(fileVersion).toBe(4);
    expect(run.schemaVersion).toBe(5);
    expect(run.models.B.localFolder?.name).toBe('tiny-finetune-copy');
    expect(run.prompts[0]!.systemPrompt).toBe('Answer in one sentence.');
    expect(run.answers.slice(0, 2).map((a) => a.pYes)).toEqual([0.25, null]);
    expect(run.answers).toEqual(v4.run.answers);
    expect('derivedFrom' in run).toBe(false);
    expect('amplify' in run.models.A || 'amplify' in run.models.B).toBe(false);
    const saved = savedAnalyses(run.analyses);
    expect(saved.map((s) => s.id)).toEqual(['an-v2']);
    expect(saved[0]!.result.comparison.clusters.map((c) => c.difference).sort()).toEqual([
      -0.5625, 0.5625,
    ]);
  });

  it('saves the opened v4 run as a v5 file, byte for byte but for the versions and export time', () => {
    const run = parseRunFile(text, 'v4-analysed.json');
    const saved = serializeRunFile(run, { now: '2026-12-07T00:00:00.000Z' });
    expect(saved).toBe(
      text
        .replaceAll('"schemaVersion":4', '"schemaVersion":5')
        .replace('2026-12-06T17:31:00.000Z', '2026-12-07T00:00:00.000Z'),
    );
  });
});
