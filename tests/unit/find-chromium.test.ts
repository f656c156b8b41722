import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  ChromiumNotFoundError,
  findChromium,
  playwrightCacheDir,
} from '../../tests/e2e/find-chromium';

const ROOT = join(import.meta.dirname, '..', '..');
const trees: string[] = [];
afterAll(() => trees.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temp folder holding the given files; executables get mode 755, others 644. */
function fakeTree(files: Record<string, 'exe' | 'plain'>): string {
  const root = mkdtempSync(join(tmpdir(), 'bd-find-chromium-'));
  trees.push(root);
  for (const [path, kind] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '#!/bin/sh\n');
    chmodSync(full, kind === 'exe' ? 0o755 : 0o644);
  }
  return root;
}

/** Looks up with everything pointing into `root`; no real system path takes part. */
function lookIn(root: string, env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = 'linux') {
  return findChromium({
    env: { PLAYWRIGHT_BROWSERS_PATH: join(root, 'ms-playwright'), PATH: '', ...env },
    platform,
    home: join(root, 'home'),
    systemPaths: [],
  });
}

describe('findChromium', () => {
  it("takes the newest full Chromium from Playwright's cache, before the headless shell", () => {
    const root = fakeTree({
      'ms-playwright/chromium-1200/chrome-linux64/chrome': 'exe',
      'ms-playwright/chromium-1255/chrome-linux64/chrome': 'exe',
      'ms-playwright/chromium_headless_shell-1300/chrome-headless-shell-linux64/chrome-headless-shell':
        'exe',
      'bin/chromium': 'exe',
    });
    expect(lookIn(root, { PATH: join(root, 'bin') })).toBe(
      join(root, 'ms-playwright/chromium-1255/chrome-linux64/chrome'),
    );
  });

  it('falls back to the headless shell, and reads the older chrome-linux layout', () => {
    const shell = fakeTree({
      'ms-playwright/chromium_headless_shell-1255/chrome-headless-shell-linux64/chrome-headless-shell':
        'exe',
    });
    expect(lookIn(shell)).toBe(
      join(
        shell,
        'ms-playwright/chromium_headless_shell-1255/chrome-headless-shell-linux64/chrome-headless-shell',
      ),
    );
    const old = fakeTree({ 'ms-playwright/chromium-1091/chrome-linux/chrome': 'exe' });
    expect(lookIn(old)).toBe(join(old, 'ms-playwright/chromium-1091/chrome-linux/chrome'));
  });

  it('skips files that cannot be run and folders that are not browsers', () => {
    const root = fakeTree({
      'ms-playwright/chromium-1255/chrome-linux64/chrome': 'plain',
      'ms-playwright/firefox-1572/firefox/firefox': 'exe',
      'ms-playwright/chromium-tip-of-tree-9/chrome-linux64/chrome': 'exe',
      'bin/google-chrome': 'exe',
    });
    expect(lookIn(root, { PATH: join(root, 'bin') })).toBe(join(root, 'bin/google-chrome'));
  });

  it('finds the cache under XDG_CACHE_HOME or ~/.cache when PLAYWRIGHT_BROWSERS_PATH is unset', () => {
    const root = fakeTree({
      'home/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome': 'exe',
      'xdg/ms-playwright/chromium-1254/chrome-linux64/chrome': 'exe',
    });
    const home = join(root, 'home');
    const find = (env: NodeJS.ProcessEnv) =>
      findChromium({ env: { PATH: '', ...env }, platform: 'linux', home, systemPaths: [] });
    expect(find({})).toBe(join(home, '.cache/ms-playwright/chromium-1255/chrome-linux64/chrome'));
    expect(find({ XDG_CACHE_HOME: join(root, 'xdg') })).toBe(
      join(root, 'xdg/ms-playwright/chromium-1254/chrome-linux64/chrome'),
    );
  });

  it("uses each platform's cache folder and browser layout", () => {
    expect(playwrightCacheDir({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Caches/ms-playwright',
    );
    expect(playwrightCacheDir({ LOCALAPPDATA: '/L' }, 'win32', '/h')).toBe(
      join('/L', 'ms-playwright'),
    );
    expect(playwrightCacheDir({ PLAYWRIGHT_BROWSERS_PATH: '0' }, 'linux', '/h')).toBe(
      join(ROOT, 'node_modules', 'playwright-core', '.local-browsers'),
    );
    const mac = fakeTree({
      'ms-playwright/chromium-1255/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing':
        'exe',
    });
    expect(lookIn(mac, {}, 'darwin')).toContain('chrome-mac-arm64/Google Chrome for Testing.app');
    const win = fakeTree({ 'ms-playwright/chromium-1255/chrome-win64/chrome.exe': 'plain' });
    expect(lookIn(win, {}, 'win32')).toBe(
      join(win, 'ms-playwright/chromium-1255/chrome-win64/chrome.exe'),
    );
  });

  it('tries the system paths, then chromium, chromium-browser and google-chrome on PATH', () => {
    const root = fakeTree({ 'usr/bin/chromium': 'exe', 'bin/chromium-browser': 'exe' });
    const find = (systemPaths: string[]) =>
      findChromium({
        env: { PATH: join(root, 'bin'), PLAYWRIGHT_BROWSERS_PATH: join(root, 'none') },
        platform: 'linux',
        home: root,
        systemPaths,
      });
    expect(find([join(root, 'usr/bin/chromium')])).toBe(join(root, 'usr/bin/chromium'));
    expect(find([])).toBe(join(root, 'bin/chromium-browser'));
  });

  it('returns CHROMIUM_PATH when it names an executable, whatever else is installed', () => {
    const root = fakeTree({
      'custom/my-chrome': 'exe',
      'ms-playwright/chromium-1255/chrome-linux64/chrome': 'exe',
    });
    expect(lookIn(root, { CHROMIUM_PATH: join(root, 'custom/my-chrome') })).toBe(
      join(root, 'custom/my-chrome'),
    );
  });

  it('refuses a CHROMIUM_PATH that names no file, in one line naming it, with no fallback', () => {
    const root = fakeTree({ 'ms-playwright/chromium-1255/chrome-linux64/chrome': 'exe' });
    const missing = join(root, 'nowhere/chrome');
    const lookup = () => lookIn(root, { CHROMIUM_PATH: missing });
    expect(lookup).toThrow(ChromiumNotFoundError);
    expect(lookup).toThrow(`CHROMIUM_PATH is set to ${missing}, but no executable file is there`);
  });

  it('says, in one line, both ways to get a browser when none is found', () => {
    const root = fakeTree({ 'bin/firefox': 'exe' });
    let message = '';
    try {
      lookIn(root, { PATH: join(root, 'bin') });
    } catch (error) {
      expect(error).toBeInstanceOf(ChromiumNotFoundError);
      message = (error as Error).message;
    }
    expect(message).toContain('apt-get install chromium');
    expect(message).toContain('npx playwright install chromium');
    expect(message).not.toContain('\n');
  });
});

describe('the e2e stage without a browser', () => {
  it('stops in its global setup with one line and a non-zero exit', async () => {
    const missing = join(tmpdir(), 'bd-no-such-dir', 'chrome');
    const result = await promisify(execFile)(
      'npx',
      ['vitest', 'run', '--project', 'e2e', 'tests/e2e/plots.test.ts'],
      { cwd: ROOT, env: { ...process.env, CHROMIUM_PATH: missing, NO_COLOR: '1' } },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringContaining(`CHROMIUM_PATH is set to ${missing}`)]);
    expect(lines[0]).toContain('apt-get install chromium');
    expect(lines[0]).toContain('npx playwright install chromium');
  });
});
