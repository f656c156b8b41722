/**
 * Models from a folder on this computer (issue #16), served by the local-models service worker,
 * against the same files on the site's bundled path, in headless Chromium:
 * (a) loading tiny-base in a fresh generate worker (transformers.js + onnxruntime-web already
 *     started by a warm-up load of tiny-finetune): the timed run loads it from a picked folder,
 *     the reference (this file run with REFERENCE_FLAG, in its own process) from /models/, both
 *     on a first visit (nothing in Cache Storage). Target: ratio <= 1.2.
 * (b) the renderers' peak resident memory (page + workers + service worker, /proc VmRSS summed
 *     over Chromium's renderer processes, sampled every 20 ms) while loading a ~100 MB ONNX
 *     model made at bench time (tiny-base's graph plus an unused 100 MB initializer, written
 *     as protobuf by hand into a temp dir, never committed) from a picked folder vs from the
 *     bundled path of a temp copy of the site. Target: folder peak <= 1.2 x bundled peak.
 * The folder is picked through the app's real model picker (its directory input).
 */
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { folderIdentity, folderToken, relativeEntries } from '../../src/lib/core/local-model';
import type { GenerateModelRequest } from '../../src/lib/backends/llm/worker-protocol';
import type { BenchCase, Figures, ResultRow, RunOutcome } from '../harness';
import {
  chromiumMissing,
  freshSite,
  orCleanUp,
  report,
  ROOT,
  serveSite,
  type Site,
} from '../browser/site';
import {
  launchMeasured,
  rssMb,
  rendererPids,
  sampleRendererPeak,
  type MeasuredChromium,
} from '../browser/renderer-memory';

/** Run this file with this flag to measure the reference (bundled path) load once. */
export const REFERENCE_FLAG = '--local-folder-reference';
const TARGET_RATIO = 1.2;
const BIG_MB = 100;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** A copy of `from` at `to` with whole-second dates (Node's mtime and File.lastModified then agree). */
export function copyFolder(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  for (const path of walk(to)) utimesSync(path, 1_700_000_000, 1_700_000_000);
}

/** The URL token the page gives `dir` when it is picked (same core functions, sizes and dates). */
export async function tokenOf(dir: string): Promise<string> {
  const { entries } = relativeEntries(
    walk(dir).map((path) => ({
      path: relative(dir, path),
      size: statSync(path).size,
      lastModified: Math.floor(statSync(path).mtimeMs),
    })),
  );
  const info = await folderIdentity(
    dir.split('/').pop() ?? '',
    entries,
    async (path) => new Uint8Array(readFileSync(join(dir, path))),
    { layout: 'transformers', dtype: 'fp32' },
  );
  return folderToken(info, entries);
}

// --- a ~100 MB ONNX model: tiny-base plus one unused initializer -------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A length-delimited protobuf field (wire type 2). */
function field(number: number, payload: Uint8Array): Uint8Array {
  const head = [...varint((number << 3) | 2), ...varint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * `model` (an ONNX ModelProto) with an extra float initializer of `bytes` bytes. Protobuf merges
 * a repeated occurrence of an embedded message field, so appending `graph { initializer {...} }`
 * (ModelProto.graph = 7, GraphProto.initializer = 5; TensorProto dims = 1, data_type = 2 (FLOAT
 * is 1), name = 8, raw_data = 9) adds the tensor to the model's graph. Seeded noise, not zeros,
 * so no layer can keep the pages shared.
 */
export function withLargeInitializer(model: Uint8Array, bytes: number): Uint8Array {
  const floats = Math.floor(bytes / 4);
  const raw = new Uint32Array(floats);
  let s = 0x9e3779b9;
  for (let i = 0; i < floats; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    // Exponent bits kept small: finite floats, whatever the noise.
    raw[i] = (s >>> 0) & 0x3f7fffff;
  }
  const tensor = concat([
    new Uint8Array([0x08, ...varint(floats)]),
    new Uint8Array([0x10, 0x01]),
    field(8, new TextEncoder().encode('bench_padding')),
    field(9, new Uint8Array(raw.buffer)),
  ]);
  return concat([model, field(7, field(5, tensor))]);
}

// --- the page side: a generate worker driven by its RPC protocol (workers/rpc.ts) ---------------

/** The built generate worker's URL on `site`. */
export function generateWorkerUrl(site: Site): string {
  const name = readdirSync(join(site.dir, 'assets')).find((n) =>
    /^generate\.worker-.*\.js$/.test(n),
  );
  if (!name) throw new Error(`no generate worker in ${site.dir}/assets`);
  return new URL(`assets/${name}`, site.baseUrl).href;
}

/** Picks `folder` as model B through the new-comparison form; waits for the service worker. */
export async function pickFolder(page: Page, site: Site, folder: string): Promise<void> {
  await page.goto(site.baseUrl);
  await page.getByTestId('new-comparison').click();
  await page.getByLabel('A different model').check();
  await page.getByTestId('source-B').selectOption('folder');
  await page.getByTestId('folder-input-B').setInputFiles(folder);
  await page.getByTestId('folder-ok-B').waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** Starts a generate worker in the page (controlled by the service worker: made after control). */
export async function startWorker(page: Page, url: string): Promise<void> {
  await page.evaluate((workerUrl) => {
    const worker = new Worker(workerUrl, { type: 'module', name: 'bench-generate' });
    // scripts/models/measure-speed.ts also generates through it.
    (globalThis as unknown as { benchWorker: Worker }).benchWorker = worker;
    let next = 0;
    (globalThis as unknown as { benchLoad: unknown }).benchLoad = (arg: unknown) =>
      new Promise<void>((resolve, reject) => {
        const id = ++next;
        const listen = (event: MessageEvent) => {
          const m = event.data as { id: number; kind: string; error?: { message: string } };
          if (m.id !== id || m.kind === 'progress') return;
          worker.removeEventListener('message', listen);
          if (m.kind === 'ok') resolve();
          else reject(new Error(m.error?.message ?? 'load failed'));
        };
        worker.addEventListener('message', listen);
        worker.postMessage({ id, method: 'load', arg });
      });
  }, url);
}

/** Loads a model in the page's bench worker. */
async function loadModel(page: Page, modelId: string): Promise<void> {
  const request: GenerateModelRequest = {
    modelId,
    modelsPath: new URL(page.url()).pathname.replace(/[^/]*$/, '') + 'models/',
    allowRemoteModels: false,
    device: 'wasm',
  };
  await page.evaluate(
    (arg) => (globalThis as unknown as { benchLoad(a: unknown): Promise<void> }).benchLoad(arg),
    request,
  );
}

/** A browser on `site` with `folder` picked and a warm generate worker (tiny-finetune loaded). */
async function prepared(site: Site, folder: string): Promise<MeasuredChromium> {
  const chromium = await launchMeasured();
  return orCleanUp(
    async () => {
      await pickFolder(chromium.page, site, folder);
      await startWorker(chromium.page, generateWorkerUrl(site));
      await loadModel(chromium.page, 'tiny-finetune');
      return chromium;
    },
    () => chromium.close(),
  );
}

// --- (a) load time -------------------------------------------------------------------------------

interface LoadContext {
  site: Site;
  chromium: MeasuredChromium;
  modelId: string;
  cleanup(): Promise<void>;
}

/** Site, folder copy of tiny-base and a prepared browser; `bundled` picks which model id to load. */
async function loadSetup(bundled: boolean): Promise<LoadContext> {
  const site = await serveSite(await freshSite());
  const root = mkdtempSync(join(tmpdir(), 'bd-bench-folder-'));
  const folder = join(root, 'my-tiny-base');
  copyFolder(join(ROOT, 'public/models/tiny-base'), folder);
  const cleanup = async () => {
    await site.close();
    rmSync(root, { recursive: true, force: true });
  };
  const chromium = await orCleanUp(() => prepared(site, folder), cleanup);
  const modelId = bundled ? 'tiny-base' : `/local-models/${await tokenOf(folder)}`;
  return {
    site,
    chromium,
    modelId,
    cleanup: async () => {
      await chromium.close();
      await cleanup();
    },
  };
}

const loadTime: BenchCase<LoadContext> = {
  step: `local-folder: load tiny-base, picked folder vs bundled path (target ratio <= ${TARGET_RATIO})`,
  n: null,
  repeats: 5,
  skip: async () => chromiumMissing(),
  setup: () => loadSetup(false),
  run: (c) =>
    orCleanUp(
      () => loadModel(c.chromium.page, c.modelId),
      () => c.cleanup(),
    ),
  teardown: (c) => c.cleanup(),
  reference: {
    name: 'bundled path /models/tiny-base/ (first visit)',
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'bench', 'cases', 'local-folder.ts'), REFERENCE_FLAG],
  },
  check: (row) => ({
    pass: row.ratio !== null && row.ratio <= TARGET_RATIO,
    target: `ratio <= ${TARGET_RATIO}`,
    got: `ratio ${row.ratio?.toFixed(2) ?? 'missing'}`,
  }),
};

/** The reference run: the same load from the bundled path, timed like the harness times ours. */
async function referenceLoad(): Promise<void> {
  const c = await loadSetup(true);
  try {
    const start = process.hrtime.bigint();
    await loadModel(c.chromium.page, c.modelId);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      JSON.stringify({ seconds, reference: 'bundled path /models/tiny-base/ (first visit)' }),
    );
  } finally {
    await c.cleanup();
  }
}

// --- (b) peak memory with a 100 MB model -------------------------------------------------------

interface MemoryContext {
  site: Site;
  folder: string;
  token: string;
  root: string;
}

/** Peak and rise of the renderers' RSS while `modelId` loads in a fresh prepared browser. */
async function measureLoad(
  c: MemoryContext,
  modelId: string,
): Promise<{ peak: number; rise: number; seconds: number }> {
  const chromium = await prepared(c.site, c.folder);
  try {
    // Let the warm-up's garbage settle before the baseline.
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = rssMb(rendererPids(chromium.pid));
    const sampler = sampleRendererPeak(chromium.pid);
    const start = process.hrtime.bigint();
    await loadModel(chromium.page, modelId);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const peak = sampler.stop();
    return { peak, rise: peak - baseline, seconds };
  } finally {
    await chromium.close();
  }
}

const memory: BenchCase<MemoryContext> = {
  step: `local-folder: renderer peak memory loading a ${BIG_MB} MB ONNX, folder vs bundled (target <= ${TARGET_RATIO}x)`,
  n: BIG_MB,
  repeats: 1,
  timed: false,
  skip: async () => chromiumMissing(),
  async setup() {
    const root = mkdtempSync(join(tmpdir(), 'bd-bench-big-'));
    // The site copy gets the big model on its bundled path; the folder is the same files.
    const siteDir = join(root, 'site');
    cpSync(await freshSite(), siteDir, { recursive: true });
    const folder = join(root, 'tiny-big');
    copyFolder(join(ROOT, 'public/models/tiny-base'), folder);
    const big = withLargeInitializer(
      readFileSync(join(ROOT, 'public/models/tiny-base/onnx/model.onnx')),
      BIG_MB * 1_000_000,
    );
    writeFileSync(join(folder, 'onnx/model.onnx'), big);
    utimesSync(join(folder, 'onnx/model.onnx'), 1_700_000_000, 1_700_000_000);
    cpSync(folder, join(siteDir, 'models', 'tiny-big'), { recursive: true });
    report(`local-folder: made a ${(big.length / 1e6).toFixed(1)} MB model.onnx in ${folder}`);
    const site = await orCleanUp(
      () => serveSite(siteDir),
      async () => rmSync(root, { recursive: true, force: true }),
    );
    return { site, folder, token: await tokenOf(folder), root };
  },
  async run(c): Promise<RunOutcome> {
    return orCleanUp(
      async () => {
        const folderRuns: { peak: number; rise: number; seconds: number }[] = [];
        const bundledRuns: { peak: number; rise: number; seconds: number }[] = [];
        // Alternate, so a drift in the machine's load hits both alike.
        for (const order of [0, 1]) {
          for (const which of order ? ['bundled', 'folder'] : ['folder', 'bundled']) {
            const m =
              which === 'folder'
                ? await measureLoad(c, `/local-models/${c.token}`)
                : await measureLoad(c, 'tiny-big');
            (which === 'folder' ? folderRuns : bundledRuns).push(m);
            report(
              `local-folder ${which}: renderer peak ${m.peak.toFixed(0)} MB (rise ${m.rise.toFixed(0)} MB), load ${m.seconds.toFixed(2)} s`,
            );
          }
        }
        const max = (xs: { peak: number }[]) => Math.max(...xs.map((x) => x.peak));
        const maxRise = (xs: { rise: number }[]) => Math.max(...xs.map((x) => x.rise));
        const figures: Figures = {
          folder_peak_mb: max(folderRuns),
          bundled_peak_mb: max(bundledRuns),
          folder_rise_mb: maxRise(folderRuns),
          bundled_rise_mb: maxRise(bundledRuns),
        };
        return { figures };
      },
      () => memoryTeardown(c),
    );
  },
  teardown: memoryTeardown,
  check: (row: ResultRow) => {
    const f = row as ResultRow & Figures;
    const ratio =
      f.folder_peak_mb !== undefined && f.bundled_peak_mb
        ? f.folder_peak_mb / f.bundled_peak_mb
        : null;
    return {
      pass: ratio !== null && ratio <= TARGET_RATIO,
      target: `folder peak <= ${TARGET_RATIO} x bundled peak`,
      got:
        ratio === null
          ? 'missing'
          : `folder ${f.folder_peak_mb!.toFixed(0)} MB vs bundled ${f.bundled_peak_mb!.toFixed(0)} MB (ratio ${ratio.toFixed(2)})`,
    };
  },
};

async function memoryTeardown(c: MemoryContext): Promise<void> {
  await c.site.close();
  rmSync(c.root, { recursive: true, force: true });
}

/** The local-folder benchmark cases (`npm run bench -- --only local-folder`). */
export function localFolderCases(): BenchCase[] {
  return [loadTime, memory] as BenchCase[];
}

if (process.argv.includes(REFERENCE_FLAG)) await referenceLoad();
