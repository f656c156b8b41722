/**
 * The shared model flags (scripts/model-flags.ts): what each combination means, the messages
 * for the ones that are not allowed, and the backend each source builds: folders checked and
 * identified before loading, URLs reaching a real local server with the key from the env.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { folderIdentity } from '../../src/lib/core/local-model';
import { chooseEmbedder } from '../../scripts/analyze-embedder';
import {
  listFolder,
  readModelFlags,
  resolveModel,
  type ModelSource,
} from '../../scripts/model-flags';
import { sendJson, startTestServer, type TestServer } from './http-server';

const ROOT = join(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'model-flags-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('readModelFlags', () => {
  it('reads one source per side', () => {
    expect(
      readModelFlags({
        'a-bundled': 'tiny-base',
        'b-url': 'http://127.0.0.1:8000/v1',
        'b-model': 'my-finetune',
        'b-key-env': 'VLLM_KEY',
      }),
    ).toEqual({
      a: { kind: 'bundled', name: 'tiny-base' },
      b: {
        kind: 'url',
        url: 'http://127.0.0.1:8000/v1',
        model: 'my-finetune',
        keyEnv: 'VLLM_KEY',
      },
    });
    expect(readModelFlags({ 'a-folder': './m', 'b-folder': '/x/y' })).toEqual({
      a: { kind: 'folder', dir: './m' },
      b: { kind: 'folder', dir: '/x/y' },
    });
    // A command with one model asks for one side only.
    expect(readModelFlags({ 'a-bundled': 'tiny-finetune' }, ['a'])).toEqual({
      a: { kind: 'bundled', name: 'tiny-finetune' },
    });
  });

  it.each([
    [
      { 'a-bundled': 'tiny-base' },
      'model B is missing: give --b-bundled NAME | --b-folder DIR | --b-url URL --b-model NAME [--b-key-env VAR]',
    ],
    [
      { 'a-bundled': 'tiny-base', 'a-folder': 'x', 'b-bundled': 'tiny-base' },
      '--a-bundled and --a-folder both given: model A comes from exactly one of --a-bundled, --a-folder, --a-url',
    ],
    [
      { 'a-bundled': 'bundled-embedder', 'b-bundled': 'tiny-base' },
      '--a-bundled must be one of tiny-base, tiny-finetune (got "bundled-embedder"); a model of your own goes in --a-folder DIR',
    ],
    [
      { 'a-bundled': 'tiny-base', 'b-url': 'http://h/v1' },
      '--b-url needs --b-model NAME (the model name the server serves)',
    ],
    [
      { 'a-bundled': 'tiny-base', 'b-url': 'localhost:8000', 'b-model': 'm' },
      '--b-url must be an http(s) URL such as http://127.0.0.1:8000/v1 (got "localhost:8000")',
    ],
    [
      { 'a-bundled': 'tiny-base', 'a-model': 'x', 'b-bundled': 'tiny-base' },
      '--a-model goes with --a-url, not --a-bundled',
    ],
    [
      { 'a-folder': 'm', 'a-key-env': 'K', 'b-bundled': 'tiny-base' },
      '--a-key-env goes with --a-url, not --a-folder',
    ],
    [{ 'a-folder': ' ', 'b-bundled': 'tiny-base' }, '--a-folder needs a value'],
  ])('refuses %j', (values, message) => {
    expect(() => readModelFlags(values)).toThrow(message);
  });
});

describe('resolveModel', () => {
  const resolveAs = (source: ModelSource, env = {}) =>
    resolveModel('B', source, { root: ROOT, env });

  it('checks and identifies a folder before anything loads, then generates from it', async () => {
    const dir = join(temp, 'my-finetune');
    cpSync(join(ROOT, 'public/models/tiny-finetune'), dir, { recursive: true });
    const model = await resolveAs({ kind: 'folder', dir });
    const entries = await listFolder(dir);
    const expected = await folderIdentity(
      'my-finetune',
      entries,
      async (p) => new Uint8Array(await readFile(join(dir, p))),
      { layout: 'transformers', dtype: 'fp32' },
    );
    expect(model.spec).toEqual({
      label: 'my-finetune',
      backend: 'transformers',
      modelId: 'my-finetune',
      localFolder: expected,
    });
    expect(model.notes).toEqual([]);
    const backend = model.createBackend();
    try {
      const result = await generateText(backend, [{ role: 'user', content: 'Speak of wisdom.' }], {
        temperature: 0,
        topP: 1,
        maxTokens: 8,
      });
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.finishReason).toMatch(/^(stop|length)$/);
    } finally {
      await backend.unload();
    }
  }, 60_000);

  it("refuses a folder that fails the check, with every problem's sentence", async () => {
    const dir = join(temp, 'broken');
    cpSync(join(ROOT, 'public/models/tiny-finetune'), dir, { recursive: true });
    rmSync(join(dir, 'tokenizer.json'));
    rmSync(join(dir, 'onnx'), { recursive: true });
    writeFileSync(join(dir, 'pytorch_model.bin'), 'x');
    await expect(resolveAs({ kind: 'folder', dir })).rejects.toThrow(
      new RegExp(
        `^--b-folder ${dir}: the folder cannot be loaded: tokenizer\\.json is missing: .*; pytorch_model\\.bin is a PyTorch checkpoint`,
      ),
    );
  });

  it('says a missing folder is missing and a WebLLM folder needs the browser', async () => {
    await expect(resolveAs({ kind: 'folder', dir: join(temp, 'nope') })).rejects.toThrow(
      `--b-folder ${join(temp, 'nope')}: no such folder`,
    );
    const mlc = join(temp, 'mlc');
    mkdirSync(mlc);
    writeFileSync(join(mlc, 'mlc-chat-config.json'), '{}');
    await expect(resolveAs({ kind: 'folder', dir: mlc })).rejects.toThrow(
      /a WebLLM \(MLC\) folder runs in the browser only/,
    );
  });

  it('notes a folder model without a chat template', async () => {
    const dir = join(temp, 'no-template');
    cpSync(join(ROOT, 'public/models/tiny-base'), dir, { recursive: true });
    const path = join(dir, 'tokenizer_config.json');
    const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    delete config.chat_template;
    writeFileSync(path, JSON.stringify(config));
    const model = await resolveAs({ kind: 'folder', dir });
    expect(model.notes).toEqual([
      'no chat template: prompts are sent as plain text, turns separated by blank lines',
    ]);
  });

  it('records a bundled model by its name', async () => {
    const model = await resolveAs({ kind: 'bundled', name: 'tiny-base' });
    expect(model.spec).toEqual({
      label: 'tiny-base',
      backend: 'transformers',
      modelId: 'tiny-base',
    });
  });

  describe('a URL', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer((request, res) => {
        const body = JSON.parse(request.body) as { messages: { content: string }[] };
        sendJson(res, 200, {
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `echo ${body.messages.at(-1)!.content}` },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 2 },
        });
      });
    });
    afterAll(() => server.close());

    it('sends the key read from the named variable, and records no credentials', async () => {
      const model = await resolveAs(
        { kind: 'url', url: `${server.url}/v1?api_key=secret`, model: 'served', keyEnv: 'MY_KEY' },
        { MY_KEY: 'sk-from-env' },
      );
      expect(model.spec).toEqual({
        label: 'served',
        backend: 'openai',
        modelId: 'served',
        baseUrl: `${server.url}/v1`,
      });
      const result = await generateText(model.createBackend(), [{ role: 'user', content: 'hi' }], {
        temperature: 0.5,
        topP: 1,
        maxTokens: 5,
      });
      expect(result.text).toBe('echo hi');
      expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-from-env');
      expect(server.requests.at(-1)!.path).toBe('/v1/chat/completions?api_key=secret');
    });

    it('refuses a key variable that is not set', async () => {
      await expect(
        resolveAs({ kind: 'url', url: `${server.url}/v1`, model: 'm', keyEnv: 'UNSET_KEY' }, {}),
      ).rejects.toThrow(
        '--b-key-env UNSET_KEY: the environment variable UNSET_KEY is not set (or empty)',
      );
    });
  });
});

describe('--embedder DIR uses the same folder check', () => {
  const models = join(ROOT, 'public/models');

  it('keeps the short list for plainly missing files', async () => {
    const dir = join(temp, 'embedder-no-tokenizer');
    cpSync(join(models, 'bundled-embedder'), dir, { recursive: true });
    rmSync(join(dir, 'tokenizer.json'));
    await expect(chooseEmbedder(dir, models)).rejects.toThrow(
      `--embedder ${dir}: the folder is not in the transformers.js layout, it lacks tokenizer.json (needs config.json, tokenizer.json, onnx/model.onnx)`,
    );
  });

  it("gives the check's own advice for a PyTorch checkpoint or another precision", async () => {
    const pytorch = join(temp, 'embedder-pytorch');
    cpSync(join(models, 'bundled-embedder'), pytorch, { recursive: true });
    rmSync(join(pytorch, 'onnx'), { recursive: true });
    writeFileSync(join(pytorch, 'model.safetensors'), 'x');
    await expect(chooseEmbedder(pytorch, models)).rejects.toThrow(
      /the folder cannot be loaded: model\.safetensors is a PyTorch checkpoint, .*--task feature-extraction/,
    );
    const q8 = join(temp, 'embedder-q8');
    cpSync(join(models, 'bundled-embedder'), q8, { recursive: true });
    cpSync(join(q8, 'onnx/model.onnx'), join(q8, 'onnx/model_quantized.onnx'));
    rmSync(join(q8, 'onnx/model.onnx'));
    await expect(chooseEmbedder(q8, models)).rejects.toThrow(
      /onnx\/model\.onnx is missing, so the fp32 precision cannot load; this folder has q8 \(onnx\/model_quantized\.onnx, 4\.0 MB\)/,
    );
  });

  it('accepts a complete copy', async () => {
    const dir = join(temp, 'embedder-ok');
    cpSync(join(models, 'bundled-embedder'), dir, { recursive: true });
    await expect(chooseEmbedder(dir, models)).resolves.toMatchObject({
      kind: 'folder',
      modelId: dir,
    });
  });
});
