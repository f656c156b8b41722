import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type E2eSession, waitForRunState } from './browser';

// The demo: 12 prompts x 3 samples x 2 models (see core/generate/new-run.ts).
const PROMPTS = 12;
const SAMPLES = 3;

describe('the offline demo in Chromium: generate, close mid-run, resume, analyse', () => {
  let s: E2eSession;
  beforeAll(async () => {
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
  });

  it(
    'resumes exactly the missing jobs after the page is closed mid-run',
    { timeout: 300_000 },
    async () => {
      const page = s.page;
      const requests: string[] = [];
      await page.goto(s.baseUrl);
      await page.getByTestId('start-demo').click();
      const progress = page.getByTestId('run-progress');
      await progress.waitFor();
      const runUrl = page.url();
      expect(runUrl).toContain('#/run/');

      // Wait until a few answers are stored, then close the tab while it is still generating.
      await page.waitForFunction(
        () => {
          const text = document.querySelector('[data-testid="run-counts-live"]')?.textContent ?? '';
          const done = Number(/(\d+) of \d+ answers/.exec(text)?.[1] ?? 0);
          return done >= 6;
        },
        undefined,
        { timeout: 90_000 },
      );
      expect(await progress.getAttribute('data-state')).toBe('running');
      await page.close();

      const again = await s.newPage();
      again.on('request', (r) => requests.push(r.url()));
      await again.goto(runUrl);
      const resume = again.getByTestId('resume-run');
      await resume.waitFor();
      expect(await resume.textContent()).toMatch(/Resume \(\d+ to go\)/);
      await resume.click();
      await again.getByTestId('pause-run').waitFor();
      await again.getByTestId('pause-run').click();
      await again.getByTestId('resume-run').waitFor();
      await again.getByTestId('resume-run').click();

      await waitForRunState(again, 'done', 180_000);
      const flat = async () =>
        ((await again.getByTestId('run-counts').textContent()) ?? '').replace(/\s+/g, ' ');
      const counts = await flat();
      expect(counts).toContain(
        `${PROMPTS} prompts · ${PROMPTS * SAMPLES} answers from A · ${PROMPTS * SAMPLES} answers from B`,
      );
      expect(await again.getByTestId('answer-a').count()).toBe(PROMPTS * SAMPLES);
      expect(await again.getByTestId('answer-b').count()).toBe(PROMPTS * SAMPLES);

      // The finished demo goes on to its analysis, which is saved with the run.
      await again.getByTestId('results').waitFor({ timeout: 120_000 });
      expect(await again.getByTestId('cluster-row').count()).toBeGreaterThanOrEqual(2);

      // Reload: what is stored is exactly prompts x samples x 2, nothing duplicated or lost.
      await again.reload();
      await again.getByTestId('results').waitFor();
      expect(await flat()).toContain(
        `${PROMPTS * SAMPLES} answers from A · ${PROMPTS * SAMPLES} answers from B`,
      );
      expect(await again.getByTestId('resume-run').count()).toBe(0);
      await again.setViewportSize({ width: 1280, height: 1100 });
      await again
        .getByTestId('map')
        .locator('canvas')
        .first()
        .waitFor({ state: 'attached', timeout: 30_000 });
      await again.waitForTimeout(500);
      // The README's screenshot, refreshed on request only so a test run leaves the tree clean.
      if (process.env.UPDATE_SCREENSHOTS)
        await again.screenshot({ path: 'docs/screenshot-demo.png' });

      const origin = new URL(s.baseUrl).origin;
      expect(
        requests.filter(
          (u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'),
        ),
      ).toEqual([]);
    },
  );

  it('raised no uncaught page errors', () => {
    expect(s.errors).toEqual([]);
  });
});
