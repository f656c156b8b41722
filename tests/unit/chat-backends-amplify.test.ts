// @vitest-environment jsdom
/**
 * An amplified side at the app's backend boundary: appChatBackend turns a spec with `amplify`
 * into a generate-worker backend whose requests are B's model carrying A as WireAmplify
 * (`{ base: { modelId, dtype, device }, alpha }`), each model resolved as a plain side's would be
 * (bundled on WASM without the hub, a picked folder by its URL path and recorded precision, after
 * the service worker is ready), and says which folder to pick when the base's is not picked.
 * The generate worker is the transport, not the thing under test: its calls are recorded.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelLoadError } from '../../src/lib/backends/llm/errors';
import type { GenerateModelRequest } from '../../src/lib/backends/llm/worker-protocol';
import { LocalFolderNeededError } from '../../src/lib/core/local-model/errors';
import type { FolderCheck, LocalFolderInfo } from '../../src/lib/core/local-model/types';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';
import { amplifiedRun } from '../../src/lib/state/amplified-run';
import { appChatBackend, workerModel } from '../../src/lib/state/chat-backends';
import type { LocalFolderLookup, PickedFolder } from '../../src/lib/state/local-folders.svelte';
import { demoRun } from '../../src/lib/core/generate/new-run';

const workerCalls = vi.hoisted(
  () => [] as { method: string; request: GenerateModelRequest & { messages?: unknown } }[],
);
vi.mock('../../src/lib/workers/generate-client', () => ({
  generateWorker: {
    call: async (method: string, request: GenerateModelRequest) => {
      workerCalls.push({ method, request });
      if (method === 'generate') {
        return {
          text: 'ok',
          usage: { promptTokens: 3, completionTokens: 1 },
          finishReason: 'stop',
        };
      }
      return undefined;
    },
  },
}));

const check: FolderCheck = {
  ok: true,
  problems: [],
  notes: [],
  onnxVariants: [],
  chatTemplate: true,
};

const baseInfo: LocalFolderInfo = {
  name: 'my-base',
  layout: 'transformers',
  totalBytes: 2_000_000,
  hash: 'b'.repeat(64),
  files: [{ path: 'config.json', size: 700 }],
  dtype: 'q8',
};

const baseFolder: PickedFolder = {
  token: '00112233445566aa',
  info: baseInfo,
  check: { ...check, dtype: 'q8' },
  urlPath: '/local-models/00112233445566aa/',
};

/** The tab's folders: those given, and the order of ready() calls among the loads. */
function lookup(folders: PickedFolder[], events: string[]): LocalFolderLookup {
  return {
    byHash: (hash) => folders.find((f) => f.info.hash === hash),
    ready: async () => {
      events.push('ready');
    },
  };
}

/** B's spec of the amplified run made from the offline demo (tiny-base vs tiny-finetune). */
function demoAmplifiedB(alpha: number) {
  return amplifiedRun(demoRun('demo', '2026-12-06T00:00:00.000Z'), alpha, 1, 'now', 'amp').models;
}

beforeEach(() => {
  workerCalls.length = 0;
});

describe('appChatBackend with amplify', () => {
  it('bundled models: B on WASM without the hub, A as the amplify base, the alpha', async () => {
    const { A, B } = demoAmplifiedB(2);
    const backend = appChatBackend(B, { webgpu: true, side: 'B' });
    await backend.load();
    expect(workerCalls).toEqual([
      {
        method: 'load',
        request: {
          modelId: TINY_FINETUNE_MODEL_ID,
          device: 'wasm',
          modelsPath: '/models/',
          allowRemoteModels: false,
          amplify: { base: { modelId: TINY_BASE_MODEL_ID, device: 'wasm' }, alpha: 2 },
        },
      },
    ]);
    // A generation carries the same amplified model with the messages.
    const chunks = [];
    for await (const chunk of backend.generate([{ role: 'user', content: 'Hi' }], {
      temperature: 0,
      topP: 1,
      maxTokens: 8,
    })) {
      chunks.push(chunk);
    }
    expect(workerCalls[1]?.method).toBe('generate');
    expect(workerCalls[1]?.request).toMatchObject({
      modelId: TINY_FINETUNE_MODEL_ID,
      amplify: { base: { modelId: TINY_BASE_MODEL_ID, device: 'wasm' }, alpha: 2 },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    // An amplified sampler is no model's distribution: it offers no scoring.
    expect(backend.score).toBeUndefined();

    // The plain side A of the same run is untouched: no amplify on its request.
    workerCalls.length = 0;
    await appChatBackend(A, { webgpu: false, side: 'A' }).load();
    expect(workerCalls[0]?.request).toEqual({
      modelId: TINY_FINETUNE_MODEL_ID,
      device: 'wasm',
      modelsPath: '/models/',
      allowRemoteModels: false,
    });
    expect(workerCalls[0]?.request.amplify).toBeUndefined();
  });

  it('hub models go to WebGPU when the page has it, and may come from the hub', async () => {
    const backend = appChatBackend(
      {
        backend: 'transformers',
        modelId: 'org/tuned',
        amplify: {
          alpha: 1.5,
          base: { label: 'base', backend: 'transformers', modelId: 'org/base' },
        },
      },
      { webgpu: true },
    );
    await backend.load();
    expect(workerCalls[0]?.request).toEqual({
      modelId: 'org/tuned',
      device: 'webgpu',
      modelsPath: '/models/',
      allowRemoteModels: true,
      amplify: { base: { modelId: 'org/base', device: 'webgpu' }, alpha: 1.5 },
    });
  });

  it('a base from a folder: its URL path and recorded dtype, after the service worker is ready', async () => {
    const events: string[] = [];
    const backend = appChatBackend(
      {
        backend: 'transformers',
        modelId: TINY_FINETUNE_MODEL_ID,
        amplify: {
          alpha: 3,
          base: {
            label: 'my-base',
            backend: 'transformers',
            modelId: 'my-base',
            localFolder: baseInfo,
          },
        },
      },
      { webgpu: false, localFolders: lookup([baseFolder], events), side: 'B' },
    );
    expect(events).toEqual([]);
    await backend.load();
    expect(events).toEqual(['ready']);
    expect(workerCalls[0]?.request).toEqual({
      modelId: TINY_FINETUNE_MODEL_ID,
      device: 'wasm',
      modelsPath: '/models/',
      allowRemoteModels: false,
      amplify: {
        base: { modelId: '/local-models/00112233445566aa', dtype: 'q8', device: 'wasm' },
        alpha: 3,
      },
    });
  });

  it('B from a folder with a bundled base: B by its URL path, never the hub', async () => {
    const tunedInfo: LocalFolderInfo = { ...baseInfo, name: 'my-tuned', hash: 'd'.repeat(64) };
    const tunedFolder: PickedFolder = {
      ...baseFolder,
      token: 'ffeeddccbbaa9988',
      info: tunedInfo,
      urlPath: '/local-models/ffeeddccbbaa9988/',
    };
    const events: string[] = [];
    const backend = appChatBackend(
      {
        backend: 'transformers',
        modelId: 'my-tuned',
        localFolder: tunedInfo,
        amplify: {
          alpha: 1,
          base: { label: 'tiny-base', backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
        },
      },
      { webgpu: true, localFolders: lookup([tunedFolder], events) },
    );
    await backend.load();
    expect(events).toEqual(['ready']);
    expect(workerCalls[0]?.request).toEqual({
      modelId: '/local-models/ffeeddccbbaa9988',
      dtype: 'q8',
      device: 'webgpu',
      modelsPath: '/models/',
      allowRemoteModels: false,
      amplify: { base: { modelId: TINY_BASE_MODEL_ID, device: 'wasm' }, alpha: 1 },
    });
  });

  it('names "B (amplified base)" and the folder when the base folder is not picked', () => {
    const spec = {
      backend: 'transformers' as const,
      modelId: TINY_FINETUNE_MODEL_ID,
      amplify: {
        alpha: 2,
        base: {
          label: 'my-base',
          backend: 'transformers' as const,
          modelId: 'my-base',
          localFolder: baseInfo,
        },
      },
    };
    let error: unknown;
    try {
      appChatBackend(spec, { webgpu: false, localFolders: lookup([], []), side: 'B' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LocalFolderNeededError);
    expect((error as LocalFolderNeededError).role).toBe('B (amplified base)');
    expect((error as Error).message).toMatch(
      /^Model B \(amplified base\) comes from the folder "my-base"/,
    );
    expect(workerCalls).toEqual([]);
  });

  it('refuses a base or a B that is not a local transformers.js model', () => {
    const base = { label: 'gpt', backend: 'openai' as const, modelId: 'gpt-4o' };
    expect(() =>
      appChatBackend(
        { backend: 'transformers', modelId: TINY_FINETUNE_MODEL_ID, amplify: { alpha: 1, base } },
        { webgpu: false },
      ),
    ).toThrow(ModelLoadError);
    expect(() =>
      appChatBackend(
        {
          backend: 'webllm',
          modelId: 'Qwen',
          amplify: {
            alpha: 1,
            base: { label: 'b', backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
          },
        },
        { webgpu: true },
      ),
    ).toThrow(/amplified sampling needs both models as local transformers\.js models/);
  });
});

describe('workerModel', () => {
  it('resolves bundled, hub and folder models as the sides load them', () => {
    expect(
      workerModel({ backend: 'transformers', modelId: TINY_BASE_MODEL_ID }, { webgpu: true }, 'A'),
    ).toEqual({
      request: {
        modelId: TINY_BASE_MODEL_ID,
        device: 'wasm',
        modelsPath: '/models/',
        allowRemoteModels: false,
      },
      fromFolder: false,
    });
    expect(
      workerModel(
        { backend: 'transformers', modelId: 'my-base', localFolder: baseInfo },
        { webgpu: false, localFolders: lookup([baseFolder], []) },
        'A',
      ),
    ).toEqual({
      request: {
        modelId: '/local-models/00112233445566aa',
        dtype: 'q8',
        device: 'wasm',
        modelsPath: '/models/',
        allowRemoteModels: false,
      },
      fromFolder: true,
    });
    expect(() =>
      workerModel(
        { backend: 'transformers', modelId: 'my-base', localFolder: baseInfo },
        { webgpu: false },
        'A',
      ),
    ).toThrow(/^Model A comes from the folder "my-base"/);
    expect(() => workerModel({ backend: 'webllm', modelId: 'x' }, { webgpu: true }, 'B')).toThrow(
      /model B is not a local transformers\.js model/,
    );
  });
});
