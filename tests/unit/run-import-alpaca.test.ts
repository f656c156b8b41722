import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { importAlpacaEvalPair } from '../../src/lib/core/run/import/alpaca-eval';
import { runFromImport } from '../../src/lib/core/run/import/run-from-import';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { validateRun } from '../../src/lib/core/run/schema';
import { XSS_IMG, XSS_SCRIPT, fileSource, fixtureSource } from './run-test-helpers';

const NOW = '2025-04-01T00:00:00.000Z';

async function importError(a: string, b = 'import/alpaca/tiny-dpo.json'): Promise<InputError> {
  try {
    await importAlpacaEvalPair(fixtureSource(a), fixtureSource(b));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected the import to fail');
}

describe('importAlpacaEvalPair', () => {
  it('matches instructions across the two files and reports what it could not match', async () => {
    const imported = await importAlpacaEvalPair(
      fixtureSource('import/alpaca/tiny-base.json'),
      fixtureSource('import/alpaca/tiny-dpo.json'),
      { now: NOW },
    );
    expect(imported.models).toEqual({
      A: { label: 'tiny-base', modelId: 'tiny-base' },
      B: { label: 'tiny-dpo', modelId: 'tiny-dpo' },
    });
    // Ids in A's order; the recursion prompt matched despite A's surrounding spaces.
    expect(imported.prompts).toEqual([
      {
        id: 'p0001',
        text: 'What are some good names for a pet goldfish?',
        category: 'helpful_base',
      },
      { id: 'p0002', text: 'Write an HTML snippet that shows an alert.', category: 'koala' },
      {
        id: 'p0003',
        text: 'Give an example of an image tag with an error handler.',
        category: 'selfinstruct',
      },
      { id: 'p0004', text: '  Explain recursion in one sentence.  ', category: 'oasst' },
    ]);
    expect(imported.answers).toHaveLength(8);
    const answer = (promptId: string, side: 'A' | 'B') =>
      imported.answers.find((a) => a.promptId === promptId && a.side === side)!;
    expect(answer('p0002', 'A').text).toBe(XSS_SCRIPT);
    expect(answer('p0002', 'B').text).toBe('Here you go:\n```html\n<script>alert(1)</script>\n```');
    expect(answer('p0003', 'A').text).toBe(XSS_IMG);
    expect(answer('p0001', 'B')).toEqual({
      promptId: 'p0001',
      side: 'B',
      sample: 0,
      text: 'Great question! Here are some ideas:\n\n1. Bubbles\n2. Goldie\n3. Finn',
      finishReason: 'unknown',
      createdAt: NOW,
    });
    expect(imported.report.matchedPrompts).toBe(4);
    expect(imported.report.unmatched).toEqual([
      { side: 'A', prompt: 'Only the base model was asked this.', location: 'tiny-base.json [4]' },
      {
        side: 'B',
        prompt: 'Only the finetuned model was asked this.',
        location: 'tiny-dpo.json [5]',
      },
    ]);
    expect(imported.report.duplicates).toEqual([
      {
        side: 'B',
        prompt: 'Write an HTML snippet that shows an alert.',
        location: 'tiny-dpo.json [4]',
      },
    ]);
    expect(imported.report.warnings).toEqual([]);
  });

  it('builds a valid run from the pair', async () => {
    const imported = await importAlpacaEvalPair(
      fixtureSource('import/alpaca/tiny-base.json'),
      fixtureSource('import/alpaca/tiny-dpo.json'),
    );
    const run = runFromImport(imported, {
      id: 'r1',
      name: 'tiny',
      promptSetName: 'alpaca_eval',
      now: new Date(NOW),
    });
    expect(validateRun(run, 'built run')).toEqual(run);
    expect(run.models.A).toMatchObject({ label: 'tiny-base', backend: 'imported' });
    expect(run.samplesPerPrompt).toBe(1);
    expect(run.answers.every((a) => a.createdAt === NOW)).toBe(true);
  });

  it('warns when both files are the same model', async () => {
    const imported = await importAlpacaEvalPair(
      fixtureSource('import/alpaca/tiny-base.json'),
      fixtureSource('import/alpaca/tiny-base.json'),
    );
    expect(imported.report.matchedPrompts).toBe(5);
    expect(imported.report.warnings).toEqual([
      'Both files name the same model, "tiny-base": is one of them the wrong file?',
    ]);
  });

  it('names the model after the file when rows have no generator', async () => {
    const rows = JSON.stringify([{ instruction: 'Hi?', output: 'Hello.' }]);
    const imported = await importAlpacaEvalPair(
      sourceFromString('model_outputs.json', rows),
      sourceFromString('dpo.json', rows),
    );
    expect(imported.models.A.label).toBe('model_outputs');
    expect(imported.report.warnings[0]).toBe(
      'model_outputs.json names no generator; its model is called "model_outputs" after the file.',
    );
  });

  it('reports a non-string output with its row and field', async () => {
    const error = await importError('import/alpaca/output-null.json');
    expect(error.message).toBe('output-null.json, [2].output: expected a string, got null');
  });

  it('reports a missing instruction with its row', async () => {
    const error = await importError('import/alpaca/missing-instruction.json');
    expect(error.location).toBe('[1]');
    expect(error.expected).toBe('an object with a "instruction" field');
    expect(error.got).toBe('an object with fields "prompt", "output", "generator"');
  });

  it('reports an empty instruction', async () => {
    const error = await importError('import/alpaca/empty-instruction.json');
    expect(error.message).toBe(
      'empty-instruction.json, [1].instruction: expected a non-empty instruction, got an empty string "   "',
    );
  });

  it('reports malformed JSON with line and column, for file B too', async () => {
    const error = await importError('import/alpaca/tiny-base.json', 'import/alpaca/malformed.json');
    expect(error.file).toBe('malformed.json');
    expect(error.location).toBe('line 3, column 47');
    expect(error.expected).toBe("valid JSON: ',' or '}' after a property value");
  });

  it('reports empty files', async () => {
    expect((await importError('import/alpaca/empty-array.json')).message).toBe(
      'empty-array.json: expected a non-empty JSON array of {instruction, output, generator} objects, got an empty array',
    );
    expect((await importError('import/alpaca/zero-bytes.json')).message).toBe(
      'zero-bytes.json: expected JSON content, got an empty file',
    );
  });

  it('reports a JSON object where an array was expected', async () => {
    const error = await importError('import/comparator/tiny.json');
    expect(error.expected).toContain('a JSON array of {instruction, output, generator} objects');
  });
});

const REAL = '/work/shared/data/alpaca_eval';
const A = `${REAL}/Mistral-7B-Instruct-v0.2.json`;
const B = `${REAL}/Snorkel-Mistral-PairRM-DPO.json`;

describe.skipIf(!existsSync(A) || !existsSync(B))(
  'real alpaca_eval outputs (../shared/data, skipped when absent)',
  () => {
    it('imports Mistral-7B-Instruct-v0.2 vs Snorkel-Mistral-PairRM-DPO: 805 matched instructions', async () => {
      const imported = await importAlpacaEvalPair(fileSource(A), fileSource(B));
      expect(imported.models.A.label).toBe('Mistral-7B-Instruct-v0.2');
      expect(imported.models.B.label).toBe(
        'snorkelai/Snorkel-Programmatic-Alignment-Mistral-PairRM-DPO',
      );
      expect(imported.report).toMatchObject({
        matchedPrompts: 805,
        unmatched: [],
        duplicates: [],
        warnings: [],
      });
      expect(imported.answers).toHaveLength(1610);
      expect(new Set(imported.prompts.map((p) => p.category))).toEqual(
        new Set(['helpful_base', 'koala', 'oasst', 'selfinstruct', 'vicuna']),
      );
      const run = runFromImport(imported, {
        id: 'real',
        name: 'DPO',
        promptSetName: 'alpaca_eval',
        now: NOW,
      });
      expect(validateRun(run, 'real run').prompts).toHaveLength(805);
    });
  },
);
