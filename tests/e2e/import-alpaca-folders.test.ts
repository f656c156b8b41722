/**
 * alpaca_eval keeps every model's answers in results/<model>/model_outputs.json: two files of
 * one name, chosen together or as a folder, must both be listed, told apart and imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launch, type E2eSession } from './browser';

const PROMPTS = ['Name a colour.', 'Name a fruit.', 'Say hello.', 'Count to three.'];
const answersOf = (model: string) => PROMPTS.map((p) => `${model} answers: ${p}`);

const dir = mkdtempSync(join(tmpdir(), 'bd-alpaca-folders-'));
const RESULTS = join(dir, 'results');
for (const model of ['toy-base', 'toy-tuned']) {
  mkdirSync(join(RESULTS, model), { recursive: true });
  const rows = PROMPTS.map((instruction, i) => ({
    instruction,
    output: answersOf(model)[i],
    generator: model,
    dataset: 'toy',
  }));
  writeFileSync(join(RESULTS, model, 'model_outputs.json'), JSON.stringify(rows, null, 2));
  // alpaca_eval writes these next to the outputs; a folder import must leave them out.
  writeFileSync(join(RESULTS, model, 'annotations.json'), JSON.stringify([{ preference: 1 }]));
}
const BASE = join(RESULTS, 'toy-base', 'model_outputs.json');
const TUNED = join(RESULTS, 'toy-tuned', 'model_outputs.json');

// Answers a spreadsheet would run as formulas, one per dangerous first character.
const FORMULAS = [
  '=HYPERLINK("http://evil.example","x")',
  '+1+1',
  '-1+1',
  '@SUM(1)',
  '\t=1',
  '\r=1',
];
const HOSTILE = join(dir, 'hostile');
mkdirSync(HOSTILE);
for (const [model, suffix] of [
  ['csv-base', ''],
  ['csv-tuned', ' (tuned)'],
]) {
  const rows = FORMULAS.map((output, i) => ({
    instruction: `Prompt ${i}`,
    output: output + suffix,
    generator: model,
  }));
  writeFileSync(join(HOSTILE, `${model}.json`), JSON.stringify(rows));
}

const texts = (page: Page, testId: string) => page.getByTestId(testId).allTextContents();
const squash = (values: string[]) => values.map((t) => t.replace(/\s+/g, ' ').trim());

describe('importing two model_outputs.json files in Chromium', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists both files of one name with their generators, swaps A and B, and imports', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/import`);
    // The browser gets only the base name of each: two files called model_outputs.json.
    await page.getByTestId('import-files').setInputFiles([BASE, TUNED]);
    await page.getByTestId('import-report').waitFor();

    expect(squash(await texts(page, 'chosen-file'))).toEqual([
      'model_outputs (1).json · alpaca_eval model outputs · generator toy-base · 0.00 MB',
      'model_outputs (2).json · alpaca_eval model outputs · generator toy-tuned · 0.00 MB',
    ]);
    expect(await texts(page, 'side-a')).toEqual(['A (before): toy-base (model_outputs (1).json)']);
    expect(await texts(page, 'side-b')).toEqual(['B (after): toy-tuned (model_outputs (2).json)']);

    await page.getByTestId('swap-sides').click();
    await page.getByTestId('side-a').filter({ hasText: 'toy-tuned' }).waitFor();
    await page.getByTestId('import-report').waitFor();
    const report = await page.getByTestId('import-report').textContent();
    expect(report).toContain(`${PROMPTS.length} prompts answered by both models`);
    expect(report).toContain(`${PROMPTS.length} answers from A (toy-tuned)`);
    expect(report).toContain(`${PROMPTS.length} from B (toy-base)`);

    await page.getByTestId('save-import').click();
    await page.getByTestId('run-title').waitFor();
    expect(await page.locator('.models').textContent()).toMatch(/A: toy-tuned\s+vs\s+B: toy-base/);
    expect(await page.getByTestId('answer-a').locator('pre').allTextContents()).toEqual(
      answersOf('toy-tuned'),
    );
    expect(await page.getByTestId('answer-b').locator('pre').allTextContents()).toEqual(
      answersOf('toy-base'),
    );
    expect(s.errors).toEqual([]);
  });

  it('takes the model_outputs.json files of a picked results folder and shows their folders', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/import`);
    await page.getByTestId('import-folder').setInputFiles(RESULTS);
    await page.getByTestId('import-report').waitFor();
    expect(squash(await texts(page, 'chosen-file'))).toEqual([
      'toy-base/model_outputs.json · alpaca_eval model outputs · generator toy-base · in results/toy-base · 0.00 MB',
      'toy-tuned/model_outputs.json · alpaca_eval model outputs · generator toy-tuned · in results/toy-tuned · 0.00 MB',
    ]);
    expect(await texts(page, 'side-a')).toEqual([
      'A (before): toy-base (toy-base/model_outputs.json)',
    ]);
    expect(await page.getByTestId('run-name').inputValue()).toBe('toy-base vs toy-tuned');
    expect(s.errors).toEqual([]);
  });

  it('takes two files of one name dropped on the page', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/import`);
    const contents = [readFileSync(BASE, 'utf8'), readFileSync(TUNED, 'utf8')];
    const transfer = await page.evaluateHandle((texts) => {
      const data = new DataTransfer();
      for (const text of texts) {
        data.items.add(new File([text], 'model_outputs.json', { type: 'application/json' }));
      }
      return data;
    }, contents);
    await page.locator('label.drop').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('file-generator').allTextContents()).toEqual([
      'toy-base',
      'toy-tuned',
    ]);
    expect(await texts(page, 'side-b')).toEqual(['B (after): toy-tuned (model_outputs (2).json)']);
    expect(s.errors).toEqual([]);
  });

  it('exports formula-like answers escaped in CSV and exact in JSONL, which re-imports', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/import`);
    await page
      .getByTestId('import-files')
      .setInputFiles([join(HOSTILE, 'csv-base.json'), join(HOSTILE, 'csv-tuned.json')]);
    await page.getByTestId('import-report').waitFor();
    await page.getByTestId('save-import').click();
    await page.getByTestId('run-title').waitFor();

    const download = async (testId: string) => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId(testId).click(),
      ]);
      const path = join(dir, file.suggestedFilename());
      await file.saveAs(path);
      return { name: file.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
    };
    const csv = await download('export-answers-csv');
    for (const formula of FORMULAS) {
      const cell = `'${formula}`;
      const quoted = /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
      expect(csv.text).toContain(`,${quoted},`);
    }
    expect(csv.text).not.toMatch(/,[=+\-@]/);

    const jsonl = await download('export-answers-jsonl');
    expect(jsonl.name).toMatch(/\.answers\.jsonl$/);
    const records = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { side: string; text: string });
    expect(records.filter((r) => r.side === 'A').map((r) => r.text)).toEqual(FORMULAS);

    // Back in through the import screen: a JSONL table whose guessed mapping reads it all.
    await page.goto(`${s.baseUrl}#/import`);
    await page.getByTestId('import-files').setInputFiles(jsonl.path);
    await page.getByTestId('apply-mapping').click();
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('import-report').textContent()).toContain(
      `${FORMULAS.length} prompts answered by both models`,
    );
    await page.getByTestId('save-import').click();
    await page.getByTestId('run-title').waitFor();
    expect(await page.getByTestId('answer-a').locator('pre').allTextContents()).toEqual(FORMULAS);
    expect(await page.getByTestId('answer-b').locator('pre').allTextContents()).toEqual(
      FORMULAS.map((f) => `${f} (tuned)`),
    );
    expect(s.errors).toEqual([]);
  });

  it('says what a file holding only null or {} lacks, naming the file', async () => {
    const { page } = s;
    await page.goto(`${s.baseUrl}#/import`);
    const input = page.getByTestId('import-files');
    const file = (name: string, text: string) => ({
      name,
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });

    await input.setInputFiles([file('outputs.json', 'null\n')]);
    const error = page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toContain(
      'outputs.json: expected a JSON array of answer rows (or an alpaca_eval model_outputs.json, an LLM Comparator file or a Behaviour Diff run file), got only null, no answers',
    );

    await input.setInputFiles([file('empty.json', '{}')]);
    await error.filter({ hasText: 'empty.json' }).waitFor();
    expect(await error.textContent()).toContain(
      'empty.json: expected rows with fields such as "prompt", "answer" and "model"',
    );
    expect(await error.textContent()).toContain('got only an empty object {}, no answers');
    expect(await page.getByTestId('map-prompt').count()).toBe(0);
    expect(s.errors).toEqual([]);
  });
});
