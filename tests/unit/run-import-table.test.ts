import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { importAnswerTable } from '../../src/lib/core/run/import/answer-table';
import { inspectTable } from '../../src/lib/core/run/import/inspect-table';
import { runFromImport } from '../../src/lib/core/run/import/run-from-import';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import type { FieldMapping, ImportedAnswers } from '../../src/lib/core/run/import/types';
import { validateRun } from '../../src/lib/core/run/schema';
import { XSS_IMG, XSS_SCRIPT, fixtureSource, fixtureText } from './run-test-helpers';

const NOW = '2025-05-01T00:00:00.000Z';
const JSONL_MAPPING: FieldMapping = {
  prompt: 'prompt',
  answer: 'output',
  model: 'model',
  sample: 'sample',
  category: 'category',
};
const CSV_MAPPING: FieldMapping = {
  prompt: 'prompt',
  answer: 'answer',
  model: 'model',
  category: 'category',
};

async function importError(path: string, mapping: FieldMapping): Promise<InputError> {
  try {
    await importAnswerTable(fixtureSource(path), mapping);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected the import to fail');
}

function texts(imported: ImportedAnswers, promptId: string, side: 'A' | 'B'): string[] {
  return imported.answers
    .filter((a) => a.promptId === promptId && a.side === side)
    .map((a) => a.text);
}

describe('importAnswerTable: JSONL', () => {
  it('matches prompts across models, keeps samples, reports unmatched and duplicate rows', async () => {
    const imported = await importAnswerTable(
      fixtureSource('import/table/answers.jsonl'),
      JSONL_MAPPING,
      { now: NOW },
    );
    expect(imported.models).toEqual({
      A: { label: 'base-7b', modelId: 'base-7b' },
      B: { label: 'dpo-7b', modelId: 'dpo-7b' },
    });
    expect(imported.prompts).toEqual([
      { id: 'p0001', text: 'Name a primary colour.', category: 'facts' },
      { id: 'p0002', text: 'Show me some HTML.', category: 'code' },
      { id: 'p0003', text: 'Unicode: naïve café, 日本語, emoji 🎉' },
    ]);
    expect(texts(imported, 'p0001', 'A')).toEqual(['Red.', 'Yellow.']);
    expect(texts(imported, 'p0001', 'B')).toEqual([
      'Blue is a primary colour.',
      'Certainly! Red, yellow and blue.',
    ]);
    expect(texts(imported, 'p0002', 'A')).toEqual([XSS_SCRIPT]);
    expect(texts(imported, 'p0002', 'B')).toEqual([XSS_IMG]);
    expect(texts(imported, 'p0003', 'A')).toEqual(['Ça va 🎉\nsecond line']);
    expect(texts(imported, 'p0003', 'B')).toEqual(['']);
    expect(imported.answers.map((a) => `${a.promptId}${a.side}${a.sample}`)).toEqual([
      'p0001A0',
      'p0001A1',
      'p0001B0',
      'p0001B1',
      'p0002A0',
      'p0002B0',
      'p0003A0',
      'p0003B0',
    ]);
    expect(imported.report.matchedPrompts).toBe(3);
    // Line numbers count the blank line 4.
    expect(imported.report.unmatched).toEqual([
      { side: 'A', prompt: 'Only base answered this.', location: 'line 9' },
    ]);
    expect(imported.report.duplicates).toEqual([
      { side: 'B', prompt: 'Show me some HTML.', location: 'line 8' },
    ]);
    expect(imported.report.warnings).toEqual([
      'Model A (before) is "base-7b" and model B (after) is "dpo-7b", in the order they first appear; swap them if that is wrong.',
    ]);
  });

  it('gives the same result whatever the chunk size, one character at a time included', async () => {
    const text = fixtureText('import/table/answers.jsonl');
    const reference = await importAnswerTable(
      sourceFromString('answers.jsonl', text),
      JSONL_MAPPING,
      { now: NOW },
    );
    for (const size of [1, 2, 7, 64]) {
      const imported = await importAnswerTable(
        sourceFromString('answers.jsonl', text, size),
        JSONL_MAPPING,
        { now: NOW },
      );
      expect(imported).toEqual(reference);
    }
    const crlf = await importAnswerTable(
      sourceFromString('answers.jsonl', text.replace(/\n/g, '\r\n'), 5),
      JSONL_MAPPING,
      { now: NOW },
    );
    expect(crlf).toEqual(reference);
  });

  it('swaps sides when told which model is A', async () => {
    const imported = await importAnswerTable(fixtureSource('import/table/answers.jsonl'), {
      ...JSONL_MAPPING,
      modelA: 'dpo-7b',
    });
    expect(imported.models.A.label).toBe('dpo-7b');
    expect(imported.models.B.label).toBe('base-7b');
    expect(imported.report.warnings).toEqual([]);
    expect(imported.report.unmatched[0]!.side).toBe('B');
  });

  it('hints at a sample column when rows repeat without one', async () => {
    const imported = await importAnswerTable(fixtureSource('import/table/answers.jsonl'), {
      ...JSONL_MAPPING,
      sample: '',
    });
    expect(imported.report.duplicates).toHaveLength(3);
    expect(imported.report.warnings).toContain(
      '3 row(s) repeat a prompt for the same model and were left out; if they are several samples per prompt, choose a sample column.',
    );
  });

  it('matches by prompt id when one is mapped, keeping the given ids', async () => {
    const mapping = {
      promptId: 'prompt_id',
      prompt: 'prompt',
      answer: 'completion',
      model: 'model',
      sample: 'n',
    };
    const imported = await importAnswerTable(fixtureSource('import/table/ids.jsonl'), mapping);
    expect(imported.prompts.map((p) => [p.id, p.text])).toEqual([
      ['q-7', 'Tell me about cats.'],
      ['q-9', 'Tell me about dogs.'],
    ]);
    // Model values "A" and "B" are taken at their word.
    expect(imported.models.A.label).toBe('A');
    expect(texts(imported, 'q-7', 'B')).toEqual(['Cats are wonderful companions.', 'Cats purr.']);
    expect(imported.report.warnings).toEqual([
      '1 row(s) give a prompt id a different prompt text than its first row (first at line 2 (prompt id "q-7")); the first text was kept.',
    ]);
  });
});

describe('importAnswerTable: CSV and JSON arrays', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks verbatim', async () => {
    const imported = await importAnswerTable(
      fixtureSource('import/table/answers.csv', 13),
      CSV_MAPPING,
    );
    expect(imported.prompts.map((p) => [p.id, p.text, p.category])).toEqual([
      ['p0001', 'Name a primary colour.', 'facts'],
      ['p0002', 'Tell me a "quoted" joke.', 'jokes'],
      ['p0003', 'Show me an image tag.', 'code'],
    ]);
    expect(texts(imported, 'p0001', 'B')).toEqual(['Blue, obviously.']);
    expect(texts(imported, 'p0002', 'A')).toEqual(['He said "hi",\r\nthen left.']);
    expect(texts(imported, 'p0002', 'B')).toEqual([XSS_SCRIPT]);
    expect(texts(imported, 'p0003', 'A')).toEqual([XSS_IMG]);
    expect(texts(imported, 'p0003', 'B')).toEqual(['<img src="x" onerror="alert(1)">']);
    expect(imported.report.unmatched).toEqual([]);
  });

  it('reads tab-separated files', async () => {
    const imported = await importAnswerTable(fixtureSource('import/table/tab-separated.tsv'), {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    expect(imported.prompts[0]!.text).toBe('Hello, world?');
    expect(texts(imported, 'p0001', 'A')).toEqual(['Hi, there']);
  });

  it('takes a "side" column with values A and B at its word, whatever comes first', async () => {
    const imported = await importAnswerTable(fixtureSource('import/table/sides-ab.csv'), {
      prompt: 'prompt',
      answer: 'answer',
      model: 'side',
    });
    expect(texts(imported, 'p0001', 'A')).toEqual(['Hi from A']);
    expect(imported.report.warnings).toEqual([]);
  });

  it('picks A and B among several models and reports the skipped rows', async () => {
    const imported = await importAnswerTable(fixtureSource('import/table/three-models.csv'), {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
      modelA: 'm3',
      modelB: 'm1',
    });
    expect(texts(imported, 'p0001', 'A')).toEqual(['Yo']);
    expect(texts(imported, 'p0002', 'B')).toEqual(['Bye']);
    expect(imported.report.warnings).toEqual(['2 row(s) from other models ("m2") were skipped.']);
  });

  it('reads JSON arrays, numeric prompt ids and mismatched prompt texts', async () => {
    const mapping = {
      promptId: 'question_id',
      prompt: 'question',
      answer: 'response',
      model: 'generator',
      category: 'dataset',
    };
    const imported = await importAnswerTable(
      fixtureSource('import/table/answers-array.json'),
      mapping,
    );
    expect(imported.prompts).toEqual([
      { id: '101', text: 'What is 2 + 2?', category: 'math' },
      { id: '102', text: 'Capital of France?', category: 'geo' },
    ]);
    expect(imported.report.unmatched).toEqual([
      { side: 'B', prompt: 'Only new was asked.', location: '[4]' },
    ]);
    expect(imported.report.warnings).toHaveLength(2);
  });

  it('builds a valid run, samplesPerPrompt from the widest prompt', async () => {
    const imported = await importAnswerTable(
      fixtureSource('import/table/answers.jsonl'),
      JSONL_MAPPING,
    );
    const run = runFromImport(imported, {
      id: 'r',
      name: 'jsonl',
      promptSetName: 'answers.jsonl',
      now: NOW,
      notes: 'from a test',
    });
    expect(run.samplesPerPrompt).toBe(2);
    expect(run.notes).toBe('from a test');
    expect(run.promptSet).toEqual({ id: 'r-prompts', name: 'answers.jsonl', source: 'imported' });
    expect(validateRun(run, 'run')).toEqual(run);
  });
});

describe('importAnswerTable: errors', () => {
  it('names the row and the missing field', async () => {
    const error = await importError('import/table/missing-field.jsonl', {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
    });
    expect(error.message).toBe(
      'missing-field.jsonl, line 3: expected a JSON object with a "output" field (the answer), got an object with fields "prompt", "response", "model"',
    );
  });

  it('gives line and column of malformed JSON', async () => {
    const error = await importError('import/table/malformed.jsonl', {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
    });
    expect(error.message).toBe(
      `malformed.jsonl, line 4, column 46: expected valid JSON: a property name in double quotes, got "}"`,
    );
  });

  it('refuses a non-string answer', async () => {
    const error = await importError('import/table/answer-not-string.jsonl', {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
    });
    expect(error.message).toBe(
      'answer-not-string.jsonl, line 2, field "output": expected a string (the answer), got the number 42',
    );
  });

  it('refuses a row that is not an object', async () => {
    const error = await importError('import/table/not-an-object.jsonl', {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
    });
    expect(error.message).toBe(
      'not-an-object.jsonl, line 2: expected a JSON object (one row per line), got an array of 3 items',
    );
  });

  it('refuses an empty prompt', async () => {
    const error = await importError('import/table/empty-prompt.csv', {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    expect(error.message).toBe(
      'empty-prompt.csv, row 3 (line 4), column "prompt": expected a non-empty prompt, got an empty string "  "',
    );
  });

  it('refuses a file with one model only', async () => {
    const error = await importError('import/table/one-model.jsonl', {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
    });
    expect(error.message).toBe(
      'one-model.jsonl: only one model (solo-1b) found; need two (column "model" has no other value).',
    );
  });

  it('asks which models to compare when there are more than two', async () => {
    const error = await importError('import/table/three-models.csv', {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    expect(error.got).toBe('3 models: "m1", "m2", "m3"');
  });

  it('refuses a chosen model that is not in the file', async () => {
    const error = await importError('import/table/three-models.csv', {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
      modelA: 'm1',
      modelB: 'gpt',
    });
    expect(error.expected).toBe('rows of model "gpt" (chosen as model B) in column "model"');
  });

  it('refuses empty files', async () => {
    const mapping = { prompt: 'prompt', answer: 'answer', model: 'model' };
    expect((await importError('import/table/blank.jsonl', mapping)).message).toBe(
      'blank.jsonl: expected at least one row, got no rows (the file is empty)',
    );
    expect((await importError('import/table/header-only.csv', mapping)).message).toBe(
      'header-only.csv: expected a header line and at least one row, got only the header line, no rows',
    );
    await expect(importAnswerTable(sourceFromString('zero.csv', ''), mapping)).rejects.toThrow(
      'zero.csv: expected a header line and at least one row',
    );
  });

  it('names an unterminated quoted field and its row', async () => {
    const error = await importError('import/table/unclosed-quote.csv', {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    expect(error.message).toBe(
      'unclosed-quote.csv, row 2 (line 3): expected a closing quote (") for the quoted field that starts in this row, got the end of the file',
    );
  });

  it('names a malformed closing quote', async () => {
    const error = await importError('import/table/stray-quote.csv', {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    expect(error.location).toBe('row 2 (line 3)');
    expect(error.expected).toContain('right after the closing quote');
  });

  it('refuses rows with more fields than the header', async () => {
    const error = await importError('import/table/wrong-field-count.csv', {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    expect(error.message).toBe(
      'wrong-field-count.csv, row 2 (line 3): expected 3 fields, as in the header, got 4 fields',
    );
  });

  it('refuses a mapping to a column the CSV does not have', async () => {
    const error = await importError('import/table/answers.csv', {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
    });
    expect(error.message).toBe(
      'answers.csv, header: expected a column named "output" (chosen for the answer), got the columns "prompt", "answer", "model", "category"',
    );
  });

  it('refuses an incomplete mapping or one model for both sides', async () => {
    await expect(
      importAnswerTable(fixtureSource('import/table/answers.csv'), {
        prompt: 'prompt',
        answer: '',
        model: 'model',
      }),
    ).rejects.toThrow('answers.csv: expected a column chosen for the answer, got none');
    await expect(
      importAnswerTable(fixtureSource('import/table/answers.csv'), {
        ...CSV_MAPPING,
        modelA: 'x',
        modelB: 'x',
      }),
    ).rejects.toThrow('expected two different models for A and B');
  });

  it('refuses run files and LLM Comparator files passed as tables', async () => {
    await expect(
      importAnswerTable(fixtureSource('runs/v1-small.json'), CSV_MAPPING),
    ).rejects.toThrow(
      'v1-small.json: expected a table of answers (JSONL, a JSON array of rows, or CSV), got a Behaviour Diff run file',
    );
  });
});

describe('inspectTable', () => {
  it('lists CSV columns, sample rows and model values, and guesses the mapping', async () => {
    const inspection = await inspectTable(fixtureSource('import/table/answers.csv'));
    expect(inspection.format).toBe('csv');
    expect(inspection.columns).toEqual(['prompt', 'answer', 'model', 'category']);
    expect(inspection.rowCount).toBe(6);
    expect(inspection.sampleRows).toHaveLength(5);
    expect(inspection.sampleRows[2]).toEqual({
      prompt: 'Tell me a "quoted" joke.',
      answer: 'He said "hi",\r\nthen left.',
      model: 'base-7b',
      category: 'jokes',
    });
    expect(inspection.suggestedMapping).toEqual({
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
      category: 'category',
    });
    expect(inspection.modelValues).toEqual(['base-7b', 'dpo-7b']);
    expect(inspection.distinctValues.category).toEqual(['facts', 'jokes', 'code']);
  });

  it('guesses alpaca-style and id columns in JSON', async () => {
    const inspection = await inspectTable(fixtureSource('import/table/answers-array.json'));
    expect(inspection.format).toBe('json-array');
    expect(inspection.suggestedMapping).toEqual({
      promptId: 'question_id',
      prompt: 'question',
      answer: 'response',
      model: 'generator',
      category: 'dataset',
    });
    expect(inspection.modelValues).toEqual(['old', 'new']);
    const ids = await inspectTable(fixtureSource('import/table/ids.jsonl'));
    expect(ids.suggestedMapping).toEqual({
      promptId: 'prompt_id',
      prompt: 'prompt',
      answer: 'completion',
      model: 'model',
      sample: 'n',
    });
    expect(ids.modelValues).toEqual(['A', 'B']);
  });

  it('leaves fields it cannot guess empty and stops early when asked', async () => {
    const text = '{"q": "a", "resp": "b", "who": "x"}\n{"q": "c", "resp": "d", "who": "y"}\n';
    const inspection = await inspectTable(sourceFromString('odd.jsonl', text), { maxRows: 1 });
    expect(inspection.rowCount).toBe(1);
    expect(inspection.suggestedMapping).toEqual({ prompt: '', answer: '', model: '' });
    expect(inspection.modelValues).toBeUndefined();
  });

  it('marks columns with many distinct values as such', async () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ prompt: `p${i}`, answer: 'a', model: i % 2 ? 'x' : 'y' }),
    );
    const inspection = await inspectTable(sourceFromString('many.jsonl', rows.join('\n')));
    expect(inspection.distinctValues.prompt).toBeNull();
    expect(inspection.modelValues).toEqual(['y', 'x']);
  });
});

describe('reading large files', () => {
  it('reports progress and can be cancelled', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({
        prompt: `p${i % 100}`,
        output: 'x'.repeat(100),
        model: `m${i % 2}`,
        sample: Math.floor(i / 200),
      }),
    );
    const text = rows.join('\n');
    const seen: number[] = [];
    await importAnswerTable(sourceFromString('big.jsonl', text), JSONL_MAPPING, {
      onProgress: (p) => seen.push(p.done),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(text.length);
    const controller = new AbortController();
    controller.abort();
    await expect(
      importAnswerTable(sourceFromString('big.jsonl', text), JSONL_MAPPING, {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});
