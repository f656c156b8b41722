/**
 * The supervisor in the built app, in Chromium, against the stand-in OpenAI-compatible supervisor
 * (tests/stand-ins/supervisor-server.ts; its fixed rule is documented there). The answer pair is
 * built so that only "B gives longer answers" holds: A writes one sentence, B the same sentence
 * and two more, and nobody writes a numbered list. So, by the stand-in's rule, on every held-out
 * prompt both orders pick B's answer for "longer" (confirmed, and marked "may only be length"
 * since the length rule is as good), and for "numbered lists" the tie is answered "1" in both
 * orders (a flip on every prompt: nothing decided). Then the key is searched for everywhere the
 * app writes or shows anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REMEMBERED_KEYS_ENTRY } from '../../src/lib/state/remembered-keys';
import { longerPairs } from '../stand-ins/longer-answers';
import { startStandInSupervisor, type StandInSupervisor } from '../stand-ins/supervisor-server';
import { importFiles, launch, type E2eSession } from './browser';

const KEY = 'sk-proj-Hc4Tn8Wq2Lx6Vb9Rm3Ks7Dp1Fy5Gj0Ze8Ua2Oi';
const WRONG_KEY = 'sk-proj-Wr0ngK3yQz5Lm8Pn2Xc7Vb4Ty9Hd1Sa6Fe3Gu';
// Model labels and file names: the supervisor must never see them.
const LABEL_A = 'orchid-model-seven';
const LABEL_B = 'quartz-model-nine';
const FILE_A = 'orchid_outputs.json';
const FILE_B = 'quartz_outputs.json';

const PAIRS = longerPairs(36);
const TOPICS = PAIRS.map((p) => p.topic);
const N = TOPICS.length;
const DISCOVERY = Math.ceil(N / 2);
const HELD_OUT = N - DISCOVERY;

const pairOf = new Map(PAIRS.map((p) => [p.topic, p]));
const promptOf = (topic: string) => pairOf.get(topic)!.prompt;
const answerA = (topic: string) => pairOf.get(topic)!.a;
const answerB = (topic: string) => pairOf.get(topic)!.b;

/** The pair as alpaca_eval files named after the models. */
function writePair(dir: string): string[] {
  const write = (file: string, label: string, answer: (t: string) => string) => {
    const rows = TOPICS.map((t) => ({
      instruction: promptOf(t),
      output: answer(t),
      generator: label,
    }));
    const path = join(dir, file);
    writeFileSync(path, JSON.stringify(rows, null, 2));
    return path;
  };
  return [write(FILE_A, LABEL_A, answerA), write(FILE_B, LABEL_B, answerB)];
}

/** Every record of every IndexedDB store of this origin, as JSON. */
async function dumpIndexedDb(page: Page): Promise<{ stores: string[]; text: string }> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name!).filter(Boolean);
    const dumps: unknown[] = [];
    const stores: string[] = [];
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        stores.push(`${name}/${store}:${rows.length}`);
        dumps.push({ name, store, rows });
      }
      db.close();
    }
    // Typed arrays (vectors) would serialise key by key; they hold no text anyway.
    const text = JSON.stringify(dumps, (_k, v: unknown) =>
      ArrayBuffer.isView(v) ? `[${v.constructor.name}]` : v,
    );
    return { stores, text };
  });
}

/** Fails when `text` holds any 8-character piece of `secret`. */
function expectNoPieceOf(text: string, secret: string, where: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    expect(text.includes(piece), `"${piece}" leaked into ${where}`).toBe(false);
  }
}

/** Clicks a download button and returns the downloaded file's text. */
async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ]);
  return readFileSync(await file.path(), 'utf8');
}

/** The text of each request's messages, joined. */
const sentText = (r: StandInSupervisor['requests'][number]) =>
  r.body.messages.map((m) => m.content).join('\n');

describe('the supervisor in Chromium against a local OpenAI-compatible server', () => {
  let s: E2eSession;
  let dir: string;
  let server: StandInSupervisor;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bd-supervisor-e2e-'));
    server = await startStandInSupervisor({ apiKey: KEY });
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the pair and analyses it with k = 2', async () => {
    const { page } = s;
    await importFiles(s, writePair(dir));
    await page.getByLabel('k', { exact: true }).fill('2');
    await page.getByTestId('run-analysis').click();
    await page.getByTestId('results').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('cluster-row').count()).toBe(2);
    await page.getByTestId('supervisor-panel').waitFor();
  });

  it('sets up the supervisor: a refused key is reported without showing it, the right one works and is remembered', async () => {
    const { page } = s;
    const panel = page.getByTestId('supervisor-panel');
    await panel.getByTestId('supervisor-kind').selectOption('openai');
    await panel.locator('#supervisor-url').fill(server.url);
    await panel.locator('#supervisor-url').dispatchEvent('change');
    await panel.getByTestId('supervisor-model').fill(server.model);

    await panel.getByTestId('supervisor-key').fill(WRONG_KEY);
    await panel.getByTestId('supervisor-test').click();
    const result = panel.getByTestId('supervisor-test-result');
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toMatch(/refused the key/);
    // The stand-in echoed the wrong key in its 401; the page shows none of it.
    expect(server.requests.at(-1)?.outcome).toBe('401');
    expectNoPieceOf(
      await page.evaluate(() => document.body.innerText),
      WRONG_KEY,
      'the page text after a refusal',
    );

    await panel.getByTestId('supervisor-key').fill(KEY);
    await panel.getByTestId('supervisor-remember').check();
    await panel.getByTestId('supervisor-test').click();
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toContain(`It works: ${server.model} answered “OK”`);
    const saved = await page.evaluate(() => ({ ...localStorage }));
    expect(Object.keys(saved).filter((k) => saved[k]!.includes(KEY))).toEqual([
      REMEMBERED_KEYS_ENTRY,
    ]);
    await expect(panel.getByTestId('supervisor-forget').isVisible()).resolves.toBe(true);
  });

  let excludedTopic = '';

  it('previews exactly what the first stage sends, blind, with sizes; an excluded prompt is not sent', async () => {
    const { page } = s;
    const panel = page.getByTestId('supervisor-panel');
    const before = server.requests.length;
    await panel.getByTestId('supervisor-start').click();
    const preview = panel.getByTestId('egress-preview');
    await preview.waitFor();
    await expect.poll(() => panel.getByTestId('egress-send').isEnabled()).toBe(true);
    // Nothing left the machine while previewing.
    expect(server.requests.length).toBe(before);

    expect(await preview.locator('h3').textContent()).toContain('Describe');
    const totals = ((await preview.getByTestId('egress-totals').textContent()) ?? '')
      .replace(/\s+/g, ' ')
      .trim();
    expect(totals).toMatch(
      /To openai http:\/\/127\.0\.0\.1:\d+\/v1, model stand-in-supervisor: [\d,]+ requests, [\d,]+ characters, about [\d,]+ tokens in and at most [\d,]+ tokens out; cost unknown for this provider\./,
    );
    const steps = await preview
      .getByTestId('egress-step')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
    expect(steps).toEqual(['properties', 'labels']);
    const properties = preview.locator('[data-testid="egress-step"][data-step="properties"]');
    expect(await properties.getByTestId('egress-request').count()).toBe(DISCOVERY);

    const text = (await preview.textContent()) ?? '';
    // Prompts and answer excerpts are shown as they will be sent...
    const shownTopics = TOPICS.filter((t) => text.includes(promptOf(t)));
    expect(shownTopics.length).toBeGreaterThanOrEqual(DISCOVERY);
    const known = shownTopics[0]!;
    expect(text).toContain(answerA(known));
    expect(text).toContain(`There is much more to say about ${known} and why it matters.`);
    // ...and never who wrote them.
    for (const hidden of [LABEL_A, LABEL_B, FILE_A, FILE_B, 'orchid', 'quartz']) {
      expect(text).not.toContain(hidden);
    }
    expect(text).not.toMatch(/model [AB]\b/i);

    // Leave out a discovery prompt that no cluster-label request carries, so only its own
    // properties request goes.
    const labelsText =
      (await preview.locator('[data-testid="egress-step"][data-step="labels"]').textContent()) ??
      '';
    const propertiesText = (await properties.textContent()) ?? '';
    excludedTopic = TOPICS.find(
      (t) => propertiesText.includes(promptOf(t)) && !labelsText.includes(`about ${t}.`),
    )!;
    expect(excludedTopic).toBeDefined();
    const requestsBefore = await preview.getByTestId('egress-request').count();
    await preview.locator('details.prompts > summary').click();
    await preview
      .getByTestId('egress-prompt')
      .locator('xpath=..')
      .filter({ hasText: promptOf(excludedTopic) })
      .getByTestId('egress-prompt')
      .uncheck();
    await expect.poll(() => preview.getByTestId('egress-request').count()).toBe(requestsBefore - 1);
    await expect.poll(() => panel.getByTestId('egress-send').isEnabled()).toBe(true);
    // Its checkbox stays (to put it back); no request shows it any more.
    const requestsText = (await preview.getByTestId('egress-step').allTextContents()).join('\n');
    expect(requestsText).toContain(promptOf(known === excludedTopic ? TOPICS[1]! : known));
    expect(requestsText).not.toContain(promptOf(excludedTopic));
    expect(
      await preview.locator('summary', { hasText: 'Prompts in this stage' }).textContent(),
    ).toMatch(/1 left out/);
  });

  it('sends each stage once approved until done; a key refused mid-stage stops it without showing the key, continue sends only what is not stored', async () => {
    const { page } = s;
    const panel = page.getByTestId('supervisor-panel');
    const stages: string[] = [];
    let refused = false;
    for (let i = 0; i < 10; i++) {
      const send = panel.getByTestId('egress-send');
      const done = panel.getByTestId('supervisor-done');
      await send.or(done).first().waitFor({ timeout: 60_000 });
      if (await done.isVisible()) break;
      await expect.poll(() => send.isEnabled(), { timeout: 30_000 }).toBe(true);
      const stage = (await panel.getByTestId('egress-preview').locator('h3').textContent()) ?? '';
      stages.push(stage.split(':')[0]!);
      const sentBefore = server.requests.length;
      if (stage.startsWith('Judge') && !refused) {
        // The sixth judgement gets a 401 whose body echoes the key it was sent (the real one).
        server.faults.push({ at: sentBefore + 5, kind: '401' });
        await send.click();
        const resume = panel.getByTestId('supervisor-continue');
        await resume.waitFor({ timeout: 30_000 });
        refused = true;
        expect(server.requests[sentBefore + 5]?.outcome).toBe('401');
        expect(await panel.textContent()).toMatch(/key was refused/i);
        expectNoPieceOf(
          await page.evaluate(() => document.documentElement.outerHTML),
          KEY,
          'the page after a refusal',
        );
        await resume.click();
        continue;
      }
      await send.click();
      await expect
        .poll(() => server.requests.length, { timeout: 30_000 })
        .toBeGreaterThan(sentBefore);
    }
    expect(refused).toBe(true);
    expect(stages).toEqual([
      'Describe',
      'Name the property clusters',
      'Propose hypotheses from the discovery half',
      'Judge every hypothesis on the held-out half',
      'Judge every hypothesis on the held-out half',
    ]);
    const done = (await panel.getByTestId('supervisor-done').textContent()) ?? '';
    expect(done).toMatch(/2 cluster labels, 1 property cluster, 2 hypotheses tested/);

    const chats = server.requests.filter((r) => r.task !== null);
    const ok = chats.filter((r) => r.outcome === 'ok');
    expect(chats.filter((r) => r.outcome !== 'ok').map((r) => r.outcome)).toContain('401');
    expect(ok.filter((r) => r.task === 'properties')).toHaveLength(DISCOVERY - 1);
    expect(ok.filter((r) => r.task === 'labels')).toHaveLength(2);
    // Every judgement answered; the only ones asked again are those in flight when the refusal
    // stopped the stage (the queue aborts them, unstored: job-queue.ts #fail), never a stored one.
    expect(new Set(ok.filter((r) => r.task === 'judgements').map((r) => r.identity)).size).toBe(
      2 * 2 * HELD_OUT,
    );
    // At most the other three of the four requests in flight when the page learnt of the refusal
    // were aborted before their replies were stored (the server may have finished writing them).
    const seen = new Set<string>();
    const again = ok.filter((r) => seen.has(r.identity) || (seen.add(r.identity), false));
    expect(again.length).toBeLessThanOrEqual(3);
    // The excluded prompt and its answers never reached the server in the stage it was left out of.
    for (const r of chats.filter((c) => c.task === 'properties' || c.task === 'labels')) {
      const t = sentText(r);
      expect(t).not.toContain(promptOf(excludedTopic));
      expect(t).not.toContain(answerA(excludedTopic));
    }
    // Blind: no request names a model, a file or "model A/B".
    for (const r of server.requests) {
      const t = sentText(r);
      for (const hidden of [LABEL_A, LABEL_B, 'orchid', 'quartz']) expect(t).not.toContain(hidden);
      expect(t).not.toMatch(/model [AB]\b/i);
    }
  });

  it('shows the hypotheses (the longer one confirmed, may be only length), the property chart and the cluster labels', async () => {
    const { page } = s;
    const findings = page.getByTestId('supervisor-findings');
    await findings.waitFor();
    const hypotheses = findings.getByTestId('hypothesis');
    await expect.poll(() => hypotheses.count()).toBe(2);
    const first = hypotheses.nth(0);
    expect(await first.getAttribute('data-status')).toBe('confirmed');
    expect(await first.getByTestId('hypothesis-text').textContent()).toBe(
      'Compared with A, B more often give longer answers.',
    );
    expect(await first.getByTestId('hypothesis-accuracy').textContent()).toMatch(/^100(\.0)?%/);
    expect(await first.getByTestId('hypothesis-decided').textContent()).toContain(String(HELD_OUT));
    expect(await first.getByTestId('hypothesis-flips').textContent()).toBe('0');
    expect(await first.getByTestId('length-warning').isVisible()).toBe(true);
    const second = hypotheses.nth(1);
    expect(await second.getByTestId('hypothesis-text').textContent()).toBe(
      'Compared with A, B more often use numbered lists.',
    );
    expect(await second.getAttribute('data-status')).not.toBe('confirmed');
    expect(await second.getByTestId('hypothesis-flips').textContent()).toBe(String(HELD_OUT));
    expect(await second.getByTestId('hypothesis-accuracy').textContent()).toBe('–');

    const props = findings.getByTestId('property-row');
    expect(await props.count()).toBe(1);
    expect(await props.first().textContent()).toContain('gives a longer answer');

    const labels = await page.getByTestId('cluster-label').allTextContents();
    expect(labels).toHaveLength(2);
    for (const label of labels) expect(label.trim()).not.toBe('');
  });

  it('puts the hypotheses in the Markdown report, and the key in no record, file, URL, log or page text', async () => {
    const { page } = s;
    const md = await download(page, 'export-report-md');
    expect(md).toContain('## Hypotheses tested on held-out prompts');
    expect(md).toContain('give longer answers');
    expect(md).toContain('## Behaviour properties');

    const runFile = await download(page, 'export-run-file');
    const parsed = JSON.parse(runFile) as {
      run: { supervisorLog?: unknown[]; hypotheses?: unknown[] };
    };
    expect(parsed.run.supervisorLog?.length ?? 0).toBeGreaterThan(0);
    expect(parsed.run.hypotheses).toHaveLength(2);

    const db = await dumpIndexedDb(page);
    // The supervisor's log is stored: every request answered in full, and the refused one with
    // its error (the key the server echoed in it redacted, as the search below checks).
    const log = (JSON.parse(db.text) as { store: string; rows: { error?: unknown }[] }[]).find(
      (d) => d.store === 'supervisorLog',
    )!.rows;
    expect(log.length).toBeGreaterThanOrEqual(
      new Set(
        server.requests.filter((r) => r.task !== null && r.outcome === 'ok').map((r) => r.identity),
      ).size,
    );
    expect(log.some((e) => /refused|401/i.test(JSON.stringify(e.error ?? '')))).toBe(true);
    expect(db.text).toContain('give longer answers');
    expect(db.text).toContain(promptOf(TOPICS[0]!));

    const pageText = await page.evaluate(() => document.documentElement.outerHTML);
    for (const [where, text] of [
      ['IndexedDB', db.text],
      ['the run file', runFile],
      ['the Markdown report', md],
      ['the page URL', page.url()],
      ['the page', pageText],
      ['the console', s.errors.join('\n')],
    ] as const) {
      expectNoPieceOf(text, KEY, where);
      expectNoPieceOf(text, WRONG_KEY, where);
    }
    // The requests did carry it: it went where it was meant to.
    expect(server.requests.some((r) => r.outcome === 'ok')).toBe(true);

    // Remembered: in localStorage, in the one entry.
    const stored = await page.evaluate(() => ({ ...localStorage }));
    expect(Object.keys(stored).filter((k) => stored[k]!.includes(KEY))).toEqual([
      REMEMBERED_KEYS_ENTRY,
    ]);
    await page.getByTestId('supervisor-forget').click();
    const after = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expectNoPieceOf(after, KEY, 'localStorage after forgetting');
    await expect(page.getByTestId('supervisor-forget').count()).resolves.toBe(0);
  });

  it('raised no uncaught page errors', () => {
    // The refused key's 401 is logged by the browser as a failed resource load.
    expect(s.errors.filter((e) => !e.includes('favicon') && !e.includes('status of 401'))).toEqual(
      [],
    );
  });
});
