/**
 * A run as an LLM Comparator file, to open in that tool: one example per prompt with sample 0
 * of A and of B. The prompt id rides along in custom_fields so our importer restores it.
 */
import type { ComparatorExample, ComparatorFile } from '../llm-comparator-format';
import type { Answer, Run } from '../types';

/** The run in LLM Comparator's JSON format; prompts lacking sample 0 of either side are left out. */
export function runToLlmComparator(run: Run): ComparatorFile {
  const first = new Map<string, { A?: Answer; B?: Answer }>();
  for (const answer of run.answers) {
    if (answer.sample !== 0) continue;
    const pair = first.get(answer.promptId) ?? {};
    pair[answer.side] = answer;
    first.set(answer.promptId, pair);
  }
  const examples: ComparatorExample[] = [];
  for (const prompt of run.prompts) {
    const pair = first.get(prompt.id);
    if (!pair?.A || !pair.B) continue;
    examples.push({
      input_text: prompt.text,
      tags: prompt.category ? [prompt.category] : [],
      output_text_a: pair.A.text,
      output_text_b: pair.B.text,
      // No judge ran: LLM Comparator treats a null score as "no winner".
      score: null,
      individual_rater_scores: [],
      rationale_list: [],
      custom_fields: { prompt_id: prompt.id },
    });
  }
  return {
    metadata: {
      source_path: `Behaviour Diff run "${run.name}"`,
      custom_fields_schema: [{ name: 'prompt_id', type: 'string' }],
    },
    models: [{ name: run.models.A.label }, { name: run.models.B.label }],
    examples,
  };
}
