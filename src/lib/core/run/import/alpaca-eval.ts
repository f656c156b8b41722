/**
 * alpaca_eval model outputs: one `model_outputs.json` per model, each a JSON array of
 * `{instruction, output, generator, dataset?}` (805 rows in the real benchmark). Instructions
 * are matched across the two files by text; `dataset` becomes the prompt's category.
 */
import * as v from 'valibot';
import { InputError, describeValue } from '../errors';
import { parseJson } from '../parse-json';
import { SIDES, type Side } from '../types';
import { parseWithSchema } from '../valibot-errors';
import { AnswerMatcher, importTimestamp, importedAnswers } from './answer-matcher';
import { modelNameFromFileName } from './file-names';
import { readText, type SourceFile } from './source';
import type { ImportOptions, ImportedAnswers, ImportedModel } from './types';

const rowSchema = v.looseObject({
  instruction: v.pipe(
    v.string(),
    v.check((s) => s.trim() !== '', 'a non-empty instruction'),
  ),
  output: v.string(),
  generator: v.optional(v.string()),
  dataset: v.optional(v.nullable(v.string())),
});

const fileSchema = v.pipe(
  v.array(rowSchema),
  v.minLength(1, 'a non-empty JSON array of {instruction, output, generator} objects'),
);

type AlpacaRow = v.InferOutput<typeof rowSchema>;

async function readAlpacaFile(file: SourceFile, options: ImportOptions): Promise<AlpacaRow[]> {
  const json = parseJson(await readText(file, options), file.name);
  if (!Array.isArray(json)) {
    throw new InputError({
      file: file.name,
      expected:
        'a JSON array of {instruction, output, generator} objects (alpaca_eval model_outputs.json)',
      got: describeValue(json),
    });
  }
  return parseWithSchema(fileSchema, json, file.name);
}

function modelOf(rows: AlpacaRow[], file: SourceFile, warnings: string[]): ImportedModel {
  const generators = [...new Set(rows.map((r) => r.generator).filter((g): g is string => !!g))];
  if (generators.length === 0) {
    const stem = modelNameFromFileName(file.name);
    warnings.push(`${file.name} names no generator; its model is called "${stem}" after the file.`);
    return { label: stem, modelId: stem };
  }
  if (generators.length > 1) {
    warnings.push(
      `${file.name} has answers from ${generators.length} generators (${generators.slice(0, 4).join(', ')}); all of its rows are treated as one model, "${generators[0]}".`,
    );
  }
  return { label: generators[0]!, modelId: generators[0]! };
}

/**
 * Imports an alpaca_eval pair: `fileA` holds model A's outputs (before), `fileB` model B's.
 * @throws InputError for malformed JSON, a row without a string instruction/output (with its
 * index), an empty instruction, or an empty file.
 */
export async function importAlpacaEvalPair(
  fileA: SourceFile,
  fileB: SourceFile,
  options: ImportOptions = {},
): Promise<ImportedAnswers> {
  const warnings: string[] = [];
  const files: Record<Side, SourceFile> = { A: fileA, B: fileB };
  const rows: Record<Side, AlpacaRow[]> = {
    A: await readAlpacaFile(fileA, options),
    B: await readAlpacaFile(fileB, options),
  };
  const models: Record<Side, ImportedModel> = {
    A: modelOf(rows.A, fileA, warnings),
    B: modelOf(rows.B, fileB, warnings),
  };
  if (models.A.label === models.B.label) {
    warnings.push(
      `Both files name the same model, "${models.A.label}": is one of them the wrong file?`,
    );
  }
  // The matcher keys answers by side here: two files may well name the same generator.
  const matcher = new AnswerMatcher('text');
  for (const side of SIDES) {
    rows[side].forEach((row, i) => {
      matcher.add({
        model: side,
        prompt: row.instruction,
        category: row.dataset ?? undefined,
        sample: 0,
        text: row.output,
        location: `${files[side].name} [${i}]`,
      });
    });
  }
  const result = matcher.finish({ A: 'A', B: 'B' }, importTimestamp(options.now));
  warnings.push(...result.warnings);
  return importedAnswers(models, result, warnings);
}
