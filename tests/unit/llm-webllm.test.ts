/**
 * The WebLLM adapter at its module boundary: a fake engine stands in for WebLLM (which needs a
 * GPU and gigabytes of weights). The fake follows WebLLM's types, checked by tsc.
 */
import type {
  ChatCompletionChunk,
  ChatCompletionRequestStreaming,
  InitProgressReport,
  MLCEngineConfig,
} from '@mlc-ai/web-llm';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import {
  DeviceLostError,
  ModelLoadError,
  OutOfMemoryError,
} from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import type { ChatChunk, LoadProgress } from '../../src/lib/backends/llm/types';
import {
  WebLlmBackend,
  toLoadProgress,
  workerEngineFactory,
  type WebLlmEngine,
  type WebLlmEngineFactory,
} from '../../src/lib/backends/llm/webllm';
import {
  customModelRecord,
  listWebLlmModels,
  needsShaderF16,
  webLlmAppConfig,
  webLlmModelsFrom,
} from '../../src/lib/backends/llm/webllm-models';

interface FakeScript {
  tokens?: string[];
  /** Throw this after `failAfter` tokens. */
  failWith?: unknown;
  failAfter?: number;
  gapMs?: number;
}

/** A stand-in for WebLLM's engine, streaming scripted chunks like WebLLM does. */
class FakeEngine implements WebLlmEngine {
  readonly requests: ChatCompletionRequestStreaming[] = [];
  interrupts = 0;
  unloads = 0;
  #interrupted = false;

  constructor(private readonly script: FakeScript = {}) {}

  readonly chat = {
    completions: {
      create: async (request: ChatCompletionRequestStreaming) => {
        this.requests.push(request);
        this.#interrupted = false;
        return this.#stream();
      },
    },
  } as unknown as WebLlmEngine['chat'];

  interruptGenerate(): void {
    this.interrupts++;
    this.#interrupted = true;
  }

  async unload(): Promise<void> {
    this.unloads++;
  }

  async *#stream(): AsyncGenerator<ChatCompletionChunk> {
    const tokens = this.script.tokens ?? ['Hello', ',', ' world'];
    const base = { id: 'x', created: 0, model: 'fake', object: 'chat.completion.chunk' as const };
    let i = 0;
    for (const content of tokens) {
      if (this.script.failWith !== undefined && i === (this.script.failAfter ?? 0))
        throw this.script.failWith;
      await new Promise((resolve) => setTimeout(resolve, this.script.gapMs ?? 1));
      if (this.#interrupted) break;
      yield {
        ...base,
        choices: [{ index: 0, delta: { content, role: 'assistant' }, finish_reason: null }],
      };
      i++;
    }
    const finish = this.#interrupted ? 'abort' : i >= 3 ? 'length' : 'stop';
    yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] };
    yield {
      ...base,
      choices: [],
      usage: {
        prompt_tokens: 11,
        completion_tokens: i,
        total_tokens: 11 + i,
        extra: {
          e2e_latency_s: 0.1,
          prefill_tokens_per_s: 100,
          decode_tokens_per_s: 50,
          time_to_first_token_s: 0.01,
          time_per_output_token_s: 0.02,
        },
      },
    } as ChatCompletionChunk;
  }
}

function factory(engines: FakeEngine[], reports: InitProgressReport[] = []) {
  const calls: { modelId: string; config: MLCEngineConfig }[] = [];
  const create: WebLlmEngineFactory = async (modelId, config) => {
    calls.push({ modelId, config });
    for (const report of reports) config.initProgressCallback?.(report);
    const engine = engines.shift();
    if (!engine) throw new Error('no engine left');
    return engine;
  };
  return { create, calls };
}

const messages = [
  { role: 'system' as const, content: 'Be kind.' },
  { role: 'user' as const, content: 'Hi' },
];
const params = { temperature: 0.8, topP: 0.95, maxTokens: 3 };

describe('WebLLM backend (fake engine)', () => {
  it('streams tokens and reports usage and finish reason', async () => {
    const engine = new FakeEngine();
    const { create, calls } = factory([engine]);
    const backend = new WebLlmBackend({
      modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      createEngine: create,
    });
    const chunks: ChatChunk[] = [];
    for await (const c of backend.generate(messages, {
      ...params,
      seed: 42,
      stop: ['\n'],
      topLogprobs: 2,
    })) {
      chunks.push(c);
    }
    expect(chunks).toEqual([
      { type: 'token', text: 'Hello' },
      { type: 'token', text: ',' },
      { type: 'token', text: ' world' },
      { type: 'done', usage: { promptTokens: 11, completionTokens: 3 }, finishReason: 'length' },
    ]);
    expect(calls.map((c) => c.modelId)).toEqual(['Qwen2.5-0.5B-Instruct-q4f16_1-MLC']);
    expect(engine.requests[0]).toEqual({
      messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.8,
      top_p: 0.95,
      max_tokens: 3,
      seed: 42,
      stop: ['\n'],
      logprobs: true,
      top_logprobs: 2,
    });
    expect(backend.capabilities).toEqual({ logprobs: true, batching: false, needsWebGpu: true });
  });

  it('turns initProgressCallback reports into load progress', async () => {
    const reports: InitProgressReport[] = [
      { progress: 0, timeElapsed: 0, text: 'Start to fetch params' },
      {
        progress: 0.5,
        timeElapsed: 3,
        text: 'Fetching param cache[3/24]: 120MB fetched. 50% completed, 3 secs elapsed.',
      },
      { progress: 1, timeElapsed: 6, text: 'Finish loading on WebGPU - nvidia' },
    ];
    const { create } = factory([new FakeEngine()], reports);
    const backend = new WebLlmBackend({ modelId: 'm', createEngine: create });
    const seen: LoadProgress[] = [];
    await backend.load((p) => seen.push(p));
    expect(seen).toEqual([
      { fraction: 0, text: 'Start to fetch params' },
      { fraction: 0.5, loadedBytes: 120 * 1024 * 1024, text: reports[1]!.text },
      { fraction: 1, text: 'Finish loading on WebGPU - nvidia' },
    ]);
    expect(
      toLoadProgress({ progress: 0.2, timeElapsed: 1, text: '12.5MB fetched' }).loadedBytes,
    ).toBe(Math.round(12.5 * 1024 * 1024));
  });

  it('aborts through interruptGenerate and ends with "abort"', async () => {
    const engine = new FakeEngine({ tokens: ['a', 'b', 'c', 'd', 'e'], gapMs: 5 });
    const backend = new WebLlmBackend({ modelId: 'm', createEngine: factory([engine]).create });
    const controller = new AbortController();
    const chunks: ChatChunk[] = [];
    for await (const c of backend.generate(messages, {
      ...params,
      maxTokens: 5,
      signal: controller.signal,
    })) {
      chunks.push(c);
      if (c.type === 'token' && c.text === 'b') controller.abort();
    }
    expect(engine.interrupts).toBe(1);
    expect(chunks.filter((c) => c.type === 'token')).toHaveLength(2);
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort' });
  });

  it('maps device loss mid-generation to DeviceLostError and reloads next time', async () => {
    const lost = new FakeEngine({
      failWith: new Error(
        'Device was lost. This can happen due to insufficient memory or other GPU constraints.',
      ),
      failAfter: 1,
    });
    const fresh = new FakeEngine();
    const { create, calls } = factory([lost, fresh]);
    const backend = new WebLlmBackend({ modelId: 'm', createEngine: create });
    const error = await generateText(backend, messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as Error).message).toMatch(/smaller model/);
    expect((error as Error).message).toMatch(/one model at a time/);
    expect((error as Error).message).toMatch(/close other tabs/);
    expect(lost.unloads).toBe(1);
    expect((await generateText(backend, messages, params)).text).toBe('Hello, world');
    expect(calls).toHaveLength(2);
  });

  it('recognises the ways GPUs report loss and memory exhaustion', async () => {
    // What WebGPU hands to a device.lost handler.
    class GPUDeviceLostInfo {
      reason = 'destroyed';
      message = '';
    }
    const cases: [unknown, new (...args: never[]) => Error][] = [
      [new Error('DXGI_ERROR_DEVICE_HUNG'), DeviceLostError],
      [new GPUDeviceLostInfo(), DeviceLostError],
      [new Error('Out of memory while allocating buffer'), OutOfMemoryError],
      [new RangeError('Array buffer allocation failed'), OutOfMemoryError],
      [new Error('OOM when creating KV cache'), OutOfMemoryError],
      [new Error('Cannot find model record in appConfig for m'), ModelLoadError],
    ];
    for (const [thrown, expected] of cases) {
      const backend = new WebLlmBackend({
        modelId: 'm',
        createEngine: async () => {
          throw thrown;
        },
      });
      const error = await backend.load().catch((e: unknown) => e);
      expect(error, String(thrown)).toBeInstanceOf(expected);
    }
  });

  it('maps a load failure to ModelLoadError and retries on the next load', async () => {
    let attempts = 0;
    const backend = new WebLlmBackend({
      modelId: 'Mistral-7B-Instruct-v0.3-q4f16_1-MLC',
      createEngine: async () => {
        attempts++;
        if (attempts === 1) {
          throw new Error(
            'This model requires feature shader-f16, which is not yet supported by this browser.',
          );
        }
        return new FakeEngine();
      },
    });
    const error = await backend.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).modelId).toBe('Mistral-7B-Instruct-v0.3-q4f16_1-MLC');
    expect((error as Error).message).toMatch(/q4f32 variant/);
    await backend.load();
    expect(attempts).toBe(2);
  });

  it('runs one generation at a time', async () => {
    const engine = new FakeEngine({ gapMs: 3 });
    const backend = new WebLlmBackend({ modelId: 'm', createEngine: factory([engine]).create });
    const order: string[] = [];
    const run = async (name: string) => {
      for await (const c of backend.generate(messages, params)) order.push(`${name}:${c.type}`);
    };
    await Promise.all([run('a'), run('b')]);
    expect(order.join(' ')).toBe('a:token a:token a:token a:done b:token b:token b:token b:done');
  });

  it('the real factory explains a missing WebGPU', async () => {
    const error = await workerEngineFactory(() => {
      throw new Error('no worker in Node');
    })('m', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/WebGPU/);
  });

  it('unload frees the engine', async () => {
    const engine = new FakeEngine();
    const backend = new WebLlmBackend({ modelId: 'm', createEngine: factory([engine]).create });
    await backend.load();
    await backend.unload();
    expect(engine.unloads).toBe(1);
  });
});

describe('WebLLM model picker data', () => {
  it('lists prebuilt chat models that fit, smallest first', async () => {
    const models = await listWebLlmModels();
    expect(models.length).toBeGreaterThan(20);
    const ids = models.map((m) => m.modelId);
    expect(ids).toContain('SmolLM2-360M-Instruct-q4f16_1-MLC');
    expect(ids.some((id) => /embed|vision/i.test(id))).toBe(false);
    expect(ids.some((id) => id.includes('70B'))).toBe(false);
    for (let i = 1; i < models.length; i++) {
      expect(models[i]!.vramRequiredMB ?? Infinity).toBeGreaterThanOrEqual(
        models[i - 1]!.vramRequiredMB ?? 0,
      );
    }
    const llama = models.find((m) => m.modelId === 'Llama-3.2-1B-Instruct-q4f16_1-MLC');
    // WebLLM lists no required feature for it, but f16 weights need shader-f16 all the same.
    expect(llama).toMatchObject({ needsShaderF16: true, lowResourceRequired: true, custom: false });
    expect(
      models.find((m) => m.modelId === 'Llama-3.2-1B-Instruct-q4f32_1-MLC')?.needsShaderF16,
    ).toBe(false);
  });

  it('filters by memory and shader-f16 support', () => {
    const small = webLlmModelsFrom(prebuiltAppConfig.model_list, {
      maxVramMB: 1000,
      shaderF16: false,
    });
    expect(small.length).toBeGreaterThan(0);
    expect(small.every((m) => (m.vramRequiredMB ?? 0) <= 1000 && !m.needsShaderF16)).toBe(true);
    expect(needsShaderF16({ model_id: 'x-q4f32_1-MLC', required_features: ['shader-f16'] })).toBe(
      true,
    );
    expect(needsShaderF16({ model_id: 'x-q0f16-MLC' })).toBe(true);
    expect(needsShaderF16({ model_id: 'x-q4f32_1-MLC' })).toBe(false);
  });

  it('builds custom model records and app configs', async () => {
    const custom = {
      modelId: 'my-finetune-q4f32_1-MLC',
      modelUrl: 'https://huggingface.co/me/my-finetune-q4f32_1-MLC/resolve/main/',
      modelLibUrl: 'https://example.org/libs/Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
      vramRequiredMB: 900,
    };
    expect(customModelRecord(custom)).toEqual({
      model: custom.modelUrl,
      model_id: custom.modelId,
      model_lib: custom.modelLibUrl,
      vram_required_MB: 900,
    });
    const config = await webLlmAppConfig([custom]);
    expect(config.model_list.at(-1)?.model_id).toBe(custom.modelId);
    expect(config.model_list.length).toBe(prebuiltAppConfig.model_list.length + 1);
    expect(() => customModelRecord({ ...custom, modelLibUrl: 'file:///lib.wasm' })).toThrow(
      ModelLoadError,
    );
    expect(() => customModelRecord({ ...custom, modelLibUrl: 'https://x.org/lib.js' })).toThrow(
      /\.wasm/,
    );
    expect(() => customModelRecord({ ...custom, modelUrl: 'not a url' })).toThrow(/not a URL/);
  });

  it('passes a custom model to the engine through appConfig', async () => {
    const { create, calls } = factory([new FakeEngine()]);
    const backend = new WebLlmBackend({
      modelId: 'mine',
      custom: {
        modelId: 'mine',
        modelUrl: 'https://x.org/w/',
        modelLibUrl: 'https://x.org/lib.wasm',
      },
      createEngine: create,
    });
    await backend.load();
    expect(
      calls[0]?.config.appConfig?.model_list.find((r) => r.model_id === 'mine')?.model_lib,
    ).toBe('https://x.org/lib.wasm');
  });
});
