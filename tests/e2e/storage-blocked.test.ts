import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { importFiles, launch, type E2eSession } from './browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/e2e');
const PAIR = [
  join(FIXTURES, 'before_model_outputs.json'),
  join(FIXTURES, 'after_model_outputs.json'),
];

// What Chromium throws from `window.localStorage` when site data is blocked.
const THROWING_LOCAL_STORAGE = `
  Object.defineProperty(window, 'localStorage', {
    configurable: true,
    get() {
      throw new DOMException(
        "Failed to read the 'localStorage' property from 'Window': Access is denied for this document.",
        'SecurityError',
      );
    },
  });`;

// Some browsers refuse IndexedDB by throwing from open() rather than failing the request.
const THROWING_INDEXED_DB_OPEN = `
  IDBFactory.prototype.open = function () {
    throw new DOMException('The operation is insecure.', 'SecurityError');
  };`;

/** The storage notice's text, once it shows. */
async function storageNotice(page: Page): Promise<string> {
  const notice = page.getByTestId('storage-notice');
  await notice.waitFor();
  return (await notice.textContent()) ?? '';
}

/** What reading `window.localStorage` gives the page: the error's name, or the value's type. */
const readLocalStorage = (page: Page) =>
  page.evaluate(() => {
    try {
      return typeof window.localStorage;
    } catch (error) {
      return (error as Error).name;
    }
  });

/** Visible text of the whole page (what a user would read). */
const pageText = (page: Page) => page.locator('body').innerText();

describe('the app with site storage blocked', () => {
  let s: E2eSession | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('renders, switches theme and imports when localStorage throws', async () => {
    s = await launch();
    await s.browser.addInitScript({ content: THROWING_LOCAL_STORAGE });
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('start-demo').waitFor();
    expect(await readLocalStorage(page)).toBe('SecurityError');

    const notice = await storageNotice(page);
    expect(notice).toContain('This browser blocks site storage: settings are not remembered.');
    // IndexedDB still works here, so runs are saved and the notice does not say otherwise.
    expect(notice).not.toMatch(/runs/);

    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const before = await theme();
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    expect(await theme()).not.toBe(before);

    await importFiles(s, PAIR);
    await page.goto(`${s.baseUrl}#/library`);
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);
    expect(await page.getByTestId('library-memory').count()).toBe(0);
    expect(s.errors).toEqual([]);
  });

  it('keeps runs in the tab and says so in plain words when indexedDB.open throws', async () => {
    s = await launch();
    await s.browser.addInitScript({ content: THROWING_INDEXED_DB_OPEN });
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('start-demo').waitFor();
    expect(await storageNotice(page)).toContain(
      'This browser blocks site storage: runs last only until this tab is closed (export the ones to keep).',
    );

    await importFiles(s, PAIR);
    await page.goto(`${s.baseUrl}#/library`);
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);
    await page.getByTestId('library-memory').waitFor();
    const text = await pageText(page);
    expect(text).not.toMatch(/SecurityError|DOMException|operation is insecure/);
    expect(s.errors).toEqual([]);
  });

  it("runs the offline demo with Chromium's own 'don't allow sites to save data' setting", async () => {
    s = await launch({ blockSiteData: true });
    const { page } = s;
    await page.goto(s.baseUrl);
    // The setting is really on: the page cannot even read localStorage.
    expect(await readLocalStorage(page)).toBe('SecurityError');
    expect(await storageNotice(page)).toContain(
      'This browser blocks site storage: runs last only until this tab is closed (export the ones to keep) and settings are not remembered.',
    );

    await page.getByTestId('start-demo').click();
    await page.getByTestId('run-progress').waitFor();
    await page.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid="run-counts-live"]')?.textContent ?? '';
        return Number(/(\d+) of \d+ answers/.exec(text)?.[1] ?? 0) >= 3;
      },
      undefined,
      { timeout: 90_000 },
    );
    expect(await pageText(page)).not.toMatch(/DOMException|denied permission/);
    expect(s.errors).toEqual([]);
  });
});
