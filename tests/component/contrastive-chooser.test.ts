/**
 * Choosing the models imported answers are scored under: only imported sides are offered, a
 * bundled model or a hub id is chosen, and the choices make the run's scoring plan possible.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ImportedModelChooser from '../../src/components/contrastive/ImportedModelChooser.svelte';
import type { ModelSpec, Run, Side } from '../../src/lib/core/run/types';
import { scoringPlan, type ScoringModel } from '../../src/lib/state/contrastive-scoring';
import { ANSWERS, PROMPTS } from './contrastive-fixture';
import { reactiveProps } from './reactive-props.svelte';

const params = { temperature: 0, topP: 1, maxTokens: 32, seed: null };
const imported = (label: string): ModelSpec => ({
  label,
  backend: 'imported',
  modelId: label,
  params,
});

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(models: Run['models']) {
  const props = reactiveProps({
    run: { models },
    chosen: {} as Partial<Record<Side, ScoringModel>>,
    onchoose: (side: Side, model: ScoringModel | null) => {
      const next = { ...props.chosen };
      if (model) next[side] = model;
      else delete next[side];
      props.chosen = next;
    },
  });
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(ImportedModelChooser, { target, props });
  flushSync();
  return { target, props };
}

const select = (target: HTMLElement, side: Side) =>
  target.querySelector<HTMLSelectElement>(`[data-testid="scoring-model-${side}"]`);

function change(el: HTMLSelectElement | HTMLInputElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

describe('models for imported answers', () => {
  it('offers nothing when both sides name their models', () => {
    const { target } = render({
      A: { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base', params },
      B: { label: 'tiny-finetune', backend: 'transformers', modelId: 'tiny-finetune', params },
    });
    expect(target.querySelector('[data-testid="scoring-models"]')).toBeNull();
  });

  it('chooses a bundled model and a hub model, and the scoring plan can then go ahead', () => {
    const models = {
      A: imported('base.jsonl'),
      B: { label: 'tiny-finetune', backend: 'transformers', modelId: 'tiny-finetune', params },
    } satisfies Run['models'];
    const run = { models, prompts: PROMPTS, answers: ANSWERS };
    expect(scoringPlan(run).reason).toMatch(/^Model A's answers were imported from a file/);

    const { target, props } = render(models);
    expect(select(target, 'A')).not.toBeNull();
    expect(select(target, 'B')).toBeNull();
    expect([...select(target, 'A')!.options].map((o) => o.textContent)).toEqual([
      'Choose a model',
      'tiny-base (bundled)',
      'tiny-finetune (bundled)',
      'A transformers.js model from the hub…',
    ]);

    change(select(target, 'A')!, 'tiny-base');
    expect(props.chosen).toEqual({
      A: { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base' },
    });
    const plan = scoringPlan(run, props.chosen);
    expect(plan.reason).toBeNull();
    expect(plan.models?.A.modelId).toBe('tiny-base');
    expect(plan.items).toHaveLength(ANSWERS.length);

    // A hub id: the choice is cleared until one is typed.
    change(select(target, 'A')!, 'hub');
    expect(props.chosen).toEqual({});
    const hub = target.querySelector<HTMLInputElement>('[data-testid="scoring-hub-A"]')!;
    change(hub, '  onnx-community/Qwen2.5-0.5B-Instruct ');
    expect(props.chosen.A).toEqual({
      label: 'onnx-community/Qwen2.5-0.5B-Instruct',
      backend: 'transformers',
      modelId: 'onnx-community/Qwen2.5-0.5B-Instruct',
    });
    expect(select(target, 'A')!.value).toBe('hub');
    expect(scoringPlan(run, props.chosen).reason).toBeNull();

    change(select(target, 'A')!, '');
    expect(props.chosen).toEqual({});
    expect(target.querySelector('[data-testid="scoring-hub-A"]')).toBeNull();
  });
});
