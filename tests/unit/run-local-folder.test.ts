/**
 * Schema v3: a model spec may say its model came from a folder on this computer. The run keeps
 * the folder's name, layout, size, identity hash and file list (never the files); a run file
 * carries it through export and import unchanged, and a malformed one is refused at its path.
 */
import { describe, expect, it } from 'vitest';
import type { LocalFolderInfo } from '../../src/lib/core/local-model/types';
import { InputError } from '../../src/lib/core/run/errors';
import { parseRunFile, readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { validateRun } from '../../src/lib/core/run/schema';
import { RUN_SCHEMA_VERSION, type Run } from '../../src/lib/core/run/types';
import { sampleRun } from './run-test-helpers';

const HASH = 'a3f1'.repeat(16);

/** A copy of the bundled tiny-finetune as a user's folder (sizes of public/models/tiny-finetune). */
function folderInfo(): LocalFolderInfo {
  const files = [
    { path: 'config.json', size: 731 },
    { path: 'generation_config.json', size: 95 },
    { path: 'onnx/model.onnx', size: 1_875_070 },
    { path: 'special_tokens_map.json', size: 128 },
    { path: 'tokenizer.json', size: 18_559 },
    { path: 'tokenizer_config.json', size: 1_101 },
  ];
  return {
    name: 'my-finetune',
    layout: 'transformers',
    // 731 + 95 + 1875070 + 128 + 18559 + 1101
    totalBytes: 1_895_684,
    hash: HASH,
    files,
    dtype: 'fp32',
  };
}

function runWithFolder(info: unknown = folderInfo()): Run {
  const run = sampleRun();
  run.models.B = {
    label: 'my-finetune',
    backend: 'transformers',
    modelId: 'my-finetune',
    params: run.models.B.params,
    localFolder: info as LocalFolderInfo,
  };
  return run;
}

function errorOf(run: Run): InputError {
  const json = JSON.parse(serializeRunFile(run, { now: '2026-12-01T00:00:00.000Z' })) as {
    run: unknown;
  };
  try {
    validateRun(json.run, 'run.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected validation to fail');
}

describe('a model from a folder in a run file', () => {
  it('travels through export and import exactly, and the file holds no file contents', () => {
    const run = runWithFolder();
    const text = serializeRunFile(run, { now: '2026-12-01T00:00:00.000Z' });
    const read = readRunFile(text, 'folder.json');
    expect(read.fileVersion).toBe(RUN_SCHEMA_VERSION);
    expect(read.run.models.B.localFolder).toEqual(folderInfo());
    expect(read.run).toEqual(run);
    // Byte for byte on a second round: the schema keeps the fields in the types' order.
    expect(serializeRunFile(read.run, { now: '2026-12-01T00:00:00.000Z' })).toBe(text);
    expect(Object.keys(JSON.parse(text).run.models.B.localFolder)).toEqual([
      'name',
      'layout',
      'totalBytes',
      'hash',
      'files',
      'dtype',
    ]);
  });

  it('accepts a WebLLM folder with its model library and no dtype', () => {
    const info: LocalFolderInfo = {
      name: 'Qwen-mlc',
      layout: 'webllm',
      totalBytes: 30,
      hash: HASH,
      files: [
        { path: 'mlc-chat-config.json', size: 10 },
        { path: 'ndarray-cache.json', size: 8 },
        { path: 'lib/model.wasm', size: 12 },
      ],
      modelLib: 'lib/model.wasm',
    };
    const run = runWithFolder(info);
    run.models.B.backend = 'webllm';
    expect(parseRunFile(serializeRunFile(run), 'w.json').models.B.localFolder).toEqual(info);
  });

  it.each([
    [
      'an empty name',
      (f: Record<string, unknown>) => (f.name = ' '),
      'name',
      'a non-empty folder name',
    ],
    [
      'an unknown layout',
      (f: Record<string, unknown>) => (f.layout = 'gguf'),
      'layout',
      '"webllm"',
    ],
    [
      'a hash that is not SHA-256 hex',
      (f: Record<string, unknown>) => (f.hash = 'abc'),
      'hash',
      'SHA-256',
    ],
    ['an unknown dtype', (f: Record<string, unknown>) => (f.dtype = 'q3'), 'dtype', '"fp32"'],
    [
      'a negative file size',
      (f: Record<string, unknown>) => ((f.files as { size: number }[])[1]!.size = -95),
      'files[1].size',
      'a number ≥ 0',
    ],
    [
      'a total that is not the sum of the file sizes',
      (f: Record<string, unknown>) => (f.totalBytes = 5),
      'totalBytes',
      'the sum of the sizes in its file list',
    ],
    [
      'files that are not a list',
      (f: Record<string, unknown>) => (f.files = 'all'),
      'files',
      'expected an array',
    ],
  ])('refuses %s at its path', (_name, change, field, expected) => {
    const info = folderInfo() as unknown as Record<string, unknown>;
    change(info);
    const error = errorOf(runWithFolder(info));
    expect(error.location).toBe(`models.B.localFolder.${field}`);
    expect(error.message).toContain(expected);
  });
});
