import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { launch, type E2eSession } from './browser';

/**
 * A course page on another site: served from 127.0.0.1 like the app but opened as `localhost`,
 * so the frame is cross-site (its storage is a third party's), with no special headers.
 */
async function startCoursePage(appUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(
      '<!doctype html><title>Course</title><h1>Week 3: behaviour diffs</h1>' +
        `<iframe id="demo" src="${appUrl}" width="1100" height="760"></iframe>`,
    );
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, server };
}

/** The frame showing `url`'s origin, once it is attached. */
async function frameFrom(page: Page, origin: string): Promise<Frame> {
  await expect.poll(() => page.frames().some((f) => f.url().startsWith(origin))).toBe(true);
  return page.frames().find((f) => f.url().startsWith(origin))!;
}

describe('the app embedded in a frame, and the headers it is served with', () => {
  let s: E2eSession;
  let course: { url: string; server: Server };
  beforeAll(async () => {
    s = await launch();
    course = await startCoursePage(s.baseUrl);
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((done) => course?.server.close(done));
  });

  it('is served with its meta CSP as a header, nosniff, and sends no referrer', async () => {
    const { page } = s;
    const referrers: (string | undefined)[] = [];
    page.on('request', (r) => referrers.push(r.headers()['referer']));
    const response = await page.goto(s.baseUrl);
    await page.getByTestId('start-demo').waitFor();
    const headers = response!.headers();
    const meta = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(meta).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toBe(meta);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBeUndefined();
    // The page's own scripts and styles were fetched without a Referer.
    expect(referrers.length).toBeGreaterThan(1);
    expect(referrers.filter(Boolean)).toEqual([]);
  });

  it('runs the offline demo inside a course page on another site', async () => {
    const { page } = s;
    await page.goto(course.url);
    await page.getByRole('heading', { name: 'Week 3: behaviour diffs' }).waitFor();
    const app = await frameFrom(page, new URL(s.baseUrl).origin);
    await app.getByTestId('start-demo').click();
    await app.getByTestId('run-progress').waitFor();
    await app.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid="run-counts-live"]')?.textContent ?? '';
        return Number(/(\d+) of \d+ answers/.exec(text)?.[1] ?? 0) >= 3;
      },
      undefined,
      { timeout: 90_000 },
    );
    expect(s.errors).toEqual([]);
  });

  it('loads inside a same-origin, cross-origin-isolated parent (COEP on both sides)', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = `${src}#/library`;
      document.body.append(frame);
    }, s.baseUrl);
    await expect.poll(() => page.frames().length).toBe(2);
    const inner = page.frames()[1]!;
    await inner.getByRole('heading', { name: 'Run library' }).waitFor();
    expect(s.errors).toEqual([]);
  });
});
