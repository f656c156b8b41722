import { describe, expect, it } from 'vitest';
import { nextTask } from '../../src/lib/core/next-task';
import { DrawQueue, type QueuedDraw } from '../../src/lib/plots/draw-queue';

/** A chart that logs its draws in place of calling Plotly.react. */
function chart(name: string, log: string[], options: { onScreen?: boolean; fail?: boolean } = {}) {
  return {
    onScreen: () => options.onScreen ?? false,
    draw: () => {
      log.push(name);
      if (options.fail) throw new Error(`${name} failed`);
    },
  } satisfies QueuedDraw;
}

/** Resolves once the queue has nothing waiting and has finished its last draw. */
async function settle(queue: DrawQueue): Promise<void> {
  for (let i = 0; i < 50 && queue.size > 0; i++) await nextTask();
  await nextTask();
}

describe('DrawQueue', () => {
  it('draws one chart per task, so the page gets a turn between any two', async () => {
    const log: string[] = [];
    let tasks = 0;
    const queue = new DrawQueue(async () => {
      tasks++;
      log.push(`yield ${tasks}`);
      await nextTask();
    });
    queue.add(chart('map', log));
    queue.add(chart('bars', log));
    queue.add(chart('words', log));
    await settle(queue);
    expect(log).toEqual(['yield 1', 'map', 'yield 2', 'bars', 'yield 3', 'words']);
  });

  it('draws charts on screen before those below the fold', async () => {
    const log: string[] = [];
    const queue = new DrawQueue();
    queue.add(chart('hierarchy', log));
    queue.add(chart('words', log));
    queue.add(chart('map', log, { onScreen: true }));
    await settle(queue);
    expect(log).toEqual(['map', 'hierarchy', 'words']);
  });

  it('draws a chart that changed twice before its turn once', async () => {
    const log: string[] = [];
    const queue = new DrawQueue();
    const map = chart('map', log);
    queue.add(map);
    queue.add(map);
    expect(queue.size).toBe(1);
    await settle(queue);
    expect(log).toEqual(['map']);
    // Added again after its draw, it is drawn again.
    queue.add(map);
    await settle(queue);
    expect(log).toEqual(['map', 'map']);
  });

  it('skips a removed chart and goes on after a chart that fails', async () => {
    const log: string[] = [];
    const queue = new DrawQueue();
    const gone = chart('gone', log);
    queue.add(chart('broken', log, { fail: true }));
    queue.add(gone);
    queue.add(chart('words', log));
    queue.remove(gone);
    await settle(queue);
    expect(log).toEqual(['broken', 'words']);
  });
});
