/**
 * The task helper every screen's state uses for its busy flag, step, progress and error: the
 * latest call wins, so an earlier call that ends late (aborted or failed) never overwrites what
 * the screen shows for the newer one.
 */
import { describe, expect, it } from 'vitest';
import { Task, type TaskContext } from '../../src/lib/state/task.svelte';

/** Work that waits until the test releases it, honouring its signal like a worker call does. */
function heldWork(context: TaskContext) {
  let release!: (value: string) => void;
  const done = new Promise<string>((resolve, reject) => {
    release = resolve;
    context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), {
      once: true,
    });
  });
  return { done, release: (value: string) => release(value) };
}

describe('Task', () => {
  it('is busy while its work runs and resolves with the work’s value', async () => {
    const task = new Task();
    let held: ReturnType<typeof heldWork> | undefined;
    const call = task.run(async (context) => {
      context.step('Reading files');
      context.progress({ phase: 'reading', done: 2, total: 5 });
      held = heldWork(context);
      return held.done;
    });
    expect(task.busy).toBe(true);
    expect(task.step).toBe('Reading files');
    expect(task.progress).toEqual({ phase: 'reading', done: 2, total: 5 });
    held!.release('run-7');
    await expect(call).resolves.toBe('run-7');
    expect(task.busy).toBe(false);
    expect(task.step).toBeNull();
    expect(task.progress).toBeNull();
    expect(task.error).toBeNull();
  });

  it('shows a failure as one sentence and resolves with undefined', async () => {
    const task = new Task();
    const value = await task.run(() =>
      Promise.reject(new Error('answers.csv line 3: expected a "prompt" column.')),
    );
    expect(value).toBeUndefined();
    expect(task.error).toBe('answers.csv line 3: expected a "prompt" column.');
    expect(task.busy).toBe(false);
    // The next call starts with no stale error.
    await task.run(() => Promise.resolve());
    expect(task.error).toBeNull();
  });

  it('lets the latest call win: a superseded call is aborted and its end shows nothing', async () => {
    const task = new Task();
    let first: ReturnType<typeof heldWork> | undefined;
    let firstContext: TaskContext | undefined;
    const firstCall = task.run((context) => {
      firstContext = context;
      first = heldWork(context);
      return first.done;
    });
    let second: ReturnType<typeof heldWork> | undefined;
    const secondCall = task.run(async (context) => {
      context.step('Parsing');
      second = heldWork(context);
      return second.done;
    });
    expect(firstContext!.signal.aborted).toBe(true);
    // The first call's rejection (an AbortError) lands after the second call started.
    await expect(firstCall).resolves.toBeUndefined();
    firstContext!.progress({ phase: 'stale', done: 1 });
    firstContext!.step('Stale step');
    expect(task.error).toBeNull();
    expect(task.busy).toBe(true);
    expect(task.step).toBe('Parsing');
    expect(task.progress).toBeNull();

    second!.release('second');
    await expect(secondCall).resolves.toBe('second');
    expect(task.busy).toBe(false);
    expect(task.error).toBeNull();
  });

  it('a superseded call that fails for its own reason does not show its error', async () => {
    const task = new Task();
    let failFirst!: (error: Error) => void;
    const firstCall = task.run(() => new Promise<void>((_resolve, reject) => (failFirst = reject)));
    let finishSecond!: () => void;
    const secondCall = task.run(() => new Promise<void>((resolve) => (finishSecond = resolve)));
    failFirst(new Error('The worker stopped: out of memory'));
    await firstCall;
    expect(task.error).toBeNull();
    expect(task.busy).toBe(true);
    finishSecond();
    await secondCall;
    expect(task.busy).toBe(false);
  });

  it('cancel() aborts the running call and says it was cancelled', async () => {
    const task = new Task();
    const call = task.run((context) => heldWork(context).done);
    task.cancel();
    await expect(call).resolves.toBeUndefined();
    expect(task.error).toBe('Cancelled.');
    expect(task.busy).toBe(false);
  });

  it('fail() and clear() set and forget an error found before any work', () => {
    const task = new Task();
    task.fail('The chosen folder holds no file to import.');
    expect(task.error).toBe('The chosen folder holds no file to import.');
    task.clear();
    expect(task.error).toBeNull();
  });
});
