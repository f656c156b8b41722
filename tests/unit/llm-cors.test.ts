/**
 * CORS: Node's fetch does none, so the tests check the two halves separately: the headers our
 * clients send pass the preflight the error message documents (answered by the test server the
 * way a browser evaluates it), and the heuristic that tells a CORS refusal from a network failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFetchFailure, corsPreflightHeaders } from '../../src/lib/backends/llm/cors';
import { CorsError, NetworkError } from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { OpenAiBackend, openAiHeaders } from '../../src/lib/backends/llm/openai';
import type { ChatMessage } from '../../src/lib/backends/llm/types';
import {
  answerPreflight,
  clientHeaderNames,
  sendJson,
  startTestServer,
  type CorsPolicy,
  type TestServer,
} from './http-server';

const messages: ChatMessage[] = [{ role: 'user', content: 'Say hello.' }];
const params = { temperature: 0.7, topP: 0.9, maxTokens: 32 };
const okReply = {
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function backend(): OpenAiBackend {
  server.requests.length = 0;
  return new OpenAiBackend({
    baseUrl: `${server.url}/v1`,
    model: 'm',
    apiKey: 'sk-test',
    pageOrigin: null,
  });
}

describe('corsPreflightHeaders', () => {
  it('lists the non-safelisted headers a browser would ask the server about', () => {
    expect(
      corsPreflightHeaders({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
    ).toEqual(['content-type']);
    expect(corsPreflightHeaders({ 'content-type': 'text/plain;charset=UTF-8' })).toEqual([]);
    expect(corsPreflightHeaders({ 'X-Api-Key': 'k', Authorization: 'Bearer k' })).toEqual([
      'authorization',
      'x-api-key',
    ]);
  });

  it('names both causes on a cross-origin isolated page, where the probe cannot work', async () => {
    let probed = false;
    const error = await classifyFetchFailure(new TypeError('Failed to fetch'), {
      url: 'http://localhost:11434/v1/chat/completions',
      pageOrigin: 'https://app.example',
      requestHeaders: openAiHeaders('k'),
      crossOriginIsolated: true,
      fetch: async () => {
        probed = true;
        return new Response();
      },
    });
    expect(probed).toBe(false);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toContain('Access-Control-Allow-Origin: https://app.example');
    expect(error.message).toContain('authorization, content-type');
  });

  it('does not probe outside a browser', async () => {
    let probed = false;
    const error = await classifyFetchFailure(new TypeError('fetch failed'), {
      url: 'http://localhost:1/v1/models',
      pageOrigin: null,
      requestHeaders: {},
      fetch: async () => {
        probed = true;
        return new Response();
      },
    });
    expect(error).toBeInstanceOf(NetworkError);
    expect(probed).toBe(false);
  });
});

describe('OpenAI-compatible backend and CORS', () => {
  const pageOrigin = 'https://behaviour-diff.example';
  // What the CorsError tells the server's owner to allow.
  const documented: CorsPolicy = {
    allowOrigin: pageOrigin,
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['authorization', 'content-type'],
  };

  it('sends only headers that the documented preflight allows', async () => {
    server.handle((req, res) => {
      if (answerPreflight(req, res, documented)) return;
      sendJson(res, 200, okReply, { 'access-control-allow-origin': pageOrigin });
    });
    await generateText(backend(), messages, params);
    const sent = clientHeaderNames(server.requests[0]!);
    const needed = corsPreflightHeaders(sent);
    expect(needed).toEqual(corsPreflightHeaders(openAiHeaders('sk-test')));
    expect(needed).toEqual(['authorization', 'content-type']);

    // The preflight a browser would send for that request, answered by the server.
    const preflight = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: pageOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': needed.join(','),
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(pageOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type',
    );
  });

  it('a server that does not allow authorization fails the preflight', async () => {
    server.handle((req, res) => {
      if (answerPreflight(req, res, { ...documented, allowHeaders: ['content-type'] })) return;
      sendJson(res, 200, okReply);
    });
    const preflight = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: pageOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': corsPreflightHeaders(openAiHeaders('k')).join(','),
      },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('tells a CORS refusal from a network failure with a no-cors probe', async () => {
    // In a browser both failures are the same TypeError; the probe tells them apart.
    const probes: RequestInit[] = [];
    const corsFetch: typeof fetch = async (_url, init) => {
      if (init?.mode === 'no-cors') {
        probes.push(init);
        return new Response(null, { status: 200 });
      }
      throw new TypeError('Failed to fetch');
    };
    const b = new OpenAiBackend({
      baseUrl: 'http://localhost:11434',
      model: 'llama3',
      apiKey: 'k',
      fetch: corsFetch,
      pageOrigin,
    });
    const error = await generateText(b, messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorsError);
    expect(probes).toHaveLength(1);
    const message = (error as Error).message;
    expect(message).toContain(`Access-Control-Allow-Origin: ${pageOrigin}`);
    expect(message).toContain('Access-Control-Allow-Headers: authorization, content-type');
    expect(message).toContain('OLLAMA_ORIGINS');

    const downFetch: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const down = new OpenAiBackend({
      baseUrl: 'http://localhost:11434',
      model: 'llama3',
      fetch: downFetch,
      pageOrigin,
      retry: { maxRetries: 0 },
    });
    expect(await generateText(down, messages, params).catch((e: unknown) => e)).toBeInstanceOf(
      NetworkError,
    );

    // Same origin: CORS cannot be the reason, so no probe.
    probes.length = 0;
    const same = new OpenAiBackend({
      baseUrl: `${pageOrigin}/v1`,
      model: 'm',
      fetch: corsFetch,
      pageOrigin,
      retry: { maxRetries: 0 },
    });
    expect(await generateText(same, messages, params).catch((e: unknown) => e)).toBeInstanceOf(
      NetworkError,
    );
    expect(probes).toHaveLength(0);
  });
});
