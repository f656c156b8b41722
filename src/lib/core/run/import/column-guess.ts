/** Good default mappings: which column probably holds the prompt, the answer, the model. */
import type { FieldMapping } from './types';

type GuessedField = 'prompt' | 'answer' | 'model' | 'sample' | 'category' | 'promptId';

// In order of preference; names are compared lower-cased with spaces and dashes as "_".
const CANDIDATES: Record<GuessedField, string[]> = {
  prompt: [
    'prompt',
    'instruction',
    'question',
    'input',
    'input_text',
    'query',
    'prompt_text',
    'user',
  ],
  answer: [
    'answer',
    'output',
    'response',
    'completion',
    'output_text',
    'generation',
    'reply',
    'text',
  ],
  model: ['model', 'generator', 'side', 'model_name', 'model_id', 'system', 'policy'],
  sample: ['sample', 'sample_index', 'sample_idx', 'sample_id', 'n'],
  category: ['category', 'dataset', 'task', 'topic', 'tag', 'tags', 'subset', 'type'],
  // Not a bare "id": that is usually a row id, and matching on it would match nothing.
  promptId: ['prompt_id', 'promptid', 'question_id', 'instruction_id', 'example_id'],
};

const ORDER: GuessedField[] = ['promptId', 'prompt', 'answer', 'model', 'sample', 'category'];

function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** A mapping guessed from column names; '' for required fields with no likely column. */
export function guessMapping(columns: readonly string[]): FieldMapping {
  const used = new Set<string>();
  const found: Partial<Record<GuessedField, string>> = {};
  for (const field of ORDER) {
    for (const candidate of CANDIDATES[field]) {
      const column = columns.find((c) => !used.has(c) && normalise(c) === candidate);
      if (column !== undefined) {
        found[field] = column;
        used.add(column);
        break;
      }
    }
  }
  const mapping: FieldMapping = {
    prompt: found.prompt ?? '',
    answer: found.answer ?? '',
    model: found.model ?? '',
  };
  if (found.sample) mapping.sample = found.sample;
  if (found.category) mapping.category = found.category;
  if (found.promptId) mapping.promptId = found.promptId;
  return mapping;
}
