/**
 * Real generation through the real transformers.js backend, on the tiny models bundled under
 * public/models (tiny-base and tiny-finetune, made by scripts/models/build_tiny_lm.py).
 */
import { fileURLToPath } from 'node:url';
import { AutoTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { ModelLoadError } from '../../src/lib/backends/llm/errors';
import { createGenerateHandlers } from '../../src/lib/backends/llm/generate-handlers';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { RemoteChatBackend, type GenerateTransport } from '../../src/lib/backends/llm/remote';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type { ChatChunk, ChatMessage, LoadProgress } from '../../src/lib/backends/llm/types';
import type { GenerateModelRequest } from '../../src/lib/backends/llm/worker-protocol';
import { RemoteError, toWireError } from '../../src/lib/workers/rpc';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const messages: ChatMessage[] = [{ role: 'user', content: 'What does the licence say?' }];
const greedy = { temperature: 0, topP: 1, maxTokens: 48 };

let base: TransformersChatBackend;
let finetune: TransformersChatBackend;

beforeAll(async () => {
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  base = new TransformersChatBackend({ modelId: 'tiny-base' });
  finetune = new TransformersChatBackend({ modelId: 'tiny-finetune' });
});
afterAll(async () => {
  await base.unload();
  await finetune.unload();
});

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('transformers.js chat backend (bundled tiny models)', () => {
  it('loads with byte progress', async () => {
    const seen: LoadProgress[] = [];
    await base.load((p) => seen.push(p));
    const last = seen.filter((p) => p.totalBytes !== undefined).at(-1);
    expect(last?.totalBytes).toBeGreaterThan(100_000); // the ONNX file
    expect(last?.fraction).toBe(1);
  });

  it('greedy decoding is deterministic, streamed, and counts tokens right', async () => {
    const first = await collect(base.generate(messages, greedy));
    const second = await generateText(base, messages, greedy);
    const text = first.map((c) => (c.type === 'token' ? c.text : '')).join('');
    expect(text.length).toBeGreaterThan(5);
    expect(second.text).toBe(text);
    const done = first.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    const tokenizer = await AutoTokenizer.from_pretrained('tiny-base');
    const promptIds = tokenizer.apply_chat_template(messages, {
      add_generation_prompt: true,
      tokenize: true,
      return_tensor: false,
      return_dict: false,
    }) as number[];
    expect(done.usage).toEqual({
      promptTokens: promptIds.length,
      completionTokens: expect.any(Number),
    });
    expect(done.usage.completionTokens).toBeGreaterThan(0);
    expect(done.usage.completionTokens).toBeLessThanOrEqual(greedy.maxTokens);
    if (done.finishReason === 'stop') {
      // Stopped on its end-of-turn token: the text plus that token.
      expect(done.usage.completionTokens).toBe(
        tokenizer.encode(text, { add_special_tokens: false }).length + 1,
      );
    } else {
      expect(done.usage.completionTokens).toBe(greedy.maxTokens);
    }
  });

  it('reports "length" when max tokens is reached', async () => {
    const result = await generateText(base, messages, { ...greedy, maxTokens: 4 });
    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(4);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('stops at a stop string', async () => {
    const full = await generateText(base, messages, greedy);
    const stop = full.text.slice(6, 9);
    const cut = await generateText(base, messages, { ...greedy, stop: [stop] });
    expect(cut.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
    expect(cut.finishReason).toBe('stop');
  });

  it('aborts', async () => {
    const controller = new AbortController();
    const chunks: ChatChunk[] = [];
    for await (const c of base.generate(messages, {
      ...greedy,
      maxTokens: 200,
      signal: controller.signal,
    })) {
      chunks.push(c);
      controller.abort();
    }
    const done = chunks.at(-1);
    expect(done).toMatchObject({ type: 'done', finishReason: 'abort' });
    expect(done?.type === 'done' && done.usage.completionTokens).toBeLessThan(200);

    const aborted = AbortSignal.abort();
    const early = await generateText(base, messages, { ...greedy, signal: aborted });
    expect(early.finishReason).toBe('abort');
    expect(early.usage.completionTokens).toBeLessThanOrEqual(1);
  });

  it('samples reproducibly with a seed', async () => {
    const sampling = { temperature: 1, topP: 0.95, maxTokens: 24 };
    const a = await generateText(base, messages, { ...sampling, seed: 11 });
    const b = await generateText(base, messages, { ...sampling, seed: 11 });
    expect(b.text).toBe(a.text);
    const others = await Promise.all(
      [12, 13, 14].map((seed) => generateText(base, messages, { ...sampling, seed })),
    );
    expect(others.some((o) => o.text !== a.text)).toBe(true);
  });

  it('base and finetune answer differently', async () => {
    const a = await generateText(base, messages, greedy);
    const b = await generateText(finetune, messages, greedy);
    expect(b.text).not.toBe(a.text);
  });

  it('a missing model is a ModelLoadError, and loading is retried', async () => {
    const missing = new TransformersChatBackend({ modelId: 'no-such-model' });
    const error = await missing.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/files were not found in .*no-such-model\//);
    expect(await missing.load().catch((e: unknown) => e)).toBeInstanceOf(ModelLoadError);
  });

  it('the resolver builds a working transformers backend', async () => {
    const backend = createChatBackend({ backend: 'transformers', modelId: 'tiny-base' });
    expect(backend.id).toBe('transformers:tiny-base');
    const result = await generateText(backend, messages, { ...greedy, maxTokens: 5 });
    expect(result.usage.completionTokens).toBe(5);
    await backend.unload();
  });
});

describe('generate worker handlers through a simulated wire', () => {
  // What rpc.ts does to errors on their way out of a worker.
  const overTheWire = <T>(promise: Promise<T>) =>
    promise.catch((error: unknown) => {
      throw new RemoteError(toWireError(error));
    });
  const handlers = createGenerateHandlers((modelsPath, allowRemoteModels) =>
    configureTransformers({ localModelPath: modelsPath, allowRemoteModels }),
  );
  const transport: GenerateTransport = {
    load: (request, options) =>
      overTheWire(
        handlers.load(request, {
          progress: (p) => options.onProgress?.(structuredClone(p)),
          signal: options.signal ?? new AbortController().signal,
        }),
      ),
    generate: (request, options) => {
      const controller = new AbortController();
      options.signal?.addEventListener('abort', () => controller.abort());
      const reply = overTheWire(
        handlers.generate(structuredClone(request), {
          progress: (p) => options.onProgress?.(structuredClone(p)),
          signal: controller.signal,
        }),
      );
      // Like WorkerClient.call: reject at once when the caller aborts.
      if (!options.signal) return reply;
      return Promise.race([
        reply,
        new Promise<never>((_, reject) =>
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
            once: true,
          }),
        ),
      ]);
    },
    unload: (request) => overTheWire(handlers.unload(request)),
  };
  const model: GenerateModelRequest = {
    modelId: 'tiny-finetune',
    modelsPath: MODELS,
    allowRemoteModels: false,
  };

  it('streams tokens and the final usage', async () => {
    const remote = new RemoteChatBackend(model, transport);
    const progress: LoadProgress[] = [];
    await remote.load((p) => progress.push(p));
    expect(progress.length).toBeGreaterThan(0);
    const local = await generateText(finetune, messages, greedy);
    const chunks = await collect(remote.generate(messages, greedy));
    expect(chunks.filter((c) => c.type === 'token').length).toBeGreaterThan(1);
    expect(chunks.map((c) => (c.type === 'token' ? c.text : '')).join('')).toBe(local.text);
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      usage: local.usage,
      finishReason: local.finishReason,
    });
  });

  it('aborts', async () => {
    const remote = new RemoteChatBackend(model, transport);
    const controller = new AbortController();
    const chunks: ChatChunk[] = [];
    for await (const c of remote.generate(messages, {
      ...greedy,
      maxTokens: 200,
      signal: controller.signal,
    })) {
      chunks.push(c);
      controller.abort();
    }
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort' });
  });

  it('brings named errors back as their classes', async () => {
    const remote = new RemoteChatBackend({ ...model, modelId: 'missing-model' }, transport);
    const error = await remote.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).modelId).toBe('missing-model');
    const failed = await generateText(remote, messages, greedy).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ModelLoadError);
    await remote.unload();
  });
});
