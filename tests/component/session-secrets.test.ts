/**
 * The embeddings endpoint's key typed on the analysis panel is held by the session's secrets
 * (SessionSecrets), not by the panel: the panel's own state never holds it, another run's panel
 * in the same tab finds it, and an analysis sends it to the endpoint (the real local test server).
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import AnalysisControls from '../../src/components/results/AnalysisControls.svelte';
import type { Run } from '../../src/lib/core/run/types';
import { AnalysisState } from '../../src/lib/state/analysis.svelte';
import type { AppState } from '../../src/lib/state/app.svelte';
import { SessionSecrets } from '../../src/lib/state/session-secrets.svelte';
import { sendJson, startTestServer, type TestServer } from '../unit/http-server';

const KEY = 'sk-embed-5c1e9a07d2b84f36a1e0';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer((_request, res) =>
    sendJson(res, 401, { error: { message: 'Incorrect API key provided' } }),
  );
});
afterAll(() => server.close());

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

/** The analysis panel of one run, set to an OpenAI-compatible endpoint. */
function panel(app: AppState): { analysis: AnalysisState; keyField: HTMLInputElement } {
  if (component) unmount(component);
  const analysis = new AnalysisState(app);
  analysis.embedder = 'openai';
  analysis.endpoint.baseUrl = `${server.url}/v1`;
  component = mount(AnalysisControls, {
    target: document.body,
    props: { analysis, onrun: () => {} },
  });
  flushSync();
  const keyField = document.querySelector<HTMLInputElement>('input[type="password"]')!;
  return { analysis, keyField };
}

describe('the embeddings endpoint key', () => {
  it('lives in the session’s secrets, reaches the endpoint, and is not part of the panel', async () => {
    const sessionSecrets = new SessionSecrets();
    const app = {
      sessionSecrets,
      repo: async () => ({}),
    } as unknown as AppState;
    const first = panel(app);
    first.keyField.value = KEY;
    first.keyField.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();

    expect(sessionSecrets.embeddingApiKey).toBe(KEY);
    expect(JSON.stringify(first.analysis.endpoint)).not.toContain(KEY);
    expect(JSON.stringify(first.analysis.params)).not.toContain(KEY);

    // Another run's panel in this tab starts with the session's key.
    const second = panel(app);
    expect(second.keyField.value).toBe(KEY);

    const run = { id: 'run-1', prompts: [], answers: [], analyses: [] } as unknown as Run;
    await second.analysis.run(run);
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    // The endpoint refused it: the message says so, without the key.
    expect(second.analysis.error).toMatch(/key/i);
    expect(second.analysis.error).not.toContain(KEY);
  });
});
