import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { importFiles, launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');

describe('analysing an imported run in Chromium', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('embeds, clusters and tests in workers, then shows and keeps the results', async () => {
    const { page } = s;
    await importFiles(s, [
      join(FIXTURES, 'before_model_outputs.json'),
      join(FIXTURES, 'after_model_outputs.json'),
    ]);

    await page.getByTestId('run-analysis').click();
    const results = page.getByTestId('results');
    await results.waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('overall').textContent()).toMatch(
      /energy distance [\d.]+, within-prompt permutation p [=≤] /,
    );
    expect(await page.getByTestId('cluster-row').count()).toBeGreaterThanOrEqual(2);
    expect(page.workers().some((w) => w.url().includes('analysis.worker'))).toBe(true);

    // Saved with the run: a reload shows the same analysis at once, without re-running it.
    const overall = await page.getByTestId('overall').textContent();
    await page.reload();
    await results.waitFor();
    expect(await page.getByTestId('overall').textContent()).toBe(overall);
    expect(await page.getByTestId('run-analysis').textContent()).toContain('Analyse again');
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
