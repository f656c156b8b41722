/**
 * Serving picked model folders (state/local-folder-serving.ts): reading a directory input's real
 * File objects and a File System Access walk into the same entries, the folder check and
 * identity on the bundled tiny-finetune's real files, URL paths, and the page's answer to the
 * service worker over a real MessageChannel.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  answerFileRequests,
  folderUrlPath,
  inspectFolder,
  registrationFailure,
  serviceWorkerUnavailable,
  sourceFromDirectory,
  sourceFromFiles,
  type DirectoryHandleLike,
  type FileHandleLike,
} from '../../src/lib/state/local-folder-serving';

const FOLDER = 'public/models/tiny-finetune';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The folder as a directory input gives it: File objects whose relative path starts with the folder's name. */
function pickedFiles(dir = FOLDER, as = 'my-finetune', extra: Record<string, string> = {}): File[] {
  const files = walk(dir).map((path) => {
    const file = new File([readFileSync(path)], path.split('/').pop() ?? '', {
      lastModified: 1_700_000_000_000,
    });
    Object.defineProperty(file, 'webkitRelativePath', {
      value: `${as}/${relative(dir, path)}`,
    });
    return file;
  });
  for (const [path, text] of Object.entries(extra)) {
    const file = new File([text], path.split('/').pop() ?? '', { lastModified: 1 });
    Object.defineProperty(file, 'webkitRelativePath', { value: `${as}/${path}` });
    files.push(file);
  }
  return files;
}

/** A File System Access handle tree over the same folder (what Chromium's picker gives). */
function directoryHandle(dir: string, name: string): DirectoryHandleLike {
  return {
    kind: 'directory',
    name,
    async *values() {
      for (const child of readdirSync(dir).sort().reverse()) {
        const path = join(dir, child);
        if (statSync(path).isDirectory()) {
          yield directoryHandle(path, child);
        } else {
          const handle: FileHandleLike = {
            kind: 'file',
            name: child,
            getFile: async () =>
              new File([readFileSync(path)], child, { lastModified: 1_700_000_000_000 }),
          };
          yield handle;
        }
      }
    },
  };
}

describe('sourceFromFiles', () => {
  it('lists the files relative to the picked folder, sorted, litter left out, and opens each File', async () => {
    const source = sourceFromFiles(pickedFiles(FOLDER, 'my-finetune', { '.DS_Store': 'x' }));
    expect(source.name).toBe('my-finetune');
    expect(source.entries.map((e) => e.path)).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(source.entries.find((e) => e.path === 'onnx/model.onnx')?.size).toBe(1_875_070);
    const config = await source.open('config.json');
    expect(await config?.text()).toBe(readFileSync(join(FOLDER, 'config.json'), 'utf8'));
    expect(await source.open('.DS_Store')).toBeNull();
    expect(await source.open('missing.json')).toBeNull();
  });
});

describe('sourceFromDirectory', () => {
  it('gives the same entries as the directory input for the same folder, and fresh Files', async () => {
    const fromHandle = await sourceFromDirectory(directoryHandle(FOLDER, 'my-finetune'));
    const fromInput = sourceFromFiles(pickedFiles());
    expect(fromHandle.name).toBe('my-finetune');
    expect(fromHandle.entries).toEqual(fromInput.entries);
    const weights = await fromHandle.open('onnx/model.onnx');
    expect(weights?.size).toBe(1_875_070);
    expect(await fromHandle.open('onnx')).toBeNull();
  });
});

describe('inspectFolder', () => {
  it('checks the real tiny-finetune folder, identifies it and gives a URL token', async () => {
    const source = sourceFromFiles(pickedFiles());
    const { check, info, token } = await inspectFolder(source, {
      layout: 'transformers',
      purpose: 'chat',
    });
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.dtype).toBe('fp32');
    expect(info.name).toBe('my-finetune');
    expect(info.dtype).toBe('fp32');
    expect(info.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(info.files).toHaveLength(6);
    expect(token).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same identity from a handle walk and from a renamed copy, another for tiny-base', async () => {
    const options = { layout: 'transformers' as const, purpose: 'chat' as const };
    const a = await inspectFolder(sourceFromFiles(pickedFiles()), options);
    const b = await inspectFolder(
      await sourceFromDirectory(directoryHandle(FOLDER, 'renamed')),
      options,
    );
    const base = await inspectFolder(
      sourceFromFiles(pickedFiles('public/models/tiny-base', 'tiny-base')),
      options,
    );
    expect(b.info.hash).toBe(a.info.hash);
    expect(base.info.hash).not.toBe(a.info.hash);
  });

  it('reports a folder without config.json as not loadable', async () => {
    const files = pickedFiles().filter((f) => !f.webkitRelativePath.endsWith('/config.json'));
    const { check } = await inspectFolder(sourceFromFiles(files), {
      layout: 'transformers',
      purpose: 'chat',
    });
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => p.file)).toContain('config.json');
  });
});

describe('folderUrlPath', () => {
  it('puts the token under local-models/ below the site root', () => {
    expect(folderUrlPath('0123abcd0123abcd', '/app/')).toBe('/app/local-models/0123abcd0123abcd/');
    expect(folderUrlPath('t', '/')).toBe('/local-models/t/');
  });
});

describe('answerFileRequests', () => {
  async function ask(
    handler: ReturnType<typeof answerFileRequests>,
    data: unknown,
  ): Promise<{ file: File | null }> {
    const channel = new MessageChannel();
    const reply = new Promise<{ file: File | null }>((resolve) => {
      channel.port1.onmessage = (event: MessageEvent<{ file: File | null }>) => {
        resolve(event.data);
        channel.port1.close();
      };
    });
    handler({ data, ports: [channel.port2] });
    return reply;
  }

  it('hands the picked File over the port, and null for an unknown token or path or a failed read', async () => {
    const source = sourceFromFiles(pickedFiles());
    const handler = answerFileRequests(async (token, path) => {
      if (token === 'broken') throw new Error('unreadable');
      return token === 'tok' ? source.open(path) : null;
    });
    const found = await ask(handler, {
      type: 'local-models:file',
      token: 'tok',
      path: 'config.json',
    });
    expect(found.file?.size).toBe(statSync(join(FOLDER, 'config.json')).size);
    expect(await found.file?.text()).toBe(readFileSync(join(FOLDER, 'config.json'), 'utf8'));
    expect(
      (await ask(handler, { type: 'local-models:file', token: 'other', path: 'config.json' })).file,
    ).toBeNull();
    expect(
      (await ask(handler, { type: 'local-models:file', token: 'tok', path: 'nope.json' })).file,
    ).toBeNull();
    expect(
      (await ask(handler, { type: 'local-models:file', token: 'broken', path: 'config.json' }))
        .file,
    ).toBeNull();
  });

  it('ignores messages that are not file requests, or come without a port', () => {
    let asked = 0;
    const handler = answerFileRequests(async () => {
      asked += 1;
      return null;
    });
    const channel = new MessageChannel();
    handler({ data: { type: 'something-else' }, ports: [channel.port2] });
    handler({ data: { type: 'local-models:file', token: 1, path: 'x' }, ports: [channel.port2] });
    handler({ data: { type: 'local-models:file', token: 't', path: 'x' }, ports: [] });
    channel.port1.close();
    expect(asked).toBe(0);
  });
});

describe('service worker availability', () => {
  it('says in a sentence why Node has none, and what a refused registration means', () => {
    expect(serviceWorkerUnavailable()).toMatch(/only .* in a browser/);
    const message = registrationFailure(
      new DOMException('Failed to register a ServiceWorker: The user denied permission.'),
    );
    expect(message).toMatch(/site data is blocked/);
    expect(message).toMatch(/user denied permission/);
  });
});
