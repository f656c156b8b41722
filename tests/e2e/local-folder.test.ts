/**
 * Models from a folder on this computer (issue #16) in Chromium, through the app's own screens:
 * a temporary copy of the bundled tiny-finetune, picked through the model picker's directory
 * input, is compared with the bundled tiny-base and the analysis finds the known change; a copy
 * of the bundled embedder picked as the analysis embedder gives the bundled embedder's results;
 * copies with a file deleted each say what is missing; and a run made from a folder reopens
 * after a reload saying which folder it needs, and resumes once it is picked again. Every
 * request, the workers' and the service worker's included, stays on the page's origin.
 */
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_LM_MARKER_WORDS } from '../../src/lib/core/models';
import { launch, type E2eSession, waitForRunState } from './browser';

const PROMPTS = 12; // the demo set
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** Starts a new comparison of bundled tiny-base (A) with the model in `folder` (B). */
async function startWithFolder(
  page: Page,
  baseUrl: string,
  folder: string,
  settings: { samples: number; maxTokens: number; name: string },
): Promise<void> {
  await page.goto(baseUrl);
  await page.getByTestId('new-comparison').click();
  await page.getByLabel('A different model').check();
  await page.getByTestId('source-B').selectOption('folder');
  await page.getByTestId('folder-input-B').setInputFiles(folder);
  await page.getByTestId('folder-ok-B').waitFor();
  await page.getByLabel('Samples per prompt').fill(String(settings.samples));
  await page.getByLabel('Max tokens').fill(String(settings.maxTokens));
  await page.getByLabel('Run name').fill(settings.name);
  await page.getByTestId('start-generation').click();
  await page.getByTestId('run-progress').waitFor();
}

const waitForState = (page: Page, state: string, timeout = 240_000): Promise<void> =>
  waitForRunState(page, state, timeout);

describe('models from a folder on this computer, in the app', () => {
  let s: E2eSession;
  let root: string;
  let finetune: string;
  let embedder: string;
  const requests: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bd-local-folder-'));
    finetune = join(root, 'my-finetune');
    embedder = join(root, 'my-embedder');
    cpSync('public/models/tiny-finetune', finetune, { recursive: true });
    cpSync('public/models/bundled-embedder', embedder, { recursive: true });
    for (const [name, missing] of [
      ['no-config', 'config.json'],
      ['no-tokenizer', 'tokenizer.json'],
      ['no-onnx', 'onnx'],
    ] as const) {
      cpSync('public/models/tiny-finetune', join(root, name), { recursive: true });
      rmSync(join(root, name, missing), { recursive: true });
    }
    s = await launch();
    // Context-wide: pages, dedicated workers and the service worker.
    s.browser.on('request', (r) => requests.push(r.url()));
  });
  afterAll(async () => {
    await s?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'compares bundled tiny-base with a picked copy of tiny-finetune and finds its proverbial words',
    { timeout: 420_000 },
    async () => {
      const { page } = s;
      page.on('request', (r) => requests.push(r.url()));
      await startWithFolder(page, s.baseUrl, finetune, {
        samples: 2,
        maxTokens: 24,
        name: 'base vs folder',
      });
      await waitForState(page, 'done');
      expect(squash(await page.getByTestId('run-counts').textContent())).toContain(
        `${PROMPTS} prompts · ${PROMPTS * 2} answers from A · ${PROMPTS * 2} answers from B`,
      );
      // The folder model ran from the picked files, served under local-models/.
      expect(requests.some((u) => /\/local-models\/[^/]+\/onnx\/model\.onnx$/.test(u))).toBe(true);

      // A finished generation goes on to its first analysis (the bundled embedder) by itself.
      await page.getByTestId('results').waitFor({ timeout: 120_000 });
      const moreInB = await page.getByTestId('words-more-in-B').locator('strong').allTextContents();
      const finetuneWords = new Set(TINY_LM_MARKER_WORDS.finetune);
      const baseWords = new Set(TINY_LM_MARKER_WORDS.base);
      const top = moreInB.slice(0, 10);
      expect(top.filter((w) => finetuneWords.has(w)).length).toBeGreaterThanOrEqual(2);
      expect(top.filter((w) => finetuneWords.has(w)).length).toBeGreaterThan(
        top.filter((w) => baseWords.has(w)).length,
      );
      const moreInA = await page.getByTestId('words-more-in-A').locator('strong').allTextContents();
      expect(moreInA.slice(0, 10).filter((w) => baseWords.has(w)).length).toBeGreaterThan(
        moreInA.slice(0, 10).filter((w) => finetuneWords.has(w)).length,
      );
    },
  );

  it(
    "analyses with a picked copy of the bundled embedder and gets the bundled embedder's results",
    { timeout: 240_000 },
    async () => {
      const { page } = s;
      const bundledOverall = await page.getByTestId('overall').textContent();
      const bundledClusters = await page.getByTestId('cluster-row').count();
      const before = requests.length;
      // One analysis so far, so the list of saved analyses is not shown yet.
      expect(await page.getByTestId('saved-analysis').count()).toBe(0);
      await page.getByTestId('embedder').selectOption('folder');
      await page.getByTestId('folder-input-embedder').setInputFiles(embedder);
      await page.getByTestId('folder-ok-embedder').waitFor();
      expect(squash(await page.getByTestId('folder-summary-embedder').textContent())).toMatch(
        /^my-embedder · \d+ files · [\d.]+ (kB|MB)$/,
      );
      await page.getByTestId('run-analysis').click();
      await page.getByTestId('saved-analysis').nth(1).waitFor({ timeout: 180_000 });
      await page.getByTestId('results').waitFor();
      // The same model from another place embeds the same vectors: the same test and clusters.
      expect(await page.getByTestId('overall').textContent()).toBe(bundledOverall);
      expect(await page.getByTestId('cluster-row').count()).toBe(bundledClusters);
      const embedders = await page
        .getByTestId('saved-analysis')
        .evaluateAll((rows) => rows.map((row) => row.children[1]?.textContent?.trim()));
      expect(embedders).toEqual(['my-embedder', 'bundled-embedder']);
      // The analysis records which folder its embedder came from: its identity, not its files.
      const recorded = await page.evaluate(
        () =>
          new Promise<unknown[]>((resolve, reject) => {
            const open = indexedDB.open('behaviour-diff');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const all = open.result.transaction('analyses').objectStore('analyses').getAll();
              all.onsuccess = () =>
                resolve(
                  (all.result as { params: { embedderFolder?: unknown } }[])
                    .map((a) => a.params.embedderFolder)
                    .filter((f) => f !== undefined),
                );
            };
          }),
      );
      expect(recorded).toEqual([
        expect.objectContaining({
          name: 'my-embedder',
          layout: 'transformers',
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          files: expect.arrayContaining([
            { path: 'config.json', size: statSync(join(embedder, 'config.json')).size },
          ]),
        }),
      ]);
      const fetched = requests.slice(before);
      expect(fetched.some((u) => /\/local-models\/[^/]+\/onnx\/model[^/]*\.onnx$/.test(u))).toBe(
        true,
      );
      expect(fetched.filter((u) => u.includes('/models/bundled-embedder/'))).toEqual([]);
    },
  );

  it(
    'says what each broken copy lacks, one message per missing file',
    { timeout: 60_000 },
    async () => {
      const page = await s.newPage();
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(s.baseUrl);
      await page.getByTestId('new-comparison').click();
      await page.getByLabel('A different model').check();
      await page.getByTestId('source-B').selectOption('folder');
      const problemsOf = async (name: string) => {
        await page.getByTestId('folder-input-B').setInputFiles(join(root, name));
        await page.waitForFunction(
          (folder) =>
            document.querySelector('[data-testid="folder-summary-B"] strong')?.textContent ===
            folder,
          name,
        );
        const items = page.getByTestId('folder-problems-B').getByTestId('folder-problem');
        return {
          files: await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-file'))),
          messages: (await items.allTextContents()).map(squash),
          form: squash(await page.locator('form > p.muted').last().textContent()),
          start: await page.getByTestId('start-generation').isDisabled(),
        };
      };
      const noConfig = await problemsOf('no-config');
      const noTokenizer = await problemsOf('no-tokenizer');
      const noOnnx = await problemsOf('no-onnx');
      expect(noConfig.files).toEqual(['config.json']);
      expect(noConfig.messages[0]).toMatch(/config\.json/);
      expect(noTokenizer.files).toEqual(['tokenizer.json']);
      expect(noTokenizer.messages[0]).toMatch(/tokenizer\.json/);
      expect(noOnnx.files).toHaveLength(1);
      expect(noOnnx.files[0]).toMatch(/^onnx\//);
      expect(noOnnx.messages[0]).toMatch(/onnx/);
      // Three different sentences, and the form will not start with any of these folders.
      expect(
        new Set([noConfig.messages[0], noTokenizer.messages[0], noOnnx.messages[0]]).size,
      ).toBe(3);
      for (const broken of [noConfig, noTokenizer, noOnnx]) {
        expect(broken.start).toBe(true);
        expect(broken.form).toContain(`Model B: the folder`);
        expect(broken.form).toContain(broken.messages[0]!);
      }
      await page.close();
    },
  );

  it(
    'reopens a run made from a folder after a reload, asks for the folder, and resumes after it is picked again',
    { timeout: 420_000 },
    async () => {
      const page = await s.newPage();
      page.on('request', (r) => requests.push(r.url()));
      const samples = 3;
      await startWithFolder(page, s.baseUrl, finetune, {
        samples,
        maxTokens: 16,
        name: 'resume from folder',
      });
      await page.waitForFunction(
        () => {
          const text = document.querySelector('[data-testid="run-counts-live"]')?.textContent ?? '';
          return Number(/(\d+) of \d+ answers/.exec(text)?.[1] ?? 0) >= 20;
        },
        undefined,
        { timeout: 180_000 },
      );
      await page.getByTestId('pause-run').click();
      await waitForState(page, 'paused', 60_000);

      await page.reload();
      const message = page.getByTestId('folder-needed-message');
      await message.waitFor();
      expect(squash(await message.textContent())).toMatch(
        /^This run's model B comes from the folder "my-finetune" on this computer \(6 files, 1\.9 MB\): its files are never stored, so pick it again to go on\.$/,
      );
      const resume = page.getByTestId('resume-run');
      expect(await resume.isDisabled()).toBe(true);
      expect(squash(await resume.textContent())).toMatch(/^Resume \(\d+ to go\)$/);

      // A different folder is named as such and does not unlock Resume.
      await page.getByTestId('folder-input-run-B').setInputFiles('public/models/tiny-base');
      await page.getByTestId('folder-mismatch').waitFor();
      expect(squash(await page.getByTestId('folder-mismatch').textContent())).toMatch(
        /^The folder "tiny-base" is not the model this run used \("my-finetune", 6 files/,
      );
      expect(await resume.isDisabled()).toBe(true);

      await page.getByTestId('folder-input-run-B').setInputFiles(finetune);
      await page.getByTestId('folder-needed').waitFor({ state: 'detached' });
      expect(await resume.isDisabled()).toBe(false);
      await resume.click();
      await waitForState(page, 'done');
      expect(squash(await page.getByTestId('run-counts').textContent())).toContain(
        `${PROMPTS} prompts · ${PROMPTS * samples} answers from A · ${PROMPTS * samples} answers from B`,
      );
      expect(await page.getByTestId('answer-b').count()).toBe(PROMPTS * samples);
      await page.close();
    },
  );

  it('sent no request outside the page origin and raised no page errors', () => {
    const origin = new URL(s.baseUrl).origin;
    const outside = requests.filter(
      (url) =>
        !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin,
    );
    expect(requests.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});
