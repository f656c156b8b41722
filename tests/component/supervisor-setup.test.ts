/**
 * The supervisor setup panel (SupervisorSetup on a real SupervisorSettingsState, jsdom's real
 * localStorage): the key stays in memory unless "remember on this device" is ticked, then lives
 * in the one named localStorage entry only; "Forget the saved key" removes it; the concurrency
 * and cap defaults follow the kind; "Test connection" sends one request to the real local test
 * server and says what happened without ever showing the key.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import SupervisorSetup from '../../src/components/supervisor/SupervisorSetup.svelte';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import { REMEMBERED_KEYS_ENTRY } from '../../src/lib/state/remembered-keys';
import {
  SupervisorSettingsState,
  type SupervisorBackendFactory,
} from '../../src/lib/state/supervisor-settings.svelte';
import { sendJson, startTestServer, type TestServer } from '../unit/http-server';

const KEY = 'sk-super-7f3a91c04e2d58b6a1c9';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

let component: ReturnType<typeof mount> | undefined;
beforeEach(() => localStorage.clear());
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
  localStorage.clear();
});

/** Node has no CORS and the backend must not retry on its own (the queue counts requests). */
const testBackend: SupervisorBackendFactory = async (spec) =>
  createChatBackend(spec, { http: { pageOrigin: null, retry: { maxRetries: 0 } } });

function setup(settings = new SupervisorSettingsState({ createBackend: testBackend })) {
  if (component) unmount(component);
  component = mount(SupervisorSetup, { target: document.body, props: { settings } });
  flushSync();
  return settings;
}

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector);

function type(selector: string, value: string, event = 'input'): void {
  const input = $<HTMLInputElement>(selector)!;
  input.value = value;
  input.dispatchEvent(new Event(event, { bubbles: true }));
  flushSync();
}

function click(selector: string): void {
  $<HTMLElement>(selector)!.click();
  flushSync();
}

/** Every key and value of localStorage, as one text to search. */
function storageText(): string {
  const parts: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const name = localStorage.key(i)!;
    parts.push(name, localStorage.getItem(name) ?? '');
  }
  return parts.join('\n');
}

describe('the supervisor key', () => {
  it('stays out of localStorage until "remember" is ticked, then is kept under one entry', () => {
    const settings = setup();
    expect($<HTMLInputElement>('[data-testid="supervisor-key"]')!.type).toBe('password');
    type('[data-testid="supervisor-key"]', KEY);
    expect(settings.apiKey).toBe(KEY);
    expect(storageText()).not.toContain(KEY);
    expect($('[data-testid="supervisor-forget"]')).toBeNull();

    click('[data-testid="supervisor-remember"]');
    expect(Object.keys(localStorage)).toEqual([REMEMBERED_KEYS_ENTRY]);
    expect(JSON.parse(localStorage.getItem(REMEMBERED_KEYS_ENTRY)!)).toEqual({
      'openai https://api.openai.com': KEY,
    });
    expect($('[data-testid="supervisor-forget"]')).not.toBeNull();

    // A new panel (a reload) finds it for the same server, ticked.
    const reopened = setup(new SupervisorSettingsState({ createBackend: testBackend }));
    expect(reopened.apiKey).toBe(KEY);
    expect(reopened.remember).toBe(true);
    expect($<HTMLInputElement>('[data-testid="supervisor-remember"]')!.checked).toBe(true);
  });

  it('is removed from the device by "Forget the saved key", and stays typed for this session', () => {
    const settings = setup();
    type('[data-testid="supervisor-key"]', KEY);
    click('[data-testid="supervisor-remember"]');
    expect(storageText()).toContain(KEY);

    click('[data-testid="supervisor-forget"]');
    expect(storageText()).not.toContain(KEY);
    expect(localStorage.getItem(REMEMBERED_KEYS_ENTRY)).toBeNull();
    expect($('[data-testid="supervisor-forget"]')).toBeNull();
    expect($<HTMLInputElement>('[data-testid="supervisor-remember"]')!.checked).toBe(false);
    expect(settings.apiKey).toBe(KEY);
    // Typing on does not save it again.
    type('[data-testid="supervisor-key"]', `${KEY}x`);
    expect(storageText()).not.toContain(KEY);
    expect(new SupervisorSettingsState().apiKey).toBe('');
  });

  it('unticking "remember" forgets it too, and a key kept for one server is not offered to another', () => {
    const settings = setup();
    type('[data-testid="supervisor-key"]', KEY);
    click('[data-testid="supervisor-remember"]');
    click('[data-testid="supervisor-remember"]');
    expect(storageText()).not.toContain(KEY);

    click('[data-testid="supervisor-remember"]');
    type('#supervisor-url', 'http://localhost:11434/v1', 'input');
    type('#supervisor-url', 'http://localhost:11434/v1', 'change');
    // Still ticked: now saved for the new server as well, under the same single entry.
    expect(Object.keys(JSON.parse(localStorage.getItem(REMEMBERED_KEYS_ENTRY)!)).sort()).toEqual([
      'openai http://localhost:11434',
      'openai https://api.openai.com',
    ]);
    settings.forgetSavedKey();
    settings.setKind('anthropic');
    flushSync();
    expect(settings.apiKey).toBe('');
    expect($<HTMLInputElement>('[data-testid="supervisor-key"]')!.value).toBe('');
  });
});

describe('the defaults of each kind', () => {
  it('switch concurrency and the spending cap with the kind', () => {
    const settings = setup();
    const select = $<HTMLSelectElement>('[data-testid="supervisor-kind"]')!;
    const concurrency = () => $<HTMLInputElement>('[data-testid="supervisor-concurrency"]')!.value;
    const cap = () => $<HTMLInputElement>('[data-testid="supervisor-cap"]')!.value;
    expect([concurrency(), cap(), settings.temperature]).toEqual(['4', '500', 0]);

    for (const [kind, expected] of [
      ['transformers', ['1', '']],
      ['anthropic', ['4', '500']],
      ['webllm', ['1', '']],
      ['openai', ['4', '500']],
    ] as const) {
      select.value = kind;
      select.dispatchEvent(new Event('change', { bubbles: true }));
      flushSync();
      expect(settings.kind).toBe(kind);
      expect([concurrency(), cap()]).toEqual(expected);
      expect(settings.maxRequests).toBe(expected[1] === '' ? null : 500);
      // A browser model takes no key and says nothing leaves the machine.
      expect($('[data-testid="supervisor-key"]') === null).toBe(settings.inBrowser);
      expect($('[data-testid="supervisor-local-note"]') !== null).toBe(settings.inBrowser);
    }
    type('[data-testid="supervisor-cap"]', '');
    expect(settings.maxRequests).toBeNull();
    type('[data-testid="supervisor-cap"]', '120');
    expect(settings.maxRequests).toBe(120);
  });
});

describe('Test connection', () => {
  it('says the model answered, after one small request with the key', async () => {
    server.handle((_req, res) =>
      sendJson(res, 200, {
        choices: [{ index: 0, message: { content: 'OK' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 9, completion_tokens: 1 },
      }),
    );
    server.requests.length = 0;
    const settings = setup();
    type('#supervisor-url', `${server.url}/v1`);
    type('[data-testid="supervisor-model"]', 'judge-1');
    type('[data-testid="supervisor-key"]', KEY);
    click('[data-testid="supervisor-test"]');
    await vi.waitFor(() => expect(settings.connection.state).toBe('ok'));
    flushSync();
    const result = $('[data-testid="supervisor-test-result"]')!.textContent!;
    expect(result).toMatch(/^\s*It works: judge-1 answered “OK” in \d+\.\d s\.\s*$/);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = JSON.parse(server.requests[0]!.body) as { messages: unknown; max_tokens: number };
    expect(body.messages).toEqual([{ role: 'user', content: 'Reply with the single word OK.' }]);
    expect(body.max_tokens).toBe(8);
  });

  it('says the key was refused, without showing the key the server echoed', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${KEY}` } }),
    );
    server.requests.length = 0;
    const settings = setup();
    type('#supervisor-url', `${server.url}/v1`);
    type('[data-testid="supervisor-key"]', KEY);
    click('[data-testid="supervisor-test"]');
    await vi.waitFor(() => expect(settings.connection.state).toBe('failed'));
    flushSync();
    const result = $('[data-testid="supervisor-test-result"]')!.textContent!;
    expect(result).toMatch(/The server refused the key/);
    expect(result).not.toContain(KEY);
    expect(result).not.toContain(KEY.slice(3, 15));
    expect(server.requests).toHaveLength(1);
  });

  it('names what is missing instead of sending anything', async () => {
    server.requests.length = 0;
    const settings = setup();
    settings.setKind('anthropic');
    flushSync();
    click('[data-testid="supervisor-test"]');
    await vi.waitFor(() => expect(settings.connection.state).toBe('failed'));
    expect(settings.connection.message).toBe('Enter the Anthropic API key.');
    expect(server.requests).toHaveLength(0);
  });
});
