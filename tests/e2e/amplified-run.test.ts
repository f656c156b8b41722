/**
 * Amplified sampling in the built app, in Chromium (issue #14): a tiny-base vs tiny-finetune run
 * on three prompts is generated, then amplified with α = 2 from its run page. The new run opens,
 * names its source, generates every answer by itself, and is saved linked to its source: its A
 * (tiny-finetune sampled plainly, same settings and seeds) repeats the source's B answers word
 * for word, while its B (tiny-finetune amplified away from tiny-base) answers differently.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, runCounts, storedRunRecords, type E2eSession, waitForRunState } from './browser';

const PROMPTS = 3;
const SAMPLES = 2;
const SOURCE_NAME = 'amplify e2e source';
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

interface StoredAnswer {
  promptId: string;
  side: 'A' | 'B';
  sample: number;
  text: string;
  finishReason: string;
}

interface StoredRun {
  name: string;
  derivedFrom?: { kind: string; runId: string; runName: string; alpha: number };
  models: Record<'A' | 'B', { label: string; modelId: string; amplify?: unknown }>;
}

/** A run's metadata and answers as the app stored them in IndexedDB. */
async function stored(
  page: Page,
  runId: string,
): Promise<{ run: StoredRun; answers: StoredAnswer[] }> {
  const { runs, answers } = await storedRunRecords(page, runId, ['runs', 'answers']);
  return { run: runs[0] as never, answers: answers as never };
}

const key = (a: StoredAnswer) => `${a.promptId}|${a.sample}`;
const runIdOf = (page: Page) =>
  decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));

describe('amplified sampling in Chromium', () => {
  let s: E2eSession;
  let sourceId = '';
  let amplifiedId = '';
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('generates tiny-base vs tiny-finetune on three prompts', { timeout: 240_000 }, async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('new-comparison').click();
    await page.getByLabel('Use a random subset of').fill(String(PROMPTS));
    await page.getByLabel('Samples per prompt').fill(String(SAMPLES));
    await page.getByLabel('Max tokens').fill('24');
    await page.getByLabel('Run name').fill(SOURCE_NAME);
    await page.getByTestId('start-generation').click();
    await page.getByTestId('run-progress').waitFor();
    sourceId = runIdOf(page);
    await waitForRunState(page, 'done', 180_000);
    expect(await runCounts(page)).toContain(
      `${PROMPTS} prompts · ${PROMPTS * SAMPLES} answers from A · ${PROMPTS * SAMPLES} answers from B`,
    );
  });

  it(
    'amplifies with α = 2: the new run opens, names its source and generates',
    { timeout: 300_000 },
    async () => {
      const { page } = s;
      const form = page.getByTestId('amplify-start');
      await form.scrollIntoViewIfNeeded();
      expect(await page.getByTestId('amplify-reason').count()).toBe(0);
      await page.getByTestId('amplify-alpha').fill('2');
      await form.click();
      await page.waitForFunction((id) => !location.hash.endsWith(encodeURIComponent(id)), sourceId);
      amplifiedId = runIdOf(page);
      expect(amplifiedId).not.toBe(sourceId);
      await page.getByTestId('run-title').waitFor();
      expect(squash(await page.getByTestId('run-title').textContent())).toBe(
        `${SOURCE_NAME}: B amplified ×2`,
      );
      expect(squash(await page.locator('.run-head .models').textContent())).toBe(
        'A: tiny-finetune vs B: tiny-finetune amplified ×2',
      );
      // It generates by itself, every answer of both sides.
      await page.getByTestId('run-progress').waitFor();
      await waitForRunState(page, 'done', 240_000);
      expect(await runCounts(page)).toContain(
        `${PROMPTS} prompts · ${PROMPTS * SAMPLES} answers from A · ${PROMPTS * SAMPLES} answers from B`,
      );
      // The page names the source run it was made from.
      const from = page.getByTestId('amplified-from');
      await from.waitFor({ timeout: 30_000 });
      expect(squash(await from.textContent())).toBe(
        `Amplified from the run "${SOURCE_NAME}" (α = 2): A is tiny-finetune sampled plainly, ` +
          'B is the same model amplified away from tiny-base.',
      );
      expect(s.errors).toEqual([]);
    },
  );

  it('is saved linked to its source; A repeats the source’s B, amplified B differs', async () => {
    const { page } = s;
    const source = await stored(page, sourceId);
    const amplified = await stored(page, amplifiedId);
    expect(amplified.run.derivedFrom).toEqual({
      kind: 'amplified',
      runId: sourceId,
      runName: SOURCE_NAME,
      alpha: 2,
    });
    expect(amplified.run.models.B.amplify).toEqual({
      alpha: 2,
      base: { label: 'tiny-base', backend: 'transformers', modelId: 'tiny-base' },
    });
    expect(amplified.answers).toHaveLength(PROMPTS * SAMPLES * 2);
    expect(
      amplified.answers.every((a) => a.finishReason === 'stop' || a.finishReason === 'length'),
    ).toBe(true);
    const side = (answers: StoredAnswer[], s: 'A' | 'B') =>
      new Map(answers.filter((a) => a.side === s).map((a) => [key(a), a.text]));
    const sourceB = side(source.answers, 'B');
    const plain = side(amplified.answers, 'A');
    const boosted = side(amplified.answers, 'B');
    // Plain tiny-finetune with the same settings and seeds writes what the source's B wrote.
    expect(plain).toEqual(sourceB);
    // Amplified, it writes something else for most prompts and samples.
    const differing = [...plain.keys()].filter((k) => plain.get(k) !== boosted.get(k));
    expect(differing.length).toBeGreaterThanOrEqual(Math.ceil((PROMPTS * SAMPLES) / 2));
  });

  it('opens the source run from the amplified one', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Open the source run' }).click();
    await page.waitForFunction((id) => location.hash.endsWith(encodeURIComponent(id)), sourceId);
    await page.getByTestId('run-title').waitFor();
    expect(squash(await page.getByTestId('run-title').textContent())).toBe(SOURCE_NAME);
  });
});
