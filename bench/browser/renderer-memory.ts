/**
 * Chromium with its process id, and the resident memory of its renderer processes read from
 * /proc (Linux): the page, its dedicated workers and its service worker all run in renderers,
 * so their summed VmRSS, sampled every few milliseconds, bounds what a model load costs there.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../../tests/e2e/find-chromium';

/** A headless Chromium whose process tree can be measured. */
export interface MeasuredChromium {
  context: BrowserContext;
  page: Page;
  /** The browser's main process. */
  pid: number;
  close(): Promise<void>;
}

/** The browser process whose command line holds `marker` (not one of its `--type=` children). */
function browserPid(marker: string): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(marker) && !cmdline.includes('--type=')) return Number(name);
    } catch {
      // Ended.
    }
  }
  return null;
}

/** Launches Chromium with a fresh profile; its main process is found by its profile folder. */
export async function launchMeasured(): Promise<MeasuredChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bd-bench-mem-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    args: [...CHROMIUM_FLAGS],
    headless: true,
    viewport: { width: 1280, height: 860 },
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= context
      .close()
      .finally(() => rmSync(userDataDir, { recursive: true, force: true })));
  const pid = browserPid(userDataDir);
  if (!pid) {
    await close();
    throw new Error('Chromium started but its process was not found in /proc');
  }
  // tsx (keepNames) wraps functions in `__name(...)`, also inside page.evaluate callbacks.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, pid, close };
}

/** Parent pid of every process, from /proc/<pid>/stat. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(name), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  return map;
}

/** The renderer processes under `root` (zygote children included). */
export function rendererPids(root: number): number[] {
  const tree = parents();
  const below = (pid: number): boolean => {
    for (let p = tree.get(pid), hops = 0; p !== undefined && hops < 10; p = tree.get(p), hops++) {
      if (p === root) return true;
    }
    return false;
  };
  return [...tree.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false;
    }
  });
}

/** Summed VmRSS of `pids` in MB (processes that ended count 0). */
export function rssMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // Ended.
    }
  }
  return kb / 1024;
}

/** Samples the renderers' summed RSS every `everyMs` until stopped; resolves with the peak. */
export function sampleRendererPeak(root: number, everyMs = 20): { stop(): number } {
  let pids = rendererPids(root);
  let peak = rssMb(pids);
  let ticks = 0;
  const timer = setInterval(() => {
    // A renderer started mid-load (a new worker process) is picked up within ~0.5 s.
    if (++ticks % 25 === 0) pids = rendererPids(root);
    peak = Math.max(peak, rssMb(pids));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(rendererPids(root)));
    },
  };
}
