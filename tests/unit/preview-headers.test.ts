import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preview, type PreviewServer } from 'vite';

// `npm start` runs `vite preview` with vite.config.ts; this starts the same server, through the
// same config, on a site folder holding the real index.html and one script.
const ROOT = join(import.meta.dirname, '..', '..');
const site = mkdtempSync(join(tmpdir(), 'bd-preview-headers-'));
let server: PreviewServer;
let baseUrl: string;

beforeAll(async () => {
  copyFileSync(join(ROOT, 'index.html'), join(site, 'index.html'));
  mkdirSync(join(site, 'assets'));
  writeFileSync(join(site, 'assets', 'index-test.js'), 'export {};\n');
  server = await preview({
    root: ROOT,
    build: { outDir: site },
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false },
    logLevel: 'silent',
  });
  baseUrl = server.resolvedUrls!.local[0]!;
});

afterAll(async () => {
  await server?.close();
  rmSync(site, { recursive: true, force: true });
});

/** The content of the page's CSP meta tag, whatever the order of its attributes. */
function metaPolicy(html: string): string | undefined {
  const tags = html.match(/<meta\b[^>]*>/gi) ?? [];
  const tag = tags.find((t) => /http-equiv\s*=\s*["']Content-Security-Policy["']/i.test(t));
  return tag ? /\bcontent\s*=\s*"([^"]*)"/i.exec(tag)?.[1] : undefined;
}

describe('the headers `npm start` serves', () => {
  it('sends nosniff, no referrer, isolation and a CSP header equal to the meta tag', async () => {
    const page = await fetch(baseUrl);
    expect(page.status).toBe(200);
    const meta = metaPolicy(await page.text());
    expect(meta).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).toBe(meta);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('sends the same headers with scripts, and nothing that forbids embedding in a frame', async () => {
    const script = await fetch(`${baseUrl}assets/index-test.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    const policy = script.headers.get('content-security-policy');
    expect(policy).toBe(metaPolicy(await (await fetch(baseUrl)).text()));
    expect(script.headers.get('x-frame-options')).toBeNull();
    expect(policy).not.toMatch(/frame-ancestors/);
  });
});

describe("the README's nginx example", () => {
  it('sets exactly the headers `npm start` sends, with the same values', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const nginx = /```nginx\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = [...nginx.matchAll(/add_header\s+([\w-]+)\s+("([^"]*)"|\S+)\s+always;/g)];
    const fromReadme = Object.fromEntries(lines.map((m) => [m[1]!.toLowerCase(), m[3] ?? m[2]!]));
    const served = (await fetch(baseUrl)).headers;
    expect(Object.keys(fromReadme).sort()).toEqual([
      'content-security-policy',
      'cross-origin-embedder-policy',
      'cross-origin-opener-policy',
      'referrer-policy',
      'x-content-type-options',
    ]);
    for (const [name, value] of Object.entries(fromReadme)) {
      expect(value, name).toBe(served.get(name));
    }
  });
});
