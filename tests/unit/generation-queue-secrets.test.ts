/**
 * A key the server echoes in its errors stays out of what the generation queue shows and stores:
 * the real OpenAI-compatible backend against the local test server, the real queue, and the real
 * RunRepository on an in-memory IndexedDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiBackend } from '../../src/lib/backends/llm/openai';
import { REDACTED } from '../../src/lib/backends/llm/redact';
import type { Db } from '../../src/lib/persistence/db';
import { freshRun, makeQueue, prompts, RUN } from './generation-queue-fixtures';
import { sendJson, startTestServer, type TestServer } from './http-server';

const KEY = 'sk-live-4hT9wQ2mX7pL0aZ3vB8nC5kD1fG6jR';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function backend(): OpenAiBackend {
  return new OpenAiBackend({
    baseUrl: `${server.url}/v1?api-version=2024-06-01`,
    model: 'm',
    apiKey: KEY,
    pageOrigin: null,
    retry: { maxRetries: 0 },
  });
}

/** Everything the database holds, every store, as JSON text. */
async function storedText(db: Db): Promise<string> {
  const stores = Array.from(db.objectStoreNames);
  expect(stores).toContain('answers');
  const dumps = await Promise.all(stores.map((store) => db.getAll(store)));
  return JSON.stringify(dumps);
}

describe('generation queue with a server that echoes the key', () => {
  it('lists failed jobs with the key redacted and stores no key', async () => {
    server.handle((_req, res) =>
      sendJson(res, 400, {
        error: { message: `Bad request for key ${KEY}: unknown parameter` },
      }),
    );
    const P = prompts(2);
    const { db, repo } = await freshRun(P, 1);
    const chat = backend();
    const final = await makeQueue(repo, { A: chat, B: chat }, P, 1).start();

    expect(final.failed).toBe(4);
    for (const failure of final.failures) {
      expect(failure.name).toBe('BadResponseError');
      expect(failure.message).toContain(`Bad request for key ${REDACTED}: unknown parameter`);
      expect(failure.message).not.toContain(KEY.slice(8, 16));
    }
    const stored = await repo.answers(RUN);
    expect(stored.map((a) => a.finishReason)).toEqual(['error', 'error', 'error', 'error']);
    expect(await storedText(db)).not.toContain(KEY.slice(8, 16));
  });

  it('stops on a 401 with the key redacted from the message it shows', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${KEY}.` } }),
    );
    const P = prompts(1);
    const { db, repo } = await freshRun(P, 1);
    const chat = backend();
    const final = await makeQueue(repo, { A: chat, B: chat }, P, 1).start();

    expect(final.state).toBe('error');
    expect(final.error?.name).toBe('AuthError');
    expect(final.error?.message).toContain(`Incorrect API key provided: ${REDACTED}.`);
    expect(final.error?.message).not.toContain(KEY.slice(8, 16));
    expect(await storedText(db)).not.toContain(KEY.slice(8, 16));
  });
});
