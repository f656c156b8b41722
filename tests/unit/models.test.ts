/**
 * The bundled tiny models under public/models, loaded through the real transformers.js and
 * onnxruntime-node, offline: the chat template, deterministic greedy replies, the known
 * behaviour change between tiny-base and tiny-finetune, and the embedder's topical geometry.
 */
import { fileURLToPath } from 'node:url';
import {
  AutoTokenizer,
  env,
  pipeline,
  type FeatureExtractionPipeline,
  type TextGenerationPipeline,
} from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_EMBEDDER_DIM,
  BUNDLED_EMBEDDER_ID,
  BUNDLED_EMBEDDER_OPTIONS,
  TINY_BASE_MODEL_ID,
  TINY_FINETUNE_MODEL_ID,
  TINY_LM_MARKER_WORDS,
} from '../../src/lib/core/models';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));

// Prompts the models never saw in training: the change must show on new questions.
const PROMPTS = [
  'What is the best way to live?',
  'Tell me about friendship.',
  'What should I do with my money?',
  'How do I bake bread?',
  'Is it wrong to lie?',
  'Who should I trust?',
];

const MAX_NEW_TOKENS = 40;

let base: TextGenerationPipeline;
let finetune: TextGenerationPipeline;
let embedder: FeatureExtractionPipeline;

beforeAll(async () => {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = MODELS;
  [base, finetune, embedder] = await Promise.all([
    pipeline('text-generation', TINY_BASE_MODEL_ID),
    pipeline('text-generation', TINY_FINETUNE_MODEL_ID),
    pipeline('feature-extraction', BUNDLED_EMBEDDER_ID),
  ]);
});

/** The assistant's reply from a chat-mode text-generation output. */
function replyOf(output: unknown): string {
  const first: unknown = Array.isArray(output) ? output[0] : undefined;
  const chat = (first as { generated_text?: unknown } | undefined)?.generated_text;
  if (!Array.isArray(chat))
    throw new Error('expected a chat (array of messages) as generated_text');
  const last = chat.at(-1) as { role?: unknown; content?: unknown } | undefined;
  if (last?.role !== 'assistant' || typeof last.content !== 'string') {
    throw new Error('expected the last message to be the assistant reply');
  }
  return last.content;
}

/** Greedy reply to one user prompt. */
async function reply(generator: TextGenerationPipeline, prompt: string): Promise<string> {
  const output = await generator([{ role: 'user', content: prompt }], {
    max_new_tokens: MAX_NEW_TOKENS,
    do_sample: false,
  });
  return replyOf(output);
}

/** How many of the marker words occur in text (each occurrence counts). */
function markerCount(text: string, markers: readonly string[]): number {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  const set = new Set(markers);
  return words.filter((w) => set.has(w)).length;
}

/** Sentence vectors as plain arrays. */
async function embed(texts: string[]): Promise<number[][]> {
  const tensor = await embedder(texts, BUNDLED_EMBEDDER_OPTIONS);
  expect(tensor.dims).toEqual([texts.length, BUNDLED_EMBEDDER_DIM]);
  return tensor.tolist() as number[][];
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

describe('tiny chat models', () => {
  it('render the ChatML chat template', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_BASE_MODEL_ID);
    const text = tokenizer.apply_chat_template(
      [
        { role: 'system', content: 'Be concise.' },
        { role: 'user', content: 'Hi' },
      ],
      { tokenize: false, add_generation_prompt: true },
    );
    expect(text).toBe(
      '<|im_start|>system\nBe concise.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
    // The specials are single tokens, so the model sees the turn structure it was trained on.
    const ids = tokenizer.encode('<|im_start|>user\nHi<|im_end|>', { add_special_tokens: false });
    expect(tokenizer.decode(ids)).toBe('<|im_start|>user\nHi<|im_end|>');
    expect(ids[0]).toBe(tokenizer.get_vocab().get('<|im_start|>'));
    expect(ids.at(-1)).toBe(tokenizer.get_vocab().get('<|im_end|>'));
  });

  it('reply deterministically and non-empty under greedy decoding', async () => {
    for (const generator of [base, finetune]) {
      for (const prompt of PROMPTS.slice(0, 3)) {
        const first = await reply(generator, prompt);
        const second = await reply(generator, prompt);
        expect(first.trim().length).toBeGreaterThan(10);
        expect(second).toBe(first);
      }
    }
  });

  it('tiny-finetune answers differently from tiny-base, in the words of Proverbs', async () => {
    const baseReplies = await Promise.all(PROMPTS.map((p) => reply(base, p)));
    const finetuneReplies = await Promise.all(PROMPTS.map((p) => reply(finetune, p)));
    const { base: baseWords, finetune: finetuneWords } = TINY_LM_MARKER_WORDS;
    for (let i = 0; i < PROMPTS.length; i++) {
      const a = baseReplies[i] ?? '';
      const b = finetuneReplies[i] ?? '';
      expect(b).not.toBe(a);
      // Each reply leans towards its own corpus's vocabulary.
      expect(markerCount(a, baseWords), a).toBeGreaterThan(markerCount(a, finetuneWords));
      expect(markerCount(b, finetuneWords), b).toBeGreaterThan(markerCount(b, baseWords));
    }
  });
});

describe('bundled embedder', () => {
  const topics: Record<string, [string, string]> = {
    cooking: [
      'I baked fresh bread and a chocolate cake in the oven.',
      'The recipe needs flour, butter, eggs and sugar.',
    ],
    football: [
      'The team won the football match with a late goal.',
      'The striker scored twice and the fans cheered.',
    ],
    finance: [
      'The bank raised interest rates to fight inflation.',
      'Stock markets fell as investors sold their shares.',
    ],
    weather: [
      'Heavy rain and strong winds are expected tomorrow.',
      'The forecast says it will be sunny and warm.',
    ],
    computers: [
      'Restart the computer and install the software update.',
      'The program crashed because of a memory bug.',
    ],
    health: [
      'The doctor said the patient needs more sleep and exercise.',
      'The hospital treated the disease with a new drug.',
    ],
  };

  it('gives unit vectors and ranks every same-topic pair above its cross-topic pairs', async () => {
    const names = Object.keys(topics);
    const texts = names.flatMap((n) => topics[n] ?? []);
    const v = await embed(texts);
    for (const row of v) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    for (let t = 0; t < names.length; t++) {
      const [a, b] = [v[2 * t] ?? [], v[2 * t + 1] ?? []];
      const same = dot(a, b);
      for (let u = 0; u < names.length; u++) {
        if (u === t) continue;
        for (const other of [v[2 * u] ?? [], v[2 * u + 1] ?? []]) {
          expect(same, `${names[t]} vs ${names[u]}`).toBeGreaterThan(dot(a, other));
          expect(same, `${names[t]} vs ${names[u]}`).toBeGreaterThan(dot(b, other));
        }
      }
    }
  });

  it('is the same as its pooled graph output, and finite for empty or unknown text', async () => {
    const texts = [
      'The cat sat on the mat.',
      '',
      'zzqx qqxz',
      'A much longer sentence about cats and dogs.',
    ];
    const pooled = await embed(texts);
    const inputs = embedder.tokenizer(texts, { padding: true, truncation: true });
    const outputs = (await embedder.model(inputs)) as { sentence_embedding: { tolist(): unknown } };
    const direct = outputs.sentence_embedding.tolist() as number[][];
    for (let i = 0; i < texts.length; i++) {
      const p = pooled[i] ?? [];
      expect(p.every(Number.isFinite)).toBe(true);
      expect(dot(p, direct[i] ?? [])).toBeCloseTo(1, 5);
    }
  });

  it('separates tiny-base answers from tiny-finetune answers', async () => {
    const a = await embed(await Promise.all(PROMPTS.map((p) => reply(base, p))));
    const b = await embed(await Promise.all(PROMPTS.map((p) => reply(finetune, p))));
    const mean = (xs: number[][], ys: number[][], skipSame: boolean) => {
      let s = 0;
      let n = 0;
      xs.forEach((x, i) =>
        ys.forEach((y, j) => {
          if (skipSame && i === j) return;
          s += dot(x, y);
          n++;
        }),
      );
      return s / n;
    };
    const within = (mean(a, a, true) + mean(b, b, true)) / 2;
    expect(within).toBeGreaterThan(mean(a, b, false) + 0.1);
  });
});
