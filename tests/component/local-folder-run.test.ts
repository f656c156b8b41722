/**
 * A model from a folder on this computer, from the form to a reopened run, with the real
 * LocalFolders registry over the bundled tiny models' files (picked as File objects) and a real
 * RunRepository on an in-memory IndexedDB: the form says what is missing, the run records the
 * folder's identity and never its files, and a run whose folder is not picked in this tab says
 * which folder to pick, names a different folder, and lets Resume go on once the right one is
 * picked. The service worker is a stand-in that takes control at once (none in jsdom).
 */
import { File as NodeFile } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import GenerationPanel from '../../src/components/run/GenerationPanel.svelte';
import { LocalFolderNeededError } from '../../src/lib/core/local-model/errors';
import type { Run } from '../../src/lib/core/run/types';
import { openDb, type Db } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import type { AppState } from '../../src/lib/state/app.svelte';
import {
  GenerationState,
  missingCount,
  neededFolderMessage,
  neededFolders,
} from '../../src/lib/state/generation.svelte';
import { LocalFolders } from '../../src/lib/state/local-folders.svelte';
import { NewComparisonState } from '../../src/lib/state/new-comparison.svelte';
import { SessionSecrets } from '../../src/lib/state/session-secrets.svelte';

// jsdom's File has no text()/arrayBuffer(); Node's is the same Blob API the browser's is.
const File = NodeFile as unknown as typeof globalThis.File;
const CHAT = { layout: 'transformers', purpose: 'chat' } as const;
const FINETUNE = 'public/models/tiny-finetune';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The files of `dir` as a directory input gives them, under folder name `as`, less `skip`. */
function picked(dir: string, as: string, skip: string[] = []): File[] {
  return walk(dir)
    .filter((path) => !skip.includes(relative(dir, path)))
    .map((path) => {
      const file = new File([readFileSync(path)], path.split('/').pop() ?? '', {
        lastModified: 1_700_000_000_000,
      });
      Object.defineProperty(file, 'webkitRelativePath', {
        value: `${as}/${relative(dir, path)}`,
      });
      return file;
    });
}

const registry = () =>
  new LocalFolders({ ensureControlled: async (onControlled) => onControlled() });

async function appWith(localFolders: LocalFolders, name: string) {
  const db = await openDb({ factory: new IDBFactory(), name });
  const repo = new RunRepository(db);
  const app = { repo: async () => repo, sessionSecrets: new SessionSecrets(), localFolders };
  return { app: app as unknown as AppState, repo, db };
}

async function storedText(db: Db): Promise<string> {
  const stores = Array.from(db.objectStoreNames);
  return JSON.stringify(await Promise.all(stores.map((store) => db.getAll(store))));
}

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

/** A run whose model B came from the tiny-finetune folder, saved by the form. */
async function formRun(): Promise<{ run: Run; db: Db; repo: RunRepository }> {
  const folders = registry();
  const { app, repo, db } = await appWith(folders, `form-${Math.random()}`);
  const form = new NewComparisonState(app);
  form.promptSource = 'demo';
  form.samplesPerPrompt = 1;
  form.modelB.source = 'folder';
  expect(form.problem).toBe("Model B: pick the model's folder on this computer.");

  // A copy without config.json: the form names the check's first problem.
  form.setFolder(
    'B',
    await folders.fromFiles(picked(FINETUNE, 'my-finetune', ['config.json']), CHAT),
  );
  expect(form.problem).toMatch(
    /^Model B: the folder "my-finetune" cannot be loaded: .*config\.json/,
  );

  form.setFolder('B', await folders.fromFiles(picked(FINETUNE, 'my-finetune'), CHAT));
  expect(form.problem).toBeNull();
  const id = await form.start();
  expect(id).not.toBeNull();
  return { run: await repo.open(id!), db, repo };
}

describe('a run with a model from a folder', () => {
  it('records the folder by name, size, hash and file list, never its files', async () => {
    const { run, db } = await formRun();
    const B = run.models.B;
    expect(B.label).toBe('my-finetune');
    expect(B.backend).toBe('transformers');
    expect(run.models.A.localFolder).toBeUndefined();
    const sizes = walk(FINETUNE).map((p) => ({
      path: relative(FINETUNE, p),
      size: statSync(p).size,
    }));
    sizes.sort((x, y) => (x.path < y.path ? -1 : 1));
    expect(B.localFolder).toEqual({
      name: 'my-finetune',
      layout: 'transformers',
      totalBytes: sizes.reduce((sum, f) => sum + f.size, 0),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      files: sizes,
      dtype: 'fp32',
    });
    expect(run.name).toBe('tiny-base vs my-finetune');
    // Nothing of the files' contents is stored: not the tokenizer, not the config.
    const stored = await storedText(db);
    const tokenizer = JSON.parse(readFileSync(join(FINETUNE, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    };
    expect(stored).toContain(B.localFolder!.hash);
    expect(stored).not.toContain(JSON.stringify(tokenizer.model.vocab).slice(0, 80));
    expect(stored).not.toContain('"architectures"');
  });

  it('in a tab where the folder is not picked, stops before loading and says which folder', async () => {
    const { run, repo } = await formRun();
    const folders = registry();
    const app = {
      repo: async () => repo,
      sessionSecrets: new SessionSecrets(),
      localFolders: folders,
    };
    const generation = new GenerationState(
      app as unknown as AppState,
      () => {},
      () => {},
    );
    const [needed, ...rest] = generation.neededFolders(run);
    expect(rest).toEqual([]);
    expect(needed!.sides).toEqual(['B']);
    const mb = (run.models.B.localFolder!.totalBytes / 1e6).toFixed(1);
    expect(neededFolderMessage(needed!)).toBe(
      `This run's model B comes from the folder "my-finetune" on this computer (6 files, ${mb} MB): its files are never stored, so pick it again to go on.`,
    );

    await generation.start(run);
    expect(generation.folderNeeded).toBeInstanceOf(LocalFolderNeededError);
    expect(generation.folderNeeded!.folder).toEqual(run.models.B.localFolder);
    expect(generation.folderNeeded!.role).toBe('B');
    // Not an answer's failure: no answer is stored, no generic error is shown.
    expect(generation.error).toBeNull();
    expect(generation.snapshot).toBeNull();
    expect((await repo.open(run.id)).answers).toEqual([]);

    await folders.fromFiles(picked(FINETUNE, 'renamed-copy'), CHAT);
    // The same files under another folder name are the same model.
    expect(generation.neededFolders(run)).toEqual([]);
  });

  it('one folder used by both sides (a system-prompt change) is asked for once', () => {
    const info = {
      name: 'f',
      layout: 'transformers' as const,
      totalBytes: 1,
      hash: 'c'.repeat(64),
      files: [{ path: 'config.json', size: 1 }],
    };
    const models = {
      A: {
        label: 'f',
        backend: 'transformers' as const,
        modelId: 'f',
        params: { temperature: 0, topP: 1, maxTokens: 8, seed: 1 },
        localFolder: info,
      },
      B: {
        label: 'f + system prompt',
        backend: 'transformers' as const,
        modelId: 'f',
        params: { temperature: 0, topP: 1, maxTokens: 8, seed: 1 },
        localFolder: info,
      },
    };
    expect(neededFolders({ models }, () => false)).toEqual([{ folder: info, sides: ['A', 'B'] }]);
    expect(neededFolderMessage({ folder: info, sides: ['A', 'B'] })).toMatch(
      /^This run's models A and B come from the folder "f"/,
    );
    expect(neededFolders({ models }, (hash) => hash === info.hash)).toEqual([]);
  });

  it('the run screen asks for the folder, names a different one, and enables Resume after the right pick', async () => {
    const { run, repo } = await formRun();
    const folders = registry();
    const app = {
      repo: async () => repo,
      sessionSecrets: new SessionSecrets(),
      localFolders: folders,
    };
    const generation = new GenerationState(
      app as unknown as AppState,
      () => {},
      () => {},
    );
    const target = document.createElement('div');
    document.body.append(target);
    component = mount(GenerationPanel, {
      target,
      props: { run, generation, missing: missingCount(run) },
    });
    flushSync();
    const resume = () => target.querySelector<HTMLButtonElement>('[data-testid="resume-run"]')!;
    expect(target.querySelector('[data-testid="folder-needed-message"]')?.textContent).toMatch(
      /^This run's model B comes from the folder "my-finetune" on this computer \(6 files/,
    );
    expect(resume().disabled).toBe(true);

    const input = target.querySelector<HTMLInputElement>('[data-testid="folder-input-run-B"]')!;
    const pick = async (files: File[]) => {
      Object.defineProperty(input, 'files', { value: files, configurable: true });
      input.dispatchEvent(new Event('change', { bubbles: true }));
      await settle();
    };
    await pick(picked('public/models/tiny-base', 'tiny-base'));
    expect(target.querySelector('[data-testid="folder-mismatch"]')?.textContent?.trim()).toMatch(
      /^The folder "tiny-base" is not the model this run used \("my-finetune", 6 files/,
    );
    expect(resume().disabled).toBe(true);

    await pick(picked(FINETUNE, 'my-finetune'));
    expect(target.querySelector('[data-testid="folder-needed"]')).toBeNull();
    expect(resume().disabled).toBe(false);
    expect(resume().textContent?.trim()).toBe('Start generating');
  });
});

describe('the form with a folder model', () => {
  it('says when a folder was checked for the other library or cannot be served here', async () => {
    const folders = registry();
    const { app } = await appWith(folders, `form-layout-${Math.random()}`);
    const form = new NewComparisonState(app);
    form.setFolder('B', await folders.fromFiles(picked(FINETUNE, 'my-finetune'), CHAT));
    expect(form.problem).toBeNull();
    form.modelB.backend = 'webllm';
    expect(form.problem).toBe(
      'Model B: the folder "my-finetune" was checked for transformers.js: pick it again for this library.',
    );
    form.modelB.backend = 'transformers';
    folders.unavailable = 'This browser blocks site data, so a folder cannot be served.';
    expect(form.problem).toBe(
      'Model B: This browser blocks site data, so a folder cannot be served.',
    );
    // An API model on the same side does not need a folder, whatever the source says.
    folders.unavailable = null;
    form.modelB.backend = 'openai';
    form.modelB.baseUrl = 'http://127.0.0.1:9/v1';
    form.modelB.modelId = 'served-model';
    expect(form.problem).toBeNull();
    expect(form.specs().B.localFolder).toBeUndefined();
  });

  it('a system-prompt change of a folder model records the folder on both sides', async () => {
    const folders = registry();
    const { app } = await appWith(folders, `form-sp-${Math.random()}`);
    const form = new NewComparisonState(app);
    form.setFolder('A', await folders.fromFiles(picked(FINETUNE, 'my-finetune'), CHAT));
    form.intervention = 'system-prompt';
    form.modelB.systemPrompt = 'Answer in one line.';
    const { A, B } = form.specs();
    expect(A.label).toBe('my-finetune');
    expect(B.label).toBe('my-finetune + system prompt');
    expect(B.systemPrompt).toBe('Answer in one line.');
    expect(B.localFolder).toEqual(A.localFolder);
    expect(A.localFolder?.files.every((f) => Object.keys(f).join() === 'path,size')).toBe(true);
  });
});
