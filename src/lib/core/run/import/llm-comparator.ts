/**
 * Importing an LLM Comparator JSON file (format in ../llm-comparator-format.ts): every example
 * holds one prompt and both models' outputs. Tags become the category; when every example
 * carries a `custom_fields.prompt_id` (as our own export writes) prompts keep those ids.
 */
import { InputError } from '../errors';
import { comparatorFileSchema, type ComparatorText } from '../llm-comparator-format';
import { parseJson } from '../parse-json';
import type { Side } from '../types';
import { parseWithSchema } from '../valibot-errors';
import { AnswerMatcher, importTimestamp, importedAnswers } from './answer-matcher';
import { readText, type SourceFile } from './source';
import type { ImportOptions, ImportedAnswers } from './types';

/** Plain text of a comparator text field, and how many non-text chunks it dropped. */
function plainText(value: ComparatorText): { text: string; dropped: number } {
  if (typeof value === 'string') return { text: value, dropped: 0 };
  const texts = value.filter((c) => c.type === 'text').map((c) => c.data);
  return { text: texts.join('\n'), dropped: value.length - texts.length };
}

function givenPromptId(example: Record<string, unknown>): string | null {
  const fields = example.custom_fields;
  if (typeof fields !== 'object' || fields === null) return null;
  const id = (fields as Record<string, unknown>).prompt_id;
  return typeof id === 'string' && id.trim() !== '' ? id : null;
}

/**
 * Imports an LLM Comparator file; models[0] is A (before), models[1] is B (after).
 * @throws InputError for malformed JSON, a missing or mistyped field (with the example index),
 * an empty prompt, not exactly two models, or no examples.
 */
export async function importLlmComparator(
  file: SourceFile,
  options: ImportOptions = {},
): Promise<ImportedAnswers> {
  const json = parseJson(await readText(file, options), file.name);
  const data = parseWithSchema(comparatorFileSchema, json, file.name);
  const ids = data.examples.map(givenPromptId);
  const byId = ids.every((id) => id !== null);
  const matcher = new AnswerMatcher(byId ? 'id' : 'text');
  let droppedChunks = 0;
  data.examples.forEach((example, i) => {
    const prompt = plainText(example.input_text);
    if (prompt.text.trim() === '') {
      throw new InputError({
        file: file.name,
        location: `examples[${i}].input_text`,
        expected: 'a non-empty input_text (the prompt)',
        got: prompt.dropped > 0 ? 'no text, only images' : 'an empty string',
      });
    }
    const category = example.tags && example.tags.length > 0 ? example.tags.join(', ') : undefined;
    for (const [side, output] of [
      ['A', example.output_text_a],
      ['B', example.output_text_b],
    ] as const) {
      const answer = plainText(output);
      droppedChunks += answer.dropped;
      matcher.add({
        model: side,
        promptId: ids[i] ?? undefined,
        prompt: prompt.text,
        category,
        sample: 0,
        text: answer.text,
        location: `examples[${i}]`,
      });
    }
    droppedChunks += prompt.dropped;
  });
  const result = matcher.finish({ A: 'A', B: 'B' }, importTimestamp(options.now));
  const warnings = [...result.warnings];
  if (droppedChunks > 0)
    warnings.push(
      `${droppedChunks} image part(s) of prompts or outputs were left out: only text is compared.`,
    );
  const name = (side: Side, i: 0 | 1) => data.models[i]!.name.trim() || `Model ${side}`;
  const models = { A: name('A', 0), B: name('B', 1) };
  if (models.A === models.B) warnings.push(`Both models are called "${models.A}".`);
  return importedAnswers(
    {
      A: { label: models.A, modelId: models.A },
      B: { label: models.B, modelId: models.B },
    },
    result,
    warnings,
  );
}
