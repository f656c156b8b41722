/** Files that hold almost nothing: each gets a message saying what it holds and what was expected. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { detectFormat } from '../../src/lib/core/run/import/detect-format';
import { inspectTable } from '../../src/lib/core/run/import/inspect-table';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { importTablePair } from '../../src/lib/core/run/import/table-pair';

/** What the import screen does with one file: detect its format, then inspect it as a table. */
async function inspectError(name: string, text: string): Promise<InputError> {
  const format = detectFormat(name, text);
  if (format !== 'jsonl' && format !== 'json-array' && format !== 'csv') {
    throw new Error(`${name} was detected as ${format}, not a table`);
  }
  try {
    await inspectTable(sourceFromString(name, text), { format });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`expected ${name} to be refused`);
}

const EXPECTED_TABLE =
  'a JSON array of answer rows (or an alpaca_eval model_outputs.json, an LLM Comparator file or a Behaviour Diff run file)';
const EXPECTED_FIELDS =
  'rows with fields such as "prompt", "answer" and "model" (or an alpaca_eval model_outputs.json, an LLM Comparator file or a Behaviour Diff run file)';

describe('a file holding only a JSON null, number, string or boolean', () => {
  it.each([
    ['null', 'null'],
    ['null\n', 'null'],
    ['  42 ', 'the number 42'],
    ['"hello"', '"hello"'],
    ['true', 'the boolean true'],
  ])('%j is read as JSON and named for what it holds', async (text, described) => {
    expect(detectFormat('outputs.json', text)).toBe('json-array');
    const error = await inspectError('outputs.json', text);
    expect(error.message).toBe(
      `outputs.json: expected ${EXPECTED_TABLE}, got only ${described}, no answers`,
    );
  });

  it('does not take a CSV that starts with a quoted header for JSON', () => {
    expect(detectFormat('a.csv', '"prompt","answer"\n"p","a"\n')).toBe('csv');
    expect(detectFormat('a.csv', 'prompt\n')).toBe('csv');
  });
});

describe('a file holding only empty objects', () => {
  it('a lone {} says what was expected instead of offering an empty mapping form', async () => {
    expect(detectFormat('outputs.json', '{}')).toBe('jsonl');
    expect((await inspectError('outputs.json', '{}')).message).toBe(
      `outputs.json: expected ${EXPECTED_FIELDS}, got only an empty object {}, no answers`,
    );
  });

  it('a pretty-printed {} and a JSONL file of {} rows get the same explanation', async () => {
    expect((await inspectError('outputs.json', '{\n}\n')).message).toBe(
      `outputs.json: expected ${EXPECTED_TABLE}, got an empty object`,
    );
    expect((await inspectError('rows.jsonl', '{}\n{}\n{}\n')).message).toBe(
      `rows.jsonl: expected ${EXPECTED_FIELDS}, got 3 rows that are all empty objects {}`,
    );
    expect((await inspectError('rows.json', '[{}, {}]')).message).toBe(
      `rows.json: expected ${EXPECTED_FIELDS}, got 2 rows that are all empty objects {}`,
    );
  });

  it('a table with one real field is still offered for mapping', async () => {
    const inspection = await inspectTable(sourceFromString('rows.jsonl', '{}\n{"prompt": "p"}\n'));
    expect(inspection.columns).toEqual(['prompt']);
  });

  it('the command line pair import refuses {} the same way', async () => {
    await expect(
      importTablePair(
        sourceFromString('a.jsonl', '{}\n'),
        sourceFromString('b.jsonl', '{"prompt": "p", "answer": "x"}\n'),
      ),
    ).rejects.toThrow(`a.jsonl: expected ${EXPECTED_FIELDS}, got only an empty object {}`);
  });
});

describe('empty tables', () => {
  it('tells an empty array and a header without rows from an empty file', async () => {
    expect((await inspectError('rows.json', '[]')).message).toBe(
      'rows.json: expected at least one row, got an empty array []',
    );
    expect((await inspectError('rows.csv', 'prompt,answer,model\n')).message).toBe(
      'rows.csv: expected a header line and at least one row, got only the header line, no rows',
    );
    expect((await inspectError('rows.jsonl', '\n\n')).message).toBe(
      'rows.jsonl: expected at least one row, got no rows (the file is empty)',
    );
  });
});
