/**
 * Contrastive analysis in the built app, in Chromium (issue #14): bundled tiny-base vs
 * tiny-finetune on four demo prompts, generated and analysed by the app as usual, then every
 * answer scored under both models from the run page. The views show the real scores saved in
 * IndexedDB: the most divergent answer shaded token by token (its tokens spell the stored
 * answer, then the end-of-turn token), a tooltip with both models' top next tokens on hover and
 * by keyboard, one ranking row per answer in the saved order, and a box per cluster of the
 * analysis. Imported answers are scored once the models are chosen for them.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  importFiles,
  launch,
  runCounts,
  storedRunRecords,
  type E2eSession,
  waitForRunState,
} from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');
const PROMPTS = 4;
const SAMPLES = 2;
const ANSWERS = PROMPTS * SAMPLES * 2;
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** A stored answer and a saved scored one, as the app keeps them. */
interface StoredAnswer {
  promptId: string;
  side: 'A' | 'B';
  sample: number;
  text: string;
}
interface StoredScore extends StoredAnswer {
  meanKl: number | null;
  llr: number;
  tokens: { token: string; kl: number | null }[];
}

/** The run's answers and its saved contrastive scores, read from the app's IndexedDB. */
async function stored(
  page: Page,
  runId: string,
): Promise<{
  answers: StoredAnswer[];
  scores: { sharedVocabulary: boolean; items: StoredScore[] }[];
}> {
  const { answers, analyses } = await storedRunRecords(page, runId, ['answers', 'analyses']);
  return {
    answers: answers as never,
    scores: analyses
      .map((r) => r.result as { version?: string })
      .filter((r) => r.version === 'contrastive-scores-1') as never,
  };
}

describe('contrastive views in Chromium', () => {
  let s: E2eSession;
  let runId = '';
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it(
    'generates and analyses tiny-base vs tiny-finetune on four prompts',
    { timeout: 300_000 },
    async () => {
      const { page } = s;
      await page.goto(s.baseUrl);
      await page.getByTestId('new-comparison').click();
      await page.getByLabel('Use a random subset of').fill(String(PROMPTS));
      await page.getByLabel('Samples per prompt').fill(String(SAMPLES));
      await page.getByLabel('Max tokens').fill('24');
      await page.getByLabel('Run name').fill('contrastive e2e');
      await page.getByTestId('start-generation').click();
      await page.getByTestId('run-progress').waitFor();
      runId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));
      await waitForRunState(page, 'done', 180_000);
      expect(await runCounts(page)).toContain(
        `${PROMPTS} prompts · ${PROMPTS * SAMPLES} answers from A · ${PROMPTS * SAMPLES} answers from B`,
      );
      expect(squash(await page.locator('.run-head .models').textContent())).toBe(
        'A: tiny-base vs B: tiny-finetune',
      );
      // A finished generation goes on to its first analysis by itself.
      await page.getByTestId('results').waitFor({ timeout: 120_000 });
    },
  );

  it('scores every answer under both models from the run page', { timeout: 240_000 }, async () => {
    const { page } = s;
    const view = page.getByTestId('contrastive-view');
    expect(await view.getByTestId('contrastive-blocked').count()).toBe(0);
    await view.getByTestId('contrastive-score').click();
    await view.getByTestId('answer-rank-row').first().waitFor({ timeout: 180_000 });
    expect(squash(await view.getByTestId('contrastive-summary').textContent())).toBe(
      `${ANSWERS} answers scored by transformers:tiny-base (A) and transformers:tiny-finetune (B).`,
    );
    // Saved with the run: one scoring of every stored answer.
    const { answers, scores } = await stored(page, runId);
    expect(answers).toHaveLength(ANSWERS);
    expect(scores).toHaveLength(1);
    expect(scores[0]!.sharedVocabulary).toBe(true);
    expect(scores[0]!.items).toHaveLength(ANSWERS);
  });

  it('ranks every answer, most divergent first, as the saved scores give', async () => {
    const { page } = s;
    const view = page.getByTestId('contrastive-view');
    const { scores } = await stored(page, runId);
    const items = scores[0]!.items;
    const rows = view.getByTestId('answer-rank-row');
    expect(await rows.count()).toBe(ANSWERS);
    const shown = (await view.getByTestId('answer-rank-divergence').allTextContents()).map(Number);
    const expected = items.map((i) => i.meanKl!).sort((a, b) => b - a);
    expect(shown).toEqual(expected.map((x) => Number(x.toFixed(3))));
    expect(await view.getByTestId('prompt-rank-row').count()).toBe(PROMPTS);
  });

  it('shades the most divergent answer token by token, its tokens spelling the stored answer', async () => {
    const { page } = s;
    const view = page.getByTestId('contrastive-view');
    const { answers, scores } = await stored(page, runId);
    const top = [...scores[0]!.items].sort((a, b) => b.meanKl! - a.meanKl!)[0]!;
    const tokens = view.getByTestId('shaded-token');
    const texts = await tokens.allTextContents();
    expect(texts).toEqual(top.tokens.map((t) => t.token));
    // The end-of-turn token closes the answer: a special token by its name.
    expect(texts.at(-1)).toMatch(/^<\|[^|]+\|>$|^<\/s>$/);
    const answer = answers.find(
      (a) => a.promptId === top.promptId && a.side === top.side && a.sample === top.sample,
    )!;
    expect(texts.slice(0, -1).join('').trim()).toBe(answer.text.trim());
    // Some tokens are shaded, and the most divergent token of the answer is among the darkest.
    const shades = (await tokens.evaluateAll((els) =>
      els.map((el) => Number((el as HTMLElement).dataset.shade)),
    )) as number[];
    expect(Math.max(...shades)).toBeGreaterThan(0);
    const kls = top.tokens.map((t) => t.kl ?? 0);
    const most = kls.indexOf(Math.max(...kls));
    expect(shades[most]).toBe(Math.max(...shades));
    // The background is drawn from the shade (B's colour mixed in), not left transparent.
    const background = await tokens
      .nth(most)
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).not.toBe('rgba(0, 0, 0, 0)');
  });

  it('shows both models’ top next tokens on hover and by keyboard', async () => {
    const { page } = s;
    const view = page.getByTestId('contrastive-view');
    const tokens = view.getByTestId('shaded-token');
    await tokens.nth(1).hover();
    const tip = view.getByTestId('token-tooltip');
    await tip.waitFor();
    expect(await tip.getAttribute('role')).toBe('tooltip');
    const tops = tip.locator('.top');
    expect(await tops.count()).toBe(2);
    expect(squash(await tops.nth(0).locator('.top-title').textContent())).toBe('A: tiny-base');
    expect(squash(await tops.nth(1).locator('.top-title').textContent())).toBe('B: tiny-finetune');
    // The app keeps five top tokens per model (SCORE_TOP_K).
    expect(await tops.nth(0).locator('li').count()).toBe(5);
    expect(await tops.nth(1).locator('li').count()).toBe(5);
    expect(Number(await tip.getByTestId('tip-kl').textContent())).toBeGreaterThanOrEqual(0);
    expect(Number(await tip.getByTestId('tip-logp-b').textContent())).toBeLessThanOrEqual(0);

    // Keyboard: Tab reaches the answer's one tab stop, arrow keys move the tooltip along.
    await page.mouse.move(0, 0);
    await tip.waitFor({ state: 'detached' });
    await tokens.first().focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await tokens.nth(2).evaluate((el) => el === document.activeElement)).toBe(true);
    await tip.waitFor();
    expect(await tokens.nth(2).getAttribute('aria-describedby')).toBe(await tip.getAttribute('id'));
    const tipToken = squash(await tip.locator('.tip-token').textContent());
    const token = (await tokens.nth(2).textContent())!;
    expect(tipToken).toBe(token.replace(/ /g, '␣').replace(/\n/g, '⏎') || '∅');
  });

  it(
    'draws one box per cluster of the analysis, every scored answer in one',
    { timeout: 60_000 },
    async () => {
      const { page } = s;
      const panel = page.getByTestId('cluster-divergence');
      const rows = panel.getByTestId('cluster-divergence-row');
      await rows.first().waitFor();
      const clusters = await rows.count();
      expect(clusters).toBeGreaterThanOrEqual(2);
      await panel.scrollIntoViewIfNeeded();
      const plot = panel.locator('.js-plotly-plot');
      await plot.waitFor({ timeout: 30_000 });
      // Drawn with the bar and scatter traces the app's Plotly has: one box (a bar from q1 to q3)
      // and one median tick per cluster, and one dot per scored answer.
      await expect.poll(() => panel.locator('.barlayer .point').count()).toBe(clusters);
      const traces = await plot.evaluate((gd) =>
        (gd as unknown as { data: { name: string; type: string; x: unknown[] }[] }).data.map(
          (t) => ({ name: t.name, type: t.type, n: t.x.length }),
        ),
      );
      expect(traces).toEqual([
        { name: 'range', type: 'scatter', n: 3 * clusters },
        { name: 'quartiles', type: 'bar', n: clusters },
        { name: 'answers', type: 'scatter', n: ANSWERS },
        { name: 'median', type: 'scatter', n: clusters },
        { name: 'mean', type: 'scatter', n: clusters },
      ]);
      // The answers in the boxes are the scored answers that fall in a cluster: all of them (k-means).
      const counts = (await rows.evaluateAll((els) =>
        els.map((el) => Number(el.querySelectorAll('td')[2]!.textContent)),
      )) as number[];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ANSWERS);
    },
  );

  it(
    'puts the scores in the downloaded Markdown and HTML reports',
    { timeout: 60_000 },
    async () => {
      const { page } = s;
      const read = async (testId: string) => {
        const [file] = await Promise.all([
          page.waitForEvent('download'),
          page.getByTestId(testId).click(),
        ]);
        return readFileSync(await file.path(), 'utf8');
      };
      const md = await read('export-report-md');
      expect(md).toContain('## Where the models disagree (contrastive scores)');
      expect(md).toContain(`${ANSWERS / 2} answers of A and ${ANSWERS / 2} answers of B scored`);
      expect(md).toContain('### Most divergent answers');
      const html = await read('export-report-html');
      expect(html).toContain('Where the models disagree (contrastive scores)');
      // The box plot goes in as an image, as the other charts do.
      expect(html).toContain('Divergence inside each cluster');
    },
  );

  it('fits a 360 px wide screen with every view open', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 360, height: 800 });
    // Wide tables scroll inside their own box; nothing makes the page scroll sideways.
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(360);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it(
    'scores imported answers once their models are chosen; no clusters before an analysis',
    { timeout: 180_000 },
    async () => {
      const { page } = s;
      // Six prompts answered by two toy models in alpaca_eval files: the app knows neither.
      await importFiles(s, [
        join(FIXTURES, 'before_model_outputs.json'),
        join(FIXTURES, 'after_model_outputs.json'),
      ]);
      const view = page.getByTestId('contrastive-view');
      expect(squash(await view.getByTestId('contrastive-blocked').textContent())).toMatch(
        /^Model A's answers were imported from a file, so the app does not know which model wrote them/,
      );
      expect(await view.getByTestId('contrastive-score').count()).toBe(0);
      await view.getByTestId('scoring-model-A').selectOption('tiny-base');
      expect(squash(await view.getByTestId('contrastive-blocked').textContent())).toMatch(
        /^Model B's answers were imported from a file/,
      );
      await view.getByTestId('scoring-model-B').selectOption('tiny-finetune');
      expect(await view.getByTestId('contrastive-blocked').count()).toBe(0);
      await view.getByTestId('contrastive-score').click();
      await view.getByTestId('answer-rank-row').first().waitFor({ timeout: 120_000 });
      expect(await view.getByTestId('answer-rank-row').count()).toBe(12);
      expect(squash(await view.getByTestId('contrastive-summary').textContent())).toBe(
        '12 answers scored by transformers:tiny-base (A) and transformers:tiny-finetune (B).',
      );
      expect(await view.getByTestId('shaded-token').count()).toBeGreaterThan(1);
      // Not analysed yet: the clusters' divergence waits, with a note instead of a chart.
      expect(squash(await view.getByTestId('cluster-divergence-note').textContent())).toMatch(
        /^Analyse the run/,
      );
      expect(await view.getByTestId('cluster-divergence').locator('.js-plotly-plot').count()).toBe(
        0,
      );
    },
  );

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
