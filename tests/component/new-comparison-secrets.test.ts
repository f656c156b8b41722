/**
 * A key typed into a base URL's query string (`…/v1?api-version=…&api_key=…`): the new-comparison
 * form saves the run (real RunRepository on an in-memory IndexedDB) and exports it without the
 * key, keeps the key for this session's requests (sent to the real local test server), and tells
 * the user under the URL field that the key belongs in the key field.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { flushSync, mount, unmount } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import ModelPicker from '../../src/components/setup/ModelPicker.svelte';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import { serializeRunFile } from '../../src/lib/core/run/run-file';
import { openDb, type Db } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import type { AppState } from '../../src/lib/state/app.svelte';
import {
  NewComparisonState,
  baseUrlNotice,
  type ModelChoice,
} from '../../src/lib/state/new-comparison.svelte';
import { SessionSecrets } from '../../src/lib/state/session-secrets.svelte';
import { sendJson, startTestServer, type TestServer } from '../unit/http-server';
import { reactiveProps } from './reactive-props.svelte';

const QUERY_KEY = 'gw-9d41c7e2a0b35f68e1c4';
const API_VERSION = '2024-06-01';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer((_req, res) =>
    sendJson(res, 200, {
      choices: [{ index: 0, message: { content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    }),
  );
});
afterAll(() => server.close());

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function openAiModel(baseUrl: string): ModelChoice {
  return {
    backend: 'openai',
    modelId: 'gpt-4o-mini',
    baseUrl,
    apiKey: '',
    modelLibUrl: '',
    systemPrompt: '',
  };
}

/** Everything the database holds, every store, as JSON text. */
async function storedText(db: Db): Promise<string> {
  const stores = Array.from(db.objectStoreNames);
  expect(stores).toContain('runs');
  return JSON.stringify(await Promise.all(stores.map((store) => db.getAll(store))));
}

describe('a key in a base URL query string', () => {
  it('is neither stored nor exported, yet is sent with the api-version in this session', async () => {
    const db = await openDb({ factory: new IDBFactory(), name: 'secrets-test' });
    const repo = new RunRepository(db);
    const sessionSecrets = new SessionSecrets();
    // The form only needs the app's run store and its in-memory key store.
    const app = { repo: async () => repo, sessionSecrets } as unknown as AppState;
    const form = new NewComparisonState(app);
    const typed = `${server.url}/v1?api-version=${API_VERSION}&api_key=${QUERY_KEY}`;
    form.modelA = openAiModel(typed);
    form.intervention = 'system-prompt';
    form.modelB.systemPrompt = 'Answer in one word.';
    form.promptSource = 'demo';
    form.samplesPerPrompt = 1;

    const id = await form.start();
    expect(form.error).toBeNull();
    expect(id).not.toBeNull();

    const saved = await repo.open(id!);
    const storedUrl = `${server.url}/v1?api-version=${API_VERSION}`;
    expect(saved.models.A.baseUrl).toBe(storedUrl);
    expect(saved.models.B.baseUrl).toBe(storedUrl);
    expect(await storedText(db)).not.toContain(QUERY_KEY);
    const exported = serializeRunFile(saved);
    expect(exported).toContain(`api-version=${API_VERSION}`);
    expect(exported).not.toContain(QUERY_KEY);

    // The generation screen builds each side's backend from the stored spec and the session's
    // secrets, in that order.
    const session = sessionSecrets.forRun(id!)!;
    for (const side of ['A', 'B'] as const) {
      server.requests.length = 0;
      const backend = createChatBackend(
        { ...saved.models[side], ...session[side] },
        { http: { pageOrigin: null, retry: { maxRetries: 0 } } },
      );
      const reply = await generateText(backend, [{ role: 'user', content: 'Hi' }], {
        temperature: 0,
        topP: 1,
        maxTokens: 4,
      });
      expect(reply.text).toBe('Hello!');
      expect(server.requests[0]!.path).toBe(
        `/v1/chat/completions?api-version=${API_VERSION}&api_key=${QUERY_KEY}`,
      );
    }
    db.close();
  });

  it('is named under the URL field, with where the key belongs', () => {
    const typed = `https://me:pw@gateway.example/v1?api-version=${API_VERSION}&api_key=${QUERY_KEY}`;
    const props = reactiveProps({
      side: 'A' as const,
      model: openAiModel(typed),
      capabilities: null,
      webLlmModels: [],
    });
    component = mount(ModelPicker, { target: document.body, props });
    flushSync();
    const notice = () => document.querySelector('[data-testid="url-notice-A"]')?.textContent ?? '';
    expect(notice()).toContain('"api_key"');
    expect(notice()).toContain(
      `The run keeps https://gateway.example/v1?api-version=${API_VERSION}`,
    );
    expect(notice()).toContain('user name and password');
    expect(notice()).toContain('Put the API key in the API key field below instead.');
    expect(notice()).not.toContain(QUERY_KEY);
    expect(document.querySelector('#model-A-url')!.getAttribute('aria-describedby')).toBe(
      'model-A-url-notice',
    );

    props.model = openAiModel(`https://gateway.example/v1?api-version=${API_VERSION}`);
    flushSync();
    expect(document.querySelector('[data-testid="url-notice-A"]')).toBeNull();
  });

  it('says nothing about a key field where there is none (WebLLM weights URL)', () => {
    const notice = baseUrlNotice('https://hf.example/resolve/main/?token=hf_abcdefgh', false);
    expect(notice).toContain('"token"');
    expect(notice).not.toContain('API key field');
    expect(baseUrlNotice('http://localhost:11434/v1', true)).toBeNull();
  });
});
