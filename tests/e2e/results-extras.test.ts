import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importAndAnalyse, launch, type E2eSession } from './browser';

const TOPICS = [
  'studying',
  'cooking rice',
  'saving money',
  'sleeping well',
  'learning guitar',
  'running',
  'writing essays',
  'keeping plants alive',
  'public speaking',
  'packing light',
  'reading more',
  'cleaning a kitchen',
  'baking bread',
  'learning a language',
  'fixing a bike',
  'planning a trip',
  'drinking more water',
  'waking up early',
];

/**
 * An alpaca_eval pair where B always answers in a chatty list style and A tersely: enough
 * prompts for significant clusters and style features, so every kind of ranked difference
 * appears (the small shared fixture only yields word differences).
 */
function writePair(dir: string): string[] {
  const entry = (topic: string, output: string, generator: string) => ({
    dataset: 'helpful_base',
    instruction: `Give me tips for ${topic}.`,
    output,
    generator,
  });
  // Lengths lean one way or the other by prompt, so that only the list style differs
  // consistently and the ranked differences keep room for clusters and words.
  const before = TOPICS.map((t, i) =>
    entry(
      t,
      i % 2
        ? `Practise ${t} daily.`
        : `Practise ${t} a little every single day and keep a steady routine going for many weeks.`,
      'terse',
    ),
  );
  const after = TOPICS.map((t) =>
    entry(t, `Great news! For ${t}:\n- start small\n- keep a schedule\n- track progress`, 'listy'),
  );
  const files = [join(dir, 'before_model_outputs.json'), join(dir, 'after_model_outputs.json')];
  writeFileSync(files[0]!, JSON.stringify(before));
  writeFileSync(files[1]!, JSON.stringify(after));
  return files;
}

/** Whether the element with `testid` is at least partly inside the viewport now. */
async function isInView(s: E2eSession, testid: string): Promise<boolean> {
  return s.page.evaluate((id) => {
    const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
    return !!r && r.bottom > 0 && r.top < window.innerHeight;
  }, testid);
}

/** Waits until the element with `testid` is at least partly inside the viewport. */
async function waitInView(s: E2eSession, testid: string): Promise<void> {
  await s.page.waitForFunction(
    (id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el) return false;
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    },
    testid,
    { timeout: 10_000 },
  );
}

describe('results extras: style and words charts, saved analyses, links to evidence', () => {
  let s: E2eSession;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bd-extras-'));
    s = await launch();
    await importAndAnalyse(s, writePair(dir));
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the style and words charts with Plotly', async () => {
    const { page } = s;
    for (const id of ['style-chart', 'words-chart']) {
      const bars = page.getByTestId(id).locator('.main-svg .barlayer .point');
      await bars.first().waitFor({ state: 'attached', timeout: 30_000 });
      expect(await bars.count()).toBeGreaterThan(0);
    }
    // Both sides of the diverging chart are drawn, each in its own colour.
    const words = await page.evaluate(() => {
      const gd = document.querySelector('[data-testid="words-chart"] .js-plotly-plot') as
        (HTMLElement & { data: { x: number[]; marker: { color: string[] } }[] }) | null;
      const trace = gd?.data[0];
      return trace ? { x: trace.x, colours: [...new Set(trace.marker.color)] } : null;
    });
    expect(words?.colours).toHaveLength(2);
    expect(words?.x.some((z) => z < 0)).toBe(true);
    expect(words?.x.some((z) => z > 0)).toBe(true);
    // The significant style feature (list items, higher in B) is coloured, the others grey.
    const style = await page.evaluate(() => {
      const gd = document.querySelector('[data-testid="style-chart"] .js-plotly-plot') as
        (HTMLElement & { data: { customdata: string[]; marker: { color: string[] } }[] }) | null;
      return gd?.data[0] ?? null;
    });
    const colours = new Set(style?.marker.color);
    expect(colours.size).toBe(2);
    expect(style?.customdata).toContain('list_items');
    // The table under the style chart is still there.
    expect(await page.locator('table th', { hasText: 'mean A' }).count()).toBe(1);
  });

  it('links each ranked difference to its evidence, by click and by keyboard', async () => {
    const { page } = s;
    const links = page.getByTestId('difference-link');
    const kinds = await links.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    // The demo's headline quotes clusters, features and words, and here also openings and
    // closings; every claim is a link.
    expect(kinds).toEqual(expect.arrayContaining(['cluster', 'feature', 'word']));
    for (const kind of kinds) {
      expect(['cluster', 'feature', 'word', 'opening', 'closing', 'change']).toContain(kind);
    }
    const top = async (testid: string) => {
      await page.evaluate(() => window.scrollTo(0, 0));
      expect(await isInView(s, testid)).toBe(false);
    };

    await top('words-chart');
    await links.and(page.locator('[data-kind="word"]')).first().click();
    await waitInView(s, 'words-chart');

    await top('style-chart');
    await links.and(page.locator('[data-kind="feature"]')).first().focus();
    await page.keyboard.press('Enter');
    await waitInView(s, 'style-chart');

    if (kinds.includes('opening')) {
      await top('phrases-method');
      await links.and(page.locator('[data-kind="opening"]')).first().click();
      await waitInView(s, 'phrases-method');
    }

    expect(await page.getByTestId('cluster-view').count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    const cluster = links.and(page.locator('[data-kind="cluster"]')).first();
    const id = /cluster (\d+)/.exec((await cluster.textContent()) ?? '')?.[1];
    await cluster.click();
    await page.getByTestId('cluster-view').waitFor();
    await waitInView(s, 'cluster-view');
    const selected = page.locator('[data-testid="cluster-row"][aria-current="true"] td').first();
    expect(await selected.textContent()).toBe(id);
  });

  it('runs a second analysis with other settings and switches between the saved ones', async () => {
    const { page } = s;
    expect(await page.getByTestId('saved-analyses').count()).toBe(0);
    const summary = page.getByTestId('results').locator('p.muted').first();
    expect(await summary.textContent()).toContain('kmeans');

    await page.getByLabel('Clustering').selectOption('ward');
    await page.getByLabel('k', { exact: true }).fill('2');
    await page.getByTestId('run-analysis').click();
    const rows = page.getByTestId('saved-analysis');
    await page.getByTestId('saved-analyses').waitFor({ timeout: 90_000 });
    expect(await rows.count()).toBe(2);
    // Newest first, and shown.
    expect(await rows.nth(0).textContent()).toContain('Ward');
    expect(await rows.nth(1).textContent()).toContain('k-means++');
    expect(await rows.nth(0).getAttribute('aria-current')).toBe('true');
    await expect.poll(() => summary.textContent()).toContain('2 clusters (ward');
    expect(await page.getByTestId('cluster-row').count()).toBe(2);

    // The map is redrawn in place for the other analysis, not torn down and rebuilt.
    const mapPlot = page.locator('[data-testid="map"] .js-plotly-plot');
    await mapPlot.evaluate((el) => ((el as HTMLElement & { __kept?: boolean }).__kept = true));
    await rows.nth(1).click();
    await expect.poll(() => summary.textContent()).toContain('kmeans');
    expect(await rows.nth(1).getAttribute('aria-current')).toBe('true');
    await page.waitForTimeout(500);
    expect(
      await mapPlot.evaluate((el) => (el as HTMLElement & { __kept?: boolean }).__kept === true),
    ).toBe(true);

    // Keyboard reachable: focus the Ward row and press Enter.
    await rows.nth(0).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => summary.textContent()).toContain('ward');
    // The charts follow the analysis shown.
    await page
      .getByTestId('words-chart')
      .locator('.main-svg .barlayer .point')
      .first()
      .waitFor({ state: 'attached' });
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
