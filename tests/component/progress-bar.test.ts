/** The progress bar's caption: percentage, and the time left once the phase has a rate. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ProgressBar from '../../src/components/ui/ProgressBar.svelte';
import type { ProgressUpdate } from '../../src/lib/workers/rpc';
import { reactiveProps } from './reactive-props.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

/** Mounts the bar with reactive props; `set` moves the clock to `at` ms and updates progress. */
function render(label: string) {
  let clock = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
  const props = reactiveProps<{ progress: ProgressUpdate | null; label: string }>({
    progress: null,
    label,
  });
  component = mount(ProgressBar, { target: document.body, props });
  flushSync();
  const caption = () => document.querySelector('.caption')!.textContent!.replace(/\s+/g, ' ');
  return {
    caption,
    set(at: number, progress: ProgressUpdate | null) {
      clock = at;
      props.progress = progress;
      flushSync();
      return caption();
    },
  };
}

describe('ProgressBar', () => {
  it('shows the percentage, then the time left at the phase rate', () => {
    const bar = render('Embedding answers');
    expect(bar.caption()).toBe('Embedding answers…');
    expect(bar.set(0, { phase: 'embedding', done: 0, total: 10_000 })).toBe(
      'Embedding answers: embedding 0%',
    );
    // 2,500 in 5 s: 7,500 left at 500/s.
    expect(bar.set(5000, { phase: 'embedding', done: 2500, total: 10_000 })).toBe(
      'Embedding answers: embedding 25% · about 15 s left',
    );
    expect(document.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe(
      '25',
    );
  });

  it('starts the estimate afresh when the phase changes', () => {
    const bar = render('Analysing');
    bar.set(0, { phase: 'embedding', done: 0, total: 100 });
    bar.set(4000, { phase: 'embedding', done: 50, total: 100 });
    expect(bar.set(4000, { phase: 'umap', done: 10, total: 200 })).toBe('Analysing: umap 5%');
    expect(bar.set(6000, { phase: 'umap', done: 60, total: 200 })).toBe(
      'Analysing: umap 30% · about 6 s left',
    );
  });
});
