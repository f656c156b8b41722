/**
 * Prompts from JSONL: one JSON object a line with a prompt, text, question or instruction
 * field (and optional category and id), or one JSON string a line. Blank lines are reported.
 */
import { InputError, describeValue } from '../run/errors';
import { parseJson } from '../run/parse-json';
import { readLines, type SourceFile } from '../run/import/source';
import { PromptCollector } from './collector';
import { firstField, listFields, readLabel, readPromptText, type FieldPlace } from './fields';
import {
  CATEGORY_FIELDS,
  ID_FIELDS,
  PROMPT_FIELDS,
  type ParsedPrompts,
  type PromptParseOptions,
} from './types';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Prompts from a JSONL file, streamed line by line.
 * @throws InputError for a malformed JSON line, a line that is neither an object nor a string,
 *   an object without a prompt field, a prompt that is not a string, a repeated id, or no prompts.
 */
export async function parseJsonlPrompts(
  file: SourceFile,
  options: PromptParseOptions = {},
): Promise<ParsedPrompts> {
  const collector = new PromptCollector(file.name);
  const used = new Set<string>();
  for await (const { text: raw, line } of readLines(file, options)) {
    if (raw.trim() === '') {
      collector.empty(line);
      continue;
    }
    const location = `line ${line}`;
    const value = parseJson(raw, file.name, { line });
    if (typeof value === 'string') {
      if (value.trim() === '') collector.empty(line);
      else collector.add({ text: value, location });
      continue;
    }
    if (!isObject(value)) {
      throw new InputError({
        file: file.name,
        location,
        expected: `a JSON object with a ${listFields(PROMPT_FIELDS)} field, or a JSON string (one prompt a line)`,
        got: describeValue(value),
      });
    }
    const field = firstField(value, PROMPT_FIELDS);
    if (field === undefined) {
      throw new InputError({
        file: file.name,
        location,
        expected: `a JSON object with a ${listFields(PROMPT_FIELDS)} field`,
        got: describeValue(value),
      });
    }
    used.add(field);
    const place: FieldPlace = { file: file.name, location, kind: 'field' };
    const text = readPromptText(place, field, value[field]);
    if (text.trim() === '') {
      collector.empty(line);
      continue;
    }
    const categoryField = firstField(value, CATEGORY_FIELDS);
    const idField = firstField(value, ID_FIELDS);
    collector.add({
      text,
      location,
      category:
        categoryField === undefined
          ? undefined
          : readLabel(place, categoryField, value[categoryField], 'category'),
      id:
        idField === undefined ? undefined : readLabel(place, idField, value[idField], 'prompt id'),
    });
  }
  // Objects may name their prompt field differently line by line; say so, it may be a mistake.
  if (used.size > 1) {
    collector.warn(
      `${file.name}: the prompts came from different fields on different lines (${listFields([...used])}).`,
    );
  }
  return collector.finish();
}
