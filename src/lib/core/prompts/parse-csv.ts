/**
 * Prompts from a CSV (or TSV) table: a prompt column named prompt, text, question or
 * instruction, and optional category and id columns. Other columns are ignored (a table of
 * prompts often carries notes or reference answers).
 */
import { InputError } from '../run/errors';
import { readCsvRecords } from '../run/import/csv-records';
import type { SourceFile } from '../run/import/source';
import { PromptCollector } from './collector';
import { listFields, readLabel, readPromptText, type FieldPlace } from './fields';
import {
  CATEGORY_FIELDS,
  ID_FIELDS,
  PROMPT_FIELDS,
  type ParsedPrompts,
  type PromptParseOptions,
} from './types';

// Header names are matched the way people write them: "Prompt", " question ", "Prompt-ID".
function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

interface Columns {
  prompt: number;
  category?: number;
  id?: number;
  names: string[];
}

function findColumns(
  fields: string[],
  file: string,
  line: number,
  collector: PromptCollector,
): Columns {
  const names = fields.map((f, i) => f.trim() || `column ${i + 1}`);
  const normalised = names.map(normalise);
  const find = (candidates: readonly string[]): number | undefined => {
    for (const candidate of candidates) {
      const i = normalised.indexOf(candidate);
      if (i !== -1) return i;
    }
    return undefined;
  };
  const prompt = find(PROMPT_FIELDS);
  if (prompt === undefined) {
    throw new InputError({
      file,
      location: `line ${line} (header)`,
      expected: `a header with a prompt column named ${listFields(PROMPT_FIELDS)} (and optionally "category" and "id")`,
      got: `the columns ${names.map((n) => JSON.stringify(n)).join(', ')}`,
    });
  }
  const others = PROMPT_FIELDS.filter((f) => f !== normalised[prompt] && normalised.includes(f));
  if (others.length > 0) {
    collector.warn(
      `${file}: the prompts were read from column ${JSON.stringify(names[prompt])}; ` +
        `column ${listFields(others)} was not used.`,
    );
  }
  const columns: Columns = { prompt, names };
  const category = find(CATEGORY_FIELDS);
  const id = find(ID_FIELDS);
  if (category !== undefined) columns.category = category;
  if (id !== undefined) columns.id = id;
  return columns;
}

/**
 * Prompts from a CSV/TSV file with a header line, streamed.
 * @throws InputError naming the file and the expected columns when no prompt column is found;
 *   also for malformed CSV, a row with a different number of fields than the header, a
 *   repeated id, or no prompts at all.
 */
export async function parseCsvPrompts(
  file: SourceFile,
  options: PromptParseOptions = {},
): Promise<ParsedPrompts> {
  const collector = new PromptCollector(file.name);
  let columns: Columns | null = null;
  let rows = 0;
  for await (const record of readCsvRecords(file, options)) {
    if (!columns) {
      columns = findColumns(record.fields, file.name, record.line, collector);
      continue;
    }
    rows++;
    const cols = columns;
    const place: FieldPlace = {
      file: file.name,
      location: `row ${record.index} (line ${record.line})`,
      kind: 'column',
    };
    if (record.fields.length !== cols.names.length) {
      throw new InputError({
        file: file.name,
        location: place.location,
        expected: `${cols.names.length} fields, as in the header`,
        got: `${record.fields.length} fields`,
      });
    }
    const cell = (i: number) => [cols.names[i] ?? '', record.fields[i]] as const;
    const text = readPromptText(place, ...cell(cols.prompt));
    if (text.trim() === '') {
      collector.empty(record.line);
      continue;
    }
    const category =
      cols.category === undefined
        ? undefined
        : readLabel(place, ...cell(cols.category), 'category');
    const id = cols.id === undefined ? undefined : readLabel(place, ...cell(cols.id), 'prompt id');
    collector.add({ text, location: place.location, category, id });
  }
  if (!columns) return collector.finish('it is empty');
  return collector.finish(rows === 0 ? 'it has a header but no rows' : undefined);
}
