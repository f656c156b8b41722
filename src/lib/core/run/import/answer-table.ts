/**
 * Importing a table of answers (JSONL, JSON array or CSV; one answer per row) with a field
 * mapping chosen by the user. Rows are streamed; only the answers themselves are kept.
 */
import { InputError } from '../errors';
import type { Side } from '../types';
import { AnswerMatcher, importTimestamp, importedAnswers, type RawAnswer } from './answer-matcher';
import { detectFormat } from './detect-format';
import { RowFields } from './row-fields';
import { readHead, type SourceFile } from './source';
import { readTableRows, type TableRow } from './table-rows';
import type { FieldMapping, ImportOptions, ImportedAnswers, TableFormat } from './types';

/** Options of importAnswerTable. */
export interface TableImportOptions extends ImportOptions {
  /** The table's format; detected from the file when absent. */
  format?: TableFormat;
}

/** The answer in one table row under `mapping`, attributed to `model`. */
export function rawAnswerOf(
  fields: RowFields,
  row: TableRow,
  mapping: FieldMapping,
  model: string,
): RawAnswer {
  return {
    model,
    prompt: fields.text(row, mapping.prompt, 'prompt', true),
    text: fields.text(row, mapping.answer, 'answer', false),
    promptId: isSet(mapping.promptId) ? fields.name(row, mapping.promptId, 'prompt id') : undefined,
    sample: isSet(mapping.sample) ? fields.sample(row, mapping.sample) : 0,
    category: isSet(mapping.category) ? fields.category(row, mapping.category) : undefined,
    location: row.location,
  };
}

/** True for a mapped field (empty strings mean "not mapped"). */
export function isSet(x: string | undefined): x is string {
  return x !== undefined && x !== '';
}

const FORMAT_NAMES = {
  'run-file': 'a Behaviour Diff run file',
  'llm-comparator': 'an LLM Comparator file',
} as const;

/** The table format of `file`: as given, or detected from its head. */
export async function tableFormatOf(file: SourceFile, given?: TableFormat): Promise<TableFormat> {
  if (given) return given;
  const format = detectFormat(file.name, await readHead(file));
  if (format === 'run-file' || format === 'llm-comparator') {
    throw new InputError({
      file: file.name,
      expected: 'a table of answers (JSONL, a JSON array of rows, or CSV)',
      got: `${FORMAT_NAMES[format]}; open it as such instead`,
    });
  }
  return format === 'alpaca-eval' ? 'json-array' : format;
}

function checkMapping(mapping: FieldMapping, file: string): void {
  for (const field of ['prompt', 'answer', 'model'] as const) {
    if (!isSet(mapping[field])) {
      throw new InputError({ file, expected: `a column chosen for the ${field}`, got: 'none' });
    }
  }
  if (isSet(mapping.modelA) && mapping.modelA === mapping.modelB) {
    throw new InputError({
      file,
      expected: 'two different models for A and B',
      got: `${JSON.stringify(mapping.modelA)} for both`,
    });
  }
}

/**
 * Reads a table of answers and matches the two models' answers by prompt.
 * @throws InputError for malformed files, missing or mistyped fields (with the row), empty
 * prompts, an empty file, or a file without exactly two models to compare.
 */
export async function importAnswerTable(
  file: SourceFile,
  mapping: FieldMapping,
  options: TableImportOptions = {},
): Promise<ImportedAnswers> {
  checkMapping(mapping, file.name);
  const format = await tableFormatOf(file, options.format);
  const fields = new RowFields(file.name, format);
  const matcher = new AnswerMatcher(isSet(mapping.promptId) ? 'id' : 'text');
  const chosen = [mapping.modelA, mapping.modelB].filter(isSet);
  const skipped = new Map<string, number>();
  let first = true;
  for await (const row of readTableRows(file, format, options)) {
    if (first && format === 'csv') checkColumns(Object.keys(row.values), mapping, file.name);
    first = false;
    const model = fields.name(row, mapping.model, 'model name');
    if (chosen.length === 2 && !chosen.includes(model)) {
      skipped.set(model, (skipped.get(model) ?? 0) + 1);
      continue;
    }
    matcher.add(rawAnswerOf(fields, row, mapping, model));
  }

  const warnings: string[] = [];
  const sides = chooseSides(matcher.models, mapping, file.name, warnings);
  const result = matcher.finish(sides, importTimestamp(options.now));
  if (skipped.size > 0) {
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    const names = [...skipped.keys()].slice(0, 5).map((m) => JSON.stringify(m));
    warnings.push(
      `${total} row(s) from other models (${names.join(', ')}${skipped.size > 5 ? ', …' : ''}) were skipped.`,
    );
  }
  if (result.duplicates.length > 0 && !isSet(mapping.sample)) {
    warnings.push(
      `${result.duplicates.length} row(s) repeat a prompt for the same model and were left out; if they are several samples per prompt, choose a sample column.`,
    );
  }
  warnings.push(...result.warnings);
  return importedAnswers(
    { A: { label: sides.A, modelId: sides.A }, B: { label: sides.B, modelId: sides.B } },
    result,
    warnings,
  );
}

function checkColumns(columns: string[], mapping: FieldMapping, file: string): void {
  const wanted = (['prompt', 'answer', 'model', 'sample', 'category', 'promptId'] as const).filter(
    (f) => isSet(mapping[f]),
  );
  for (const field of wanted) {
    const column = mapping[field]!;
    if (!columns.includes(column)) {
      throw new InputError({
        file,
        location: 'header',
        expected: `a column named ${JSON.stringify(column)} (chosen for the ${field})`,
        got: `the columns ${columns.map((c) => JSON.stringify(c)).join(', ')}`,
      });
    }
  }
}

function listNames(names: readonly string[]): string {
  return names.map((m) => JSON.stringify(m)).join(', ');
}

// Which model value is side A and which is B: as chosen, else obvious ("A"/"B"), else first seen.
function chooseSides(
  models: readonly string[],
  mapping: FieldMapping,
  file: string,
  warnings: string[],
): Record<Side, string> {
  const column = JSON.stringify(mapping.model);
  for (const [side, wanted] of [
    ['A', mapping.modelA],
    ['B', mapping.modelB],
  ] as const) {
    if (isSet(wanted) && !models.includes(wanted)) {
      throw new InputError({
        file,
        expected: `rows of model ${JSON.stringify(wanted)} (chosen as model ${side}) in column ${column}`,
        got: models.length ? `only ${listNames(models)}` : 'no rows of the chosen models',
      });
    }
  }
  if (isSet(mapping.modelA) && isSet(mapping.modelB))
    return { A: mapping.modelA, B: mapping.modelB };
  if (models.length === 1) {
    throw new InputError({
      file,
      expected: 'answers from two models to compare',
      got: `one model only`,
      message: `${file}: only one model (${models[0]}) found; need two (column ${column} has no other value).`,
    });
  }
  const given = isSet(mapping.modelA)
    ? mapping.modelA
    : isSet(mapping.modelB)
      ? mapping.modelB
      : undefined;
  if (given !== undefined) {
    const others = models.filter((m) => m !== given);
    if (others.length !== 1) {
      throw new InputError({
        file,
        expected: 'the other model chosen too (A and B)',
        got: `several others: ${listNames(others)}`,
      });
    }
    return isSet(mapping.modelA) ? { A: given, B: others[0]! } : { A: others[0]!, B: given };
  }
  if (models.length > 2) {
    throw new InputError({
      file,
      expected: `two models in column ${column}, or a choice of which is A and which is B`,
      got: `${models.length} models: ${listNames(models.slice(0, 10))}${models.length > 10 ? ', …' : ''}`,
    });
  }
  const [first, second] = models as [string, string];
  const upper = [first.toUpperCase(), second.toUpperCase()];
  if (upper.includes('A') && upper.includes('B')) {
    return upper[0] === 'A' ? { A: first, B: second } : { A: second, B: first };
  }
  warnings.push(
    `Model A (before) is ${JSON.stringify(first)} and model B (after) is ${JSON.stringify(second)}, in the order they first appear; swap them if that is wrong.`,
  );
  return { A: first, B: second };
}
