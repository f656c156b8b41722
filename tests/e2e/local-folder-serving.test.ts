/**
 * Serving a model folder picked on this computer (issue #16) in Chromium: a temporary copy of
 * the bundled tiny-finetune is picked through the model picker's directory input; the
 * local-models service worker then answers `local-models/<token>/...` from the picked files for
 * the page and for a dedicated worker (bytes, HEAD, a byte range), says to pick the folder again
 * for an unknown token, and the app's generate worker loads the model from it. transformers.js
 * caches the bundled model's files but not the picked ones, and no request leaves the origin.
 */
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  folderIdentity,
  folderToken,
  relativeEntries,
  type FolderEntry,
} from '../../src/lib/core/local-model';
import { launch, runCounts, type E2eSession, waitForRunState } from './browser';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The token the page computes for `dir`: the same core functions over the same sizes and dates. */
async function tokenOf(dir: string): Promise<string> {
  const name = dir.split('/').pop() ?? '';
  const { entries } = relativeEntries(
    walk(dir).map((path) => ({
      path: relative(dir, path),
      size: statSync(path).size,
      lastModified: Math.floor(statSync(path).mtimeMs),
    })),
  );
  const info = await folderIdentity(
    name,
    entries as FolderEntry[],
    async (path) => new Uint8Array(readFileSync(join(dir, path))),
    { layout: 'transformers', dtype: 'fp32' },
  );
  return folderToken(info, entries);
}

describe('a model folder served by the local-models service worker', () => {
  let s: E2eSession;
  let root: string;
  let folder: string;
  let token: string;
  const requests: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bd-folder-'));
    folder = join(root, 'my-finetune');
    cpSync('public/models/tiny-finetune', folder, { recursive: true });
    // Whole seconds: the browser's File.lastModified and Node's mtime then agree to the ms.
    for (const path of walk(folder)) utimesSync(path, 1_700_000_000, 1_700_000_000);
    token = await tokenOf(folder);
    s = await launch();
    s.browser.on('request', (r) => requests.push(r.url()));
  });
  afterAll(async () => {
    await s?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('picks the folder through the model picker and serves its files to the page and a worker', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('new-comparison').click();
    await page.getByLabel('A different model').check();
    await page.getByTestId('source-B').selectOption('folder');
    await page.getByTestId('folder-input-B').setInputFiles(folder);
    await page.getByTestId('folder-ok-B').waitFor();

    const result = await page.evaluate(async (token) => {
      // The first pick registered the worker; wait until it controls this page.
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) =>
          navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
        );
      }
      const base = new URL(`local-models/${token}/`, document.baseURI).href;
      const config = await fetch(`${base}config.json`);
      const head = await fetch(`${base}onnx/model.onnx`, { method: 'HEAD' });
      const range = await fetch(`${base}tokenizer.json`, { headers: { Range: 'bytes=0-9' } });
      const weights = await fetch(`${base}onnx/model.onnx`);
      const missing = await fetch(`${base}onnx/model_q4.onnx`);
      const unknown = await fetch(new URL('local-models/0000000000000000/config.json', base));
      const workerSource = `onmessage = async (e) => {
        const r = await fetch(e.data);
        postMessage([r.status, await r.text()]);
      };`;
      const worker = new Worker(
        URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })),
      );
      const fromWorker = await new Promise<[number, string]>((resolve) => {
        worker.onmessage = (e: MessageEvent<[number, string]>) => resolve(e.data);
        worker.postMessage(`${base}config.json`);
      });
      worker.terminate();
      return {
        config: [config.status, config.headers.get('content-type'), await config.text()],
        head: [head.status, head.headers.get('content-length'), (await head.text()).length],
        range: [range.status, range.headers.get('content-range'), await range.text()],
        weights: [weights.status, (await weights.arrayBuffer()).byteLength],
        missing: [missing.status, await missing.text()],
        unknown: [unknown.status, await unknown.text()],
        fromWorker,
      };
    }, token);

    const configText = readFileSync(join(folder, 'config.json'), 'utf8');
    const weightsSize = statSync(join(folder, 'onnx/model.onnx')).size;
    const tokenizer = readFileSync(join(folder, 'tokenizer.json'), 'utf8');
    expect(result.config).toEqual([200, 'application/json', configText]);
    expect(result.head).toEqual([200, String(weightsSize), 0]);
    expect(result.range).toEqual([
      206,
      `bytes 0-9/${Buffer.byteLength(tokenizer)}`,
      tokenizer.slice(0, 10),
    ]);
    expect(result.weights).toEqual([200, weightsSize]);
    expect(result.missing[0]).toBe(404);
    expect(result.unknown[0]).toBe(404);
    expect(result.unknown[1]).toMatch(/pick the folder again/);
    expect(result.fromWorker).toEqual([200, configText]);
  });

  it("loads the folder's model in the generate worker, caching the bundled files but not the picked ones", async () => {
    const { page } = s;
    await page.getByLabel('Use a random subset of').fill('2');
    await page.getByLabel('Samples per prompt').fill('1');
    await page.getByLabel('Max tokens').fill('6');
    await page.getByTestId('start-generation').click();
    await page.getByTestId('run-progress').waitFor();
    await waitForRunState(page, 'done', 120_000);
    const counts = await runCounts(page);
    expect(counts).toContain('2 answers from A · 2 answers from B');

    const cached = await page.evaluate(async () => {
      const keys: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) keys.push(request.url);
      }
      return keys;
    });
    expect(cached.some((url) => url.includes('/models/tiny-base/'))).toBe(true);
    expect(cached.filter((url) => url.includes('local-models/'))).toEqual([]);
    // The folder's files were fetched through the service worker, not from the bundled path.
    expect(requests.some((url) => url.includes(`/local-models/${token}/onnx/model.onnx`))).toBe(
      true,
    );
  });

  it('serves again after a reload that bypasses the service worker (shift-reload) once the folder is picked again', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    const cdp = await s.browser.newCDPSession(page);
    await cdp.send('Page.reload', { ignoreCache: true });
    await page.waitForLoadState('load');
    await page.getByTestId('new-comparison').waitFor();
    expect(await page.evaluate(() => navigator.serviceWorker.controller === null)).toBe(true);
    await page.getByTestId('new-comparison').click();
    await page.getByLabel('A different model').check();
    await page.getByTestId('source-B').selectOption('folder');
    await page.getByTestId('folder-input-B').setInputFiles(folder);
    await page.getByTestId('folder-ok-B').waitFor();
    // The pick asks the active worker to claim this page, which it did not control.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const status = await page.evaluate(
      async (token) =>
        (await fetch(new URL(`local-models/${token}/config.json`, document.baseURI))).status,
      token,
    );
    expect(status).toBe(200);
    await cdp.detach();
  });
  it('sent no request outside the page origin and raised no errors but the expected 404s', () => {
    const origin = new URL(s.baseUrl).origin;
    const outside = requests.filter(
      (url) =>
        !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin,
    );
    expect(outside).toEqual([]);
    // Chromium logs each 404 response (the missing file and the unknown token) as a console error.
    const unexpected = s.errors.filter(
      (e) => !/Failed to load resource: the server responded with a status of 404/.test(e),
    );
    expect(unexpected).toEqual([]);
    expect(s.errors.length).toBeLessThanOrEqual(2);
  });
});

describe('a folder where the browser blocks site data', () => {
  let s: E2eSession;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bd-folder-'));
    cpSync('public/models/tiny-finetune', join(root, 'my-finetune'), { recursive: true });
    s = await launch({ blockSiteData: true });
  });
  afterAll(async () => {
    await s?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('says in a sentence why the folder cannot be served, with no console error', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('new-comparison').click();
    await page.getByLabel('A different model').check();
    await page.getByTestId('source-B').selectOption('folder');
    await page.getByTestId('folder-input-B').setInputFiles(join(root, 'my-finetune'));
    await page.getByTestId('folder-summary-B').waitFor();
    const alert = page.getByTestId('folder-picker-B').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/site data is blocked/);
    expect(s.errors).toEqual([]);
  });
});
