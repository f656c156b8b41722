/**
 * The analysis embedder from a folder on this computer: choosing it asks for the folder (and the
 * Analyse button waits), a picked folder is checked as a feature-extraction model, and a run whose
 * last analysis used a folder embedder reopens saying which folder to pick, finding it by its
 * identity once picked under any name. Real LocalFolders over the bundled embedder's files.
 */
import { File as NodeFile } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import AnalysisControls from '../../src/components/results/AnalysisControls.svelte';
import { parseRunFile } from '../../src/lib/core/run/run-file';
import { AnalysisState } from '../../src/lib/state/analysis.svelte';
import type { AppState } from '../../src/lib/state/app.svelte';
import { folderEmbedderId } from '../../src/lib/state/embed-request';
import { LocalFolders } from '../../src/lib/state/local-folders.svelte';
import { folderRecord } from '../../src/lib/state/new-comparison.svelte';

// jsdom's File has no text()/arrayBuffer(); Node's is the same Blob API the browser's is.
const File = NodeFile as unknown as typeof globalThis.File;
const EMBEDDER = 'public/models/bundled-embedder';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function picked(dir: string, as: string): File[] {
  return walk(dir).map((path) => {
    const file = new File([readFileSync(path)], path.split('/').pop() ?? '');
    Object.defineProperty(file, 'webkitRelativePath', { value: `${as}/${relative(dir, path)}` });
    return file;
  });
}

const registry = () =>
  new LocalFolders({ ensureControlled: async (onControlled) => onControlled() });

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(analysis: AnalysisState): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(AnalysisControls, { target, props: { analysis, onrun: () => {} } });
  flushSync();
  return target;
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

describe('the embedder from a folder', () => {
  it('asks for the folder, checks it as an embedder, then lets the analysis run', async () => {
    const folders = registry();
    const analysis = new AnalysisState({ localFolders: folders } as unknown as AppState);
    const target = render(analysis);
    const select = target.querySelector<HTMLSelectElement>('[data-testid="embedder"]')!;
    select.value = 'folder';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    const button = target.querySelector<HTMLButtonElement>('[data-testid="run-analysis"]')!;
    expect(button.disabled).toBe(true);
    expect(target.querySelector('[data-testid="embedder-folder-problem"]')?.textContent).toBe(
      "Pick the embedder's folder on this computer.",
    );

    const input = target.querySelector<HTMLInputElement>('[data-testid="folder-input-embedder"]')!;
    Object.defineProperty(input, 'files', { value: picked(EMBEDDER, 'my-embedder') });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(analysis.embedderFolder?.info.name).toBe('my-embedder');
    expect(folders.folders[0]?.check.ok).toBe(true);
    expect(analysis.folderProblem).toBeNull();
    expect(button.disabled).toBe(false);
    expect(target.querySelector('[data-testid="folder-ok-embedder"]')).not.toBeNull();
    expect(target.querySelector('[data-testid="embedder-folder-problem"]')).toBeNull();
  });

  it('reopens a run analysed with a folder embedder saying which folder to pick', async () => {
    const first = registry();
    const folder = await first.fromFiles(picked(EMBEDDER, 'my-embedder'), {
      layout: 'transformers',
      purpose: 'embedder',
    });
    const info = folderRecord(folder);
    // The v2 fixture's analysis, as if its vectors had come from this folder.
    const run = parseRunFile(
      readFileSync('tests/fixtures/runs/v2-analysed.json', 'utf8'),
      'v2-analysed.json',
    );
    const [record] = run.analyses;
    const embedderId = folderEmbedderId(info);
    const result = record!.result as { params: Record<string, unknown> };
    run.analyses = [
      {
        ...record!,
        params: { ...record!.params, embedderId, embedderFolder: info },
        result: { ...result, params: { ...result.params, embedderId } },
      },
    ];

    const folders = registry();
    const analysis = new AnalysisState({ localFolders: folders } as unknown as AppState);
    analysis.load(run);
    expect(analysis.embedder).toBe('folder');
    expect(analysis.previousEmbedderFolder).toEqual(info);
    expect(analysis.chosenFolder).toBeNull();
    expect(analysis.folderProblem).toMatch(
      /^The embedder comes from the folder "my-embedder" on this computer \(\d+ files, [\d.]+ MB\)/,
    );
    const target = render(analysis);
    expect(target.querySelector('[data-testid="embedder-folder-problem"]')?.textContent).toBe(
      analysis.folderProblem,
    );

    // The same files picked under another name are the same embedder.
    await folders.fromFiles(picked(EMBEDDER, 'copied-elsewhere'), {
      layout: 'transformers',
      purpose: 'embedder',
    });
    flushSync();
    expect(analysis.chosenFolder?.info.name).toBe('copied-elsewhere');
    expect(analysis.folderProblem).toBeNull();
    expect(target.querySelector<HTMLButtonElement>('[data-testid="run-analysis"]')!.disabled).toBe(
      false,
    );
  });
});
