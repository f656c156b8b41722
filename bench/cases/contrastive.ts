/**
 * Contrastive analysis on the bundled tiny models in Node (tiny-base = A, tiny-finetune = B):
 * (a) scoring answers under both models with scoreContrastive (log probabilities, KL(B || A)
 *     and top-5 next tokens per token), in seconds per scored token (the answer's tokens and its
 *     end-of-turn token, as B reads them). Reference: the same answers through each model's plain
 *     `score` (summed log probabilities only), so the ratio is what KL and the top tokens cost.
 * (b) amplified sampling (alpha 1, greedy) against plain B, in seconds per generated token: each
 *     amplified token needs a forward pass of both models, so the ratio is about 2 plus the
 *     decode loop's own overhead. Target: ratio < 2.2. Neither backend can be told to ignore its
 *     end-of-turn token, so the prompts are the demo prompts whose greedy answers run to the
 *     token limit (16) under both: both sides then generate the same number of tokens, and the
 *     prompt's forward pass weighs the same in both per-token costs.
 * The references are this file run with a flag, in a process of their own; both sides warm the
 * models up first (the first passes after a load run up to twice as slow). Greedy decoding and
 * seeded sampling are deterministic, so the token counts found while warming up are the timed
 * runs' too (teardown checks it); the cases divide by them through `perItem`.
 */
import { fileURLToPath } from 'node:url';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { AmplifiedChatBackend } from '../../src/lib/backends/llm/amplified';
import { scoreContrastive } from '../../src/lib/backends/llm/contrastive-score';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type { ChatBackend, ChatMessage } from '../../src/lib/backends/llm/types';
import type { ContrastiveItem } from '../../src/lib/backends/llm/worker-protocol';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';
import { DEMO_PROMPT_SET } from '../../src/lib/core/prompts/builtin-set';
import { median, type BenchCase } from '../harness';

const SELF = fileURLToPath(import.meta.url);
const SCORE_FLAG = '--contrastive-plain-score';
const SAMPLE_FLAG = '--contrastive-plain-sample';
const PROMPTS = DEMO_PROMPT_SET.prompts.slice(0, 8).map((p) => p.text);
/** Answers per prompt to score: half sampled from A, half from B. */
const ANSWERS_PER_PROMPT = 4;
const MAX_TOKENS = 48;
/** The token limit of the sampling comparison (b); see the file's comment. */
const SAMPLE_TOKENS = 16;
/** Prompts of the sampling comparison, at most. */
const SAMPLE_PROMPTS = 8;
const ALPHA = 1;
const TARGET_RATIO = 2.2;
const WARM_UP_PASSES = 2;
const REFERENCE_PASSES = 3;

const ask = (text: string): ChatMessage[] => [{ role: 'user', content: text }];
const greedy = { temperature: 0, topP: 1, maxTokens: SAMPLE_TOKENS };

interface Models {
  a: TransformersChatBackend;
  b: TransformersChatBackend;
  amplified: AmplifiedChatBackend;
}

let loaded: Promise<Models> | undefined;

/** Both tiny models, loaded once per process. */
function models(): Promise<Models> {
  loaded ??= (async () => {
    configureTransformers({
      localModelPath: fileURLToPath(new URL('../../public/models/', import.meta.url)),
      allowRemoteModels: false,
    });
    const a = new TransformersChatBackend({ modelId: TINY_BASE_MODEL_ID });
    const b = new TransformersChatBackend({ modelId: TINY_FINETUNE_MODEL_ID });
    await a.load();
    await b.load();
    return { a, b, amplified: new AmplifiedChatBackend(a, b, ALPHA) };
  })();
  return loaded;
}

// --- (a) scoring -------------------------------------------------------------------------------

interface ScoreData {
  models: Models;
  items: ContrastiveItem[];
  /** Tokens scored per pass: each answer's tokens under B plus its end-of-turn token. */
  tokens: number;
}

let scoreData: Promise<ScoreData> | undefined;

/** The answers to score (seeded samples of A and B, the same in every process), warmed up. */
function prepareScoring(warm: (data: ScoreData) => Promise<unknown>): Promise<ScoreData> {
  scoreData ??= (async () => {
    const m = await models();
    const items: ContrastiveItem[] = [];
    for (const [p, prompt] of PROMPTS.entries()) {
      for (let k = 0; k < ANSWERS_PER_PROMPT; k++) {
        const options = { temperature: 1, topP: 1, maxTokens: MAX_TOKENS, seed: 100 * p + k };
        const answer = await generateText(k % 2 ? m.b : m.a, ask(prompt), options);
        items.push({ messages: ask(prompt), answer: answer.text });
      }
    }
    const { tokenizer } = await m.b.session();
    const tokens = items.reduce(
      (sum, item) => sum + tokenizer.encode(item.answer, { add_special_tokens: false }).length + 1,
      0,
    );
    const data = { models: m, items, tokens };
    for (let i = 0; i < WARM_UP_PASSES; i++) await warm(data);
    return data;
  })();
  return scoreData;
}

/** Scores the items under both models the contrastive way; returns the tokens it scored. */
async function contrastivePass({ models: m, items }: ScoreData): Promise<number> {
  const reply = await scoreContrastive(m.a, m.b, items);
  if (!reply.sharedVocabulary) throw new Error('the tiny models should share a vocabulary');
  return reply.scores.reduce((sum, s) => sum + s.tokens.length, 0);
}

/** The reference: each prompt's answers through A's and B's plain `score`. */
async function plainScorePass({ models: m, items }: ScoreData): Promise<void> {
  for (const prompt of PROMPTS) {
    const answers = items.filter((i) => i.messages[0]!.content === prompt).map((i) => i.answer);
    await m.a.score(ask(prompt), answers);
    await m.b.score(ask(prompt), answers);
  }
}

let scoredTokens = 0;

const scoring: BenchCase<ScoreData> = {
  step: `contrastive: score ${PROMPTS.length * ANSWERS_PER_PROMPT} answers under A and B (s per scored token)`,
  n: PROMPTS.length * ANSWERS_PER_PROMPT,
  repeats: 5,
  // Read by the harness after each run: seconds per scored token.
  get perItem() {
    return scoredTokens;
  },
  async setup() {
    const data = await prepareScoring(contrastivePass);
    scoredTokens = data.tokens;
    return data;
  },
  async run(data) {
    const tokens = await contrastivePass(data);
    if (tokens !== data.tokens) throw new Error(`scored ${tokens} tokens, expected ${data.tokens}`);
  },
  reference: {
    name: "each model's plain score (log probabilities only)",
    command: process.execPath,
    args: ['--import', 'tsx', SELF, SCORE_FLAG],
  },
};

// --- (b) amplified sampling ----------------------------------------------------------------------

/** Greedy answers to `prompts` from `backend`; returns the tokens generated. */
async function samplePass(backend: ChatBackend, prompts: readonly string[]): Promise<number> {
  let tokens = 0;
  for (const prompt of prompts) {
    tokens += (await generateText(backend, ask(prompt), greedy)).usage.completionTokens;
  }
  return tokens;
}

interface SampleData {
  models: Models;
  prompts: string[];
  tokens: number;
}

let warmSampling: Promise<SampleData> | undefined;

/**
 * The demo prompts whose greedy answers reach SAMPLE_TOKENS under plain B and amplified alike
 * (the same in every process: greedy decoding is deterministic), with the models warmed up on
 * `backend`; `tokens` is what one pass generates.
 */
function prepareSampling(pick: (m: Models) => ChatBackend): Promise<SampleData> {
  warmSampling ??= (async () => {
    const m = await models();
    const prompts: string[] = [];
    for (const { text } of DEMO_PROMPT_SET.prompts) {
      if (prompts.length === SAMPLE_PROMPTS) break;
      const lengths = await Promise.all(
        [m.b, m.amplified].map((backend) => samplePass(backend, [text])),
      );
      if (lengths.every((n) => n === SAMPLE_TOKENS)) prompts.push(text);
    }
    if (prompts.length === 0) throw new Error(`no prompt runs to ${SAMPLE_TOKENS} tokens`);
    let tokens = 0;
    for (let i = 0; i < WARM_UP_PASSES; i++) tokens = await samplePass(pick(m), prompts);
    return { models: m, prompts, tokens };
  })();
  return warmSampling;
}

let sampledTokens = 0;

const sampling: BenchCase<SampleData> = {
  step: `contrastive: amplified sampling (alpha ${ALPHA}, greedy, ${SAMPLE_TOKENS} tokens) vs plain B, s per token (target ratio < ${TARGET_RATIO})`,
  n: SAMPLE_PROMPTS,
  repeats: 5,
  get perItem() {
    return sampledTokens;
  },
  async setup() {
    const warm = await prepareSampling((m) => m.amplified);
    sampledTokens = warm.tokens;
    return warm;
  },
  async run({ models: m, prompts, tokens }) {
    const generated = await samplePass(m.amplified, prompts);
    if (generated !== tokens) throw new Error(`generated ${generated} tokens, expected ${tokens}`);
  },
  reference: {
    name: 'plain B (TransformersChatBackend.generate), s per token',
    command: process.execPath,
    args: ['--import', 'tsx', SELF, SAMPLE_FLAG],
  },
  check: (row) => ({
    pass: row.ratio !== null && row.ratio < TARGET_RATIO,
    target: `ratio < ${TARGET_RATIO}`,
    got: `ratio ${row.ratio?.toFixed(2) ?? 'missing'}`,
  }),
};

/** The contrastive benchmark cases (`npm run bench -- --only contrastive`). */
export function contrastiveCases(): BenchCase[] {
  return [scoring, sampling] as BenchCase[];
}

/** Times `pass` REFERENCE_PASSES times and prints the median seconds per item as the harness reads it. */
async function reference(pass: () => Promise<unknown>, items: number): Promise<void> {
  const seconds: number[] = [];
  for (let i = 0; i < REFERENCE_PASSES; i++) {
    const start = process.hrtime.bigint();
    await pass();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9 / items);
  }
  const m = await models();
  await m.a.unload();
  await m.b.unload();
  console.log(JSON.stringify({ seconds: median(seconds) }));
}

if (process.argv[1] === SELF && process.argv.includes(SCORE_FLAG)) {
  const data = await prepareScoring(plainScorePass);
  await reference(() => plainScorePass(data), data.tokens);
}
if (process.argv[1] === SELF && process.argv.includes(SAMPLE_FLAG)) {
  const warm = await prepareSampling((m) => m.b);
  await reference(() => samplePass(warm.models.b, warm.prompts), warm.tokens);
}
