import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { runToLlmComparator } from '../../src/lib/core/run/export/llm-comparator-json';
import { importLlmComparator } from '../../src/lib/core/run/import/llm-comparator';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { XSS_IMG, XSS_SCRIPT, fixtureSource, sampleRun } from './run-test-helpers';

const NOW = '2025-06-01T00:00:00.000Z';

async function importError(path: string): Promise<InputError> {
  try {
    await importLlmComparator(fixtureSource(path));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected the import to fail');
}

describe('importLlmComparator', () => {
  it('reads models, prompts, tags as categories, and multimodal text parts', async () => {
    const imported = await importLlmComparator(fixtureSource('import/comparator/tiny.json'), {
      now: NOW,
    });
    expect(imported.models).toEqual({
      A: { label: 'Helper 1.0', modelId: 'Helper 1.0' },
      B: { label: 'Helper 1.1', modelId: 'Helper 1.1' },
    });
    expect(imported.prompts).toEqual([
      { id: 'p0001', text: 'Which city should I visit in Portugal?', category: 'Travel' },
      { id: 'p0002', text: 'How do I show an alert in a browser?', category: 'Coding, Web' },
      { id: 'p0003', text: 'What is in this picture?' },
    ]);
    expect(imported.answers.map((a) => [a.promptId, a.side, a.text])).toEqual([
      ['p0001', 'A', 'Lisbon.'],
      ['p0001', 'B', 'Lisbon, Porto and the Algarve coast are all worth a visit.'],
      ['p0002', 'A', XSS_SCRIPT],
      ['p0002', 'B', XSS_IMG],
      ['p0003', 'A', 'A cat.'],
      ['p0003', 'B', 'A cat sleeping on a sofa.'],
    ]);
    expect(imported.answers.every((a) => a.sample === 0 && a.createdAt === NOW)).toBe(true);
    expect(imported.report).toEqual({
      matchedPrompts: 3,
      unmatched: [],
      duplicates: [],
      warnings: ['1 image part(s) of prompts or outputs were left out: only text is compared.'],
    });
  });

  it('reports repeated prompts as duplicates, keeping the first', async () => {
    const file = {
      models: [{ name: 'a' }, { name: 'b' }],
      examples: [
        { input_text: 'Same?', output_text_a: '1', output_text_b: 'one' },
        { input_text: 'Same? ', output_text_a: '2', output_text_b: 'two' },
      ],
    };
    const imported = await importLlmComparator(sourceFromString('dup.json', JSON.stringify(file)));
    expect(imported.answers.map((a) => a.text)).toEqual(['1', 'one']);
    expect(imported.report.duplicates).toEqual([
      { side: 'A', prompt: 'Same? ', location: 'examples[1]' },
      { side: 'B', prompt: 'Same? ', location: 'examples[1]' },
    ]);
  });

  it('names a missing output with its example', async () => {
    const error = await importError('import/comparator/missing-output.json');
    expect(error.message).toBe(
      'missing-output.json, examples[1]: expected an object with a "output_text_b" field, got an object with fields "input_text", "tags", "output_text_a"',
    );
  });

  it('refuses a file without exactly two models', async () => {
    const error = await importError('import/comparator/one-model.json');
    expect(error.location).toBe('models');
    expect(error.expected).toBe('exactly two models, [{"name": …}, {"name": …}]');
  });

  it('refuses an empty prompt', async () => {
    const error = await importError('import/comparator/empty-input.json');
    expect(error.message).toBe(
      'empty-input.json, examples[1].input_text: expected a non-empty input_text (the prompt), got an empty string',
    );
  });

  it('refuses a non-string output and an empty example list', async () => {
    const bad = {
      models: [{ name: 'a' }, { name: 'b' }],
      examples: [{ input_text: 'x', output_text_a: 5, output_text_b: 'y' }],
    };
    await expect(
      importLlmComparator(sourceFromString('n.json', JSON.stringify(bad))),
    ).rejects.toThrow(
      'n.json, examples[0].output_text_a: expected one of a string, an array, got the number 5',
    );
    const empty = { models: [{ name: 'a' }, { name: 'b' }], examples: [] };
    await expect(
      importLlmComparator(sourceFromString('e.json', JSON.stringify(empty))),
    ).rejects.toThrow('e.json, examples: expected at least one example, got an empty array');
  });

  it('reports malformed JSON with its position', async () => {
    await expect(
      importLlmComparator(sourceFromString('m.json', '{\n  "models": [\n}')),
    ).rejects.toThrow('m.json, line 3, column 1: expected valid JSON: a JSON value');
  });
});

describe('runToLlmComparator', () => {
  it('writes one example per prompt with sample 0 of A and B', () => {
    const file = runToLlmComparator(sampleRun());
    expect(file.models).toEqual([{ name: 'base, v1' }, { name: 'finetune "B"' }]);
    expect(file.metadata.custom_fields_schema).toEqual([{ name: 'prompt_id', type: 'string' }]);
    expect(file.examples).toHaveLength(3);
    expect(file.examples[0]).toEqual({
      input_text: 'Write HTML, please.',
      tags: ['code, web'],
      output_text_a: XSS_SCRIPT,
      output_text_b: XSS_IMG,
      score: null,
      individual_rater_scores: [],
      rationale_list: [],
      custom_fields: { prompt_id: 'p0001' },
    });
    expect(file.examples[2]!.output_text_a).toBe('=SUM(A1:A2)');
  });

  it('leaves out prompts that lack sample 0 on one side', () => {
    const run = sampleRun();
    run.answers = run.answers.filter((a) => !(a.promptId === 'p0002' && a.side === 'B'));
    expect(runToLlmComparator(run).examples.map((e) => e.custom_fields.prompt_id)).toEqual([
      'p0001',
      'p0003',
    ]);
  });

  it('round-trips through our importer: same ids, texts, categories and answers', async () => {
    const run = sampleRun();
    const text = JSON.stringify(runToLlmComparator(run), null, 1);
    const imported = await importLlmComparator(sourceFromString('export.json', text, 100));
    expect(imported.models.A.label).toBe(run.models.A.label);
    expect(imported.models.B.label).toBe(run.models.B.label);
    expect(imported.prompts).toEqual(run.prompts);
    const sampleZero = run.answers
      .filter((a) => a.sample === 0)
      .map((a) => [a.promptId, a.side, a.text]);
    expect(imported.answers.map((a) => [a.promptId, a.side, a.text]).sort()).toEqual(
      sampleZero.sort(),
    );
    expect(imported.report).toMatchObject({
      matchedPrompts: 3,
      unmatched: [],
      duplicates: [],
      warnings: [],
    });
  });
});
