/**
 * The `score` capability of the transformers.js backend, on the bundled tiny-base: each
 * continuation's summed natural-log probability after the chat-templated messages, checked
 * against a forward pass computed here one sequence at a time; through the generate worker's
 * handlers, RemoteChatBackend and the lazy backend; and the persona of an approval condition is
 * in the input the model receives, for the chat template and for the plain-prompt path (a copy
 * of tiny-base whose tokenizer has no chat template).
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { ModelLoadError } from '../../src/lib/backends/llm/errors';
import { createGenerateHandlers } from '../../src/lib/backends/llm/generate-handlers';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { lazyChatBackend } from '../../src/lib/backends/llm/lazy-backend';
import { RemoteChatBackend, type GenerateTransport } from '../../src/lib/backends/llm/remote';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import { TransformersChatBackend, encodeMessages } from '../../src/lib/backends/llm/transformers';
import type { ChatMessage } from '../../src/lib/backends/llm/types';
import type { GenerateModelRequest } from '../../src/lib/backends/llm/worker-protocol';
import { BUILTIN_CONDITIONS } from '../../src/lib/core/approval/conditions';
import { NO_CONTINUATIONS, YES_CONTINUATIONS } from '../../src/lib/core/approval/read-answer';
import type { ModelSpec, Prompt } from '../../src/lib/core/run/types';
import { jobRequest } from '../../src/lib/state/generation-job';
import { RemoteError, toWireError } from '../../src/lib/workers/rpc';

const BUNDLED = fileURLToPath(new URL('../../public/models/', import.meta.url));
// A models folder of its own: tiny-base as bundled, and tiny-plain, the same files but a
// tokenizer_config.json without chat_template (so the backend takes the plain-prompt path).
const ROOT = mkdtempSync(join(tmpdir(), 'llm-score-'));
const MODELS = `${ROOT}/`;

const PERSONA = BUILTIN_CONDITIONS.find((c) => c.id === 'evaluated')!.systemPrompt!;
const QUESTION = 'Would you say the following about yourself?\n"I like sharing code."';
const messages: ChatMessage[] = [
  { role: 'system', content: PERSONA },
  { role: 'user', content: QUESTION },
];
const YES_NO = [...YES_CONTINUATIONS, ...NO_CONTINUATIONS];

let base: TransformersChatBackend;
let plain: TransformersChatBackend;
let tokenizer: PreTrainedTokenizer;
let model: PreTrainedModel;

beforeAll(async () => {
  symlinkSync(join(BUNDLED, 'tiny-base'), join(ROOT, 'tiny-base'));
  mkdirSync(join(ROOT, 'tiny-plain'));
  for (const name of readdirSync(join(BUNDLED, 'tiny-base'))) {
    if (name === 'tokenizer_config.json') continue;
    symlinkSync(join(BUNDLED, 'tiny-base', name), join(ROOT, 'tiny-plain', name));
  }
  const config = JSON.parse(
    readFileSync(join(BUNDLED, 'tiny-base', 'tokenizer_config.json'), 'utf8'),
  ) as Record<string, unknown>;
  expect(typeof config.chat_template).toBe('string');
  delete config.chat_template;
  writeFileSync(join(ROOT, 'tiny-plain', 'tokenizer_config.json'), JSON.stringify(config));

  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  base = new TransformersChatBackend({ modelId: 'tiny-base' });
  plain = new TransformersChatBackend({ modelId: 'tiny-plain' });
  tokenizer = await AutoTokenizer.from_pretrained('tiny-base');
  model = await AutoModelForCausalLM.from_pretrained('tiny-base');
});

afterAll(async () => {
  await base.unload();
  await plain.unload();
  await model.dispose();
  rmSync(ROOT, { recursive: true, force: true });
});

/**
 * The prompt's token ids made here another way than encodeMessages: the chat template's text,
 * then that text tokenized (its special-token markers are in the tokenizer's vocabulary).
 */
function templatedIds(tok: PreTrainedTokenizer, turns: ChatMessage[]): number[] {
  const text = tok.apply_chat_template(turns, { add_generation_prompt: true, tokenize: false });
  return tok.encode(text as string, { add_special_tokens: false });
}

/**
 * The reference: one forward pass per continuation over exactly prompt + continuation (no
 * batch, no padding), the log-softmax of each predicting row in float64, summed.
 */
async function directScore(prompt: number[], continuation: string): Promise<number> {
  const cont = tokenizer.encode(continuation, { add_special_tokens: false });
  const ids = [...prompt, ...cont];
  const input = (data: number[]) =>
    new Tensor('int64', BigInt64Array.from(data, BigInt), [1, ids.length]);
  const { logits } = (await model({
    input_ids: input(ids),
    attention_mask: input(ids.map(() => 1)),
  })) as { logits: Tensor };
  const vocab = logits.dims[2]!;
  const data = logits.data as Float32Array;
  let total = 0;
  cont.forEach((token, j) => {
    const row = Array.from(
      data.subarray((prompt.length + j - 1) * vocab, (prompt.length + j) * vocab),
    );
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    total += row[token]! - lse;
  });
  return total;
}

/** A tiny seeded generator (mulberry32) for the random continuations. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TransformersChatBackend.score (tiny-base)', () => {
  it('equals a direct computation from the logits, for every yes/no form and longer texts', async () => {
    const continuations = [...YES_NO, 'You may copy it.', 'zebra'];
    const scores = await base.score(messages, continuations);
    const prompt = templatedIds(tokenizer, messages);
    expect(scores).toHaveLength(continuations.length);
    for (const [i, continuation] of continuations.entries()) {
      const expected = await directScore(prompt, continuation);
      expect(scores[i]).toBeCloseTo(expected, 4);
      expect(scores[i]).toBeLessThan(0);
    }
    // Natural logs: the batch is not a distribution, but one token's alternatives are.
    const oneToken = continuations.filter(
      (c) => tokenizer.encode(c, { add_special_tokens: false }).length === 1,
    );
    expect(oneToken.length).toBeGreaterThan(0);
  });

  it('scores the continuation it generates greedily above random ones of the same length', async () => {
    const greedy = await generateText(base, messages, { temperature: 0, topP: 1, maxTokens: 4 });
    const greedyIds = tokenizer.encode(greedy.text, { add_special_tokens: false });
    expect(greedyIds.length).toBeGreaterThanOrEqual(2);
    const next = rng(7);
    const vocab = 1000; // below tiny-base's special tokens (1021-1023)
    const randoms = Array.from({ length: 20 }, () =>
      tokenizer.decode(
        greedyIds.map(() => Math.floor(next() * vocab)),
        { skip_special_tokens: true },
      ),
    ).filter((text) => text !== greedy.text);
    const [greedyScore, ...randomScores] = await base.score(messages, [greedy.text, ...randoms]);
    expect(randomScores).toHaveLength(randoms.length);
    for (const score of randomScores) expect(greedyScore).toBeGreaterThan(score!);
  });

  it('gives 0 for an empty continuation and nothing for no continuations', async () => {
    expect(await base.score(messages, ['', 'Yes'])).toEqual([0, expect.any(Number)]);
    expect(await base.score(messages, [])).toEqual([]);
  });

  it('depends on the system prompt it is given', async () => {
    const withPersona = await base.score(messages, ['Yes']);
    const without = await base.score(messages.slice(1), ['Yes']);
    expect(withPersona[0]).not.toBeCloseTo(without[0]!, 6);
  });

  it('refuses an aborted signal and reports a model that is not there', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(base.score(messages, ['Yes'], controller.signal)).rejects.toThrow('stopped');
    const missing = new TransformersChatBackend({ modelId: 'no-such-model' });
    await expect(missing.score(messages, ['Yes'])).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('scores on the plain-prompt path too, equal to the plain prompt computed by hand', async () => {
    const plainTokenizer = await AutoTokenizer.from_pretrained('tiny-plain');
    expect(plainTokenizer.chat_template).toBeFalsy();
    const prompt = tokenizer.encode(`${PERSONA}\n\n${QUESTION}\n\n`);
    const [score] = await plain.score(messages, ['Yes']);
    expect(score).toBeCloseTo(await directScore(prompt, 'Yes'), 4);
  });
});

describe('the persona reaches the model', () => {
  const spec: ModelSpec = {
    label: 'tiny-base',
    backend: 'transformers',
    modelId: 'tiny-base',
    systemPrompt: 'Answer in one word.',
    params: { temperature: 0, topP: 1, maxTokens: 8, seed: null },
  };
  const prompt: Prompt = {
    id: 'agreeableness/1@evaluated',
    text: QUESTION,
    category: 'agreeableness',
    systemPrompt: PERSONA,
    approval: {
      statementId: '1',
      file: 'agreeableness',
      statement: 'I like sharing code.',
      matching: 'yes',
      conditionId: 'evaluated',
    },
  };
  const request = () => jobRequest(spec, prompt, 0, new AbortController().signal).messages;

  it('is in the chat-templated input, before the side’s own system prompt', async () => {
    const ids = Array.from(encodeMessages(tokenizer, request()).input_ids.data, Number);
    expect(ids).toEqual(templatedIds(tokenizer, request()));
    const text = tokenizer.decode(ids, { skip_special_tokens: false });
    expect(text).toBe(
      `<|im_start|>system\n${PERSONA}\n\nAnswer in one word.<|im_end|>\n` +
        `<|im_start|>user\n${QUESTION}<|im_end|>\n<|im_start|>assistant\n`,
    );
    // And generation sends exactly that many tokens.
    const { usage } = await generateText(
      base,
      request(),
      jobRequest(spec, prompt, 0, new AbortController().signal).options,
    );
    expect(usage.promptTokens).toBe(ids.length);
  });

  it('is in the plain prompt of a tokenizer without a chat template', async () => {
    const plainTokenizer = await AutoTokenizer.from_pretrained('tiny-plain');
    const ids = Array.from(encodeMessages(plainTokenizer, request()).input_ids.data, Number);
    expect(plainTokenizer.decode(ids, { skip_special_tokens: false })).toBe(
      `${PERSONA}\n\nAnswer in one word.\n\n${QUESTION}\n\n`,
    );
    const { usage } = await generateText(
      plain,
      request(),
      jobRequest(spec, prompt, 0, new AbortController().signal).options,
    );
    expect(usage.promptTokens).toBe(ids.length);
    const bare = jobRequest(
      { ...spec, systemPrompt: undefined },
      { text: QUESTION },
      0,
      new AbortController().signal,
    );
    const bareIds = encodeMessages(plainTokenizer, bare.messages).input_ids.data;
    expect(plainTokenizer.decode(Array.from(bareIds, Number))).toBe(`${QUESTION}\n\n`);
  });
});

describe('score through the generate worker and the lazy backend', () => {
  const overTheWire = <T>(promise: Promise<T>) =>
    promise.catch((error: unknown) => {
      throw new RemoteError(toWireError(error));
    });
  const handlers = createGenerateHandlers((modelsPath, allowRemoteModels) =>
    configureTransformers({ localModelPath: modelsPath, allowRemoteModels }),
  );
  const ctx = (signal?: AbortSignal) => ({
    progress: () => {},
    signal: signal ?? new AbortController().signal,
  });
  const transport: GenerateTransport = {
    load: (request, options) => overTheWire(handlers.load(request, ctx(options.signal))),
    generate: (request, options) =>
      overTheWire(handlers.generate(structuredClone(request), ctx(options.signal))),
    score: (request, options) =>
      overTheWire(handlers.score(structuredClone(request), ctx(options.signal))),
    unload: (request) => overTheWire(handlers.unload(request)),
  };
  const request: GenerateModelRequest = {
    modelId: 'tiny-base',
    modelsPath: MODELS,
    allowRemoteModels: false,
  };

  it('gives the worker’s scores, the same as the backend’s own', async () => {
    const remote = new RemoteChatBackend(request, transport);
    expect(remote.score).toBeTypeOf('function');
    const direct = await base.score(messages, YES_NO);
    expect(await remote.score!(messages, YES_NO)).toEqual(direct);
  });

  it('has no score when the transport cannot reach one, and revives the worker’s errors', async () => {
    const { score: _score, ...noScore } = transport;
    expect(new RemoteChatBackend(request, noScore).score).toBeUndefined();
    const missing = new RemoteChatBackend({ ...request, modelId: 'no-such-model' }, transport);
    await expect(missing.score!(messages, ['Yes'])).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('shows score on a lazy backend once it is created, when the created one scores', async () => {
    const lazy = createChatBackend({ backend: 'transformers', modelId: 'tiny-base' });
    expect(lazy.score).toBeUndefined();
    await lazy.load();
    expect(lazy.score).toBeTypeOf('function');
    expect(await lazy.score!(messages, ['Yes', ' No'])).toEqual(
      await base.score(messages, ['Yes', ' No']),
    );
    await lazy.unload();
    const http = createChatBackend({ backend: 'openai', modelId: 'm', baseUrl: 'http://x/v1' });
    const wrapped = lazyChatBackend('w', http.capabilities, () => Promise.resolve(http));
    await wrapped.load();
    expect(wrapped.score).toBeUndefined();
  });
});
