// @vitest-environment jsdom
/**
 * Models from a picked folder at the backends' boundary: appChatBackend finds the run's folder
 * by identity hash (or says which folder to pick again), waits for the service worker before
 * the first load, and hands transformers.js the folder's URL path with no hub access, and
 * WebLLM (a fake engine, as in llm-webllm.test.ts) a custom model whose URLs point into the
 * folder; the folder embedder's request and vector-cache id; transformers.js's cache wrapper
 * that never stores picked files. jsdom gives the page URL (http://localhost:3000/).
 */
import type { MLCEngineConfig } from '@mlc-ai/web-llm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebLlmEngine } from '../../src/lib/backends/llm/webllm';
import type { GenerateModelRequest } from '../../src/lib/backends/llm/worker-protocol';
import {
  isPickedFolderUrl,
  skippingPickedFolders,
} from '../../src/lib/backends/transformers-browser';
import { LocalFolderNeededError } from '../../src/lib/core/local-model/errors';
import type { FolderCheck, LocalFolderInfo } from '../../src/lib/core/local-model/types';
import { appChatBackend, folderSpec } from '../../src/lib/state/chat-backends';
import {
  folderEmbedderHash,
  folderEmbedderId,
  folderEmbedWorkerRequest,
} from '../../src/lib/state/embed-request';
import type { LocalFolderLookup, PickedFolder } from '../../src/lib/state/local-folders.svelte';

// The generate worker is the transport, not the thing under test: record what it is asked.
const workerCalls = vi.hoisted(() => [] as { method: string; request: GenerateModelRequest }[]);
vi.mock('../../src/lib/workers/generate-client', () => ({
  generateWorker: {
    call: async (method: string, request: GenerateModelRequest) => {
      workerCalls.push({ method, request });
    },
  },
}));

const HASH = 'a'.repeat(64);
const check: FolderCheck = {
  ok: true,
  problems: [],
  notes: [],
  onnxVariants: [],
  chatTemplate: true,
};

function info(layout: LocalFolderInfo['layout'], extra: Partial<LocalFolderInfo> = {}) {
  return {
    name: 'my-finetune',
    layout,
    totalBytes: 2_000_000,
    hash: HASH,
    files: [{ path: 'config.json', size: 700 }],
    ...extra,
  } satisfies LocalFolderInfo;
}

/** The registry's lookup with one folder; records the order of ready() and loads. */
function lookup(folder: PickedFolder | undefined, events: string[], fail?: Error) {
  return {
    byHash: (hash: string) => (folder && hash === folder.info.hash ? folder : undefined),
    ready: async () => {
      events.push('ready');
      if (fail) throw fail;
    },
  } satisfies LocalFolderLookup;
}

const transformersFolder: PickedFolder = {
  token: '0123456789abcdef',
  info: info('transformers', { dtype: 'q4' }),
  check: { ...check, dtype: 'q4' },
  urlPath: '/local-models/0123456789abcdef/',
};

const webllmFolder: PickedFolder = {
  token: 'fedcba9876543210',
  info: info('webllm', { modelLib: 'lib/model-webgpu.wasm' }),
  check: { ...check, modelLib: 'lib/model-webgpu.wasm', chatTemplate: null },
  urlPath: '/local-models/fedcba9876543210/',
};

beforeEach(() => {
  workerCalls.length = 0;
});

describe('appChatBackend with a folder', () => {
  it('throws LocalFolderNeededError naming the side and the folder when it is not picked here', () => {
    const spec = {
      backend: 'transformers' as const,
      modelId: 'my-finetune',
      localFolder: info('transformers'),
    };
    const error = (() => {
      try {
        appChatBackend(spec, { webgpu: false, localFolders: lookup(undefined, []), side: 'B' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LocalFolderNeededError);
    expect((error as LocalFolderNeededError).role).toBe('B');
    expect((error as Error).message).toMatch(/^Model B comes from the folder "my-finetune"/);
    // Without a registry at all it is the same error.
    expect(() => appChatBackend(spec, { webgpu: false })).toThrow(LocalFolderNeededError);
  });

  it('loads a transformers.js folder by its URL path, no hub, its dtype, after the service worker is ready', async () => {
    const events: string[] = [];
    const backend = appChatBackend(
      { backend: 'transformers', modelId: 'my-finetune', localFolder: transformersFolder.info },
      { webgpu: false, localFolders: lookup(transformersFolder, events) },
    );
    expect(events).toEqual([]);
    await backend.load();
    expect(events).toEqual(['ready']);
    expect(workerCalls).toHaveLength(1);
    const { method, request } = workerCalls[0]!;
    expect(method).toBe('load');
    expect(request.modelId).toBe('/local-models/0123456789abcdef');
    expect(request.allowRemoteModels).toBe(false);
    expect(request.dtype).toBe('q4');
    expect(request.device).toBe('wasm');
    expect(backend.id).toBe('transformers:/local-models/0123456789abcdef');
  });

  it('does not load when the service worker cannot serve the page, and tries again next time', async () => {
    const events: string[] = [];
    const backend = appChatBackend(
      { backend: 'transformers', modelId: 'my-finetune', localFolder: transformersFolder.info },
      {
        webgpu: false,
        localFolders: lookup(transformersFolder, events, new Error('site data is blocked')),
      },
    );
    await expect(backend.load()).rejects.toThrow('site data is blocked');
    await expect(backend.load()).rejects.toThrow('site data is blocked');
    expect(events).toEqual(['ready', 'ready']);
    expect(workerCalls).toHaveLength(0);
  });

  it('leaves bundled and hub models as they were', async () => {
    await appChatBackend({ backend: 'transformers', modelId: 'org/hub-model' }, { webgpu: false })
      .load()
      .catch(() => undefined);
    expect(workerCalls[0]?.request).toMatchObject({
      modelId: 'org/hub-model',
      allowRemoteModels: true,
    });
  });

  it('presents a WebLLM folder to the engine as a custom model under the folder URLs', async () => {
    const events: string[] = [];
    const seen: { modelId: string; config: MLCEngineConfig }[] = [];
    const engine: WebLlmEngine = {
      chat: {} as WebLlmEngine['chat'],
      interruptGenerate: () => undefined,
      unload: async () => undefined,
    };
    const backend = appChatBackend(
      { backend: 'webllm', modelId: 'my-finetune', localFolder: webllmFolder.info },
      {
        webgpu: true,
        localFolders: lookup(webllmFolder, events),
        createWebLlmEngine: async (modelId, config) => {
          events.push('engine');
          seen.push({ modelId, config });
          return engine;
        },
      },
    );
    await backend.load();
    expect(events).toEqual(['ready', 'engine']);
    expect(seen[0]?.modelId).toBe('my-finetune');
    const record = seen[0]?.config.appConfig?.model_list.find((r) => r.model_id === 'my-finetune');
    expect(record?.model).toBe('http://localhost:3000/local-models/fedcba9876543210/');
    expect(record?.model_lib).toBe(
      'http://localhost:3000/local-models/fedcba9876543210/lib/model-webgpu.wasm',
    );
  });
});

describe('folderSpec', () => {
  it('gives transformers.js a path (never a valid hub id) and WebLLM absolute URLs', () => {
    expect(folderSpec({ backend: 'transformers', modelId: 'x' }, transformersFolder)).toEqual({
      backend: 'transformers',
      modelId: '/local-models/0123456789abcdef',
      dtype: 'q4',
    });
    expect(folderSpec({ backend: 'webllm', modelId: 'x' }, webllmFolder)).toEqual({
      backend: 'webllm',
      modelId: 'x',
      baseUrl: 'http://localhost:3000/local-models/fedcba9876543210/',
      modelLibUrl: 'http://localhost:3000/local-models/fedcba9876543210/lib/model-webgpu.wasm',
    });
  });

  it("loads the precision the run recorded, not the re-picked folder's default", () => {
    const spec = {
      backend: 'transformers' as const,
      modelId: 'x',
      localFolder: { ...transformersFolder.info, dtype: 'fp32' as const },
    };
    expect(folderSpec(spec, transformersFolder).dtype).toBe('fp32');
  });
});

describe('folder embedder', () => {
  it('asks the embed worker for the folder URL path with no hub, once the worker is ready', async () => {
    const events: string[] = [];
    const request = await folderEmbedWorkerRequest(
      transformersFolder.info,
      lookup(transformersFolder, events),
    );
    expect(events).toEqual(['ready']);
    expect(request.modelId).toBe('/local-models/0123456789abcdef');
    expect(request.allowRemoteModels).toBe(false);
    await expect(
      folderEmbedWorkerRequest(transformersFolder.info, lookup(undefined, [])),
    ).rejects.toThrow(/^The embedder comes from the folder "my-finetune"/);
  });

  it('keys cached vectors by the folder hash, not its name', () => {
    const id = folderEmbedderId(transformersFolder.info);
    expect(id).toContain(HASH);
    expect(folderEmbedderHash(id)).toBe(HASH);
    expect(folderEmbedderId({ ...transformersFolder.info, hash: 'b'.repeat(64) })).not.toBe(id);
    expect(folderEmbedderHash('transformers:bundled-embedder')).toBeNull();
  });
});

describe("transformers.js's cache without picked folders", () => {
  const base = 'http://127.0.0.1:4173/assets/generate.worker-abc.js';

  /** An in-memory Cache store standing in for the browser's (only match and put are used). */
  function memoryCache() {
    const stored = new Map<string, Response>();
    const cache = {
      match: async (key: string) => stored.get(key)?.clone(),
      put: async (key: string, response: Response) => {
        stored.set(key, response);
      },
    } as unknown as Cache;
    return { stored, cache };
  }

  it('tells picked-folder URLs (same origin, under local-models/) from bundled and hub files', () => {
    expect(isPickedFolderUrl('/local-models/tok/config.json', base)).toBe(true);
    expect(isPickedFolderUrl('/app/local-models/tok/onnx/model.onnx', base)).toBe(true);
    expect(isPickedFolderUrl('http://127.0.0.1:4173/local-models/t/x.json', base)).toBe(true);
    expect(isPickedFolderUrl('/models/tiny-base/config.json', base)).toBe(false);
    expect(
      isPickedFolderUrl('https://huggingface.co/someone/local-models/resolve/main/x.json', base),
    ).toBe(false);
  });

  it('neither stores nor serves picked files, and caches the rest as before', async () => {
    const { stored, cache } = memoryCache();
    const wrapped = skippingPickedFolders(async () => cache, base);
    await wrapped.put('/local-models/tok/config.json', new Response('{"picked":1}'));
    await wrapped.put('/models/tiny-base/config.json', new Response('{"bundled":1}'));
    expect([...stored.keys()]).toEqual(['/models/tiny-base/config.json']);
    expect(await (await wrapped.match('/models/tiny-base/config.json'))?.text()).toBe(
      '{"bundled":1}',
    );
    // Even an entry left by an older version is not served for a picked folder.
    stored.set('/local-models/tok/config.json', new Response('stale'));
    expect(await wrapped.match('/local-models/tok/config.json')).toBeUndefined();
  });

  it('works as no cache when the store cannot be opened (site data blocked)', async () => {
    const wrapped = skippingPickedFolders(
      () => Promise.reject(new DOMException('blocked', 'SecurityError')),
      base,
    );
    expect(await wrapped.match('/models/tiny-base/config.json')).toBeUndefined();
    await expect(
      wrapped.put('/models/tiny-base/config.json', new Response('x')),
    ).resolves.toBeUndefined();
  });
});
