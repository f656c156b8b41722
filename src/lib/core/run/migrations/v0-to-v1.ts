/**
 * Migration of schema v0 run files to v1.
 *
 * v0 is the pre-release format written by the 0.0.x prototypes, before run files had an
 * envelope. It is one JSON object:
 *
 *     {
 *       "version": 0,
 *       "title": "tiny-base vs tiny-finetune",
 *       "created": "2024-11-02T10:00:00Z",
 *       "modelA": "tiny-base",                 // model id, also shown as its label
 *       "modelB": "tiny-finetune",
 *       "settings": { "temperature": 0.8, "maxTokens": 128, "seed": 7 },  // optional, each optional
 *       "promptSet": "everyday questions",     // optional
 *       "items": [
 *         { "prompt": "…", "category": "advice", "a": ["A's sample 0", …], "b": ["B's sample 0", …] }
 *       ]
 *     }
 *
 * v0 recorded no backend, token counts, finish reasons, embeddings or analyses; the migration
 * marks models as backend "imported", answers as finish reason "unknown", and dates every
 * answer with the run's creation time. Ids are derived from the content, so migrating the same
 * file twice gives the same run id.
 */
import * as v from 'valibot';
import { DEFAULT_GENERATION_PARAMS } from '../defaults';
import { promptIdAt } from '../prompt-ids';
import type { Answer, Prompt, Run, Side } from '../types';
import { parseWithSchema } from '../valibot-errors';

const nonEmpty = (what: string) =>
  v.pipe(
    v.string(),
    v.check((s) => s.trim() !== '', what),
  );

const v0Schema = v.object({
  version: v.literal(0),
  title: v.string(),
  created: v.pipe(
    v.string(),
    v.check((s) => !Number.isNaN(Date.parse(s)), 'a date-time such as "2024-11-02T10:00:00Z"'),
  ),
  modelA: nonEmpty('a non-empty model id'),
  modelB: nonEmpty('a non-empty model id'),
  settings: v.optional(
    v.object({
      temperature: v.optional(v.pipe(v.number(), v.minValue(0, 'a number ≥ 0'))),
      maxTokens: v.optional(
        v.pipe(v.number(), v.integer('a whole number'), v.minValue(1, 'a number ≥ 1')),
      ),
      seed: v.optional(v.nullable(v.pipe(v.number(), v.integer('a whole number or null')))),
    }),
  ),
  promptSet: v.optional(v.string()),
  items: v.array(
    v.object({
      prompt: nonEmpty('a non-empty prompt'),
      category: v.optional(v.string()),
      a: v.array(v.string()),
      b: v.array(v.string()),
    }),
  ),
});

/** A v0 run file, as documented above. */
export type RunFileV0 = v.InferOutput<typeof v0Schema>;

// FNV-1a: tiny, deterministic, good enough to tell runs apart in an id.
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Converts a parsed v0 file into a v1 run file envelope (validated later as v1).
 * @throws InputError when the v0 file itself is malformed, with the path of the problem.
 */
export function migrateV0ToV1(json: unknown, fileName: string): unknown {
  const old = parseWithSchema(v0Schema, json, fileName);
  const createdAt = new Date(old.created).toISOString();
  const hash = fnv1a(`${old.title}\n${old.created}\n${old.modelA}\n${old.modelB}`);
  const params = {
    ...DEFAULT_GENERATION_PARAMS,
    temperature: old.settings?.temperature ?? DEFAULT_GENERATION_PARAMS.temperature,
    maxTokens: old.settings?.maxTokens ?? DEFAULT_GENERATION_PARAMS.maxTokens,
    seed: old.settings?.seed ?? null,
  };
  const prompts: Prompt[] = [];
  const answers: Answer[] = [];
  let samplesPerPrompt = 1;
  old.items.forEach((item, i) => {
    const id = promptIdAt(i);
    prompts.push(
      item.category === undefined
        ? { id, text: item.prompt }
        : { id, text: item.prompt, category: item.category },
    );
    const bySide: [Side, string[]][] = [
      ['A', item.a],
      ['B', item.b],
    ];
    for (const [side, texts] of bySide) {
      samplesPerPrompt = Math.max(samplesPerPrompt, texts.length);
      texts.forEach((text, sample) => {
        answers.push({ promptId: id, side, sample, text, finishReason: 'unknown', createdAt });
      });
    }
  });
  // A v1 run: v1 had no `explanations` (v1-to-v2 adds them).
  const run: Omit<Run, 'explanations'> = {
    id: `v0-${hash}`,
    name: old.title,
    createdAt,
    updatedAt: createdAt,
    schemaVersion: 1,
    models: {
      A: { label: old.modelA, backend: 'imported', modelId: old.modelA, params: { ...params } },
      B: { label: old.modelB, backend: 'imported', modelId: old.modelB, params: { ...params } },
    },
    promptSet: { id: `v0-${hash}-prompts`, name: old.promptSet ?? old.title, source: 'imported' },
    samplesPerPrompt,
    prompts,
    answers,
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
  };
  return { format: 'behaviour-diff-run', schemaVersion: 1, exportedAt: createdAt, run };
}
