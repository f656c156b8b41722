/**
 * The folder picker shows what a folder's check found: every problem as its own list item (with
 * the file it concerns), the notes, the folder's size, and a select of the ONNX variants found
 * that asks the registry to check the folder again for the chosen one. The registry is a
 * stand-in answering with fixed checks (the checks themselves are check-folder's tests).
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import FolderPicker from '../../src/components/setup/FolderPicker.svelte';
import type {
  FolderCheck,
  FolderCheckOptions,
  LocalFolderInfo,
} from '../../src/lib/core/local-model/types';
import type { PickedFolder } from '../../src/lib/state/local-folders.svelte';
import { reactiveProps } from './reactive-props.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

const INFO: LocalFolderInfo = {
  name: 'my-finetune',
  layout: 'transformers',
  totalBytes: 3_400_000,
  hash: 'ab'.repeat(32),
  files: [
    { path: 'config.json', size: 700 },
    { path: 'onnx/model.onnx', size: 1_899_300 },
    { path: 'onnx/model_q4.onnx', size: 1_500_000 },
  ],
};

const VARIANTS: FolderCheck['onnxVariants'] = [
  { dtype: 'fp32', file: 'onnx/model.onnx', size: 1_899_300 },
  { dtype: 'q4', file: 'onnx/model_q4.onnx', size: 1_500_000 },
];

function picked(check: Partial<FolderCheck>, token = 'tok-1'): PickedFolder {
  return {
    token,
    urlPath: `/local-models/${token}/`,
    info: INFO,
    check: {
      ok: (check.problems ?? []).length === 0,
      problems: [],
      notes: [],
      onnxVariants: [],
      chatTemplate: null,
      ...check,
    },
  };
}

/** A registry stand-in recording what it was asked, answering with `answer`. */
function registry(answer: (options: FolderCheckOptions) => PickedFolder | null) {
  const calls: { method: string; files?: string[]; token?: string; options: FolderCheckOptions }[] =
    [];
  return {
    calls,
    canRemember: false,
    unavailable: null as string | null,
    fromFiles: async (files: readonly File[], options: FolderCheckOptions) => {
      calls.push({ method: 'fromFiles', files: files.map((f) => f.name), options });
      return answer(options)!;
    },
    pickDirectory: async (options: FolderCheckOptions) => {
      calls.push({ method: 'pickDirectory', options });
      return answer(options);
    },
    recheck: async (token: string, options: FolderCheckOptions) => {
      calls.push({ method: 'recheck', token, options });
      return answer(options)!;
    },
  };
}

function render(props: Record<string, unknown>): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(FolderPicker, { target, props: props as never });
  flushSync();
  return target;
}

/** Picks `names` through the directory input, as a browser does after the dialog. */
function pickFiles(target: HTMLElement, names: string[]): void {
  const input = target.querySelector<HTMLInputElement>('[data-testid="folder-input-B"]')!;
  const files = names.map((n) => new File(['{}'], n));
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
};

describe('FolderPicker', () => {
  it('reads a picked folder and lists each of its problems as its own item', async () => {
    const problems = [
      { file: 'config.json', message: 'config.json is missing: export the model with optimum.' },
      { file: 'tokenizer.json', message: 'tokenizer.json is missing: copy it from the model.' },
      { file: 'onnx/model_q4.onnx', message: 'onnx/model_q4.onnx is missing (found: none).' },
    ];
    const folders = registry(() =>
      picked({ problems, notes: ['No chat template: prompts are sent as plain text.'] }),
    );
    const props = reactiveProps({
      id: 'B',
      localFolders: folders,
      options: { layout: 'transformers', purpose: 'chat' } as FolderCheckOptions,
      folder: null as PickedFolder | null,
      onpick: (f: PickedFolder) => (props.folder = f),
    });
    const target = render(props);
    // A directory input, labelled, and no "Choose folder…" where the browser cannot remember.
    const input = target.querySelector<HTMLInputElement>('#folder-input-B')!;
    expect(input.type).toBe('file');
    expect(input.hasAttribute('webkitdirectory')).toBe(true);
    expect(target.querySelector('label[for="folder-input-B"]')?.textContent).toBe('Model folder');
    expect(target.querySelector('[data-testid="folder-choose-B"]')).toBeNull();

    pickFiles(target, ['config.json', 'model.onnx']);
    await settle();
    expect(folders.calls).toEqual([
      {
        method: 'fromFiles',
        files: ['config.json', 'model.onnx'],
        options: { layout: 'transformers', purpose: 'chat' },
      },
    ]);
    const items = [...target.querySelectorAll('[data-testid="folder-problem"]')];
    expect(items.map((li) => li.textContent)).toEqual(problems.map((p) => p.message));
    expect(items.map((li) => li.getAttribute('data-file'))).toEqual(problems.map((p) => p.file));
    expect(target.querySelector('[data-testid="folder-problems-B"]')?.getAttribute('role')).toBe(
      'alert',
    );
    expect(target.querySelector('[data-testid="folder-ok-B"]')).toBeNull();
    expect(
      [...target.querySelectorAll('[data-testid="folder-note"]')].map((li) => li.textContent),
    ).toEqual(['No chat template: prompts are sent as plain text.']);
    expect(
      target.querySelector('[data-testid="folder-summary-B"]')?.textContent?.replace(/\s+/g, ' '),
    ).toBe('my-finetune · 3 files · 3.4 MB');
  });

  it('offers the ONNX variants found and rechecks the folder for the one chosen', async () => {
    const folders = registry((options) =>
      picked({ onnxVariants: VARIANTS, dtype: options.dtype ?? 'fp32' }),
    );
    const seen: PickedFolder[] = [];
    const props = reactiveProps({
      id: 'B',
      localFolders: folders,
      options: { layout: 'transformers', purpose: 'chat' } as FolderCheckOptions,
      folder: picked({ onnxVariants: VARIANTS, dtype: 'fp32' }) as PickedFolder | null,
      onpick: (f: PickedFolder) => {
        seen.push(f);
        props.folder = f;
      },
    });
    const target = render(props);
    const select = target.querySelector<HTMLSelectElement>('[data-testid="folder-dtype-B"]')!;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'fp32 · onnx/model.onnx · 1.9 MB',
      'q4 · onnx/model_q4.onnx · 1.5 MB',
    ]);
    expect(select.value).toBe('fp32');
    expect(target.querySelector('label[for="folder-dtype-B"]')?.textContent).toBe(
      'Weights to load',
    );
    expect(target.querySelector('[data-testid="folder-ok-B"]')?.textContent).toBe(
      'This folder can be loaded.',
    );

    select.value = 'q4';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(folders.calls).toEqual([
      {
        method: 'recheck',
        token: 'tok-1',
        options: { layout: 'transformers', purpose: 'chat', dtype: 'q4' },
      },
    ]);
    expect(seen.map((f) => f.check.dtype)).toEqual(['q4']);
    expect(target.querySelector<HTMLSelectElement>('[data-testid="folder-dtype-B"]')!.value).toBe(
      'q4',
    );
  });

  it('uses the File System Access picker where there is one, and shows why a read failed', async () => {
    let fail = false;
    const folders = registry(() => {
      if (fail) throw new Error('The folder could not be read: permission was refused.');
      return null; // the user closed the dialog
    });
    folders.canRemember = true;
    const seen: PickedFolder[] = [];
    const target = render({
      id: 'B',
      localFolders: folders,
      options: { layout: 'webllm', purpose: 'chat' },
      folder: null,
      onpick: (f: PickedFolder) => seen.push(f),
    });
    const button = target.querySelector<HTMLButtonElement>('[data-testid="folder-choose-B"]')!;
    expect(button.textContent).toBe('Choose folder…');
    expect(button.type).toBe('button');
    expect(target.textContent).toContain('mlc-chat-config.json');

    button.click();
    await settle();
    expect(folders.calls.map((c) => [c.method, c.options.layout])).toEqual([
      ['pickDirectory', 'webllm'],
    ]);
    expect(seen).toEqual([]);
    expect(target.querySelector('[data-testid="error"]')).toBeNull();

    fail = true;
    button.click();
    await settle();
    expect(target.querySelector('[data-testid="error"]')?.textContent?.trim()).toBe(
      'The folder could not be read: permission was refused.',
    );
    expect(seen).toEqual([]);
  });
});

describe('FolderPicker: a folder this browser remembered', () => {
  it('offers to reopen the expected folder with one click, and says when permission is refused', async () => {
    let grant = false;
    const folders = {
      ...registry(() => picked({ onnxVariants: VARIANTS, dtype: 'fp32' })),
      canRemember: true,
      asked: [] as string[],
      remembered: async (hash: string) =>
        hash === INFO.hash ? { name: 'my-finetune', hash: INFO.hash } : null,
      reopen: async (hash: string, options: FolderCheckOptions) => {
        folders.asked.push(`${hash.slice(0, 4)} ${options.layout} ${options.dtype}`);
        return grant ? picked({ onnxVariants: VARIANTS, dtype: 'fp32' }) : null;
      },
    };
    const seen: PickedFolder[] = [];
    const target = render({
      id: 'run-B',
      localFolders: folders,
      options: { layout: 'transformers', purpose: 'chat', dtype: 'fp32' },
      folder: null,
      expected: INFO,
      onpick: (f: PickedFolder) => seen.push(f),
    });
    await settle();
    const reopen = target.querySelector<HTMLButtonElement>('[data-testid="folder-reopen-run-B"]')!;
    expect(reopen.textContent).toBe('Reopen “my-finetune”');

    reopen.click();
    await settle();
    expect(folders.asked).toEqual(['abab transformers fp32']);
    expect(seen).toEqual([]);
    expect(target.querySelector('[data-testid="error"]')?.textContent?.trim()).toBe(
      'Permission to read the folder was not given: pick it below instead.',
    );

    grant = true;
    reopen.click();
    await settle();
    expect(seen.map((f) => f.info.name)).toEqual(['my-finetune']);
    expect(target.querySelector('[data-testid="error"]')).toBeNull();
  });

  it('offers nothing to reopen for a folder it does not remember', async () => {
    const folders = {
      ...registry(() => null),
      canRemember: true,
      remembered: async () => null,
      reopen: async () => null,
    };
    const target = render({
      id: 'run-B',
      localFolders: folders,
      options: { layout: 'transformers', purpose: 'chat' },
      folder: null,
      expected: { ...INFO, hash: 'cd'.repeat(32) },
      onpick: () => {},
    });
    await settle();
    expect(target.querySelector('[data-testid="folder-reopen-run-B"]')).toBeNull();
    expect(target.querySelector('[data-testid="folder-choose-run-B"]')).not.toBeNull();
  });
});
