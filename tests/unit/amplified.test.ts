/**
 * Amplified sampling on the bundled tiny models in Node: tiny-base is A, tiny-finetune is B
 * (trained further on the Book of Proverbs), so amplifying B away from A should make answers
 * more proverbial.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import {
  AmplifiedChatBackend,
  CachedDecoder,
  amplifiedBackendFor,
  amplifiedBackendKey,
} from '../../src/lib/backends/llm/amplified';
import { ModelLoadError } from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import {
  TransformersChatBackend,
  encodeMessages,
  type TransformersChatOptions,
} from '../../src/lib/backends/llm/transformers';
import type { ChatBackend, ChatChunk, ChatMessage } from '../../src/lib/backends/llm/types';
import type { WireAmplify } from '../../src/lib/backends/llm/worker-protocol';
import { amplifyLogits } from '../../src/lib/core/contrastive/divergence';
import {
  TINY_BASE_MODEL_ID,
  TINY_FINETUNE_MODEL_ID,
  TINY_LM_MARKER_WORDS,
} from '../../src/lib/core/models';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const ask = (content: string): ChatMessage[] => [{ role: 'user', content }];
const PROMPTS = [
  'What does the licence say?',
  'How should I live?',
  'Tell me about money.',
  'Who may copy this program?',
  'What is a good friend?',
];
const greedy = { temperature: 0, topP: 1, maxTokens: 40 };

// A models folder of our own: the bundled models, plus a copy of tiny-base whose tokenizer maps
// two tokens (' the', ' and') to each other's ids: same size, different vocabulary.
const root = mkdtempSync(join(tmpdir(), 'bd-amplified-'));
let base: TransformersChatBackend;
let tuned: TransformersChatBackend;

beforeAll(() => {
  for (const id of [TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID]) {
    symlinkSync(join(MODELS, id), join(root, id));
  }
  const swapped = join(root, 'tiny-swapped');
  cpSync(join(MODELS, TINY_BASE_MODEL_ID), swapped, { recursive: true });
  const tokenizer = JSON.parse(readFileSync(join(swapped, 'tokenizer.json'), 'utf8')) as {
    model: { vocab: Record<string, number> };
  };
  const vocab = tokenizer.model.vocab;
  const [the, and] = [vocab['Ġthe']!, vocab['Ġand']!];
  expect([the, and].every(Number.isInteger)).toBe(true);
  [vocab['Ġthe'], vocab['Ġand']] = [and, the];
  writeFileSync(join(swapped, 'tokenizer.json'), JSON.stringify(tokenizer));
  configureTransformers({ localModelPath: root, allowRemoteModels: false });
  base = new TransformersChatBackend({ modelId: TINY_BASE_MODEL_ID });
  tuned = new TransformersChatBackend({ modelId: TINY_FINETUNE_MODEL_ID });
});
afterAll(async () => {
  await base.unload();
  await tuned.unload();
  rmSync(root, { recursive: true, force: true });
});

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const textOf = (chunks: ChatChunk[]) =>
  chunks.map((c) => (c.type === 'token' ? c.text : '')).join('');

/** Share of the words of `texts` that are finetune (Proverbs) marker words. */
function finetuneShare(texts: string[]): number {
  const markers = new Set(TINY_LM_MARKER_WORDS.finetune);
  const words = texts.flatMap((t) => t.toLowerCase().match(/[a-z]+/g) ?? []);
  return words.filter((w) => markers.has(w)).length / Math.max(1, words.length);
}

describe('AmplifiedChatBackend (tiny-finetune amplified away from tiny-base)', () => {
  it('alpha = 0 reproduces B greedy: same text, usage and finish reason as B generate', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 0);
    const reasons = new Set<string>();
    // 40 tokens (the answers end on their end-of-turn token) and 6 (they hit the limit).
    for (const maxTokens of [greedy.maxTokens, 6]) {
      for (const prompt of PROMPTS) {
        const options = { ...greedy, maxTokens };
        const plain = await generateText(tuned, ask(prompt), options);
        const ours = await generateText(amplified, ask(prompt), options);
        expect(ours.text).toBe(plain.text);
        expect(ours.usage).toEqual(plain.usage);
        expect(ours.finishReason).toBe(plain.finishReason);
        expect(plain.text.length).toBeGreaterThan(0);
        reasons.add(plain.finishReason);
      }
    }
    expect([...reasons].sort()).toEqual(['length', 'stop']);
  });

  it('a tiny alpha (A decoded alongside, barely counted) still gives B greedy answers', async () => {
    // alpha 0 skips A altogether; 1e-6 runs A's decoder at every step but cannot move an argmax
    // whose margin is above ~1e-5 logits, so the answers are B's and A's cache disturbs nothing.
    const amplified = new AmplifiedChatBackend(base, tuned, 1e-6);
    for (const prompt of PROMPTS) {
      const plain = await generateText(tuned, ask(prompt), greedy);
      expect((await generateText(amplified, ask(prompt), greedy)).text).toBe(plain.text);
    }
  });

  it('alpha = 0 with a seed reproduces B seeded sampling (same sampler, same draws)', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 0);
    for (const seed of [1, 2, 3]) {
      const options = { temperature: 0.9, topP: 0.95, maxTokens: 40, seed };
      const plain = await generateText(tuned, ask('How should I live?'), options);
      const ours = await generateText(amplified, ask('How should I live?'), options);
      expect(ours.text).toBe(plain.text);
      expect(ours.usage).toEqual(plain.usage);
    }
  });

  it('alpha > 0 changes greedy answers (not a copy of B)', async () => {
    const texts = await Promise.all(
      [0, 2].map(
        async (alpha) =>
          (
            await generateText(
              new AmplifiedChatBackend(base, tuned, alpha),
              ask(PROMPTS[0]!),
              greedy,
            )
          ).text,
      ),
    );
    expect(texts[1]).not.toBe(texts[0]);
  });

  it('the KV-cached decoder gives the logits of a full recomputation without a cache', async () => {
    const [a, b] = [await base.session(), await tuned.session()];
    const messages = ask('How should I live?');
    const promptA = Array.from(encodeMessages(a.tokenizer, messages).input_ids.data, Number);
    const promptB = Array.from(encodeMessages(b.tokenizer, messages).input_ids.data, Number);
    const decoderA = new CachedDecoder(a.model, promptA);
    const decoderB = new CachedDecoder(b.model, promptB);
    /** Last-position logits of one forward pass over the whole sequence. */
    const full = async (model: typeof a.model, ids: readonly bigint[]) => {
      const n = ids.length;
      const out = (await model({
        input_ids: new Tensor('int64', BigInt64Array.from(ids), [1, n]),
        attention_mask: new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      })) as { logits: Tensor };
      const data = out.logits.data as Float32Array;
      const vocab = out.logits.dims.at(-1)!;
      return data.slice(data.length - vocab);
    };
    let [la, lb] = [await decoderA.start(), await decoderB.start()];
    let worst = 0;
    for (let step = 0; step < 6; step++) {
      const [ra, rb] = [await full(a.model, decoderA.ids), await full(b.model, decoderB.ids)];
      expect(la.length).toBe(ra.length);
      for (let i = 0; i < ra.length; i++) {
        worst = Math.max(worst, Math.abs(la[i]! - ra[i]!), Math.abs(lb[i]! - rb[i]!));
      }
      // Feed the amplified greedy token, as the loop does.
      const amplified = amplifyLogits(ra, rb, 1.5);
      const token = amplified.indexOf(Math.max(...amplified));
      [la, lb] = [await decoderA.advance(token), await decoderB.advance(token)];
    }
    expect(decoderB.ids.length).toBe(promptB.length + 6);
    expect(worst).toBeLessThan(1e-4);
    await decoderA.dispose();
    await decoderB.dispose();
  });

  // Figures of the last run (12 answers per alpha): log-likelihood ratio per answer token
  // 4.00, 10.73, 12.74 nats and finetune marker share 0.164, 0.424, 0.282 at alpha 0, 1, 2 (at
  // alpha 2 the answers repeat "soul again", so the marker share falls back while the llr rises).
  it('larger alpha moves samples toward the finetuning text (llr of B over A per token rises)', async () => {
    const prompts = ['What does the licence say?', 'Who may copy this program?', 'Tell me a rule.'];
    const llrs: number[] = [];
    const shares: number[] = [];
    for (const alpha of [0, 1, 2]) {
      const amplified = new AmplifiedChatBackend(base, tuned, alpha);
      const texts: string[] = [];
      let llr = 0;
      let tokens = 0;
      for (const prompt of prompts) {
        const answers: string[] = [];
        for (let seed = 1; seed <= 4; seed++) {
          const options = { temperature: 1, topP: 1, maxTokens: 40, seed };
          const answer = await generateText(amplified, ask(prompt), options);
          answers.push(answer.text);
          tokens += answer.usage.completionTokens;
        }
        const logpB = await tuned.score(ask(prompt), answers);
        const logpA = await base.score(ask(prompt), answers);
        llr += logpB.reduce((sum, b, i) => sum + b - logpA[i]!, 0);
        texts.push(...answers);
      }
      llrs.push(llr / tokens);
      shares.push(finetuneShare(texts));
    }
    console.log(
      `alpha 0, 1, 2: llr per token ${llrs.map((x) => x.toFixed(2))}; finetune marker share ${shares.map((x) => x.toFixed(3))}`,
    );
    expect(llrs[1]).toBeGreaterThan(llrs[0]! + 1);
    expect(llrs[2]).toBeGreaterThan(llrs[1]!);
    expect(shares[1]).toBeGreaterThan(shares[0]!);
    expect(shares[2]).toBeGreaterThan(shares[0]!);
  });

  it('the same seed gives the same text; different seeds differ', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 1);
    const sample = async (seed: number) =>
      (
        await generateText(amplified, ask('How should I live?'), {
          temperature: 1,
          topP: 0.9,
          maxTokens: 40,
          seed,
        })
      ).text;
    const first = await sample(7);
    expect(await sample(7)).toBe(first);
    const others = await Promise.all([8, 9, 10].map(sample));
    expect(others.every((t) => t !== first)).toBe(true);
  });

  it('an abort mid-way ends with finish reason abort and the text so far', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 1);
    const controller = new AbortController();
    const options = { ...greedy, maxTokens: 60, signal: controller.signal };
    const full = await generateText(amplified, ask('What is a good friend?'), greedy);
    const chunks: ChatChunk[] = [];
    for await (const chunk of amplified.generate(ask('What is a good friend?'), options)) {
      chunks.push(chunk);
      if (chunks.length === 3) controller.abort();
    }
    const done = chunks.at(-1);
    expect(done).toMatchObject({ type: 'done', finishReason: 'abort' });
    const text = textOf(chunks);
    expect(text.length).toBeGreaterThan(0);
    expect(full.text.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(full.text.length);
    if (done?.type === 'done') expect(done.usage.completionTokens).toBeLessThan(10);
  });

  it('an abort before the start gives no tokens', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 1);
    const controller = new AbortController();
    controller.abort();
    const result = await generateText(amplified, ask('Hello'), {
      ...greedy,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ text: '', finishReason: 'abort' });
    expect(result.usage.completionTokens).toBe(0);
  });

  it('stops at a stop string, which is left out', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 1);
    const full = await generateText(amplified, ask('How should I live?'), greedy);
    const words = full.text.split(' ');
    expect(words.length).toBeGreaterThan(4);
    // A word from the middle of the greedy answer, with the space before it.
    const stop = ` ${words[3]}`;
    const cut = full.text.indexOf(stop);
    const stopped = await generateText(amplified, ask('How should I live?'), {
      ...greedy,
      stop: [stop],
    });
    expect(stopped.text).toBe(full.text.slice(0, cut));
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.usage.completionTokens).toBeLessThan(full.usage.completionTokens);
  });

  it('streams pieces that join to the decoded answer, with usage counting every token', async () => {
    const amplified = new AmplifiedChatBackend(base, tuned, 1);
    const chunks = await collect(amplified.generate(ask('Tell me about money.'), greedy));
    const pieces = chunks.filter((c) => c.type === 'token');
    expect(pieces.length).toBeGreaterThan(3);
    const done = chunks.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    const { tokenizer } = await tuned.session();
    const prompt = encodeMessages(tokenizer, ask('Tell me about money.')).input_ids.dims.at(-1);
    expect(done.usage.promptTokens).toBe(prompt);
    const text = textOf(chunks);
    const answerTokens = tokenizer.encode(text, { add_special_tokens: false }).length;
    // The end-of-turn token is counted when the answer ended on it.
    expect(done.usage.completionTokens).toBe(
      done.finishReason === 'stop' ? answerTokens + 1 : greedy.maxTokens,
    );
  });

  it('refuses two models whose tokenizers differ', async () => {
    const swapped = new TransformersChatBackend({ modelId: 'tiny-swapped' });
    const amplified = new AmplifiedChatBackend(swapped, tuned, 1);
    await expect(amplified.load()).rejects.toThrow(ModelLoadError);
    await expect(amplified.load()).rejects.toThrow(/same tokenizer/);
    await expect(generateText(amplified, ask('Hi'), greedy)).rejects.toThrow(/same tokenizer/);
    await swapped.unload();
  });

  it('rejects a non-finite alpha', () => {
    expect(() => new AmplifiedChatBackend(base, tuned, Number.NaN)).toThrow(RangeError);
  });
});

describe('building amplified samplers', () => {
  it('createChatBackend builds one lazily from a spec with amplify (Node path)', async () => {
    const backend = createChatBackend({
      backend: 'transformers',
      modelId: TINY_FINETUNE_MODEL_ID,
      amplify: {
        alpha: 0,
        base: { label: 'A', backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
      },
    });
    expect(backend.id).toBe('amplified:transformers:tiny-finetune-vs-transformers:tiny-base@0');
    const plain = await generateText(tuned, ask(PROMPTS[1]!), greedy);
    expect((await generateText(backend, ask(PROMPTS[1]!), greedy)).text).toBe(plain.text);
    expect(backend.score).toBeUndefined();
    await backend.unload();
  });

  it('createChatBackend hands amplify to an injected factory, and refuses a non-local base', () => {
    const calls: [TransformersChatOptions, WireAmplify | undefined][] = [];
    const stub: ChatBackend = {
      id: 'stub',
      capabilities: { logprobs: false, batching: false, needsWebGpu: false },
      load: async () => undefined,
      generate: async function* () {},
      unload: async () => undefined,
    };
    const deps = {
      transformers: { device: 'wasm' as const },
      createTransformersBackend: (o: TransformersChatOptions, amplify?: WireAmplify) => {
        calls.push([o, amplify]);
        return stub;
      },
    };
    const spec = { backend: 'transformers' as const, modelId: 'tiny-finetune' };
    createChatBackend(spec, deps);
    createChatBackend(
      {
        ...spec,
        amplify: { alpha: 2, base: { label: 'A', backend: 'transformers', modelId: 'tiny-base' } },
      },
      deps,
    );
    expect(calls).toEqual([
      [{ modelId: 'tiny-finetune', device: 'wasm' }, undefined],
      [
        { modelId: 'tiny-finetune', device: 'wasm' },
        { base: { modelId: 'tiny-base', device: 'wasm' }, alpha: 2 },
      ],
    ]);
    expect(() =>
      createChatBackend({
        ...spec,
        amplify: { alpha: 1, base: { label: 'A', backend: 'openai', modelId: 'gpt-4o-mini' } },
      }),
    ).toThrow(/two local transformers.js models/);
  });

  it('worker requests: a key per (B, A, alpha) and a sampler over the worker’s own backends', () => {
    const request = {
      modelId: 'tiny-finetune',
      modelsPath: '/models/',
      allowRemoteModels: false,
      device: 'wasm' as const,
    };
    expect(amplifiedBackendKey(request)).toBeUndefined();
    const amplify = { base: { modelId: 'tiny-base', device: 'wasm' as const }, alpha: 1.5 };
    const key = amplifiedBackendKey({ ...request, amplify });
    expect(key).toBe('amplified:tiny-finetune@wasm/default|tiny-base@wasm/default|1.5');
    expect(amplifiedBackendKey({ ...request, amplify: { ...amplify, alpha: 2 } })).not.toBe(key);
    const made: TransformersChatOptions[] = [];
    const sampler = amplifiedBackendFor({ ...request, amplify }, (o) => {
      made.push(o);
      return new TransformersChatBackend(o);
    });
    expect(made).toEqual([
      { modelId: 'tiny-base', device: 'wasm' },
      { modelId: 'tiny-finetune', device: 'wasm', dtype: undefined },
    ]);
    expect(sampler.alpha).toBe(1.5);
    expect(sampler.id).toBe('amplified:transformers:tiny-finetune-vs-transformers:tiny-base@1.5');
  });
});
