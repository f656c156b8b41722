/**
 * Credentials in base URLs and in error texts, against the real local HTTP server: a base URL's
 * query string reaches the server (Azure's `?api-version=`, a gateway's key parameter), and a key
 * the server echoes back ("Incorrect API key provided: sk-…") never reaches an error text, for
 * the chat backends and the embeddings backend alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiEmbedder } from '../../src/lib/backends/embed/openai';
import { AnthropicBackend } from '../../src/lib/backends/llm/anthropic';
import {
  AuthError,
  BadResponseError,
  NetworkError,
  ServerError,
} from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { OpenAiBackend, listOpenAiModels } from '../../src/lib/backends/llm/openai';
import { REDACTED, redactText, requestSecrets } from '../../src/lib/backends/llm/redact';
import type { ChatMessage } from '../../src/lib/backends/llm/types';
import {
  isCredentialParam,
  splitUrlCredentials,
  stripUrlCredentials,
} from '../../src/lib/core/run/scrub-credentials';
import {
  sendJson,
  sseEvent,
  startSse,
  startTestServer,
  writeSlowly,
  type TestServer,
} from './http-server';

/** A key shaped like OpenAI's project keys. */
const KEY = 'sk-proj-Zq8LmN3vR7tY1uW5xA9bC2dE4fG6hJ0kPq';
/** A key a gateway takes as a query parameter. */
const QUERY_KEY = 'gw-7f3a9c2e1b8d4f6a0e5c';
const API_VERSION = '2024-06-01';

const messages: ChatMessage[] = [{ role: 'user', content: 'Say hello.' }];
const params = { temperature: 0, topP: 1, maxTokens: 8 };
const transport = { pageOrigin: null, retry: { maxRetries: 0 } } as const;

const okChat = {
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2 },
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Fails when `text` holds `secret` or any 8-character piece of it. */
function expectNoEchoOf(text: string, secret: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) {
    expect(text, `"${secret.slice(i, i + 8)}" of the secret is in the text`).not.toContain(
      secret.slice(i, i + 8),
    );
  }
}

/** Every text field of an error, as one string: message, stack, detail, url, ... */
function allText(error: unknown): string {
  const e = error as Record<string, unknown>;
  const fields = [...Object.keys(e), 'message', 'stack'].map((k) => e[k]);
  return fields.filter((v): v is string => typeof v === 'string').join('\n');
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('base URL query strings reach the server', () => {
  it('chat: keeps ?api-version= and a key parameter, under a path and after a pasted endpoint', async () => {
    server.handle((_req, res) => sendJson(res, 200, okChat));
    server.requests.length = 0;
    const base = `${server.url}/openai/deployments/gpt4o?api-version=${API_VERSION}&api_key=${QUERY_KEY}`;
    const backend = new OpenAiBackend({ ...transport, baseUrl: base, model: 'gpt4o' });
    expect((await generateText(backend, messages, params)).text).toBe('Hello!');
    const pasted = new OpenAiBackend({
      ...transport,
      baseUrl: `${server.url}/v1/chat/completions/?api-version=${API_VERSION}`,
      model: 'm',
    });
    await generateText(pasted, messages, params);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /openai/deployments/gpt4o/chat/completions?api-version=${API_VERSION}&api_key=${QUERY_KEY}`,
      `POST /v1/chat/completions?api-version=${API_VERSION}`,
    ]);
    // The id names the endpoint, and ids end up in run files: no query in it.
    expect(backend.id).toBe(`openai:gpt4o@${server.url}/openai/deployments/gpt4o`);
  });

  it('model list: keeps the query string', async () => {
    server.handle((_req, res) => sendJson(res, 200, { data: [{ id: 'b' }, { id: 'a' }] }));
    server.requests.length = 0;
    const models = await listOpenAiModels({
      ...transport,
      baseUrl: `${server.url}/v1?api-version=${API_VERSION}`,
    });
    expect(models).toEqual(['a', 'b']);
    expect(server.requests[0]!.path).toBe(`/v1/models?api-version=${API_VERSION}`);
  });

  it('Anthropic: keeps the query string of a proxy base URL', async () => {
    server.handle((_req, res) =>
      sendJson(res, 200, {
        type: 'message',
        content: [{ type: 'text', text: 'Hi' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 3, output_tokens: 1 },
      }),
    );
    server.requests.length = 0;
    const backend = new AnthropicBackend({
      ...transport,
      baseUrl: `${server.url}/proxy?token=${QUERY_KEY}`,
      model: 'claude',
      apiKey: KEY,
      stream: false,
    });
    expect((await generateText(backend, messages, params)).text).toBe('Hi');
    expect(server.requests[0]!.path).toBe(`/proxy/v1/messages?token=${QUERY_KEY}`);
    expect(backend.id).toBe(`anthropic:claude@${server.url}/proxy`);
  });

  it('embeddings: keeps ?api-version= and a key parameter, also after a pasted endpoint', async () => {
    server.handle((_req, res) => sendJson(res, 200, { data: [{ index: 0, embedding: [3, 4] }] }));
    server.requests.length = 0;
    const embedder = new OpenAiEmbedder({
      ...transport,
      baseUrl: `${server.url}/v1/embeddings?api-version=${API_VERSION}&api-key=${QUERY_KEY}`,
      model: 'e',
    });
    const matrix = await embedder.embed(['x']);
    expect(Array.from(matrix.data)).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(server.requests[0]!.path).toBe(
      `/v1/embeddings?api-version=${API_VERSION}&api-key=${QUERY_KEY}`,
    );
    expect(embedder.id).toBe(`openai:e@${server.url}`);
  });
});

describe('a key echoed by the server never reaches an error text', () => {
  const chat = (options: { baseUrl?: string; apiKey?: string } = {}) =>
    new OpenAiBackend({
      ...transport,
      baseUrl: `${server.url}/v1`,
      model: 'm',
      apiKey: KEY,
      ...options,
    });

  it('chat 401 echoing the whole key', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, {
        error: { message: `Incorrect API key provided: ${KEY}. You can find your API key at …` },
      }),
    );
    const error = await failure(generateText(chat(), messages, params));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain(`Incorrect API key provided: ${REDACTED}. You can find`);
    expect((error as AuthError).detail).toContain(REDACTED);
    expectNoEchoOf(allText(error), KEY);
  });

  it("chat 401 echoing masked forms and pieces of the key (OpenAI's sk-proj-****…Pq)", async () => {
    const openAiMask = `${KEY.slice(0, 8)}${'*'.repeat(28)}${KEY.slice(-4)}`;
    const dots = `${KEY.slice(0, 6)}...${KEY.slice(-3)}`;
    const piece = KEY.slice(10, 20);
    server.handle((_req, res) =>
      sendJson(res, 401, {
        error: { message: `Incorrect API key ${openAiMask}; also ${dots}; near ${piece}.` },
      }),
    );
    const error = await failure(generateText(chat(), messages, params));
    expect(error.message).toContain(
      `Incorrect API key ${REDACTED}; also ${REDACTED}; near ${REDACTED}.`,
    );
    expectNoEchoOf(allText(error), KEY);
    expect(allText(error)).not.toContain(KEY.slice(-4));
  });

  it('chat: a key parameter in the URL is redacted where the URL is named (404, unreachable)', async () => {
    server.handle((_req, res) => sendJson(res, 404, { error: 'no such route' }));
    const base = `${server.url}/v1?api-version=${API_VERSION}&api_key=${QUERY_KEY}`;
    const notFound = await failure(generateText(chat({ baseUrl: base }), messages, params));
    expect(notFound).toBeInstanceOf(BadResponseError);
    expect(notFound.message).toContain(
      `/v1/chat/completions?api-version=${API_VERSION}&api_key=${REDACTED}`,
    );
    expectNoEchoOf(allText(notFound), QUERY_KEY);

    const closed = await startTestServer();
    await closed.close();
    const unreachable = await failure(
      generateText(chat({ baseUrl: `${closed.url}/v1?key=${QUERY_KEY}` }), messages, params),
    );
    expect(unreachable).toBeInstanceOf(NetworkError);
    expect((unreachable as NetworkError).url).toBe(
      `${closed.url}/v1/chat/completions?key=${REDACTED}`,
    );
    expectNoEchoOf(allText(unreachable), QUERY_KEY);
  });

  it('chat: an error inside a 200 stream echoing the key, keeping the text streamed so far', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, [
        sseEvent({ choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] }),
        sseEvent({ error: { message: `upstream rejected key ${KEY}`, code: 502 } }),
      ]);
      res.end();
    });
    const error = await failure(generateText(chat(), messages, params));
    expect(error).toBeInstanceOf(ServerError);
    expect(error.message).toContain(`upstream rejected key ${REDACTED}`);
    expectNoEchoOf(allText(error), KEY);
  });

  it('Anthropic 401 echoing the x-api-key', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, {
        type: 'error',
        error: { type: 'authentication_error', message: `invalid x-api-key: ${KEY}` },
      }),
    );
    const backend = new AnthropicBackend({
      ...transport,
      baseUrl: server.url,
      model: 'claude',
      apiKey: KEY,
    });
    const error = await failure(generateText(backend, messages, params));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain(`invalid x-api-key: ${REDACTED}`);
    expectNoEchoOf(allText(error), KEY);
  });

  it('embeddings: a 401 and an error inside a 200 reply, both echoing keys', async () => {
    const embedder = new OpenAiEmbedder({
      ...transport,
      baseUrl: `${server.url}/v1?api_key=${QUERY_KEY}`,
      model: 'e',
      apiKey: KEY,
    });
    server.handle((_req, res) =>
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${KEY}` } }),
    );
    const auth = await failure(embedder.load());
    expect(auth).toBeInstanceOf(AuthError);
    expect(auth.message).toContain(`Incorrect API key provided: ${REDACTED}`);
    expectNoEchoOf(allText(auth), KEY);

    server.handle((_req, res) =>
      sendJson(res, 200, { error: { message: `quota exceeded for key ${QUERY_KEY}`, code: 429 } }),
    );
    const inReply = await failure(embedder.embed(['a']));
    expect(inReply.message).toContain(`quota exceeded for key ${REDACTED}`);
    expectNoEchoOf(allText(inReply), QUERY_KEY);
    expectNoEchoOf(allText(inReply), KEY);
  });
});

describe('redactText', () => {
  it('replaces whole secrets, runs of 8+ of their characters and masked echoes', () => {
    const secrets = requestSecrets(`https://h/v1?api_key=${QUERY_KEY}`, {
      authorization: `Bearer ${KEY}`,
    });
    expect(secrets).toEqual([KEY, QUERY_KEY]);
    expect(redactText(`a ${KEY} b ${QUERY_KEY} c`, secrets)).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(redactText(`tail ${KEY.slice(-8)} end`, secrets)).toBe(`tail ${REDACTED} end`);
    // Seven characters may be chance; the check starts at eight.
    expect(redactText(`tail ${KEY.slice(-7)} end`, secrets)).toBe(`tail ${KEY.slice(-7)} end`);
    expect(redactText(`key sk-…${KEY.slice(-4)}!`, secrets)).toBe(`key ${REDACTED}!`);
  });

  it('leaves ordinary text alone, ellipses and stars included', () => {
    const secrets = [KEY];
    const text = 'Loading... please wait *** the model sk-… is busy; retry later.';
    expect(redactText(text, secrets)).toBe(text);
    expect(redactText(text, [])).toBe(text);
  });

  it('redacts short secrets only as whole values, and percent-encoded query values', () => {
    expect(redactText('pin 4711 and 47112', ['4711'])).toBe(`pin ${REDACTED} and ${REDACTED}2`);
    const encoded = requestSecrets('https://h/?token=a%2Fb%2Bc%3D%3Dxyz');
    expect(encoded).toEqual(['a%2Fb%2Bc%3D%3Dxyz', 'a/b+c==xyz']);
    expect(redactText('GET https://h/?token=a%2Fb%2Bc%3D%3Dxyz failed', encoded)).toBe(
      `GET https://h/?token=${REDACTED} failed`,
    );
  });
});

describe('credential query parameters', () => {
  it('names credentials in any spelling, and not ordinary parameters', () => {
    const credentials = [
      'api_key',
      'api-key',
      'apiKey',
      'API_KEY',
      'key',
      'subscription-key',
      'token',
      'access_token',
      'hf_token',
      'X-Amz-Security-Token',
      'secret',
      'client_secret',
      'password',
      'pwd',
      'sig',
      'signature',
      'X-Amz-Signature',
      'auth',
      'Authorization',
    ];
    const ordinary = ['api-version', 'max_tokens', 'model', 'format', 'keys', 'monkey', 'sv'];
    expect(credentials.filter((n) => !isCredentialParam(n))).toEqual([]);
    expect(ordinary.filter(isCredentialParam)).toEqual([]);
  });

  it('splits user info and credential parameters off a URL, keeping ordinary URLs exact', () => {
    expect(
      splitUrlCredentials(
        `https://me:pw@res.openai.azure.com/openai?api-version=${API_VERSION}&api_key=x&Token=y&api_key=z`,
      ),
    ).toEqual({
      url: `https://res.openai.azure.com/openai?api-version=${API_VERSION}`,
      removedParams: ['api_key', 'Token'],
      removedUserInfo: true,
    });
    expect(stripUrlCredentials('http://localhost:11434')).toBe('http://localhost:11434');
    expect(stripUrlCredentials('not a url ?key=1')).toBe('not a url ?key=1');
  });
});
