import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { importAndAnalyse, launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');

describe('exploring the results: clusters table, cluster view, divergent prompts', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
    await importAndAnalyse(s, [
      join(FIXTURES, 'before_model_outputs.json'),
      join(FIXTURES, 'after_model_outputs.json'),
    ]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('sorts the clusters table by a clicked column, both ways', async () => {
    const { page } = s;
    const table = page.getByTestId('clusters-table');
    const sizeHeader = table.locator('th', { has: page.getByTestId('sort-size') });
    const sizes = async () =>
      (await table.getByTestId('cluster-row').locator('td:nth-child(2)').allTextContents()).map(
        Number,
      );
    expect(await table.getByTestId('cluster-row').count()).toBeGreaterThanOrEqual(2);

    await page.getByTestId('sort-size').click();
    expect(await sizeHeader.getAttribute('aria-sort')).toBe('descending');
    const down = await sizes();
    expect(down).toEqual([...down].sort((x, y) => y - x));

    await page.getByTestId('sort-size').click();
    expect(await sizeHeader.getAttribute('aria-sort')).toBe('ascending');
    const up = await sizes();
    expect(up).toEqual([...up].sort((x, y) => x - y));
    // Only the sorted column claims an order.
    expect(await table.locator('th[aria-sort="none"]').count()).toBeGreaterThan(0);
  });

  it('opens a cluster from its row, by click and by keyboard, with exemplars and answers', async () => {
    const { page } = s;
    const rows = page.getByTestId('cluster-row');
    await rows.first().click();
    const view = page.getByTestId('cluster-view');
    await view.waitFor();
    const exemplars = view.locator(
      '[data-testid="exemplars-a"] pre, [data-testid="exemplars-b"] pre',
    );
    expect(await exemplars.count()).toBeGreaterThan(0);
    expect((await exemplars.first().textContent())?.trim().length).toBeGreaterThan(0);
    const size = Number(await rows.first().locator('td:nth-child(2)').textContent());
    expect(await view.getByTestId('cluster-answer').count()).toBe(Math.min(size, 25));

    // Keyboard: focus the second row and press Enter to switch clusters.
    const secondId = (await rows.nth(1).locator('td').first().textContent())?.trim();
    await rows.nth(1).focus();
    await page.keyboard.press('Enter');
    // The whole heading: a bare id such as "1" would also be found inside "Cluster 12".
    const noise = 'Noise (not in any cluster)';
    expect(secondId).toMatch(/^(\d+|Noise \(not in any cluster\))$/);
    expect((await view.locator('h3').textContent())?.trim()).toBe(
      secondId === noise ? noise : `Cluster ${secondId}`,
    );

    // Search narrows the answers; a string no answer has leaves none.
    await view.getByTestId('cluster-search').fill('zzzz-no-such-text');
    expect(await view.getByTestId('cluster-answer').count()).toBe(0);
    await view.getByTestId('cluster-search').fill('');
  });

  it('expands a divergent prompt to both answers and their word diff', async () => {
    const { page } = s;
    const list = page.getByTestId('divergent-prompts');
    const items = list.getByTestId('divergent-prompt');
    expect(await items.count()).toBe(6);
    const first = items.first();
    await first.getByTestId('divergent-toggle').click();
    expect(await first.getByTestId('divergent-toggle').getAttribute('aria-expanded')).toBe('true');
    await first.getByTestId('word-diff').waitFor();
    expect(await first.getByTestId('divergent-answer-a').count()).toBe(1);
    expect(await first.getByTestId('divergent-answer-b').count()).toBe(1);
    const changes = await first.locator('[data-testid="diff-a"], [data-testid="diff-b"]').count();
    expect(changes).toBeGreaterThan(0);
  });

  it('ranks divergent prompts by length-adjusted divergence with both answers’ openings', async () => {
    const { page } = s;
    const list = page.getByTestId('divergent-prompts');
    expect(await list.getByTestId('divergent-method').textContent()).toMatch(
      /^Ranked by length-adjusted divergence/,
    );
    const first = list.getByTestId('divergent-prompt').first();
    expect(await first.getByTestId('divergent-score').textContent()).toMatch(
      /^adjusted -?\d+\.\d{3} · divergence \d\.\d{3} · (same length|B \d+(\.\d+)?× (longer|as long))$/,
    );
    for (const side of ['a', 'b']) {
      const opening = await first.getByTestId(`divergent-opening-${side}`).textContent();
      expect(opening!.trim().length).toBeGreaterThan(0);
      expect(Array.from(opening!).length).toBeLessThanOrEqual(161);
    }
    // The analysis used the bundled embedder: its limit is stated beside the map.
    expect(await page.getByTestId('results-note').textContent()).toMatch(/word-based/);
  });

  it('keeps HTML in answers inert everywhere it is shown', async () => {
    const { page } = s;
    // Open every divergent prompt so the fixture's <img onerror> and <script> answers render.
    const toggles = page.getByTestId('divergent-toggle');
    for (let i = 0; i < (await toggles.count()); i++) {
      if ((await toggles.nth(i).getAttribute('aria-expanded')) !== 'true') {
        await toggles.nth(i).click();
      }
    }
    const list = page.getByTestId('divergent-prompts');
    expect(await list.textContent()).toContain('<img src=x onerror=');
    expect(await list.textContent()).toContain('<script>');
    // And in the cluster view: open whichever cluster holds the HTML answer.
    const rows = page.getByTestId('cluster-row');
    for (let i = 0; i < (await rows.count()); i++) {
      await rows.nth(i).click();
      const view = page.getByTestId('cluster-view');
      await view.getByTestId('cluster-search').fill('onerror');
      if ((await view.getByTestId('cluster-answer').count()) > 0) break;
    }
    expect(await page.getByTestId('cluster-view').textContent()).toContain('onerror=');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.title()).not.toContain('pwned');
  });

  it('fits a 360 px wide screen, and its charts follow their container', async () => {
    const { page } = s;
    await page.setViewportSize({ width: 360, height: 800 });
    // These views (all open by now) must fit at once; the charts resize a moment later.
    for (const id of ['clusters-table', 'cluster-view', 'divergent-prompts']) {
      const box = await page.getByTestId(id).evaluate((e) => ({
        right: e.getBoundingClientRect().right,
        overflow: e.scrollWidth - e.clientWidth,
      }));
      expect(box.right, id).toBeLessThanOrEqual(360);
      expect(box.overflow, id).toBeLessThanOrEqual(1);
    }
    // Each chart follows its container's new width (Plotly redraws it, a frame or two later).
    for (const id of ['map', 'cluster-bars', 'hierarchy']) {
      const svg = page.getByTestId(id).locator('.main-svg').first();
      await expect
        .poll(async () => (await svg.boundingBox())?.width ?? Infinity, { timeout: 10_000 })
        .toBeLessThanOrEqual(360);
      expect((await svg.boundingBox())?.x ?? -1, id).toBeGreaterThanOrEqual(0);
    }
    // Nothing makes the page itself scroll sideways: header, controls, cards (wide tables
    // scroll inside their own box).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await page.setViewportSize({ width: 1280, height: 860 });
    // A container that narrows with no window resize (a side panel opening) is followed too.
    const map = page.getByTestId('map').locator('.main-svg').first();
    await expect.poll(async () => (await map.boundingBox())?.width ?? 0).toBeGreaterThan(500);
    await page.evaluate(() => (document.querySelector('main')!.style.maxWidth = '480px'));
    await expect
      .poll(async () => (await map.boundingBox())?.width ?? Infinity, { timeout: 10_000 })
      .toBeLessThanOrEqual(480);
    await page.evaluate(() => (document.querySelector('main')!.style.maxWidth = ''));
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
