import { describe, expect, it } from 'vitest';
import { parseJsonlPrompts } from '../../src/lib/core/prompts';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { inputError } from './prompts-test-helpers';
import { fixtureSource } from './run-test-helpers';

describe('parseJsonlPrompts', () => {
  it('reads objects with any prompt field, plain strings, categories and ids', async () => {
    const { prompts, report } = await parseJsonlPrompts(fixtureSource('prompts/good.jsonl', 13));
    expect(prompts).toEqual([
      { id: 'a', text: 'Describe a sunset in one sentence.', category: 'creative' },
      { id: 'p0002', text: 'A plain JSON string is a prompt too.' },
      { id: 'p0003', text: 'List two uses for a paperclip.', category: '7' },
      { id: '42', text: 'Is a tomato a fruit?' },
      { id: 'p0005', text: '<img src=x onerror=alert(1)>' },
    ]);
    expect(report.emptyLines).toEqual([2, 7]);
    expect(report.duplicates).toEqual([
      { text: 'Describe a sunset in one sentence.', location: 'line 6' },
    ]);
    expect(report.warnings).toEqual([
      'good.jsonl: the prompts came from different fields on different lines ' +
        '("prompt", "instruction", "question" or "text").',
      'good.jsonl: 3 prompts have no id; ids were made from their position (p0001, …).',
    ]);
  });

  it('reports a malformed line with its line and column', async () => {
    const error = await inputError(() =>
      parseJsonlPrompts(fixtureSource('prompts/malformed.jsonl')),
    );
    expect(error.file).toBe('malformed.jsonl');
    expect(error.location).toBe('line 2, column 21');
    expect(error.expected).toMatch(/^valid JSON: /);
  });

  it('refuses an object without a prompt field', async () => {
    const error = await inputError(() =>
      parseJsonlPrompts(fixtureSource('prompts/missing-field.jsonl')),
    );
    expect(error.message).toBe(
      'missing-field.jsonl, line 3: expected a JSON object with a "prompt", "text", "question" ' +
        'or "instruction" field, got an object with fields "answer"',
    );
  });

  it('refuses a prompt that is not a string', async () => {
    const error = await inputError(() =>
      parseJsonlPrompts(fixtureSource('prompts/non-string.jsonl')),
    );
    expect(error.location).toBe('line 2, field "prompt"');
    expect(error.expected).toBe('the prompt as a string');
    expect(error.got).toBe('an array of 3 items');
  });

  it('refuses a line that is neither an object nor a string', async () => {
    const error = await inputError(() =>
      parseJsonlPrompts(fixtureSource('prompts/array-line.jsonl')),
    );
    expect(error.location).toBe('line 1');
    expect(error.expected).toMatch(/or a JSON string \(one prompt a line\)/);
    expect(error.got).toBe('an array of 2 items');
    const number = await inputError(() => parseJsonlPrompts(sourceFromString('n.jsonl', '12\n')));
    expect(number.got).toBe('the number 12');
  });

  it('refuses a category that is neither text nor a number', async () => {
    const error = await inputError(() =>
      parseJsonlPrompts(fixtureSource('prompts/bad-category.jsonl')),
    );
    expect(error.location).toBe('line 2, field "category"');
    expect(error.expected).toBe('a category (text or a number)');
  });

  it('says "no prompts found" for an empty or blank file', async () => {
    const empty = await inputError(() => parseJsonlPrompts(sourceFromString('e.jsonl', '')));
    expect(empty.message).toBe('e.jsonl: no prompts found; it is empty');
    const blank = await inputError(() => parseJsonlPrompts(fixtureSource('prompts/blank.jsonl')));
    expect(blank.message).toMatch(/^blank\.jsonl: no prompts found/);
  });
});
