import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type E2eSession } from './browser';

describe('the bundled embedder in a module worker in Chromium', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('loads offline, embeds in a worker, and ranks same-topic pairs first', async () => {
    const { page } = s;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${s.baseUrl}#/diagnostics`);
    await page.getByTestId('capabilities').getByText('IndexedDB').waitFor();
    await page.getByTestId('run-embedder-check').click();
    const result = page.getByTestId('embedder-result');
    await result.waitFor({ timeout: 90_000 });
    expect(await result.getAttribute('data-passed')).toBe('true');
    expect(await result.textContent()).toContain('100-dimensional');

    // The work ran in a module worker, and nothing was fetched from outside this site.
    expect(page.workers().some((w) => w.url().includes('embed.worker'))).toBe(true);
    const origin = new URL(s.baseUrl).origin;
    expect(
      requests.filter(
        (url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'),
      ),
    ).toEqual([]);
    expect(requests.some((url) => url.includes('/models/bundled-embedder/'))).toBe(true);
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
