/**
 * The folder check on real folders: copies of the bundled tiny-base (transformers.js layout)
 * with files deleted, moved or altered, and a small fake WebLLM folder (JSON + shard files
 * written here). Each missing or wrong file must give its own problem naming it.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { checkModelFolder, type FolderCheckOptions } from '../../src/lib/core/local-model';
import { listFolder } from '../../scripts/model-flags';

const TINY_BASE = join(import.meta.dirname, '../../public/models/tiny-base');
const ONNX_SIZE = 1_875_070;
const temp = mkdtempSync(join(tmpdir(), 'local-model-check-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let count = 0;
/** A fresh copy of tiny-base, changed by `mutate`. */
function copyOfTinyBase(mutate: (dir: string) => void = () => {}): string {
  const dir = join(temp, `tiny-${count++}`);
  cpSync(TINY_BASE, dir, { recursive: true });
  mutate(dir);
  return dir;
}

const CHAT: FolderCheckOptions = { layout: 'transformers', purpose: 'chat' };

async function check(dir: string, options: FolderCheckOptions = CHAT) {
  const entries = await listFolder(dir);
  return checkModelFolder(entries, options, (path) => readFile(join(dir, path), 'utf8'));
}

const editJson = (path: string, edit: (value: Record<string, unknown>) => void) => {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(path, JSON.stringify(value));
};

describe('transformers.js layout', () => {
  it('passes the bundled tiny-base as it is, listing its one fp32 variant', async () => {
    const result = await check(copyOfTinyBase());
    expect(result).toEqual({
      ok: true,
      problems: [],
      notes: [],
      onnxVariants: [{ dtype: 'fp32', file: 'onnx/model.onnx', size: ONNX_SIZE }],
      dtype: 'fp32',
      chatTemplate: true,
    });
  });

  it.each([
    ['config.json', /config\.json is missing: it is the model's configuration/],
    ['tokenizer.json', /tokenizer\.json is missing: .*save_pretrained/],
    ['tokenizer_config.json', /tokenizer_config\.json is missing: .*save_pretrained/],
    ['onnx/model.onnx', /^no ONNX weights: transformers\.js needs onnx\/model\.onnx/],
  ])('says %s is missing, and nothing else', async (file, message) => {
    const result = await check(copyOfTinyBase((dir) => rmSync(join(dir, file))));
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.file).toBe(file);
    expect(result.problems[0]!.message).toMatch(message);
  });

  it('gives each missing file its own problem when several are missing', async () => {
    const dir = copyOfTinyBase((d) => {
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'])
        rmSync(join(d, f));
    });
    const result = await check(dir);
    expect(result.problems.map((p) => p.file)).toEqual([
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model.onnx',
    ]);
    for (const p of result.problems) expect(p.message).toContain(p.file);
  });

  it("names a malformed JSON file and the parser's message", async () => {
    const broken = '{"model_type": "gpt2",}';
    let parserMessage = '';
    try {
      JSON.parse(broken);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    const dir = copyOfTinyBase((d) => writeFileSync(join(d, 'config.json'), broken));
    const result = await check(dir);
    expect(result.problems).toEqual([
      {
        file: 'config.json',
        message: `config.json is not valid JSON (${parserMessage}): fix it or copy it again from the exported model`,
      },
    ]);
  });

  it('says when config.json has no model_type', async () => {
    const dir = copyOfTinyBase((d) => editJson(join(d, 'config.json'), (c) => delete c.model_type));
    const result = await check(dir);
    expect(result.problems.map((p) => p.file)).toEqual(['config.json']);
    expect(result.problems[0]!.message).toMatch(/no "model_type"/);
  });

  it('notes a chat model without a chat template (plain prompts), without failing', async () => {
    const dir = copyOfTinyBase((d) =>
      editJson(join(d, 'tokenizer_config.json'), (c) => delete c.chat_template),
    );
    const result = await check(dir);
    expect(result.ok).toBe(true);
    expect(result.chatTemplate).toBe(false);
    expect(result.notes).toEqual([
      'no chat template: prompts are sent as plain text, turns separated by blank lines',
    ]);
    writeFileSync(join(dir, 'chat_template.jinja'), '{{ messages }}');
    const withJinja = await check(dir);
    expect(withJinja.notes[0]).toMatch(/chat_template\.jinja is there, .* copy it there/);
  });

  it('does not ask an embedder for a chat template', async () => {
    const dir = copyOfTinyBase((d) =>
      editJson(join(d, 'tokenizer_config.json'), (c) => delete c.chat_template),
    );
    const result = await check(dir, { layout: 'transformers', purpose: 'embedder' });
    expect(result).toMatchObject({ ok: true, notes: [], chatTemplate: null });
  });

  it('says which variants exist when the chosen precision is absent', async () => {
    const result = await check(copyOfTinyBase(), { ...CHAT, dtype: 'q4' });
    expect(result.ok).toBe(false);
    expect(result.dtype).toBeUndefined();
    expect(result.problems).toEqual([
      {
        file: 'onnx/model_q4.onnx',
        message:
          'onnx/model_q4.onnx is missing, so the q4 precision cannot load; this folder has fp32 (onnx/model.onnx, 1.9 MB): choose one of those, or export q4 weights into onnx/',
      },
    ]);
  });

  it('lists every variant fp32 first with its external data counted, and takes the config dtype', async () => {
    const dir = copyOfTinyBase((d) => {
      cpSync(join(d, 'onnx/model.onnx'), join(d, 'onnx/model_q4.onnx'));
      writeFileSync(join(d, 'onnx/model_fp16.onnx'), Buffer.alloc(1000));
      writeFileSync(join(d, 'onnx/model_fp16.onnx_data'), Buffer.alloc(5000));
      writeFileSync(join(d, 'onnx/model_quantized.onnx'), Buffer.alloc(700));
      editJson(join(d, 'config.json'), (c) => {
        c['transformers.js_config'] = { dtype: 'q4' };
      });
    });
    const result = await check(dir);
    expect(result.onnxVariants).toEqual([
      { dtype: 'fp32', file: 'onnx/model.onnx', size: ONNX_SIZE },
      { dtype: 'fp16', file: 'onnx/model_fp16.onnx', size: 6000 },
      { dtype: 'q8', file: 'onnx/model_quantized.onnx', size: 700 },
      { dtype: 'q4', file: 'onnx/model_q4.onnx', size: ONNX_SIZE },
    ]);
    expect(result).toMatchObject({ ok: true, dtype: 'q4' });
    // The caller's choice wins over the config's.
    expect((await check(dir, { ...CHAT, dtype: 'q8' })).dtype).toBe('q8');
  });

  it('asks for use_external_data_format when the chosen weights have a .onnx_data file', async () => {
    const dir = copyOfTinyBase((d) => writeFileSync(join(d, 'onnx/model.onnx_data'), 'x'));
    const result = await check(dir);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.file).toBe('config.json');
    expect(result.problems[0]!.message).toMatch(
      /onnx\/model\.onnx_data holds the weights of onnx\/model\.onnx, .*add "use_external_data_format": true/,
    );
  });

  it('names each external data chunk config.json promises but the folder lacks', async () => {
    const dir = copyOfTinyBase((d) => {
      writeFileSync(join(d, 'onnx/model.onnx_data'), 'x');
      editJson(join(d, 'config.json'), (c) => {
        c['transformers.js_config'] = { use_external_data_format: { 'model.onnx': 3 } };
      });
    });
    const result = await check(dir);
    expect(result.problems.map((p) => p.file)).toEqual([
      'onnx/model.onnx_data_1',
      'onnx/model.onnx_data_2',
    ]);
    expect(result.problems[0]!.message).toMatch(/has 3 external data files/);
  });

  it('recognises an older optimum export (decoder_model_merged.onnx) and says to rename it', async () => {
    const dir = copyOfTinyBase((d) =>
      renameSync(join(d, 'onnx/model.onnx'), join(d, 'onnx/decoder_model_merged.onnx')),
    );
    const result = await check(dir);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.file).toBe('onnx/model.onnx');
    expect(result.problems[0]!.message).toMatch(
      /^onnx\/decoder_model_merged\.onnx: that is an older optimum export's name.*Rename decoder_model_merged\.onnx to model\.onnx.*optimum-cli export onnx/,
    );
  });

  it('says to move .onnx files found at the top of the folder into onnx/', async () => {
    const dir = copyOfTinyBase((d) => {
      renameSync(join(d, 'onnx/model.onnx'), join(d, 'model.onnx'));
      rmSync(join(d, 'onnx'), { recursive: true });
    });
    const result = await check(dir);
    expect(result.problems).toEqual([
      {
        file: 'onnx/model.onnx',
        message:
          'model.onnx is at the top of the folder, but transformers.js reads ONNX weights from its onnx/ sub-folder: make an onnx/ folder and move it (and any .onnx_data files) into it',
      },
    ]);
  });

  it('recognises a PyTorch checkpoint and gives the export command', async () => {
    const dir = copyOfTinyBase((d) => {
      rmSync(join(d, 'onnx'), { recursive: true });
      writeFileSync(join(d, 'model.safetensors'), Buffer.alloc(64));
    });
    const chat = await check(dir);
    expect(chat.problems).toHaveLength(1);
    expect(chat.problems[0]!.message).toMatch(
      /^model\.safetensors is a PyTorch checkpoint, .*optimum-cli export onnx --model <finetune folder> --task text-generation-with-past <new folder>/,
    );
    const embedder = await check(dir, { layout: 'transformers', purpose: 'embedder' });
    expect(embedder.problems[0]!.message).toMatch(/--task feature-extraction/);
  });

  it('says which folder inside to pick when the folder was picked one level too high', async () => {
    const parent = join(temp, `parent-${count++}`);
    mkdirSync(parent);
    cpSync(TINY_BASE, join(parent, 'my-finetune'), { recursive: true });
    writeFileSync(join(parent, 'notes.txt'), 'training notes');
    const result = await check(parent);
    expect(result.problems).toEqual([
      {
        file: 'config.json',
        message:
          'config.json is not at the top of the folder picked but in its sub-folder "my-finetune": pick the folder "my-finetune" inside instead',
      },
    ]);
    cpSync(TINY_BASE, join(parent, 'other'), { recursive: true });
    const two = await check(parent);
    expect(two.problems[0]!.message).toMatch(/sub-folders "my-finetune", "other" each hold one/);
  });

  it('recognises a Git LFS pointer in place of the weights', async () => {
    const pointer =
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1875070\n';
    const dir = copyOfTinyBase((d) => writeFileSync(join(d, 'onnx/model.onnx'), pointer));
    const result = await check(dir);
    expect(result.problems).toEqual([
      {
        file: 'onnx/model.onnx',
        message: `onnx/model.onnx is a Git LFS pointer (${pointer.length} bytes), not the file itself: run "git lfs pull" in the folder (or download the file) and pick it again`,
      },
    ]);
  });

  it('says an empty weight file is empty', async () => {
    const dir = copyOfTinyBase((d) => truncateSync(join(d, 'onnx/model.onnx'), 0));
    const result = await check(dir);
    expect(result.problems.map((p) => p.message)).toEqual([
      'onnx/model.onnx is empty: copy it again from the export',
    ]);
  });

  it('says a transformers.js folder is not a WebLLM one, and an empty folder is empty', async () => {
    const result = await check(copyOfTinyBase(), { layout: 'webllm', purpose: 'chat' });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.message).toMatch(/choose transformers\.js for it/);
    const empty = join(temp, `empty-${count++}`);
    mkdirSync(join(empty, '.git'), { recursive: true });
    writeFileSync(join(empty, '.git/HEAD'), 'ref');
    writeFileSync(join(empty, '.DS_Store'), 'x');
    expect((await check(empty)).problems[0]!.message).toMatch(/^the folder is empty/);
  });

  it('reports a file that cannot be read instead of throwing', async () => {
    const dir = copyOfTinyBase();
    const entries = await listFolder(dir);
    const result = await checkModelFolder(entries, CHAT, async (path) => {
      if (path === 'tokenizer_config.json') throw new Error('NotReadableError: permission lost');
      return readFile(join(dir, path), 'utf8');
    });
    expect(result.problems).toEqual([
      {
        file: 'tokenizer_config.json',
        message:
          'tokenizer_config.json could not be read (NotReadableError: permission lost): check that the file is readable and pick the folder again',
      },
    ]);
  });
});

describe('WebLLM layout', () => {
  const SHARDS = { 'params_shard_0.bin': 300, 'params_shard_1.bin': 120 };

  /** A small folder shaped like mlc_llm's output: configs, tokenizer, two shards, one library. */
  function fakeMlcFolder(mutate: (dir: string) => void = () => {}): string {
    const dir = join(temp, `mlc-${count++}`);
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'mlc-chat-config.json'),
      JSON.stringify({
        model_type: 'llama',
        conv_template: { name: 'chatml', roles: { user: '<|im_start|>user' } },
        tokenizer_files: ['tokenizer.json', 'tokenizer_config.json'],
      }),
    );
    writeFileSync(
      join(dir, 'ndarray-cache.json'),
      JSON.stringify({
        metadata: { ParamSize: 3 },
        records: Object.entries(SHARDS).map(([dataPath, nbytes]) => ({
          dataPath,
          format: 'raw-shard',
          nbytes,
          records: [],
        })),
      }),
    );
    for (const [path, size] of Object.entries(SHARDS))
      writeFileSync(join(dir, path), Buffer.alloc(size));
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": {}}');
    writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
    writeFileSync(join(dir, 'tiny-q4f16_1-webgpu.wasm'), Buffer.from([0, 97, 115, 109]));
    mutate(dir);
    return dir;
  }

  const MLC: FolderCheckOptions = { layout: 'webllm', purpose: 'chat' };

  it('passes a complete folder and names its model library', async () => {
    const result = await check(fakeMlcFolder(), MLC);
    expect(result).toEqual({
      ok: true,
      problems: [],
      notes: [],
      onnxVariants: [],
      chatTemplate: true,
      modelLib: 'tiny-q4f16_1-webgpu.wasm',
    });
  });

  it('gives each missing shard its own problem', async () => {
    const dir = fakeMlcFolder((d) => {
      rmSync(join(d, 'params_shard_0.bin'));
      rmSync(join(d, 'params_shard_1.bin'));
    });
    const result = await check(dir, MLC);
    expect(result.problems).toEqual([
      {
        file: 'params_shard_0.bin',
        message:
          'params_shard_0.bin is missing (300 bytes): ndarray-cache.json lists it as a weight shard; copy it from the folder mlc_llm convert_weight wrote',
      },
      {
        file: 'params_shard_1.bin',
        message:
          'params_shard_1.bin is missing (120 bytes): ndarray-cache.json lists it as a weight shard; copy it from the folder mlc_llm convert_weight wrote',
      },
    ]);
  });

  it('says a shard whose size differs from ndarray-cache.json is incomplete', async () => {
    const dir = fakeMlcFolder((d) => truncateSync(join(d, 'params_shard_1.bin'), 100));
    const result = await check(dir, MLC);
    expect(result.problems).toEqual([
      {
        file: 'params_shard_1.bin',
        message:
          'params_shard_1.bin is 100 bytes but ndarray-cache.json says 120: the copy is incomplete or from another conversion; copy it again',
      },
    ]);
  });

  it('names a tokenizer file that tokenizer_files lists but the folder lacks', async () => {
    const result = await check(
      fakeMlcFolder((d) => rmSync(join(d, 'tokenizer_config.json'))),
      MLC,
    );
    expect(result.problems.map((p) => p.file)).toEqual(['tokenizer_config.json']);
    expect(result.problems[0]!.message).toMatch(/tokenizer_files lists it/);
  });

  it('says how to compile a model library when there is none, and lists several', async () => {
    const none = await check(
      fakeMlcFolder((d) => rmSync(join(d, 'tiny-q4f16_1-webgpu.wasm'))),
      MLC,
    );
    expect(none.problems).toHaveLength(1);
    expect(none.problems[0]).toMatchObject({ file: '*.wasm' });
    expect(none.problems[0]!.message).toMatch(/mlc_llm compile .*--device webgpu/);
    const several = await check(
      fakeMlcFolder((d) => writeFileSync(join(d, 'libs-old.wasm'), 'x')),
      MLC,
    );
    expect(several.problems[0]!.message).toMatch(
      /several model libraries \(libs-old\.wasm, tiny-q4f16_1-webgpu\.wasm\)/,
    );
    expect(several.modelLib).toBeUndefined();
  });

  it('needs a conversation template, and a tokenizer WebLLM can read', async () => {
    const dir = fakeMlcFolder((d) =>
      editJson(join(d, 'mlc-chat-config.json'), (c) => {
        delete c.conv_template;
        c.tokenizer_files = ['vocab.json'];
      }),
    );
    writeFileSync(join(dir, 'vocab.json'), '{}');
    const result = await check(dir, MLC);
    expect(result.chatTemplate).toBe(false);
    expect(result.problems.map((p) => p.file)).toEqual(['mlc-chat-config.json', 'tokenizer.json']);
    expect(result.problems[1]!.message).toMatch(/names neither/);
  });

  it('names malformed or missing cache files, and refuses WebLLM as the embedder', async () => {
    const broken = fakeMlcFolder((d) =>
      writeFileSync(join(d, 'ndarray-cache.json'), '{"records": ['),
    );
    expect((await check(broken, MLC)).problems[0]!.message).toMatch(
      /^ndarray-cache\.json is not valid JSON \(/,
    );
    const missing = fakeMlcFolder((d) => rmSync(join(d, 'ndarray-cache.json')));
    expect((await check(missing, MLC)).problems.map((p) => p.file)).toEqual(['ndarray-cache.json']);
    const embedder = await check(fakeMlcFolder(), { layout: 'webllm', purpose: 'embedder' });
    expect(embedder.problems[0]!.message).toMatch(/^the embedder runs with transformers\.js/);
    const asTransformers = await check(fakeMlcFolder(), CHAT);
    expect(asTransformers.problems[0]!.message).toMatch(/this is a WebLLM \(MLC\) folder/);
  });

  it('finds the shard folder one level down when picked too high', async () => {
    const parent = join(temp, `mlc-parent-${count++}`);
    mkdirSync(parent);
    renameSync(fakeMlcFolder(), join(parent, 'Tiny-q4f16_1-MLC'));
    const result = await check(parent, MLC);
    expect(result.problems[0]!.message).toBe(
      'mlc-chat-config.json is not at the top of the folder picked but in its sub-folder "Tiny-q4f16_1-MLC": pick the folder "Tiny-q4f16_1-MLC" inside instead',
    );
  });
});
