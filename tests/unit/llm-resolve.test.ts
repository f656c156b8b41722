import { describe, expect, it } from 'vitest';
import { AnthropicBackend } from '../../src/lib/backends/llm/anthropic';
import {
  AuthError,
  CorsError,
  DeviceLostError,
  ModelLoadError,
  NetworkError,
  RateLimitError,
} from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { OpenAiBackend } from '../../src/lib/backends/llm/openai';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import type { ChatBackend } from '../../src/lib/backends/llm/types';
import { WebLlmBackend, type WebLlmEngine } from '../../src/lib/backends/llm/webllm';
import { reviveChatError } from '../../src/lib/backends/llm/worker-protocol';
import { RemoteError, toWireError } from '../../src/lib/workers/rpc';

describe('createChatBackend', () => {
  it('builds an OpenAI-compatible backend with the injected transport', async () => {
    const urls: string[] = [];
    const backend = createChatBackend(
      { backend: 'openai', modelId: 'llama3.2', baseUrl: 'http://localhost:11434', apiKey: 'k' },
      {
        http: {
          fetch: async (url) => {
            urls.push(String(url));
            return Response.json({
              choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }],
            });
          },
        },
      },
    );
    expect(backend).toBeInstanceOf(OpenAiBackend);
    expect(backend.id).toBe('openai:llama3.2@http://localhost:11434/v1');
    expect(backend.id).not.toContain('k@');
    expect(
      (
        await generateText(backend, [{ role: 'user', content: 'x' }], {
          temperature: 0,
          topP: 1,
          maxTokens: 4,
        })
      ).text,
    ).toBe('hi');
    expect(urls).toEqual(['http://localhost:11434/v1/chat/completions']);
  });

  it('builds Anthropic with its default URL', () => {
    const backend = createChatBackend({
      backend: 'anthropic',
      modelId: 'claude-x',
      apiKey: 'sk-ant',
    });
    expect(backend).toBeInstanceOf(AnthropicBackend);
    expect(backend.id).toBe('anthropic:claude-x@https://api.anthropic.com');
    expect(backend.capabilities.logprobs).toBe(false);
  });

  it('builds WebLLM, with a custom model when both URLs are given', async () => {
    let appConfigIds: string[] = [];
    const backend = createChatBackend(
      {
        backend: 'webllm',
        modelId: 'my-model',
        baseUrl: 'https://x.org/weights/',
        modelLibUrl: 'https://x.org/lib.wasm',
      },
      {
        createWebLlmEngine: async (_id, config) => {
          appConfigIds = config.appConfig?.model_list.map((r) => r.model_id) ?? [];
          return { chat: {}, interruptGenerate() {}, async unload() {} } as unknown as WebLlmEngine;
        },
      },
    );
    expect(backend).toBeInstanceOf(WebLlmBackend);
    await backend.load();
    expect(appConfigIds).toContain('my-model');
  });

  it('uses the injected transformers backend (the app passes its worker proxy)', () => {
    const proxy = { id: 'proxy' } as ChatBackend;
    const seen: unknown[] = [];
    const backend = createChatBackend(
      { backend: 'transformers', modelId: 'tiny-base' },
      {
        transformers: { device: 'webgpu', dtype: 'q4f16' },
        createTransformersBackend: (options) => {
          seen.push(options);
          return proxy;
        },
      },
    );
    expect(backend).toBe(proxy);
    expect(seen).toEqual([{ modelId: 'tiny-base', device: 'webgpu', dtype: 'q4f16' }]);
  });

  it('refuses specs that cannot work, saying why', () => {
    expect(() => createChatBackend({ backend: 'imported', modelId: 'gpt-4 answers' })).toThrow(
      /imported from a file/,
    );
    expect(() => createChatBackend({ backend: 'openai', modelId: 'm' })).toThrow(
      /needs a base URL/,
    );
    expect(() => createChatBackend({ backend: 'anthropic', modelId: 'm' })).toThrow(ModelLoadError);
  });
});

describe('named errors', () => {
  it('say what to do', () => {
    const cors = new CorsError(
      'http://localhost:11434/v1/chat/completions',
      'https://app.example',
      ['authorization', 'content-type'],
    );
    expect(cors.message).toContain('http://localhost:11434');
    expect(cors.message).toContain('Access-Control-Allow-Origin: https://app.example');
    expect(cors.message).toContain('Access-Control-Allow-Headers: authorization, content-type');
    expect(new RateLimitError('OpenAI', 2500).message).toContain('Wait about 3 s');
    expect(new AuthError('OpenAI', 401).message).toContain('Check the API key');
  });

  it('survive the worker boundary as their own classes', () => {
    const originals = [
      new ModelLoadError('tiny', 'missing file'),
      new DeviceLostError('Device was lost'),
      new RateLimitError('Anthropic', 1200, 'slow down'),
      new NetworkError('http://x', 'ECONNRESET', 'partial'),
    ];
    for (const original of originals) {
      const revived = reviveChatError(new RemoteError(toWireError(original))) as Error;
      expect(revived).toBeInstanceOf(original.constructor);
      expect(revived.message).toBe(original.message);
      expect(revived.name).toBe(original.name);
    }
    const rate = reviveChatError(new RemoteError(toWireError(originals[2]))) as RateLimitError;
    expect(rate.retryAfterMs).toBe(1200);
    const network = reviveChatError(new RemoteError(toWireError(originals[3]))) as NetworkError;
    expect(network.partialText).toBe('partial');
    const other = new RemoteError({ name: 'TypeError', message: 'x', fields: {} });
    expect(reviveChatError(other)).toBe(other);
  });
});
