import { describe, expect, it } from 'vitest';
import { detectPromptFormat, parsePromptFile } from '../../src/lib/core/prompts';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { fixtureSource, fixtureText } from './run-test-helpers';

// One line in the model-written-evals persona format (an invented statement).
const PERSONA_LINE = fixtureText('prompts/persona-one-line.jsonl');

describe('detectPromptFormat', () => {
  it.each([
    ['prompts.txt', 'Why is grass green?\nWhat is rain?', 'text'],
    ['notes', 'Why is grass green?, asked twice', 'text'],
    ['prompts.csv', 'prompt,category\nhi,a', 'csv'],
    ['prompts.tsv', 'Question\tCategory\n', 'csv'],
    ['export', 'id,prompt,category\n', 'csv'],
    ['export', '"prompt";"category"\n', 'csv'],
    ['prompts.jsonl', '{"prompt": "hi"}\n', 'jsonl'],
    ['prompts.txt', '{"prompt": "hi"}\n', 'jsonl'],
    ['data', '\ufeff\n\n{"text": "hi"}\n', 'jsonl'],
    ['strings.jsonl', '"one"\n"two"\n', 'jsonl'],
    ['strings', '"one"\n"two"\n', 'jsonl'],
    ['broken.jsonl', '{"prompt": \n', 'jsonl'],
    ['broken', '{"prompt": \n', 'jsonl'],
    ['agreeableness.jsonl', `${PERSONA_LINE}\n`, 'persona'],
    ['renamed.txt', PERSONA_LINE, 'persona'],
    ['braces.txt', '{name} is a template word\n', 'text'],
    ['quoted.csv', '"prompt"\n"hi"\n', 'csv'],
    ['quoted.txt', '"Hello," she said.\n', 'text'],
    ['empty.csv', '', 'csv'],
    ['empty.jsonl', '  \n', 'jsonl'],
    ['empty.txt', '', 'text'],
    ['empty', '', 'text'],
  ] as const)('%s %j -> %s', (name, head, expected) => {
    expect(detectPromptFormat(name, head)).toBe(expected);
  });

  it('recognises every fixture by content and name', () => {
    const cases: [string, string][] = [
      ['good.txt', 'text'],
      ['good.csv', 'csv'],
      ['questions.tsv', 'csv'],
      ['good.jsonl', 'jsonl'],
      ['enjoys-crossword-puzzles.jsonl', 'persona'],
    ];
    for (const [file, format] of cases) {
      expect(detectPromptFormat(file, fixtureText(`prompts/${file}`)), file).toBe(format);
    }
  });
});

describe('parsePromptFile', () => {
  it('parses each format it detects', async () => {
    const text = await parsePromptFile(fixtureSource('prompts/good.txt'));
    expect(text.format).toBe('text');
    expect(text.prompts).toHaveLength(5);
    const csv = await parsePromptFile(fixtureSource('prompts/good.csv'));
    expect(csv.format).toBe('csv');
    expect(csv.prompts[0]?.id).toBe('q1');
    const jsonl = await parsePromptFile(fixtureSource('prompts/good.jsonl'));
    expect(jsonl.format).toBe('jsonl');
    const persona = await parsePromptFile(fixtureSource('prompts/enjoys-crossword-puzzles.jsonl'));
    expect(persona.format).toBe('persona');
    if (persona.format === 'persona') expect(persona.items).toHaveLength(5);
  });

  it('uses a format the user chose over the detected one', async () => {
    const file = sourceFromString('prompts.csv', 'prompt,category\nhi,a\n');
    const asText = await parsePromptFile(file, { format: 'text' });
    expect(asText.prompts.map((p) => p.text)).toEqual(['prompt,category', 'hi,a']);
    const persona = await parsePromptFile(fixtureSource('prompts/enjoys-crossword-puzzles.jsonl'), {
      format: 'jsonl',
    });
    expect(persona.format).toBe('jsonl');
    expect(persona.prompts[0]?.id).toBe('p0001');
  });
});
