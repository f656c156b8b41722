import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { migrateRunFile, runFileVersion } from '../../src/lib/core/run/migrate';
import { parseRunFile, readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { XSS_IMG, XSS_SCRIPT, fixtureText } from './run-test-helpers';

describe('v0 -> v1 migration', () => {
  const text = fixtureText('runs/v0-tiny.json');

  it('reads a v0 file as a valid v1 run', () => {
    const { run, fileVersion, exportedAt } = readRunFile(text, 'v0-tiny.json');
    expect(fileVersion).toBe(0);
    expect(exportedAt).toBe('2024-11-02T10:00:00.000Z');
    expect(run.schemaVersion).toBe(1);
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

  it('saves a migrated run as a v1 file that reads back identically', () => {
    const run = parseRunFile(text, 'v0-tiny.json');
    const again = readRunFile(serializeRunFile(run), 'v1.json');
    expect(again.fileVersion).toBe(1);
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

describe('run file versions', () => {
  it('refuses files from a newer app, saying which version', () => {
    try {
      parseRunFile(fixtureText('runs/v2-from-the-future.json'), 'future.json');
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const e = error as InputError;
      expect(e.message).toContain(
        'future.json: made by a newer Behaviour Diff, version 2; this app reads up to 1',
      );
      expect(e.location).toBe('schemaVersion');
    }
  });

  it('detects versions and leaves current files alone', () => {
    const current = { format: 'behaviour-diff-run', schemaVersion: 1, exportedAt: 'x', run: {} };
    expect(runFileVersion(current, 'f')).toBe(1);
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
