import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { CHROMIUM_FLAGS } from './find-chromium';

/** A launched Chromium with a fresh profile, plus the collected page errors. */
export interface E2eSession {
  browser: BrowserContext;
  page: Page;
  baseUrl: string;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  /** Opens another page in the same profile (same IndexedDB). */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Options of `launch`. */
export interface LaunchOptions {
  /**
   * Start with Chromium's "Don't allow sites to save data" setting, as a user can choose it:
   * localStorage, IndexedDB and the Cache API are all refused.
   */
  blockSiteData?: boolean;
}

/**
 * Launches headless Chromium with a persistent, fresh user-data dir so that IndexedDB
 * survives page reloads and closes within one session.
 */
export async function launch(options: LaunchOptions = {}): Promise<E2eSession> {
  const baseUrl = inject('baseUrl');
  const userDataDir = mkdtempSync(join(tmpdir(), 'bd-chromium-'));
  if (options.blockSiteData) {
    // The profile preference behind chrome://settings/content/siteData ("cookies" covers all
    // site storage); 2 means block.
    mkdirSync(join(userDataDir, 'Default'));
    writeFileSync(
      join(userDataDir, 'Default', 'Preferences'),
      JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }),
    );
  }
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: inject('chromiumPath'),
    args: [...CHROMIUM_FLAGS],
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
  const errors: string[] = [];
  const watch = (page: Page): Page => {
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    return page;
  };
  const page = watch(context.pages()[0] ?? (await context.newPage()));
  return {
    browser: context,
    page,
    baseUrl,
    errors,
    newPage: async () => watch(await context.newPage()),
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Imports `files` on the import page and saves the run; resolves once the run view shows. */
export async function importFiles(s: E2eSession, files: string[]): Promise<void> {
  const { page } = s;
  await page.goto(`${s.baseUrl}#/import`);
  await page.getByTestId('import-files').setInputFiles(files);
  await page.getByTestId('import-report').waitFor();
  await page.getByTestId('save-import').click();
  await page.getByTestId('run-title').waitFor();
}

/** Imports `files`, then analyses the run with the default settings until the results show. */
export async function importAndAnalyse(s: E2eSession, files: string[]): Promise<void> {
  await importFiles(s, files);
  await s.page.getByTestId('run-analysis').click();
  await s.page.getByTestId('results').waitFor({ timeout: 90_000 });
}

export type { Browser };

/** Waits until the run page's generation progress reaches `state` ('done', 'error', 'paused', ...). */
export async function waitForRunState(page: Page, state: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (want) =>
      document.querySelector('[data-testid="run-progress"]')?.getAttribute('data-state') === want,
    state,
    { timeout },
  );
}

/** The run page's answer counts line, whitespace collapsed. */
export async function runCounts(page: Page): Promise<string> {
  return ((await page.getByTestId('run-counts').textContent()) ?? '').replace(/\s+/g, ' ');
}

/**
 * The records of run `runId` in the app's IndexedDB, per store: the run's own record from
 * `runs`, its rows (by `runId`) from every other store named.
 */
export async function storedRunRecords<S extends string>(
  page: Page,
  runId: string,
  stores: readonly S[],
): Promise<Record<S, Record<string, unknown>[]>> {
  return page.evaluate(
    async ({ id, names }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('behaviour-diff');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const out: Record<string, Record<string, unknown>[]> = {};
      for (const name of names) {
        const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
          const request = db.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
          request.onerror = () => reject(request.error);
        });
        out[name] = rows.filter((r) => (name === 'runs' ? r.id === id : r.runId === id));
      }
      db.close();
      return out;
    },
    { id: runId, names: [...stores] },
  ) as Promise<Record<S, Record<string, unknown>[]>>;
}
