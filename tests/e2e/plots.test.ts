import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importAndAnalyse, launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');
const PAYLOAD = '<img src=x onerror="window.__xss=1">';

/** Page coordinates of the first map point whose hover text mentions `needle`. */
async function pointPosition(s: E2eSession, needle: string): Promise<{ x: number; y: number }> {
  // The mouse can only reach what is on screen: bring the map into view first.
  await s.page.getByTestId('map').scrollIntoViewIfNeeded();
  return s.page.evaluate((needle) => {
    type Axis = { _offset: number; l2p(v: number): number };
    const gd = document.querySelector('[data-testid="map"] .js-plotly-plot') as HTMLElement & {
      data: { x: ArrayLike<number>; y: ArrayLike<number>; hovertext: string[] }[];
      _fullLayout: { xaxis: Axis; yaxis: Axis };
    };
    const box = gd.getBoundingClientRect();
    const { xaxis, yaxis } = gd._fullLayout;
    for (const trace of gd.data) {
      const i = trace.hovertext.findIndex((h) => h.includes(needle));
      if (i >= 0) {
        return {
          x: box.left + xaxis._offset + xaxis.l2p(trace.x[i]!),
          y: box.top + yaxis._offset + yaxis.l2p(trace.y[i]!),
        };
      }
    }
    throw new Error(`no point with ${needle}`);
  }, needle);
}

describe('result plots in Chromium', () => {
  let s: E2eSession;
  let dir: string;
  beforeAll(async () => {
    s = await launch();
    // The fixture pair, with one of B's answers carrying markup that must stay inert.
    dir = mkdtempSync(join(tmpdir(), 'bd-plots-'));
    copyFileSync(
      join(FIXTURES, 'before_model_outputs.json'),
      join(dir, 'before_model_outputs.json'),
    );
    const after = JSON.parse(readFileSync(join(FIXTURES, 'after_model_outputs.json'), 'utf8')) as {
      output: string;
    }[];
    after[0]!.output = `${PAYLOAD} ${after[0]!.output}`;
    writeFileSync(join(dir, 'after_model_outputs.json'), JSON.stringify(after, null, 2));
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the map, the cluster bars and the hierarchy after an analysis', async () => {
    const { page } = s;
    await importAndAnalyse(s, [
      join(dir, 'before_model_outputs.json'),
      join(dir, 'after_model_outputs.json'),
    ]);

    const map = page.getByTestId('map');
    await map.locator('.main-svg').first().waitFor({ timeout: 30_000 });
    // scattergl draws its points on a WebGL canvas.
    expect(await map.locator('canvas').count()).toBeGreaterThan(0);
    // One bar per cluster; bars of zero width are drawn but not "visible" to Playwright.
    const bars = page.getByTestId('cluster-bars').locator('.main-svg .barlayer .point');
    await bars.first().waitFor({ state: 'attached' });
    expect(await bars.count()).toBe(await page.getByTestId('cluster-row').count());
    await page.getByTestId('hierarchy').locator('.main-svg g.slice').first().waitFor();
    expect(await page.getByTestId('hierarchy').locator('g.slice').count()).toBeGreaterThan(2);

    // Colouring by cluster swaps the legend to cluster names.
    await page.getByTestId('map-colour-cluster').check();
    await map.locator('.legendtext', { hasText: 'cluster' }).first().waitFor();
    await page.getByTestId('map-colour-model').check();
    await map.locator('.legendtext', { hasText: 'model B' }).waitFor();
  });

  it('shows markup in an answer as text when hovered and clicked', async () => {
    const { page } = s;
    const at = await pointPosition(s, '&lt;img');
    await page.mouse.move(at.x, at.y);
    const hover = page.getByTestId('map').locator('.hoverlayer .hovertext');
    await hover.first().waitFor({ timeout: 10_000 });
    expect(await hover.first().textContent()).toContain('<img src=x onerror=');
    expect(await page.getByTestId('map').locator('img').count()).toBe(0);

    await page.mouse.click(at.x, at.y);
    const picked = page.getByTestId('map-picked');
    await picked.waitFor();
    expect(await picked.textContent()).toContain(PAYLOAD);
    expect(await picked.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('counts a lasso selection by side', async () => {
    const { page } = s;
    const plot = page.getByTestId('map').locator('.nsewdrag').first();
    const box = (await plot.boundingBox())!;
    const corners = [
      [box.x + 2, box.y + 2],
      [box.x + box.width - 2, box.y + 2],
      [box.x + box.width - 2, box.y + box.height - 2],
      [box.x + 2, box.y + box.height - 2],
      [box.x + 2, box.y + 4],
    ] as const;
    await page.mouse.move(corners[0][0], corners[0][1]);
    await page.mouse.down();
    for (const [x, y] of corners.slice(1)) await page.mouse.move(x, y, { steps: 8 });
    await page.mouse.up();
    await expect
      .poll(() => page.getByTestId('map-selection').textContent())
      .toMatch(/12 answers selected: 6 from A, 6 from B/);
    // The selection is listed, markup as text, and a listed answer opens like a clicked point.
    const items = page.getByTestId('map-selected-answer');
    expect(await items.count()).toBe(12);
    const list = page.getByTestId('map-selected-list');
    expect(await list.textContent()).toContain('<img src=x onerror=');
    expect(await list.locator('img').count()).toBe(0);
    // The answer opened by the click in the previous test is closed first.
    await page.getByTestId('map-picked').getByRole('button', { name: 'Close' }).click();
    expect(await page.getByTestId('map-picked').count()).toBe(0);
    const hostile = items.filter({ hasText: '<img src=x onerror=' }).first();
    await hostile.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('map-picked').textContent()).toContain(PAYLOAD);
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
