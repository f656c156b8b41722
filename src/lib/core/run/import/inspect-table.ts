/**
 * A first look at an answer table so the UI can offer a mapping form with good defaults: its
 * columns, a few rows, and the distinct values of likely model columns.
 */
import { InputError } from '../errors';
import { guessMapping } from './column-guess';
import { tableFormatOf } from './answer-table';
import type { SourceFile } from './source';
import { OTHER_FORMATS, readTableRows } from './table-rows';
import type { ImportOptions, TableFormat, TableInspection } from './types';

/** Options of inspectTable. */
export interface InspectOptions extends ImportOptions {
  format?: TableFormat;
  /** Stop after this many rows (default: read the whole file, so counts are exact). */
  maxRows?: number;
  /** How many rows to return as samples (default 5). */
  sampleRows?: number;
}

const MAX_DISTINCT = 20;
const MAX_SHOWN_CHARS = 500;

function asText(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/**
 * Reads a table's columns, first rows and distinct values, and guesses a mapping.
 * @throws InputError for malformed or empty files, as importAnswerTable would.
 */
export async function inspectTable(
  file: SourceFile,
  options: InspectOptions = {},
): Promise<TableInspection> {
  const format = await tableFormatOf(file, options.format);
  const wantSamples = options.sampleRows ?? 5;
  const columns: string[] = [];
  const known = new Set<string>();
  const distinct = new Map<string, Set<string> | null>();
  const sampleRows: Record<string, string>[] = [];
  let rowCount = 0;
  for await (const row of readTableRows(file, format, options)) {
    rowCount++;
    for (const [column, value] of Object.entries(row.values)) {
      if (!known.has(column)) {
        known.add(column);
        columns.push(column);
        // A column first seen late had no value in earlier rows: it is not a model column.
        distinct.set(column, rowCount === 1 ? new Set() : null);
      }
      const values = distinct.get(column);
      if (!values) continue;
      if (typeof value !== 'string' && typeof value !== 'number') {
        distinct.set(column, null);
        continue;
      }
      values.add(String(value).trim());
      if (values.size > MAX_DISTINCT) distinct.set(column, null);
    }
    if (sampleRows.length < wantSamples) {
      sampleRows.push(
        Object.fromEntries(Object.entries(row.values).map(([k, v]) => [k, asText(v)])),
      );
    }
    if (options.maxRows !== undefined && rowCount >= options.maxRows) break;
  }
  if (columns.length === 0) {
    // Only `{}` rows: a mapping form with nothing to choose from would explain nothing.
    throw new InputError({
      file: file.name,
      expected: `rows with fields such as "prompt", "answer" and "model" (${OTHER_FORMATS})`,
      got:
        rowCount === 1
          ? 'only an empty object {}, no answers'
          : `${rowCount} rows that are all empty objects {}`,
    });
  }
  const distinctValues: Record<string, string[] | null> = {};
  for (const column of columns) {
    const values = distinct.get(column);
    distinctValues[column] = values ? [...values] : null;
  }
  const suggestedMapping = guessMapping(columns);
  const inspection: TableInspection = {
    format,
    columns,
    sampleRows,
    rowCount,
    suggestedMapping,
    distinctValues,
  };
  const modelValues = suggestedMapping.model ? distinctValues[suggestedMapping.model] : null;
  if (modelValues) inspection.modelValues = modelValues;
  return inspection;
}
