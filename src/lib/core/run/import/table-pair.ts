/**
 * Two answer tables, one per model (e.g. two JSONL dumps from vLLM): each file's rows are
 * that model's answers, so no model column is needed. Columns are guessed per file. When a file
 * does have a model column holding one name throughout (as `npm run generate` writes), that
 * name labels the side; otherwise the file name does.
 */
import { InputError } from '../errors';
import { SIDES, type Side } from '../types';
import { AnswerMatcher, importTimestamp, importedAnswers } from './answer-matcher';
import { modelNameFromFileName } from './file-names';
import { isSet, rawAnswerOf, tableFormatOf } from './answer-table';
import { inspectTable } from './inspect-table';
import { RowFields } from './row-fields';
import type { SourceFile } from './source';
import { readTableRows } from './table-rows';
import type { FieldMapping, ImportOptions, ImportedAnswers } from './types';

/** The guessed mapping of one file; throws when no prompt or answer column can be found. */
async function mappingOf(file: SourceFile, options: ImportOptions): Promise<FieldMapping> {
  const inspection = await inspectTable(file, { ...options, maxRows: 50 });
  const mapping = inspection.suggestedMapping;
  for (const field of ['prompt', 'answer'] as const) {
    if (!isSet(mapping[field])) {
      throw new InputError({
        file: file.name,
        location: 'header',
        expected: `a ${field} column (e.g. ${field === 'prompt' ? '"prompt", "instruction"' : '"answer", "output"'})`,
        got: `the columns ${inspection.columns.map((c) => JSON.stringify(c)).join(', ')}`,
      });
    }
  }
  return mapping;
}

/**
 * Imports model A's answers from `fileA` and model B's from `fileB` (JSONL, JSON array or CSV).
 * @throws InputError for malformed files, missing prompt/answer columns, or empty files.
 */
export async function importTablePair(
  fileA: SourceFile,
  fileB: SourceFile,
  options: ImportOptions = {},
): Promise<ImportedAnswers> {
  const files: Record<Side, SourceFile> = { A: fileA, B: fileB };
  const mappings = { A: await mappingOf(fileA, options), B: await mappingOf(fileB, options) };
  const byId = isSet(mappings.A.promptId) && isSet(mappings.B.promptId);
  const matcher = new AnswerMatcher(byId ? 'id' : 'text');
  const modelNames: Record<Side, Set<string>> = { A: new Set(), B: new Set() };
  for (const side of SIDES) {
    const file = files[side];
    const format = await tableFormatOf(file);
    const fields = new RowFields(file.name, format);
    const mapping = byId ? mappings[side] : { ...mappings[side], promptId: undefined };
    for await (const row of readTableRows(file, format, options)) {
      const raw = rawAnswerOf(fields, row, mapping, side);
      const name = isSet(mapping.model) ? row.values[mapping.model] : undefined;
      modelNames[side].add(typeof name === 'string' && name.trim() ? name.trim() : '');
      // Errors already name the file; the report lists rows of both files, so it names it too.
      matcher.add({ ...raw, location: `${file.name} ${row.location}` });
    }
  }
  const result = matcher.finish({ A: 'A', B: 'B' }, importTimestamp(options.now));
  const label = (side: Side): string => {
    const [only, ...others] = modelNames[side];
    return only && others.length === 0 ? only : modelNameFromFileName(files[side].name);
  };
  return importedAnswers(
    {
      A: { label: label('A'), modelId: label('A') },
      B: { label: label('B'), modelId: label('B') },
    },
    result,
    result.warnings,
  );
}
