import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, runCounts, type E2eSession, waitForRunState } from './browser';

describe('the new-comparison form in Chromium', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts a system-prompt intervention on a bundled model and generates every answer', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('new-comparison').click();
    await page.getByLabel('The same model with a different system prompt').check();
    await page.getByLabel("B's system prompt").fill('Answer like a proverb.');
    await page.getByLabel('Samples per prompt').fill('1');
    await page.getByLabel('Max tokens').fill('12');
    const estimate = page.getByTestId('estimate');
    expect((await estimate.textContent())?.replace(/\s+/g, ' ')).toContain(
      '24 answers to generate (12 prompts × 1 samples × 2 models)',
    );
    await page.getByTestId('start-generation').click();

    await page.getByTestId('run-progress').waitFor();
    await waitForRunState(page, 'done', 120_000);
    const counts = await runCounts(page);
    expect(counts).toContain('12 prompts · 12 answers from A · 12 answers from B');
    expect(await page.getByTestId('run-title').textContent()).toBe(
      'tiny-base vs tiny-base + system prompt',
    );
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
