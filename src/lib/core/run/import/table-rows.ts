/**
 * Rows of an answer table, whatever its format: JSONL and CSV are streamed line by line or
 * batch by batch; a JSON array is one document and is parsed whole. Every row carries the
 * location people would look for it at: "line 12", "row 4 (line 5)", "[3]".
 */
import { InputError, describeValue } from '../errors';
import { parseJson } from '../parse-json';
import { readCsvRecords } from './csv-records';
import { readLines, readText, type SourceFile } from './source';
import type { ImportOptions, TableFormat } from './types';

/** One row: its fields by name, and where it is in the file. */
export interface TableRow {
  values: Record<string, unknown>;
  location: string;
}

/** The other shapes the importer accepts, for messages about a file that is none of them. */
export const OTHER_FORMATS =
  'or an alpaca_eval model_outputs.json, an LLM Comparator file or a Behaviour Diff run file';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The rows of `file` read as `format`.
 * @throws InputError for malformed JSON/CSV, a row that is not an object, or an empty file.
 */
export async function* readTableRows(
  file: SourceFile,
  format: TableFormat,
  options: ImportOptions = {},
): AsyncGenerator<TableRow> {
  let count = 0;
  let sawHeader = false;
  if (format === 'jsonl') {
    for await (const { text, line } of readLines(file, options)) {
      if (text.trim() === '') continue;
      const value = parseJson(text, file.name, { line });
      if (!isObject(value)) {
        throw new InputError({
          file: file.name,
          location: `line ${line}`,
          expected: 'a JSON object (one row per line)',
          got: describeValue(value),
        });
      }
      count++;
      yield { values: value, location: `line ${line}` };
    }
  } else if (format === 'json-array') {
    const json = parseJson(await readText(file, options), file.name);
    if (!Array.isArray(json)) {
      throw new InputError({
        file: file.name,
        expected: `a JSON array of answer rows (${OTHER_FORMATS})`,
        got: isObject(json) ? describeValue(json) : `only ${describeValue(json)}, no answers`,
      });
    }
    for (let i = 0; i < json.length; i++) {
      const value: unknown = json[i];
      if (!isObject(value)) {
        throw new InputError({
          file: file.name,
          location: `[${i}]`,
          expected: 'a JSON object',
          got: describeValue(value),
        });
      }
      count++;
      yield { values: value, location: `[${i}]` };
    }
  } else {
    let header: string[] | null = null;
    for await (const record of readCsvRecords(file, options)) {
      if (!header) {
        header = csvHeader(record.fields, file.name, record.line);
        sawHeader = true;
        continue;
      }
      const location = `row ${record.index} (line ${record.line})`;
      if (record.fields.length !== header.length) {
        throw new InputError({
          file: file.name,
          location,
          expected: `${header.length} fields, as in the header`,
          got: `${record.fields.length} fields`,
        });
      }
      const values: Record<string, unknown> = {};
      header.forEach((name, i) => (values[name] = record.fields[i]));
      count++;
      yield { values, location };
    }
  }
  if (count === 0) {
    throw new InputError({
      file: file.name,
      expected: format === 'csv' ? 'a header line and at least one row' : 'at least one row',
      got: sawHeader
        ? 'only the header line, no rows'
        : format === 'json-array'
          ? 'an empty array []'
          : 'no rows (the file is empty)',
    });
  }
}

function csvHeader(fields: string[], file: string, line: number): string[] {
  const names = fields.map((f, i) => f.trim() || `column ${i + 1}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new InputError({
        file,
        location: `line ${line} (header)`,
        expected: 'distinct column names',
        got: `${JSON.stringify(name)} twice`,
      });
    }
    seen.add(name);
  }
  return names;
}
