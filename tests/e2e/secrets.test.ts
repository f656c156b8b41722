/**
 * Keys in the built app, in Chromium, against a local OpenAI-compatible server that refuses the
 * key and echoes it (as OpenAI's 401 does): a key typed into the base URL's query string is sent
 * (with the URL's api-version) but never stored, and no echoed key reaches the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerPreflight,
  sendJson,
  startTestServer,
  type RecordedRequest,
  type TestServer,
} from '../unit/http-server';
import { launch, type E2eSession, waitForRunState } from './browser';

const KEY = 'sk-proj-Vb7Kx2Qw9Lm4Np6Rt1Sy3Uz8Ac5De0Fg';
const QUERY_KEY = 'gw-5c2e8a1f9b3d7e40a6c1';
const API_VERSION = '2024-06-01';

/** Fails when `text` holds any 8-character piece of `secret`. */
function expectNoPieceOf(text: string, secret: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) {
    expect(text.includes(secret.slice(i, i + 8)), `"${secret.slice(i, i + 8)}" leaked`).toBe(false);
  }
}

describe('keys in the built app', () => {
  let s: E2eSession;
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer((request: RecordedRequest, res) => {
      const cors = {
        allowOrigin: '*',
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['authorization', 'content-type'],
      };
      if (answerPreflight(request, res, cors)) return;
      const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      const query = new URL(request.path, 'http://x').searchParams.get('api_key') ?? '';
      sendJson(
        res,
        401,
        { error: { message: `Incorrect API key provided: ${bearer} (query key ${query}).` } },
        { 'access-control-allow-origin': '*' },
      );
    });
    s = await launch();
  });
  afterAll(async () => {
    await s?.close();
    await server?.close();
  });

  it('sends the query key this session, stores none, and shows the echoed keys redacted', async () => {
    const { page } = s;
    await page.goto(s.baseUrl);
    await page.getByTestId('new-comparison').click();
    await page.getByTestId('backend-A').selectOption('openai');
    await page.getByTestId('model-A').fill('gpt-4o-mini');
    await page
      .locator('#model-A-url')
      .fill(`${server.url}/v1?api-version=${API_VERSION}&api_key=${QUERY_KEY}`);
    await page.locator('#model-A-key').fill(KEY);
    const notice = (await page.getByTestId('url-notice-A').textContent()) ?? '';
    expect(notice).toContain('"api_key"');
    expect(notice).toContain('API key field');
    await page.getByLabel('The same model with a different system prompt').check();
    await page.getByLabel("B's system prompt").fill('Answer in one word.');
    await page.getByLabel('Samples per prompt').fill('1');
    await page.getByTestId('start-generation').click();

    await waitForRunState(page, 'error', 60_000);
    const shown = (await page.getByTestId('run-progress').textContent()) ?? '';
    expect(shown).toContain('Incorrect API key provided: [redacted] (query key [redacted]).');
    const pageText = await page.evaluate(() => document.documentElement.outerHTML);
    expectNoPieceOf(pageText, KEY);
    expectNoPieceOf(pageText, QUERY_KEY);

    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts[0]!.path).toBe(
      `/v1/chat/completions?api-version=${API_VERSION}&api_key=${QUERY_KEY}`,
    );
    expect(posts[0]!.headers.authorization).toBe(`Bearer ${KEY}`);

    // Everything this origin stored: every IndexedDB store and localStorage.
    const stored = await page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name!).filter(Boolean);
      const dumps: unknown[] = [JSON.stringify({ ...localStorage })];
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
          dumps.push({ name, store, rows });
        }
        db.close();
      }
      return JSON.stringify(dumps);
    });
    expect(stored).toContain(`api-version=${API_VERSION}`);
    expectNoPieceOf(stored, KEY);
    expectNoPieceOf(stored, QUERY_KEY);
  });
});
