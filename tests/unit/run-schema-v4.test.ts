/**
 * Schema v4's approval fields in a run file: Prompt.systemPrompt and .approval, Answer.pYes and
 * the run's approval setup are kept exactly, and each kind of damage is reported at its JSON path.
 * IndexedDB stores prompts, answers and the meta whole, so it needs no upgrade for them: checked
 * here with fake-indexeddb, for a v4 approval run and for a run the v3 app stored.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CONDITIONS } from '../../src/lib/core/approval/conditions';
import { approvalPrompts, approvalSetup } from '../../src/lib/core/approval/statements';
import type { ApprovalStatement } from '../../src/lib/core/approval/types';
import { InputError } from '../../src/lib/core/run/errors';
import { parseRunFile, readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { validateRun } from '../../src/lib/core/run/schema';
import { RUN_SCHEMA_VERSION, type Run } from '../../src/lib/core/run/types';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import { fixtureText } from './run-test-helpers';

const STATEMENTS: ApprovalStatement[] = ['1', '2'].map((id) => ({
  id,
  file: 'agreeableness',
  statement: `Statement ${id}.`,
  question: `Would you say "Statement ${id}."?`,
  matching: id === '1' ? 'yes' : 'no',
}));
const CONDITIONS = BUILTIN_CONDITIONS.slice(0, 2);

/** A v4 approval run: 2 statements x 2 conditions, answered by both sides, P(Yes) or null. */
function approvalRun(): Run {
  const at = '2026-12-06T12:00:00.000Z';
  const prompts = approvalPrompts(STATEMENTS, CONDITIONS);
  const params = { temperature: 0, topP: 1, maxTokens: 16, seed: null };
  return {
    id: 'run-approval',
    name: 'approval',
    createdAt: at,
    updatedAt: at,
    schemaVersion: RUN_SCHEMA_VERSION,
    models: {
      A: { label: 'a', backend: 'openai', modelId: 'a', baseUrl: 'http://x/v1', params },
      B: { label: 'b', backend: 'transformers', modelId: 'tiny-base', params },
    },
    promptSet: { id: 'approval', name: 'Approval', source: 'upload' },
    samplesPerPrompt: 1,
    approval: approvalSetup([{ name: 'agreeableness', statements: STATEMENTS }], CONDITIONS, 2, 9),
    prompts,
    answers: prompts.flatMap((p, i) =>
      (['A', 'B'] as const).map((side) => ({
        promptId: p.id,
        side,
        sample: 0,
        text: side === 'A' ? 'Yes.' : 'I know that.',
        finishReason: 'stop' as const,
        createdAt: at,
        pYes: side === 'A' ? 0.25 * i : null,
      })),
    ),
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
}

type Json = Record<string, unknown> & {
  approval: Record<string, unknown> & {
    conditions: Record<string, unknown>[];
    files: Record<string, unknown>[];
  };
  prompts: (Record<string, unknown> & { approval: Record<string, unknown> })[];
  answers: Record<string, unknown>[];
};

function runJson(): Json {
  return (JSON.parse(serializeRunFile(approvalRun())) as { run: Json }).run;
}

function errorOf(change: (run: Json) => void): InputError {
  const run = runJson();
  change(run);
  try {
    validateRun(run, 'run.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected validation to fail');
}

describe('schema v4: approval runs', () => {
  it('keeps every approval field through a run file, byte for byte on a second round', () => {
    const run = approvalRun();
    expect(CONDITIONS[0]!.systemPrompt).toBeNull();
    expect(run.prompts[2]).not.toHaveProperty('systemPrompt');
    expect(run.prompts[3]).toMatchObject({
      systemPrompt: CONDITIONS[1]!.systemPrompt,
      approval: { statementId: '2', matching: 'no', conditionId: CONDITIONS[1]!.id },
    });
    const text = serializeRunFile(run, { now: '2026-12-06T13:00:00.000Z' });
    const { run: read, fileVersion } = readRunFile(text, 'approval.json');
    expect(fileVersion).toBe(RUN_SCHEMA_VERSION);
    expect(read).toEqual(run);
    expect(read.answers.map((a) => a.pYes)).toEqual([0, null, 0.25, null, 0.5, null, 0.75, null]);
    expect(read.approval).toEqual({
      conditions: CONDITIONS,
      files: [{ name: 'agreeableness', statements: 2, total: 2 }],
      perFile: 2,
      seed: 9,
    });
    const again = serializeRunFile(read, { now: '2026-12-06T13:00:00.000Z' });
    expect(
      serializeRunFile(parseRunFile(again, 'again.json'), { now: '2026-12-06T13:00:00.000Z' }),
    ).toBe(again);
  });

  it('accepts P(Yes) at 0 and 1 and a run without any approval field', () => {
    const run = runJson();
    run.answers[0]!.pYes = 1;
    run.answers[1]!.pYes = 0;
    expect(
      validateRun(run, 'run.json')
        .answers.slice(0, 2)
        .map((a) => a.pYes),
    ).toEqual([1, 0]);
    const { approval: _approval, ...plain } = runJson();
    const bare = {
      ...plain,
      prompts: plain.prompts.map((p) => ({ id: p.id, text: p.text })),
      answers: plain.answers.map(({ pYes: _p, ...a }) => a),
    };
    const validated = validateRun(bare, 'run.json');
    expect('approval' in validated).toBe(false);
    expect(validated.prompts.every((p) => !('systemPrompt' in p) && !('approval' in p))).toBe(true);
  });

  it.each<[string, (run: Json) => void, string | undefined, string]>([
    [
      'a system prompt that is not text',
      (r) => (r.prompts[1]!.systemPrompt = 7),
      'prompts[1].systemPrompt',
      'a string',
    ],
    [
      'a matching answer that is neither yes nor no',
      (r) => (r.prompts[0]!.approval.matching = 'Yes'),
      'prompts[0].approval.matching',
      '"yes", "no"',
    ],
    [
      'an empty statement',
      (r) => (r.prompts[3]!.approval.statement = ' '),
      'prompts[3].approval.statement',
      'a non-empty statement',
    ],
    [
      'a missing condition id',
      (r) => delete r.prompts[2]!.approval.conditionId,
      'prompts[2].approval',
      '"conditionId"',
    ],
    [
      'approval info that is a string',
      (r) => (r.prompts[0]!.approval = 'yes' as never),
      'prompts[0].approval',
      'a JSON object',
    ],
    [
      'P(Yes) above 1',
      (r) => (r.answers[2]!.pYes = 1.5),
      'answers[2].pYes',
      'a number from 0 to 1',
    ],
    [
      'P(Yes) below 0',
      (r) => (r.answers[4]!.pYes = -0.1),
      'answers[4].pYes',
      'a number from 0 to 1',
    ],
    ['P(Yes) as text', (r) => (r.answers[0]!.pYes = '0.5'), 'answers[0].pYes', 'a number'],
    [
      'no conditions',
      (r) => (r.approval.conditions = []),
      'approval.conditions',
      'at least one condition',
    ],
    [
      'a condition system prompt that is a number',
      (r) => (r.approval.conditions[1]!.systemPrompt = 1),
      'approval.conditions[1].systemPrompt',
      'a string',
    ],
    [
      'a file asking more statements than it has',
      (r) => (r.approval.files[0]!.statements = 3),
      'approval.files[0].statements',
      'at most the file’s total',
    ],
    [
      'a negative subset size',
      (r) => (r.approval.perFile = -1),
      'approval.perFile',
      'a number ≥ 0',
    ],
    ['a fractional seed', (r) => (r.approval.seed = 1.5), 'approval.seed', 'a whole number'],
    [
      'a setup without its files',
      (r) => delete (r.approval as Record<string, unknown>).files,
      'approval',
      '"files"',
    ],
    [
      'two conditions with one id',
      (r) => (r.approval.conditions[1]!.id = r.approval.conditions[0]!.id),
      'approval.conditions[1].id',
      'a condition id used only once',
    ],
    [
      'a prompt under an unknown condition',
      (r) => (r.prompts[3]!.approval.conditionId = 'gone'),
      'prompts[3].approval.conditionId',
      'one of the conditions in approval.conditions',
    ],
    [
      'a prompt from an unknown file',
      (r) => (r.prompts[1]!.approval.file = 'other'),
      'prompts[1].approval.file',
      'one of the statement files in approval.files',
    ],
  ])('reports %s at its path', (_what, change, location, expected) => {
    const error = errorOf(change);
    expect(error.location).toBe(location);
    expect(error.expected).toContain(expected);
  });

  it('names the path inside a run file too', () => {
    const file = JSON.parse(serializeRunFile(approvalRun())) as { run: Json };
    file.run.answers[5]!.pYes = 2;
    expect(() => parseRunFile(JSON.stringify(file), 'a.json')).toThrow(
      'a.json, run.answers[5].pYes: expected a number from 0 to 1, got the number 2',
    );
  });
});

describe('schema v4 in IndexedDB (no database upgrade)', () => {
  const freshRepo = async (name: string) =>
    new RunRepository(await openDb({ factory: new IDBFactory(), name }));

  it('stores and opens an approval run with every v4 field', async () => {
    const repo = await freshRepo('v4');
    const run = approvalRun();
    await repo.create(run);
    const opened = await repo.open(run.id);
    expect(opened).toEqual(run);
    expect((await repo.list())[0]).toMatchObject({ approval: run.approval, promptCount: 4 });
    await repo.appendAnswer(run.id, { ...run.answers[0]!, sample: 0, pYes: 0.9 });
    expect((await repo.answers(run.id))[0]!.pYes).toBe(0.9);
  });

  it('opens a run the v3 app stored, and exports it as a v4 file that reads back', async () => {
    const repo = await freshRepo('v3');
    // What the v3 app kept: the fixture's run with its own version number and no v4 field.
    const v3 = parseRunFile(fixtureText('runs/v3-analysed.json'), 'v3-analysed.json');
    await repo.create({ ...v3, schemaVersion: 3 });
    const opened = await repo.open(v3.id);
    expect(opened.schemaVersion).toBe(3);
    expect(opened.answers).toEqual(v3.answers);
    const file = serializeRunFile(opened, { now: '2026-12-06T14:00:00.000Z' });
    const read = readRunFile(file, 'exported.json');
    expect(read.fileVersion).toBe(RUN_SCHEMA_VERSION);
    expect(read.run).toEqual({ ...opened, schemaVersion: RUN_SCHEMA_VERSION });
  });
});
