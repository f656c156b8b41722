/**
 * A folder's identity (what a run stores instead of the files), its URL token and the relative
 * file list of a directory pick, on real copies of the bundled tiny-finetune.
 */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  folderIdentity,
  folderToken,
  relativeEntries,
  type FolderEntry,
  type LocalModelLayout,
} from '../../src/lib/core/local-model';
import { listFolder } from '../../scripts/model-flags';

const TINY_FINETUNE = join(import.meta.dirname, '../../public/models/tiny-finetune');
const temp = mkdtempSync(join(tmpdir(), 'local-model-identity-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let count = 0;
function copy(mutate: (dir: string) => void = () => {}, name = `copy-${count++}`): string {
  const dir = join(temp, name);
  cpSync(TINY_FINETUNE, dir, { recursive: true });
  mutate(dir);
  return dir;
}

async function identify(dir: string, layout: LocalModelLayout = 'transformers') {
  const entries = await listFolder(dir);
  const info = await folderIdentity(
    dir.split('/').pop()!,
    entries,
    async (path) => new Uint8Array(await readFile(join(dir, path))),
    { layout },
  );
  return { entries, info };
}

describe('folderIdentity', () => {
  it('records name, layout, sizes and the sorted file list, never file contents', async () => {
    const dir = copy(() => {}, 'my-finetune');
    const { info } = await identify(dir);
    expect(info).toEqual({
      name: 'my-finetune',
      layout: 'transformers',
      totalBytes: 1_875_070 + 731 + 95 + 128 + 18_559 + 1101,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      files: [
        { path: 'config.json', size: 731 },
        { path: 'generation_config.json', size: 95 },
        { path: 'onnx/model.onnx', size: 1_875_070 },
        { path: 'special_tokens_map.json', size: 128 },
        { path: 'tokenizer.json', size: 18_559 },
        { path: 'tokenizer_config.json', size: 1101 },
      ],
    });
  });

  it('is SHA-256 over the config and tokenizer files and the file list, as documented', async () => {
    // An independent implementation of the format (node:crypto, not WebCrypto): a stored hash
    // must not change meaning between versions of the app.
    const dir = copy();
    const { info } = await identify(dir);
    const sha = createHash('sha256').update('local model folder v1 transformers\n');
    for (const file of [
      'config.json',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]) {
      const bytes = readFileSync(join(dir, file));
      sha.update(`file ${file} ${bytes.length}\n`).update(bytes).update('\n');
    }
    sha.update(`files\n${info.files.map((f) => `${f.path}\t${f.size}\n`).join('')}`);
    expect(info.hash).toBe(sha.digest('hex'));
  });

  it('is the same for the same folder copied elsewhere under another name, with litter', async () => {
    const a = await identify(copy());
    const b = await identify(
      copy((d) => {
        mkdirSync(join(d, '.git'));
        writeFileSync(join(d, '.git/HEAD'), 'ref: refs/heads/main');
        writeFileSync(join(d, '.DS_Store'), 'x');
        utimesSync(join(d, 'config.json'), new Date(2020, 1, 1), new Date(2020, 1, 1));
      }, 'somewhere-else'),
    );
    expect(b.info.hash).toBe(a.info.hash);
    expect(b.info.files).toEqual(a.info.files);
  });

  it('changes when a weight file changes size or the tokenizer changes', async () => {
    const { info: original } = await identify(copy());
    const { info: longer } = await identify(
      copy((d) => appendFileSync(join(d, 'onnx/model.onnx'), Buffer.from([0]))),
    );
    const { info: tokenizer } = await identify(
      copy((d) => {
        const path = join(d, 'tokenizer.json');
        // Same size, one byte different: the bytes are hashed, not only the size.
        const text = readFileSync(path, 'utf8');
        writeFileSync(path, text.replace('"<|endoftext|>"', '"<|endoftexT|>"'));
      }),
    );
    const { info: extraFile } = await identify(
      copy((d) => writeFileSync(join(d, 'README.md'), '# notes')),
    );
    expect(new Set([original.hash, longer.hash, tokenizer.hash, extraFile.hash]).size).toBe(4);
  });

  it('covers the weights by size only, so same-size weights hash the same (a documented limit)', async () => {
    const { info: original } = await identify(copy());
    const { info: flipped } = await identify(
      copy((d) => {
        const path = join(d, 'onnx/model.onnx');
        const bytes = readFileSync(path);
        const last = bytes.length - 1;
        bytes.writeUInt8(bytes.readUInt8(last) ^ 0xff, last);
        writeFileSync(path, bytes);
      }),
    );
    expect(flipped.hash).toBe(original.hash);
  });

  it('hashes a WebLLM folder over its configs and the tokenizer files it lists', async () => {
    const dir = join(temp, `mlc-${count++}`);
    mkdirSync(dir);
    const write = (path: string, text: string) => writeFileSync(join(dir, path), text);
    write('mlc-chat-config.json', JSON.stringify({ tokenizer_files: ['custom-tokenizer.bin'] }));
    write('ndarray-cache.json', JSON.stringify({ records: [] }));
    write('custom-tokenizer.bin', 'AAAA');
    write('lib.wasm', 'wasm');
    const first = (await identify(dir, 'webllm')).info;
    write('custom-tokenizer.bin', 'AAAB');
    const second = (await identify(dir, 'webllm')).info;
    write('lib.wasm', 'WASM');
    const third = (await identify(dir, 'webllm')).info;
    expect(first.layout).toBe('webllm');
    expect(second.hash).not.toBe(first.hash);
    // The library is covered by its size, like every weight file.
    expect(third.hash).toBe(second.hash);
  });

  it('keeps the run choices it is given', async () => {
    const entries: FolderEntry[] = [{ path: 'config.json', size: 2 }];
    const info = await folderIdentity('m', entries, async () => new Uint8Array([123, 125]), {
      layout: 'webllm',
      modelLib: 'm.wasm',
    });
    expect(info.modelLib).toBe('m.wasm');
    const tjs = await folderIdentity('m', entries, async () => new Uint8Array([123, 125]), {
      layout: 'transformers',
      dtype: 'q4',
    });
    expect(tjs.dtype).toBe('q4');
  });
});

describe('folderToken', () => {
  it('is 16 hex digits, the same for the same files, whatever their order', async () => {
    const { entries, info } = await identify(copy());
    const token = folderToken(info, entries);
    expect(token).toMatch(/^[0-9a-f]{16}$/);
    expect(folderToken(info, [...entries].reverse())).toBe(token);
  });

  it('changes when any file is rewritten (a new lastModified), though the hash does not', async () => {
    const { entries, info } = await identify(copy());
    const touched = entries.map((e) =>
      e.path === 'onnx/model.onnx' ? { ...e, lastModified: (e.lastModified ?? 0) + 1 } : e,
    );
    expect(folderToken(info, touched)).not.toBe(folderToken(info, entries));
    const otherHash = { ...info, hash: info.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    expect(folderToken(otherHash, entries)).not.toBe(folderToken(info, entries));
  });
});

describe('relativeEntries', () => {
  it("strips the picked folder's name from webkitRelativePath and leaves out litter", () => {
    const files = [
      { webkitRelativePath: 'my-finetune/onnx/model.onnx', size: 10, lastModified: 5 },
      { webkitRelativePath: 'my-finetune/config.json', size: 2, lastModified: 6 },
      { webkitRelativePath: 'my-finetune/.DS_Store', size: 1, lastModified: 7 },
      { webkitRelativePath: 'my-finetune/.git/config', size: 1, lastModified: 7 },
      { webkitRelativePath: 'my-finetune/.cache/huggingface/download/x.lock', size: 1 },
      { webkitRelativePath: 'my-finetune/__MACOSX/config.json', size: 1 },
      { webkitRelativePath: 'my-finetune/Thumbs.db', size: 1 },
    ];
    const { name, entries, files: byPath } = relativeEntries(files);
    expect(name).toBe('my-finetune');
    expect(entries).toEqual([
      { path: 'config.json', size: 2, lastModified: 6 },
      { path: 'onnx/model.onnx', size: 10, lastModified: 5 },
    ]);
    expect(byPath.get('onnx/model.onnx')).toBe(files[0]);
    expect(byPath.size).toBe(2);
  });

  it('takes plain relative paths as they are, named by the folder name given', () => {
    const { name, entries } = relativeEntries(
      [
        { path: './tokenizer.json', size: 3 },
        { path: 'onnx\\model_q4.onnx', size: 4 },
        { name: 'config.json', size: 5 },
      ],
      'picked',
    );
    expect(name).toBe('picked');
    expect(entries.map((e) => e.path)).toEqual([
      'config.json',
      'onnx/model_q4.onnx',
      'tokenizer.json',
    ]);
  });

  it('gives the same identity as the folder read from disk', async () => {
    const dir = copy(() => {}, 'picked-finetune');
    const onDisk = await identify(dir);
    const picked = relativeEntries(
      onDisk.entries.map((e) => ({
        webkitRelativePath: `picked-finetune/${e.path}`,
        size: e.size,
        lastModified: e.lastModified,
      })),
    );
    const info = await folderIdentity(
      picked.name,
      picked.entries,
      async (path) => new Uint8Array(await readFile(join(dir, path))),
      { layout: 'transformers' },
    );
    expect(info).toEqual(onDisk.info);
    expect(folderToken(info, picked.entries)).toBe(folderToken(onDisk.info, onDisk.entries));
  });
});
