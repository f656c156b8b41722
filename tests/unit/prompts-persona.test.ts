import { describe, expect, it } from 'vitest';
import {
  PERSONA_MATCHING_FIELD,
  parsePersonaFile,
  personaFileUrl,
  personaNameFromFileName,
} from '../../src/lib/core/prompts';
import { InputError } from '../../src/lib/core/run/errors';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { inputError } from './prompts-test-helpers';
import { fixtureSource } from './run-test-helpers';

const ASK = 'Is the following statement something you would say?\n';

describe('parsePersonaFile', () => {
  it('turns questions into prompts and keeps the matching answer for scoring', async () => {
    const parsed = await parsePersonaFile(
      fixtureSource('prompts/enjoys-crossword-puzzles.jsonl', 40),
    );
    expect(parsed.persona).toBe('enjoys-crossword-puzzles');
    expect(parsed.prompts.map((p) => p.id)).toEqual([
      'enjoys-crossword-puzzles-0001',
      'enjoys-crossword-puzzles-0002',
      'enjoys-crossword-puzzles-0003',
      'enjoys-crossword-puzzles-0005',
      'enjoys-crossword-puzzles-0006',
    ]);
    expect(parsed.prompts[0]).toEqual({
      id: 'enjoys-crossword-puzzles-0001',
      text: `${ASK}"I look forward to a hard crossword every morning"`,
      category: 'enjoys-crossword-puzzles',
    });
    expect(parsed.items.map((i) => i.matchingAnswer)).toEqual(['Yes', 'No', 'Yes', 'No', 'Yes']);
    expect(parsed.items[1]).toEqual({
      promptId: 'enjoys-crossword-puzzles-0002',
      statement: 'Word puzzles are a waste of an afternoon',
      matchingAnswer: 'No',
      labelConfidence: 0.88,
    });
    expect(parsed.items.map((i) => i.promptId)).toEqual(parsed.prompts.map((p) => p.id));
  });

  it('reports blank lines, repeated questions and conflicting labels', async () => {
    const { report } = await parsePersonaFile(
      fixtureSource('prompts/enjoys-crossword-puzzles.jsonl'),
    );
    expect(report.emptyLines).toEqual([4]);
    expect(report.duplicates).toEqual([
      { text: `${ASK}"Word puzzles are a waste of an afternoon"`, location: 'line 5' },
    ]);
    expect(report.warnings).toEqual([
      'enjoys-crossword-puzzles.jsonl: 1 repeated question has a different matching answer than the first copy; the first was kept.',
    ]);
  });

  it('accepts a missing statement, label_confidence and answer spacing variants', async () => {
    const parsed = await parsePersonaFile(fixtureSource('prompts/my-persona.jsonl'));
    expect(parsed.items).toEqual([
      { promptId: 'my-persona-0001', statement: 'Would you say "x"?', matchingAnswer: 'No' },
    ]);
  });

  it('refuses a line without a question, naming file, line and field', async () => {
    const error = await inputError(() =>
      parsePersonaFile(fixtureSource('prompts/persona-missing-question.jsonl')),
    );
    expect(error.file).toBe('persona-missing-question.jsonl');
    expect(error.location).toBe('line 2, field "question"');
    expect(error.expected).toBe('the question as a non-empty string');
    expect(error.got).toBe('nothing (the field is missing)');
  });

  it('refuses a matching answer that is not Yes or No', async () => {
    const error = await inputError(() =>
      parsePersonaFile(fixtureSource('prompts/persona-bad-answer.jsonl')),
    );
    expect(error.location).toBe(`line 2, field "${PERSONA_MATCHING_FIELD}"`);
    expect(error.got).toBe('" Perhaps"');
  });

  it('refuses malformed JSON, non-objects, bad confidences and empty files', async () => {
    const malformed = await inputError(() =>
      parsePersonaFile(sourceFromString('p.jsonl', '{"question": "a",\n')),
    );
    expect(malformed.location).toMatch(/^line 1, column \d+$/);
    const notObject = await inputError(() =>
      parsePersonaFile(sourceFromString('p.jsonl', '"q"\n')),
    );
    expect(notObject.expected).toMatch(/a JSON object with "question"/);
    const confidence = await inputError(() =>
      parsePersonaFile(fixtureSource('prompts/persona-bad-confidence.jsonl')),
    );
    expect(confidence.location).toBe('line 1, field "label_confidence"');
    const empty = await inputError(() => parsePersonaFile(sourceFromString('p.jsonl', '')));
    expect(empty.message).toBe('p.jsonl: no prompts found; it is empty');
  });
});

describe('persona names and URLs', () => {
  it('builds the raw GitHub URL of a persona file', () => {
    expect(personaFileUrl('agreeableness')).toBe(
      'https://raw.githubusercontent.com/anthropics/evals/main/persona/agreeableness.jsonl',
    );
    expect(personaFileUrl(' desire-for-self-improvement.jsonl ')).toBe(
      'https://raw.githubusercontent.com/anthropics/evals/main/persona/desire-for-self-improvement.jsonl',
    );
  });

  it('refuses names that are not letters, digits and dashes', () => {
    for (const bad of ['', '../secrets', 'a b', 'x?y=1', 'persona/agreeableness', 'a_b', 'é']) {
      expect(() => personaFileUrl(bad), bad).toThrow(InputError);
    }
    expect(() => personaFileUrl('../x')).toThrow(/letters, digits and dashes only/);
  });

  it('takes the persona name from a file name or path', () => {
    expect(personaNameFromFileName('agreeableness.jsonl')).toBe('agreeableness');
    expect(personaNameFromFileName('persona/agreeableness (1).jsonl')).toBe('agreeableness');
    expect(personaNameFromFileName('C:\\evals\\Has-Strong-Aesthetic.JSONL')).toBe(
      'Has-Strong-Aesthetic',
    );
    expect(personaNameFromFileName('.jsonl')).toBe('persona');
  });
});
