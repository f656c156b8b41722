import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { importAndAnalyse, launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');
const HOSTILE = '<img src=x onerror=alert(1)>';
const CHARTS = ['map', 'cluster-bars', 'hierarchy', 'style-chart', 'words-chart'];

interface AlpacaRow {
  instruction: string;
  output: string;
}

/** The e2e fixture pair with hostile markup in one prompt and in every answer of B. */
function hostileFixtures(dir: string): string[] {
  return ['before', 'after'].map((name) => {
    const rows = JSON.parse(
      readFileSync(join(FIXTURES, `${name}_model_outputs.json`), 'utf8'),
    ) as AlpacaRow[];
    rows[0]!.instruction += ` ${HOSTILE}`;
    if (name === 'after') for (const row of rows) row.output += ` ${HOSTILE}`;
    const path = join(dir, `${name}_model_outputs.json`);
    writeFileSync(path, JSON.stringify(rows, null, 2));
    return path;
  });
}

/** Clicks a download button (a test id, or a locator) and returns the file's name and bytes. */
async function downloadFile(page: Page, button: string | Locator) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    (typeof button === 'string' ? page.getByTestId(button) : button).click(),
  ]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** Clicks a download button and returns the downloaded file's text. */
async function download(page: Page, testId: string): Promise<string> {
  return (await downloadFile(page, testId)).bytes.toString('utf8');
}

describe('report export and teaching mode in Chromium', () => {
  let s: E2eSession;
  let dir: string;
  beforeAll(async () => {
    s = await launch();
    dir = mkdtempSync(join(tmpdir(), 'bd-report-'));
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('downloads Markdown and HTML reports with the summary, settings and escaped text', async () => {
    const { page } = s;
    await importAndAnalyse(s, hostileFixtures(dir));

    const overall = (await page.getByTestId('overall').textContent())?.trim() ?? '';
    const stats = /energy distance [\d.]+, within-prompt permutation p [=≤] [\d.e-]+/.exec(overall);
    expect(stats).not.toBeNull();

    const md = await download(page, 'export-report-md');
    expect(md).toContain(stats![0]);
    expect(md).toContain('## Settings');
    expect(md).toMatch(/seed \d+, \d+ permutations/);
    expect(md).not.toMatch(/(?<!\\)<img src=x/);

    // Let every chart draw so the HTML report can embed them as images.
    for (const id of CHARTS) {
      await page.locator(`[data-testid="${id}"] .js-plotly-plot`).waitFor({ timeout: 60_000 });
    }
    const html = await download(page, 'export-report-html');
    expect(html).toContain(overall);
    expect(html).toContain('<h2>Settings</h2>');
    expect(html).toMatch(/<th>seed<\/th><td>\d+<\/td>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<img src="data:image\/png;base64,/g)?.length).toBe(CHARTS.length);
    // Each chart keeps the card colour it was drawn on, so it stays legible in either theme.
    expect(html).toMatch(
      /<img src="data:image\/png;base64,[^"]+" alt="[^"]*" style="background:rgb/,
    );

    const clusters = await download(page, 'export-clusters-csv');
    expect(clusters.split('\r\n')[0]).toMatch(/^cluster,size,count_a,count_b,/);
    const features = await download(page, 'export-features-csv');
    expect(features.split('\r\n')[0]).toBe(
      'feature,mean_a,mean_b,effect,p_value,q_value,measure,share_a,share_b,per_100_words_a,per_100_words_b,median_a,median_b,n_pairs,n_zeros,rate_opposes_count',
    );
  });

  it('saves each chart as PNG and SVG', async () => {
    const { page } = s;
    const bars = page.getByTestId('cluster-bars');
    const png = await downloadFile(page, bars.getByRole('button', { name: 'PNG', exact: true }));
    expect(png.name).toMatch(/^Change-in-each-cluster-s-share.*\.png$/);
    expect([...png.bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const svg = await downloadFile(page, bars.getByRole('button', { name: 'SVG', exact: true }));
    expect(svg.name).toMatch(/\.svg$/);
    const text = svg.bytes.toString('utf8');
    expect(text).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(text).toContain('B − A share of answers');
    // The WebGL map comes out too, its points embedded as an image inside the SVG.
    const map = await downloadFile(
      page,
      page.getByTestId('map').getByRole('button', { name: 'SVG', exact: true }),
    );
    expect(map.bytes.toString('utf8')).toMatch(/<image[^>]+href="data:image\/png;base64,/);
  });

  it('shows teaching notes with the run’s numbers when toggled, and remembers the choice', async () => {
    const { page } = s;
    expect(await page.getByTestId('teaching-note').count()).toBe(0);
    await page.getByTestId('teaching-toggle').click();
    const notes = page.getByTestId('teaching-note');
    expect(await notes.count()).toBe(5);
    const text = (await notes.allTextContents()).join(' ');
    // 6 prompts with one answer from each side: 12 answers.
    expect(text).toContain('We turned each of the 12 answers into a list of');
    expect(text).toMatch(/shuffled the A\/B labels within each prompt [\d,]+ times/);
    expect(text).toContain('q-value');

    await page.reload();
    await page.getByTestId('results').waitFor();
    expect(await page.getByTestId('teaching-note').count()).toBe(5);
    await page.getByTestId('teaching-toggle').click();
    expect(await page.getByTestId('teaching-note').count()).toBe(0);
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
