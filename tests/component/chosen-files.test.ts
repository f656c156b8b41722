/** The import screen's file list with two alpaca_eval files of one name (results/<model>/model_outputs.json). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ChosenFiles from '../../src/components/setup/ChosenFiles.svelte';
import type { ImportPlan } from '../../src/lib/state/import.svelte';
import type { DetectedFile } from '../../src/lib/workers/import.worker';

function alpacaFile(id: number, model: string, generator: string | undefined): DetectedFile {
  const rows = [{ instruction: 'Name a colour.', output: `${model} says blue`, generator }];
  const file = new File([JSON.stringify(rows)], 'model_outputs.json', {
    type: 'application/json',
  });
  const detected: DetectedFile = {
    file,
    id,
    name: `${model}/model_outputs.json`,
    folder: `results/${model}`,
    format: 'alpaca-eval',
  };
  if (generator) detected.generator = generator;
  return detected;
}

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(detected: DetectedFile[], plan: ImportPlan, onswap = vi.fn()) {
  component = mount(ChosenFiles, {
    target: document.body,
    props: { detected, plan, busy: false, onswap },
  });
  flushSync();
  return onswap;
}

const texts = (testId: string) =>
  [...document.querySelectorAll(`[data-testid="${testId}"]`)].map((e) => e.textContent);

describe('ChosenFiles', () => {
  const base = alpacaFile(0, 'base', 'tiny-base-v1');
  const tuned = alpacaFile(1, 'tuned', undefined);

  it('lists two files called model_outputs.json with their folders and generators', () => {
    render([base, tuned], { kind: 'alpaca-pair', files: { A: base, B: tuned } });
    expect(texts('chosen-file')).toHaveLength(2);
    expect(texts('chosen-file').map((t) => t!.replace(/\s+/g, ' ').trim())).toEqual([
      'base/model_outputs.json · alpaca_eval model outputs · generator tiny-base-v1 · in results/base · 0.00 MB',
      'tuned/model_outputs.json · alpaca_eval model outputs · in results/tuned · 0.00 MB',
    ]);
    expect(texts('file-generator')).toEqual(['tiny-base-v1']);
    expect(texts('file-folder')).toEqual(['results/base', 'results/tuned']);
  });

  it('shows which file is A and which is B, and offers the swap', () => {
    const onswap = render([base, tuned], {
      kind: 'alpaca-pair',
      files: { A: base, B: tuned },
    });
    expect(texts('side-a')).toEqual(['A (before): tiny-base-v1 (base/model_outputs.json)']);
    expect(texts('side-b')).toEqual(['B (after): tuned/model_outputs.json']);
    document.querySelector<HTMLButtonElement>('[data-testid="swap-sides"]')!.click();
    expect(onswap).toHaveBeenCalledOnce();
  });

  it('keeps both files listed when even their shown names are the same', () => {
    const one = { ...base, name: 'model_outputs (1).json', folder: '' };
    const two = { ...tuned, id: 1, name: 'model_outputs (2).json', folder: '' };
    render([one, two], { kind: 'alpaca-pair', files: { A: two, B: one } });
    expect(texts('chosen-file')).toHaveLength(2);
    expect(texts('side-a')).toEqual(['A (before): model_outputs (2).json']);
    expect(texts('file-folder')).toEqual([]);
  });

  it('shows no A/B card for a single table', () => {
    const table: DetectedFile = { ...tuned, format: 'jsonl' };
    render([table], { kind: 'llm-comparator', file: table });
    expect(texts('chosen-file')).toHaveLength(1);
    expect(document.querySelector('[data-testid="import-sides"]')).toBeNull();
  });
});
