/**
 * The bundled tiny model (transformers.js, in this browser) as the supervisor, in Chromium. It is
 * a 3-layer GPT-2 that talks like a software licence: it cannot follow the supervisor's formats,
 * which is the point. On a small imported run the pipeline must still run every stage without a
 * preview (nothing leaves the machine) and finish; the replies it cannot read are counted and
 * shown, and no hypothesis, property or label is made up from them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFiles, launch, type E2eSession } from './browser';

const TOPICS = ['tides', 'bread', 'chess', 'bees', 'owls', 'salt'];
// Prompts whose two answers the supervisor describes (of the 3 in the discovery half).
const DESCRIBED = 2;

/** A small pair: B always adds a sentence. */
function writePair(dir: string): string[] {
  return (['A', 'B'] as const).map((side) => {
    const rows = TOPICS.map((t) => ({
      instruction: `Tell me about ${t}.`,
      output:
        side === 'A'
          ? `A short note about ${t}.`
          : `A short note about ${t}. There is more to say about ${t}.`,
      generator: side === 'A' ? 'small-before' : 'small-after',
    }));
    const path = join(dir, `${side === 'A' ? 'before' : 'after'}_outputs.json`);
    writeFileSync(path, JSON.stringify(rows));
    return path;
  });
}

describe('the bundled tiny model as an in-browser supervisor', () => {
  let s: E2eSession;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bd-supervisor-local-'));
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every stage without a preview, finishes, and counts the replies it could not read', async () => {
    const { page } = s;
    const outside: string[] = [];
    page.on('request', (r) => {
      // Workers' blob: URLs carry the page's origin; data: URLs have none.
      const url = new URL(r.url());
      if (url.protocol !== 'data:' && url.origin !== new URL(s.baseUrl).origin)
        outside.push(r.url());
    });
    await importFiles(s, writePair(dir));
    await page.getByLabel('k', { exact: true }).fill('2');
    await page.getByTestId('run-analysis').click();
    await page.getByTestId('results').waitFor({ timeout: 90_000 });

    const panel = page.getByTestId('supervisor-panel');
    await panel.getByTestId('supervisor-kind').selectOption('transformers');
    expect(await panel.getByTestId('supervisor-model').inputValue()).toBe('tiny-base');
    await panel.getByTestId('supervisor-local-note').waitFor();
    // No key and no cap for a model in this browser.
    expect(await panel.getByTestId('supervisor-key').count()).toBe(0);
    await panel.locator('details.sampling > summary').click();
    await panel.getByLabel('Prompts described').fill(String(DESCRIBED));
    await panel.getByLabel('Hypotheses, up to').fill('1');
    await panel.getByLabel('Held-out prompts judged').fill('2');

    const start = panel.getByTestId('supervisor-start');
    expect(await start.textContent()).toBe('Run the supervisor');
    await start.click();
    const done = panel.getByTestId('supervisor-done');
    await done.waitFor({ timeout: 90_000 });
    // Never previewed: the stages ran one after the other.
    expect(await panel.getByTestId('egress-preview').count()).toBe(0);
    expect(outside).toEqual([]);

    // At temperature 0 the tiny model's replies are fixed, and none is in any format: each
    // described prompt's reply and its one repair are unreadable, as are both cluster labels and
    // the proposals. Nothing is made of them: no label, property or hypothesis, so nothing to judge.
    expect(await panel.getByTestId('supervisor-unparseable').textContent()).toBe(
      'Replies that could not be read (counted and left out, never guessed): ' +
        `${2 * DESCRIBED} of ${2 * DESCRIBED} property lists, 2 of 2 cluster labels, 1 of 1 proposals.`,
    );
    expect((await done.textContent())?.replace(/\s+/g, ' ')).toBe(
      'Done: 0 cluster labels, 0 property clusters, 0 hypotheses tested on held-out prompts.',
    );
    const findings = page.getByTestId('supervisor-findings');
    await findings.waitFor();
    expect(await findings.getByTestId('hypothesis').count()).toBe(0);
    await findings.getByTestId('hypotheses-empty').waitFor();
    expect(await findings.getByTestId('supervisor-properties').count()).toBe(0);
    expect(await page.getByTestId('cluster-label').count()).toBe(0);
  });

  it('raised no uncaught page errors', () => {
    expect(s.errors.filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});
