/**
 * Shared plumbing of the browser benchmark cases: a fresh build of the site, a `vite preview`
 * server on 127.0.0.1, headless Chromium through playwright-core, and a way to print figures.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { pathOf } from '../harness';
import { CHROMIUM_FLAGS, ChromiumNotFoundError, findChromium } from '../../tests/e2e/find-chromium';

/** The repository root. */
export const ROOT = resolve(pathOf(import.meta.url), '..', '..', '..');

// A private build goes here when dist/ is stale, so a bench run never rewrites the dist/ that
// a concurrent e2e run may be serving.
const PRIVATE_DIST = join(tmpdir(), 'behaviour-diff-bench-dist');
const STAMP = '.bench-built';

/** Newest modification time (ms) of the files under `path`, or 0 when it does not exist. */
async function newest(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of await readdir(path))
    latest = Math.max(latest, await newest(join(path, entry)));
  return latest;
}

/** Newest modification time of everything a build reads. */
function sourcesTime(): Promise<number> {
  const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'svelte.config.js'];
  return Promise.all([...inputs, 'package-lock.json'].map((p) => newest(join(ROOT, p)))).then(
    (times) => Math.max(...times),
  );
}

/** Runs `npx vite build` into `outDir`; rejects with the build's output on failure. */
function build(outDir: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok() : fail(new Error(`vite build: ${log}`))));
  });
}

let siteDir: Promise<string> | undefined;

/**
 * A built site no older than its sources: dist/ when it is fresh, else a private build
 * (reused across cases and runs while it stays fresh).
 */
export function freshSite(): Promise<string> {
  siteDir ??= (async () => {
    const sources = await sourcesTime();
    const dist = join(ROOT, 'dist');
    if ((await newest(join(dist, 'index.html'))) >= sources) return dist;
    if ((await newest(join(PRIVATE_DIST, STAMP))) >= sources) return PRIVATE_DIST;
    report(`dist/ is older than its sources: building into ${PRIVATE_DIST}`);
    await build(PRIVATE_DIST);
    await writeFile(join(PRIVATE_DIST, STAMP), new Date().toISOString());
    return PRIVATE_DIST;
  })();
  return siteDir;
}

/** `f` made idempotent: a failed run closes early, and teardown may close again. */
function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= f());
}

/**
 * Runs `f`, and on failure calls `cleanup` before rethrowing. The harness calls teardown only
 * after a successful run, and an open browser or server would keep its child process alive.
 */
export async function orCleanUp<T>(f: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
}

/** A running `vite preview` of a built site. */
export interface Site {
  dir: string;
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `dir` with Vite's preview server (with the config's COOP/COEP headers) on a free port. */
export async function serveSite(dir: string): Promise<Site> {
  const server: PreviewServer = await preview({
    root: ROOT,
    build: { outDir: dir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false },
    logLevel: 'warn',
  });
  const baseUrl = server.resolvedUrls?.local[0];
  if (!baseUrl) throw new Error('vite preview did not report a local URL');
  return { dir, baseUrl, close: once(() => server.close()) };
}

/** A headless Chromium with a fresh profile (persistent, so IndexedDB behaves as in the app). */
export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches headless Chromium like the e2e suite does. */
export async function launchChromium(): Promise<Chromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bd-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    args: [...CHROMIUM_FLAGS],
    headless: true,
    viewport: { width: 1280, height: 860 },
  });
  // tsx (esbuild, keepNames) wraps named functions in `__name(...)`, also inside callbacks
  // handed to page.evaluate; the page needs a no-op of its own.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    close: once(async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }),
  };
}

/** Why no Chromium can be launched (cases skip with this reason), or null when one is found. */
export function chromiumMissing(): string | null {
  try {
    findChromium();
    return null;
  } catch (error) {
    if (error instanceof ChromiumNotFoundError) return error.message;
    throw error;
  }
}

/**
 * Prints a labelled figure. The harness runs each case in a child whose output it keeps to
 * itself, so on Linux the line is appended to the harness's own stderr (/proc/PPID/fd/2);
 * elsewhere, or when that fails, it goes to this process's stderr.
 */
export function report(line: string): void {
  const text = `  [browser] ${line}\n`;
  const parentErr = `/proc/${process.ppid}/fd/2`;
  try {
    // Opening in append mode never truncates when the harness's stderr is a file.
    const fd = openSync(parentErr, 'a');
    try {
      appendFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch {
    process.stderr.write(text);
  }
}
