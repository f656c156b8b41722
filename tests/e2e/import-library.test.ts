import { RUN_SCHEMA_VERSION } from '../../src/lib/core/run/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');
const BEFORE = join(FIXTURES, 'before_model_outputs.json');
const AFTER = join(FIXTURES, 'after_model_outputs.json');

interface AlpacaRow {
  instruction: string;
  output: string;
}
const beforeRows = JSON.parse(readFileSync(BEFORE, 'utf8')) as AlpacaRow[];
const afterRows = JSON.parse(readFileSync(AFTER, 'utf8')) as AlpacaRow[];

/** All answer texts shown on the current run page, per side, in page order. */
async function shownAnswers(page: Page): Promise<{ a: string[]; b: string[] }> {
  return {
    a: await page.getByTestId('answer-a').locator('pre').allTextContents(),
    b: await page.getByTestId('answer-b').locator('pre').allTextContents(),
  };
}

describe('import, library, export and re-import in Chromium', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('imports an alpaca_eval pair and shows the answers side by side, as inert text', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('import-answers').click();
    await page.getByTestId('import-files').setInputFiles([BEFORE, AFTER]);
    await page.getByTestId('import-report').waitFor();
    await expect(page.getByTestId('import-report').textContent()).resolves.toContain(
      `${beforeRows.length} prompts answered by both models`,
    );
    await page.getByTestId('run-name').fill('E2E toy pair');
    await page.getByTestId('save-import').click();
    await page.getByTestId('run-title').waitFor();
    expect(await page.getByTestId('run-title').textContent()).toBe('E2E toy pair');

    const shown = await shownAnswers(page);
    expect(shown.a).toEqual(beforeRows.map((r) => r.output));
    expect(shown.b).toEqual(afterRows.map((r) => r.output));

    // The hostile answers are visible as literal text, and none of their markup ran.
    expect(shown.a.join('\n')).toContain("<script>document.title='pwned-a'</script>");
    expect(shown.b.join('\n')).toContain('<img src=x onerror=');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.title()).toBe('Behaviour Diff');

    // The README's screenshot, refreshed on request only so a test run leaves the tree clean.
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync('docs', { recursive: true });
      await page.screenshot({ path: 'docs/screenshot-run.png', fullPage: false });
    }
  });

  it('keeps the run across a reload and lists it in the library', async () => {
    const { page } = s;
    await page.reload();
    await page.goto(`${s.baseUrl}#/library`);
    const row = page.getByTestId('run-row').filter({ hasText: 'E2E toy pair' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${beforeRows.length} prompts`);
    expect(await row.textContent()).toContain('toy-model-before');
    expect(await row.textContent()).toContain('toy-model-after');
  });

  it('exports the run file, deletes the run, imports the file back with the same answers', async () => {
    const { page } = s;
    const row = page.getByTestId('run-row').filter({ hasText: 'E2E toy pair' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByTestId('export-run').click(),
    ]);
    const exportedPath = join(
      await import('node:os').then((os) => os.tmpdir()),
      `bd-export-${Date.now()}.json`,
    );
    await download.saveAs(exportedPath);
    const exported = JSON.parse(readFileSync(exportedPath, 'utf8')) as {
      format: string;
      schemaVersion: number;
      run: { answers: { side: string; text: string }[] };
    };
    expect(exported.format).toBe('behaviour-diff-run');
    expect(exported.schemaVersion).toBe(RUN_SCHEMA_VERSION);
    expect(exported.run.answers).toHaveLength(beforeRows.length * 2);

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByTestId('delete-run').click();
    await page.getByText('No runs yet').waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(0);

    await page.getByTestId('import-run-file').setInputFiles(exportedPath);
    await page.getByTestId('run-title').waitFor();
    const shown = await shownAnswers(page);
    expect(shown.a).toEqual(beforeRows.map((r) => r.output));
    expect(shown.b).toEqual(afterRows.map((r) => r.output));

    await page.goto(`${s.baseUrl}#/library`);
    await page.getByTestId('run-row').first().waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(1);
  });

  it('shows a specific error for a malformed file and keeps the page usable', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/import`);
    await page.getByTestId('import-files').setInputFiles({
      name: 'broken.jsonl',
      mimeType: 'application/json',
      buffer: Buffer.from('{"prompt": "hi", "answer": "yo", "model": "a"}\n{"prompt": oops}\n'),
    });
    const error = page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toContain('broken.jsonl');
    expect(await error.textContent()).toMatch(/line 2/);
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});
