/**
 * Finds a Chromium for the e2e tests and the browser bench, the way the ecosystem does:
 * CHROMIUM_PATH, then a browser Playwright downloaded into its cache folder, then a system
 * Chromium or Chrome. Node only; no browser is launched here.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The flags every headless Chromium of the e2e suite and the browser bench starts with (see
 * DESIGN.md): without the background-networking ones Chromium's own connections are refused by
 * this offline machine, many at a time; swiftshader gives headless WebGL.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
];

/** Both ways to get a browser, ending the one-line messages below. */
export const HOW_TO_INSTALL_CHROMIUM =
  'install one with `apt-get install chromium` (Debian/Ubuntu), or run ' +
  '`npx playwright install chromium` on a machine with internet access';

/** No usable browser: the message is one line a person can act on. */
export class ChromiumNotFoundError extends Error {
  override name = 'ChromiumNotFoundError';
}

/** Where to look; every field defaults to this machine, tests pass a fake folder tree. */
export interface ChromiumLookupOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** Absolute paths tried after Playwright's cache and before PATH (default: per platform). */
  systemPaths?: readonly string[];
}

// Executable paths inside a Playwright browser folder, from playwright-core's registry
// (EXECUTABLE_PATHS); the `chrome-linux` / `chrome-mac` / `chrome-win` forms are older releases.
const PLAYWRIGHT_LAYOUTS: Partial<Record<NodeJS.Platform, { full: string[]; shell: string[] }>> = {
  linux: {
    full: ['chrome-linux64/chrome', 'chrome-linux-arm64/chrome', 'chrome-linux/chrome'],
    shell: [
      'chrome-headless-shell-linux64/chrome-headless-shell',
      'chrome-headless-shell-linux-arm64/chrome-headless-shell',
      'chrome-linux/headless_shell',
    ],
  },
  darwin: {
    full: [
      'chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
      'chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
      'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
    ],
    shell: [
      'chrome-headless-shell-mac-arm64/chrome-headless-shell',
      'chrome-headless-shell-mac-x64/chrome-headless-shell',
      'chrome-mac/headless_shell',
    ],
  },
  win32: {
    full: ['chrome-win64/chrome.exe', 'chrome-win/chrome.exe'],
    shell: [
      'chrome-headless-shell-win64/chrome-headless-shell.exe',
      'chrome-win/headless_shell.exe',
    ],
  },
};

const SYSTEM_PATHS: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['/usr/bin/chromium'],
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
};

const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Whether `path` is a file this process may run. */
function isExecutable(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    // Windows has no execute bit; existence is all there is to check.
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Playwright's browser cache folder, resolved as playwright-core's registry does. */
export function playwrightCacheDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
): string {
  const custom = env.PLAYWRIGHT_BROWSERS_PATH;
  // "0" means "inside the installed playwright-core package".
  if (custom === '0') {
    const packageJson = createRequire(import.meta.url).resolve('playwright-core/package.json');
    return join(dirname(packageJson), '.local-browsers');
  }
  if (custom) return isAbsolute(custom) ? custom : resolve(env.INIT_CWD ?? process.cwd(), custom);
  const cache =
    platform === 'darwin'
      ? join(home, 'Library', 'Caches')
      : platform === 'win32'
        ? (env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'))
        : (env.XDG_CACHE_HOME ?? join(home, '.cache'));
  return join(cache, 'ms-playwright');
}

/**
 * Executables in Playwright's cache, best first: full Chromium before the headless shell,
 * newer revisions before older ones.
 */
function playwrightCandidates(dir: string, platform: NodeJS.Platform): string[] {
  const layout = PLAYWRIGHT_LAYOUTS[platform];
  if (!layout) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const revisions = (prefix: string) =>
    names
      .map((name) => ({ name, revision: Number(new RegExp(`^${prefix}-(\\d+)$`).exec(name)?.[1]) }))
      .filter((d) => Number.isFinite(d.revision))
      .sort((a, b) => b.revision - a.revision)
      .map((d) => d.name);
  return [
    ...revisions('chromium').flatMap((name) => layout.full.map((p) => join(dir, name, p))),
    ...revisions('chromium_headless_shell').flatMap((name) =>
      layout.shell.map((p) => join(dir, name, p)),
    ),
  ];
}

/** Browsers on PATH under the names distributions give them. */
function pathCandidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const suffix = platform === 'win32' ? '.exe' : '';
  return PATH_NAMES.flatMap((name) => dirs.map((dir) => join(dir, name + suffix)));
}

/**
 * The path of a Chromium to launch.
 * @throws ChromiumNotFoundError when CHROMIUM_PATH names no executable file, or when no
 * browser is found anywhere; the message is one line saying how to get one.
 */
export function findChromium(options: ChromiumLookupOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? homedir();
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (isExecutable(chosen, platform)) return chosen;
    throw new ChromiumNotFoundError(
      `CHROMIUM_PATH is set to ${chosen}, but no executable file is there: ` +
        `point it at a Chromium or Chrome executable, or unset it and ${HOW_TO_INSTALL_CHROMIUM}.`,
    );
  }
  const candidates = [
    ...playwrightCandidates(playwrightCacheDir(env, platform, home), platform),
    ...(options.systemPaths ?? SYSTEM_PATHS[platform] ?? []),
    ...pathCandidates(env, platform),
  ];
  const found = candidates.find((path) => isExecutable(path, platform));
  if (found) return found;
  throw new ChromiumNotFoundError(
    `No Chromium found for the browser tests: ${HOW_TO_INSTALL_CHROMIUM}, ` +
      'or set CHROMIUM_PATH to a Chromium or Chrome executable.',
  );
}

/**
 * The browser every e2e file launches, looked up before anything is built, served or run:
 * without one, the stage stops with one line (a thrown error would add vitest's stack trace
 * and a "no test files" report) instead of one launch failure per test file.
 */
export function chromiumOrExit(): string {
  try {
    return findChromium();
  } catch (error) {
    if (!(error instanceof ChromiumNotFoundError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
