import { describe, expect, it } from 'vitest';
import { parseCsvPrompts } from '../../src/lib/core/prompts';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { inputError } from './prompts-test-helpers';
import { fixtureSource } from './run-test-helpers';

describe('parseCsvPrompts', () => {
  it('reads the prompt, category and id columns, whatever their case', async () => {
    const { prompts, report } = await parseCsvPrompts(fixtureSource('prompts/good.csv', 11));
    expect(prompts).toEqual([
      { id: 'q1', text: 'Name three colours of the rainbow.', category: 'factual' },
      {
        id: 'q2',
        text: 'Write a two-line poem about rain,\nwith a line break inside the cell.',
        category: 'creative',
      },
      { id: 'q4', text: 'Say "hello" politely.' },
      { id: 'p0004', text: 'What is 2 + 2?', category: 'maths' },
    ]);
    // The empty cell is row 3 on line 5 (row 2 spans lines 3-4).
    expect(report.emptyLines).toEqual([5]);
    expect(report.duplicates).toEqual([
      { text: 'Name three colours of the rainbow.', location: 'row 5 (line 7)' },
    ]);
    expect(report.warnings).toEqual([
      'good.csv: 1 prompt has no id; ids were made from their position (p0001, …).',
    ]);
  });

  it('reads a TSV with a "Question" column and makes up ids', async () => {
    const { prompts, report } = await parseCsvPrompts(fixtureSource('prompts/questions.tsv'));
    expect(prompts).toEqual([
      { id: 'p0001', text: 'What is your favourite season?', category: 'chat' },
      { id: 'p0002', text: 'How tall is a giraffe?', category: 'facts' },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('prefers the "prompt" column and says which column it did not use', async () => {
    const { prompts, report } = await parseCsvPrompts(
      fixtureSource('prompts/two-prompt-columns.csv'),
    );
    expect(prompts.map((p) => p.text)).toEqual(['Use this column']);
    expect(report.warnings).toEqual([
      'two-prompt-columns.csv: the prompts were read from column "prompt"; column "text" was not used.',
    ]);
  });

  it('names the file and the expected columns when there is no prompt column', async () => {
    const error = await inputError(() =>
      parseCsvPrompts(fixtureSource('prompts/no-prompt-column.csv')),
    );
    expect(error.file).toBe('no-prompt-column.csv');
    expect(error.location).toBe('line 1 (header)');
    expect(error.message).toBe(
      'no-prompt-column.csv, line 1 (header): expected a header with a prompt column named ' +
        '"prompt", "text", "question" or "instruction" (and optionally "category" and "id"), ' +
        'got the columns "name", "answer"',
    );
  });

  it('refuses a row with more fields than the header', async () => {
    const error = await inputError(() => parseCsvPrompts(fixtureSource('prompts/ragged.csv')));
    expect(error.location).toBe('row 2 (line 3)');
    expect(error.expected).toBe('2 fields, as in the header');
    expect(error.got).toBe('3 fields');
  });

  it('refuses an id used twice for different prompts', async () => {
    const error = await inputError(() =>
      parseCsvPrompts(fixtureSource('prompts/duplicate-id.csv')),
    );
    expect(error.location).toBe('row 3 (line 4)');
    expect(error.message).toMatch(/"1" is already used at row 1 \(line 2\)/);
  });

  it('refuses an unterminated quoted field, with its row', async () => {
    const error = await inputError(() =>
      parseCsvPrompts(fixtureSource('prompts/unterminated.csv')),
    );
    expect(error.file).toBe('unterminated.csv');
    expect(error.expected).toMatch(/closing quote/);
  });

  it('says "no prompts found" for an empty file, a header alone, or only empty cells', async () => {
    const empty = await inputError(() => parseCsvPrompts(sourceFromString('e.csv', '')));
    expect(empty.message).toBe('e.csv: no prompts found; it is empty');
    const header = await inputError(() =>
      parseCsvPrompts(fixtureSource('prompts/header-only.csv')),
    );
    expect(header.message).toBe('header-only.csv: no prompts found; it has a header but no rows');
    const blank = await inputError(() =>
      parseCsvPrompts(sourceFromString('b.csv', 'prompt,category\n,a\n" ",b\n')),
    );
    expect(blank.message).toBe(
      'b.csv: no prompts found; it has only blank lines or empty prompts (2)',
    );
  });
});
