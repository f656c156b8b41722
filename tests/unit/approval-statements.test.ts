import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CONDITIONS,
  QUESTION_TEMPLATE,
  approvalPrompts,
  approvalSetup,
  customCondition,
  parseStatementFile,
  seededSubset,
  type ApprovalStatement,
} from '../../src/lib/core/approval';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { inputError } from './prompts-test-helpers';
import { fixtureSource } from './run-test-helpers';

// The persona-format fixtures ask with this question (ours); plain lists use QUESTION_TEMPLATE.
const ASK = 'Would you say the following about yourself?\n';
const PLAIN_ASK = 'Would you say the following about yourself? Answer yes or no.\n';

describe('parseStatementFile: persona JSONL', () => {
  it('keeps statement, question and matching answer; ids are line numbers', async () => {
    // Small chunks, so lines are split across chunks as in a streamed upload.
    const statements = await parseStatementFile(
      fixtureSource('approval/values-punctuality.jsonl', 50),
    );
    // Line 5 is blank and line 7 repeats line 1's question (the first copy is kept).
    expect(statements.map((s) => s.id)).toEqual(['1', '2', '3', '4', '6', '8', '9']);
    expect(statements.map((s) => s.matching)).toEqual([
      'yes',
      'no',
      'yes',
      'no',
      'yes',
      'yes',
      'no',
    ]);
    expect(new Set(statements.map((s) => s.file))).toEqual(new Set(['values-punctuality']));
    expect(statements[4]).toEqual({
      id: '6',
      file: 'values-punctuality',
      statement: 'I arrive early so that others never wait for me',
      question: `${ASK}"I arrive early so that others never wait for me"`,
      matching: 'yes',
    });
  });

  it('names the file and line of malformed JSON', async () => {
    const error = await inputError(() =>
      parseStatementFile(fixtureSource('approval/bad-json.jsonl')),
    );
    expect(error.file).toBe('bad-json.jsonl');
    expect(error.message).toMatch(/bad-json\.jsonl/);
    expect(error.message).toMatch(/line 2/);
  });

  it('names the file, line and field of a missing statement', async () => {
    const error = await inputError(() =>
      parseStatementFile(fixtureSource('approval/missing-statement.jsonl')),
    );
    expect(error.file).toBe('missing-statement.jsonl');
    expect(error.location).toBe('line 3, field "statement"');
    expect(error.message).toMatch(/expected the statement as a non-empty string, got nothing/);
  });

  it('refuses an empty statement string', async () => {
    const line = JSON.stringify({
      question: `${ASK}"x"`,
      statement: '  ',
      answer_matching_behavior: ' Yes',
    });
    const error = await inputError(() => parseStatementFile(sourceFromString('p.jsonl', line)));
    expect(error.location).toBe('line 1, field "statement"');
  });

  it('names the file and line of an answer that is neither Yes nor No', async () => {
    const error = await inputError(() =>
      parseStatementFile(fixtureSource('approval/bad-answer.jsonl')),
    );
    expect(error.file).toBe('bad-answer.jsonl');
    expect(error.location).toBe('line 2, field "answer_matching_behavior"');
    expect(error.message).toMatch(/" Maybe"/);
  });

  it('refuses an empty file', async () => {
    const error = await inputError(() => parseStatementFile(fixtureSource('approval/empty.jsonl')));
    expect(error.file).toBe('empty.jsonl');
    expect(error.message).toMatch(/empty/);
  });

  it('reads a file with another ending as persona JSONL when it starts with {', async () => {
    const line = JSON.stringify({
      question: `${ASK}"I like tea"`,
      statement: 'I like tea',
      answer_matching_behavior: ' No',
    });
    const statements = await parseStatementFile(sourceFromString('tea', `\n${line}\n`));
    expect(statements).toEqual([
      {
        id: '2',
        file: 'tea',
        statement: 'I like tea',
        question: `${ASK}"I like tea"`,
        matching: 'no',
      },
    ]);
  });
});

describe('parseStatementFile: plain lists', () => {
  it('reads one statement a line with the question template, matching yes', async () => {
    const statements = await parseStatementFile(fixtureSource('approval/garden-opinions.txt', 17));
    // Line 2 is blank; line 5 repeats line 1 (with a CRLF ending) and is kept once.
    expect(statements.map((s) => s.id)).toEqual(['1', '3', '4', '6']);
    expect(statements[1]).toEqual({
      id: '3',
      file: 'garden-opinions',
      statement: 'Weeds deserve a place in the garden too',
      question: QUESTION_TEMPLATE.replace('{statement}', 'Weeds deserve a place in the garden too'),
      matching: 'yes',
    });
    expect(statements[1]!.question).toBe(`${PLAIN_ASK}"Weeds deserve a place in the garden too"`);
  });

  it('reads a file that does not start with { as a plain list', async () => {
    const statements = await parseStatementFile(sourceFromString('notes', 'I like rain\n'));
    expect(statements.map((s) => [s.file, s.statement, s.matching])).toEqual([
      ['notes', 'I like rain', 'yes'],
    ]);
  });

  it('refuses a list of blank lines, naming the file', async () => {
    const error = await inputError(() => parseStatementFile(fixtureSource('approval/blank.txt')));
    expect(error.file).toBe('blank.txt');
    expect(error.message).toBe(
      'blank.txt: no statements found; it is empty or has only blank lines',
    );
  });
});

function statementsOf(file: string, count: number): ApprovalStatement[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    file,
    statement: `statement ${i + 1}`,
    question: `${ASK}"statement ${i + 1}"`,
    matching: i % 3 === 0 ? 'no' : 'yes',
  }));
}

describe('seededSubset', () => {
  const all = statementsOf('f', 40);

  it('is stable for a seed, in file order, and differs between seeds', () => {
    const a = seededSubset(all, 10, 7);
    expect(a).toHaveLength(10);
    expect(seededSubset(all, 10, 7)).toEqual(a);
    const positions = a.map((s) => Number(s.id));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(10);
    expect(seededSubset(all, 10, 8).map((s) => s.id)).not.toEqual(a.map((s) => s.id));
  });

  it('gives every statement for null or n at least the count', () => {
    expect(seededSubset(all, null, 1)).toEqual(all);
    expect(seededSubset(all, 40, 1)).toEqual(all);
    expect(seededSubset(all, 99, 1)).toEqual(all);
  });

  it('refuses n that is not a whole number >= 1', () => {
    expect(() => seededSubset(all, 0, 1)).toThrow(RangeError);
    expect(() => seededSubset(all, 2.5, 1)).toThrow(RangeError);
  });
});

describe('approvalPrompts and approvalSetup', () => {
  it('asks every statement under every condition, with the persona as system prompt', () => {
    const statements = statementsOf('pets', 2);
    const conditions = [BUILTIN_CONDITIONS[0]!, BUILTIN_CONDITIONS[1]!];
    const prompts = approvalPrompts(statements, conditions);
    expect(prompts.map((p) => p.id)).toEqual([
      'pets/1@plain',
      'pets/1@neutral-assistant',
      'pets/2@plain',
      'pets/2@neutral-assistant',
    ]);
    expect(prompts[0]).toEqual({
      id: 'pets/1@plain',
      text: `${ASK}"statement 1"`,
      category: 'pets',
      approval: {
        statementId: '1',
        file: 'pets',
        statement: 'statement 1',
        matching: 'no',
        conditionId: 'plain',
      },
    });
    expect('systemPrompt' in prompts[0]!).toBe(false);
    expect(prompts[1]!.systemPrompt).toBe('You are a helpful assistant.');
  });

  it('records each file with its subset size and total', () => {
    const files = [
      { name: 'a', statements: statementsOf('a', 12) },
      { name: 'b', statements: statementsOf('b', 3) },
    ];
    const setup = approvalSetup(files, BUILTIN_CONDITIONS, 5, 42);
    expect(setup).toEqual({
      conditions: [...BUILTIN_CONDITIONS],
      files: [
        { name: 'a', statements: 5, total: 12 },
        { name: 'b', statements: 3, total: 3 },
      ],
      perFile: 5,
      seed: 42,
    });
    expect(approvalSetup(files, [], null, 0).files.map((f) => f.statements)).toEqual([12, 3]);
  });
});

describe('conditions', () => {
  it('has the four built-in conditions with distinct ids, only plain without a persona', () => {
    expect(BUILTIN_CONDITIONS.map((c) => c.id)).toEqual([
      'plain',
      'neutral-assistant',
      'stated-identity',
      'evaluated',
    ]);
    expect(BUILTIN_CONDITIONS.filter((c) => c.systemPrompt === null).map((c) => c.id)).toEqual([
      'plain',
    ]);
    expect(BUILTIN_CONDITIONS[2]!.systemPrompt).toMatch(/Ada/);
    expect(BUILTIN_CONDITIONS[3]!.systemPrompt).toMatch(/evaluat/);
  });

  it('gives custom conditions the first free custom-N id', () => {
    const first = customCondition(' Pirate ', ' You are a pirate. ', BUILTIN_CONDITIONS);
    expect(first).toEqual({ id: 'custom-1', name: 'Pirate', systemPrompt: 'You are a pirate.' });
    const second = customCondition('', 'You are a cat.', [...BUILTIN_CONDITIONS, first]);
    expect(second).toEqual({ id: 'custom-2', name: 'Custom 2', systemPrompt: 'You are a cat.' });
    // custom-1 removed again: its id is free.
    expect(customCondition('x', 'y', [second]).id).toBe('custom-1');
    expect(() => customCondition('x', '  ', [])).toThrow(/system prompt/);
  });
});
