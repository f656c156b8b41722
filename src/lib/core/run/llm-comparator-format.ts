/**
 * The LLM Comparator JSON format (PAIR-code/llm-comparator, `DataResponse` in client/lib/types.ts
 * and python/src/llm_comparator/comparison.py):
 *
 *     { "metadata": { "source_path": "…", "custom_fields_schema": [{ "name", "type" }] },
 *       "models": [{ "name": "A's name" }, { "name": "B's name" }],
 *       "examples": [{ "input_text", "tags": [], "output_text_a", "output_text_b",
 *                      "score": number | null, "individual_rater_scores": [], "custom_fields": {} }],
 *       "rationale_clusters"?: [...] }
 *
 * Texts may also be lists of multimodal chunks `{ "type": "text" | "image_byte", "data" }`.
 * A positive score means A did better in the comparator's judge; we neither need nor invent one.
 */
import * as v from 'valibot';

/** One chunk of a multimodal text. */
export interface SequenceChunk {
  type: string;
  data: string;
}

/** A text field: plain text, or multimodal chunks. */
export type ComparatorText = string | SequenceChunk[];

/** One example: a prompt with both models' outputs. */
export interface ComparatorExample {
  input_text: ComparatorText;
  tags: string[];
  output_text_a: ComparatorText;
  output_text_b: ComparatorText;
  score: number | null;
  individual_rater_scores: unknown[];
  rationale_list?: unknown[];
  custom_fields: Record<string, unknown>;
}

/** A whole LLM Comparator file. */
export interface ComparatorFile {
  metadata: { source_path: string; custom_fields_schema: { name: string; type: string }[] };
  models: { name: string }[];
  examples: ComparatorExample[];
}

const text = v.union([v.string(), v.array(v.looseObject({ type: v.string(), data: v.string() }))]);

/** What the importer requires; everything else in the file is allowed and ignored. */
export const comparatorFileSchema = v.looseObject({
  metadata: v.optional(v.looseObject({})),
  models: v.pipe(
    v.array(v.looseObject({ name: v.string() })),
    v.length(2, 'exactly two models, [{"name": …}, {"name": …}]'),
  ),
  examples: v.pipe(
    v.array(
      v.looseObject({
        input_text: text,
        tags: v.optional(v.nullable(v.array(v.string()))),
        output_text_a: text,
        output_text_b: text,
      }),
    ),
    v.minLength(1, 'at least one example'),
  ),
});
