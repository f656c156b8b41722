/**
 * The amplify form on a run page: on the offline demo run it saves the amplified run with the
 * alpha and sample count entered and opens it to generate; it is disabled with the reason for a
 * run it cannot amplify or an alpha out of range; an amplified run names its source instead and
 * opens it. The run store is a real one (fake-indexeddb); the router records where it is sent.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { demoRun } from '../../src/lib/core/generate/new-run';
import type { Run } from '../../src/lib/core/run/types';
import type { RunRepository } from '../../src/lib/persistence/runs';
import { amplifiedRun } from '../../src/lib/state/amplified-run';
import type { Route, Router } from '../../src/lib/state/router.svelte';
import { freshRepo } from '../unit/persistence-fixtures';
import Host from './amplify-form-host.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function fakeApp(repo: RunRepository) {
  const routes: Route[] = [];
  return {
    routes,
    app: {
      repo: async () => repo,
      autostart: new Set<string>(),
      router: { go: (route: Route) => void routes.push(route) } as unknown as Router,
    },
  };
}

const byId = (id: string) => document.querySelector(`[data-testid="${id}"]`);

function setNumber(id: string, value: string): void {
  const input = byId(id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('AmplifyForm', () => {
  it('saves the amplified run with the alpha and samples entered, then opens it to generate', async () => {
    const { repo } = await freshRepo();
    const source = demoRun('demo-1', '2026-12-06T10:00:00.000Z');
    await repo.create(source);
    const { app, routes } = fakeApp(repo);
    component = mount(Host, { target: document.body, props: { run: source, app } });
    flushSync();
    expect((byId('amplify-alpha') as HTMLInputElement).value).toBe('1');
    expect((byId('amplify-samples') as HTMLInputElement).value).toBe(
      String(source.samplesPerPrompt),
    );
    const button = byId('amplify-start') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    expect(byId('amplify-reason')).toBeNull();
    setNumber('amplify-alpha', '2.5');
    setNumber('amplify-samples', '2');
    button.click();
    await until(() => routes.length === 1);
    const id = (routes[0] as { id: string }).id;
    expect(routes[0]).toEqual({ name: 'run', id });
    expect([...app.autostart]).toEqual([id]);
    const saved = await repo.open(id);
    expect(saved.derivedFrom).toEqual({
      kind: 'amplified',
      runId: 'demo-1',
      runName: source.name,
      alpha: 2.5,
    });
    expect(saved.samplesPerPrompt).toBe(2);
    expect(saved.models.B.label).toBe('tiny-finetune amplified ×2.5');
  });

  it('is disabled with the reason for a run it cannot amplify and for an alpha out of range', async () => {
    const { repo } = await freshRepo();
    const { app } = fakeApp(repo);
    const source = demoRun('demo-2', '2026-12-06T10:00:00.000Z');
    const webllm: Run = {
      ...source,
      models: { ...source.models, B: { ...source.models.B, backend: 'webllm', label: 'Qwen' } },
    };
    component = mount(Host, { target: document.body, props: { run: webllm, app } });
    flushSync();
    expect((byId('amplify-start') as HTMLButtonElement).disabled).toBe(true);
    expect(byId('amplify-reason')!.textContent).toMatch(/^Model B \(Qwen\) runs on WebLLM/);
    unmount(component);
    document.body.innerHTML = '';

    component = mount(Host, { target: document.body, props: { run: source, app } });
    flushSync();
    setNumber('amplify-alpha', '9');
    const button = byId('amplify-start') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-describedby')).toBe('amplify-reason');
    expect(byId('amplify-reason')!.textContent).toBe('alpha must be a number from 0 to 8, got 9');
    setNumber('amplify-alpha', '8');
    setNumber('amplify-samples', '0');
    expect(byId('amplify-reason')!.textContent).toBe(
      'Samples per prompt must be a whole number of at least 1.',
    );
  });

  it('an amplified run names its source and opens it', async () => {
    const { repo } = await freshRepo();
    const { app, routes } = fakeApp(repo);
    const source = demoRun('demo-3', '2026-12-06T10:00:00.000Z');
    const made = amplifiedRun(source, 2, 1, '2026-12-06T11:00:00.000Z', 'amp-3');
    component = mount(Host, { target: document.body, props: { run: made, app } });
    flushSync();
    expect(byId('amplify-start')).toBeNull();
    expect(byId('amplified-from')!.textContent).toBe(
      `Amplified from the run "${source.name}" (α = 2): A is tiny-finetune sampled plainly, ` +
        'B is the same model amplified away from tiny-base.',
    );
    const open = [...document.querySelectorAll('button')].find(
      (b) => b.textContent === 'Open the source run',
    )!;
    open.click();
    expect(routes).toEqual([{ name: 'run', id: 'demo-3' }]);
  });
});
