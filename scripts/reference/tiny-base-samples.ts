/**
 * Samples the bundled tiny-base model several times on a slice of the built-in prompt set and
 * writes the answers to tests/fixtures/null/tiny-base-samples.json, the pool that
 * tests/unit/null-rates-tiny-base.test.ts draws "the same model sampled twice" from. A few
 * tiny-finetune samples of the same prompts go with them: the test's positive control (a real
 * difference the same harness must find).
 *   node --import tsx scripts/reference/tiny-base-samples.ts [output.json]
 * Real transformers.js generation on CPU, seeded per (prompt, sample), so a rerun with the same
 * model files writes the same answers. Generating takes a few minutes; the file is committed so
 * the test does not have to generate.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import { BUILTIN_CATEGORIES, BUILTIN_PROMPT_SET } from '../../src/lib/core/prompts';

/** Prompts taken from each of the built-in set's seven categories (42 in all). */
const PROMPTS_PER_CATEGORY = 6;
/** Samples per prompt: each null run draws two different ones, so C(8, 2) = 28 pairs a prompt. */
const SAMPLES = 8;
/** tiny-finetune samples per prompt (the positive control needs one a run). */
const FINETUNE_SAMPLES = 2;
/** Sampling settings of the pool (the app's usual ones for small models). */
const GENERATION = { temperature: 0.9, topP: 0.95, maxTokens: 48 } as const;
/** Seed of sample s of prompt p: SEED_BASE + p * 100 + s (distinct for every answer of a model). */
const SEED_BASE = 20_261_206;

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const DEFAULT_TARGET = fileURLToPath(
  new URL('../../tests/fixtures/null/tiny-base-samples.json', import.meta.url),
);

/** One prompt's samples in the written file. */
interface PoolPrompt {
  id: string;
  text: string;
  category: string;
  /** tiny-base's answers. */
  samples: string[];
  /** tiny-finetune's answers (other seeds than tiny-base's). */
  finetuneSamples: string[];
}

const target = process.argv[2] ?? DEFAULT_TARGET;
configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
const base = new TransformersChatBackend({ modelId: 'tiny-base' });
const finetune = new TransformersChatBackend({ modelId: 'tiny-finetune' });
const prompts = BUILTIN_CATEGORIES.flatMap((category) =>
  BUILTIN_PROMPT_SET.prompts.filter((p) => p.category === category).slice(0, PROMPTS_PER_CATEGORY),
);
const started = performance.now();
const pool: PoolPrompt[] = [];
/** `count` answers of `model` to `text`, the first seeded `firstSeed`. */
async function sample(
  model: TransformersChatBackend,
  text: string,
  count: number,
  firstSeed: number,
): Promise<string[]> {
  const answers: string[] = [];
  for (let s = 0; s < count; s++) {
    const result = await generateText(model, [{ role: 'user', content: text }], {
      ...GENERATION,
      seed: firstSeed + s,
    });
    answers.push(result.text);
  }
  return answers;
}

for (const [p, prompt] of prompts.entries()) {
  const seed = SEED_BASE + p * 100;
  pool.push({
    id: prompt.id,
    text: prompt.text,
    category: prompt.category ?? '',
    samples: await sample(base, prompt.text, SAMPLES, seed),
    finetuneSamples: await sample(finetune, prompt.text, FINETUNE_SAMPLES, seed + 50),
  });
  console.log(`${p + 1}/${prompts.length} ${prompt.id}`);
}
await Promise.all([base.unload(), finetune.unload()]);
await mkdir(dirname(target), { recursive: true });
await writeFile(
  target,
  JSON.stringify(
    {
      models: { samples: 'tiny-base', finetuneSamples: 'tiny-finetune' },
      generation: {
        ...GENERATION,
        seedBase: SEED_BASE,
        samplesPerPrompt: SAMPLES,
        finetuneSamplesPerPrompt: FINETUNE_SAMPLES,
      },
      script: 'scripts/reference/tiny-base-samples.ts',
      prompts: pool,
    },
    null,
    1,
  ) + '\n',
);
console.log(
  `wrote ${target}: ${pool.length} prompts x ${SAMPLES} samples in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
