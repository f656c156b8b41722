import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_VERSION,
  AnthropicBackend,
  anthropicHeaders,
  type AnthropicBackendOptions,
} from '../../src/lib/backends/llm/anthropic';
import { corsPreflightHeaders } from '../../src/lib/backends/llm/cors';
import {
  AuthError,
  BadResponseError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import type { ChatChunk, ChatMessage } from '../../src/lib/backends/llm/types';
import {
  answerPreflight,
  clientHeaderNames,
  delay,
  sendJson,
  sseEvent,
  startSse,
  startTestServer,
  writeSlowly,
  type CorsPolicy,
  type TestServer,
} from './http-server';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Name a colour.' },
  { role: 'assistant', content: 'Blue.' },
  { role: 'user', content: 'Another.' },
];
const params = { temperature: 0.5, topP: 1, maxTokens: 64 };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function backend(options: Partial<AnthropicBackendOptions> = {}): AnthropicBackend {
  server.requests.length = 0;
  return new AnthropicBackend({
    baseUrl: server.url,
    model: 'claude-test',
    apiKey: 'sk-ant-test',
    pageOrigin: null,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

/** A realistic event stream, as the Messages API sends it. */
function events(texts: string[], stopReason = 'end_turn'): string[] {
  return [
    sseEvent(
      {
        type: 'message_start',
        message: { id: 'msg_1', role: 'assistant', usage: { input_tokens: 21, output_tokens: 1 } },
      },
      'message_start',
    ),
    sseEvent(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sseEvent({ type: 'ping' }, 'ping'),
    ...texts.map((text) =>
      sseEvent(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
        'content_block_delta',
      ),
    ),
    sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sseEvent(
      { type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 5 } },
      'message_delta',
    ),
    sseEvent({ type: 'message_stop' }, 'message_stop'),
  ];
}

const jsonReply = {
  type: 'message',
  content: [{ type: 'text', text: 'Green.' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 20, output_tokens: 3, cache_read_input_tokens: 4 },
};

describe('Anthropic backend', () => {
  it('streams the Messages API events with usage and stop reason', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, events(['Gre', 'en', '.']), 2);
      res.end();
    });
    const chunks: ChatChunk[] = [];
    for await (const c of backend().generate(messages, { ...params, stop: ['\n'], seed: 3 }))
      chunks.push(c);
    expect(
      chunks
        .filter((c) => c.type === 'token')
        .map((c) => (c.type === 'token' ? c.text : ''))
        .join(''),
    ).toBe('Green.');
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      usage: { promptTokens: 21, completionTokens: 5 },
      finishReason: 'stop',
    });
  });

  it('sends the system prompt top-level and the browser-access header', async () => {
    server.handle((_req, res) => sendJson(res, 200, jsonReply));
    await generateText(backend({ stream: false }), messages, {
      ...params,
      temperature: 1.5,
      stop: ['END'],
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe('sk-ant-test');
    expect(request?.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(request?.headers['anthropic-dangerous-direct-browser-access']).toBe('true');
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'claude-test',
      max_tokens: 64,
      system: 'You are terse.',
      messages: messages.slice(1),
      temperature: 1, // clamped to Anthropic's 0..1
      stream: false,
      stop_sequences: ['END'],
    });
  });

  it('reads a JSON reply, counting cached prompt tokens', async () => {
    server.handle((_req, res) => sendJson(res, 200, jsonReply));
    const result = await generateText(backend({ stream: false }), messages, params);
    expect(result).toMatchObject({
      text: 'Green.',
      usage: { promptTokens: 24, completionTokens: 3 },
      finishReason: 'stop',
    });
  });

  it('maps max_tokens to finishReason "length"', async () => {
    server.handle((_req, res) => {
      startSse(res);
      res.end(events(['Long'], 'max_tokens').join(''));
    });
    expect((await generateText(backend(), messages, params)).finishReason).toBe('length');
  });

  it('sends top_p only below 1, and drops it if the model refuses both', async () => {
    server.handle((req, res) =>
      JSON.parse(req.body).top_p !== undefined
        ? sendJson(res, 400, {
            type: 'error',
            error: {
              type: 'invalid_request_error',
              message: '`temperature` and `top_p` cannot both be specified for this model.',
            },
          })
        : sendJson(res, 200, jsonReply),
    );
    const b = backend({ stream: false });
    expect((await generateText(b, messages, { ...params, topP: 0.9 })).text).toBe('Green.');
    expect(server.requests.map((r) => JSON.parse(r.body).top_p)).toEqual([0.9, undefined]);
  });

  it('maps an error event mid-stream to a named error', async () => {
    server.handle((_req, res) => {
      startSse(res);
      res.end(
        events(['Par']).slice(0, 3).join('') +
          sseEvent(
            { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
            'error',
          ),
      );
    });
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(529);
  });

  it('maps 401 to AuthError', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, {
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      }),
    );
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('invalid x-api-key');
  });

  it('honours Retry-After on 429 and retries 529', async () => {
    server.handle((_req, res, i) => {
      if (i === 0)
        sendJson(
          res,
          429,
          { type: 'error', error: { type: 'rate_limit_error', message: 'rl' } },
          { 'retry-after': '0.2' },
        );
      else if (i === 1)
        sendJson(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
      else sendJson(res, 200, jsonReply);
    });
    const started = performance.now();
    expect((await generateText(backend({ stream: false }), messages, params)).text).toBe('Green.');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.requests).toHaveLength(3);
  });

  it('reports RateLimitError with the advised wait once retries run out', async () => {
    server.handle((_req, res) => sendJson(res, 429, {}, { 'retry-after': '0.05' }));
    const error = await generateText(backend({ retry: { maxRetries: 1 } }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(50);
  });

  it('maps malformed JSON to BadResponseError', async () => {
    server.handle((_req, res) => sendJson(res, 200, '<html>proxy error</html>'));
    const error = await generateText(backend({ stream: false }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadResponseError);
  });

  it('reports a dropped stream as NetworkError with the partial text', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, events(['Half ', 'an answer']).slice(0, 5));
      res.socket?.destroy();
    });
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).partialText).toBe('Half an answer');
  });

  it('times out a slow reply', async () => {
    server.handle(async (_req, res) => {
      await delay(800);
      if (!res.destroyed) sendJson(res, 200, jsonReply);
    });
    const error = await generateText(backend({ timeoutMs: 150 }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('ends with "abort" when the caller aborts', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, events(['a', 'b']).slice(0, 4));
      await delay(2000);
      if (!res.destroyed) res.end();
    });
    const controller = new AbortController();
    const chunks: ChatChunk[] = [];
    for await (const c of backend().generate(messages, { ...params, signal: controller.signal })) {
      chunks.push(c);
      if (c.type === 'token') controller.abort();
    }
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort' });
  });

  it("sends only headers that a preflight allowing Anthropic's headers permits", async () => {
    const policy: CorsPolicy = {
      allowOrigin: '*',
      allowMethods: ['POST'],
      allowHeaders: [
        'anthropic-dangerous-direct-browser-access',
        'anthropic-version',
        'content-type',
        'x-api-key',
      ],
    };
    server.handle((req, res) => {
      if (answerPreflight(req, res, policy)) return;
      sendJson(res, 200, jsonReply, { 'access-control-allow-origin': '*' });
    });
    await generateText(backend({ stream: false }), messages, params);
    const needed = corsPreflightHeaders(clientHeaderNames(server.requests[0]!));
    expect(needed).toEqual(corsPreflightHeaders(anthropicHeaders('k')));
    expect(needed).toEqual(policy.allowHeaders);
    const preflight = await fetch(`${server.url}/v1/messages`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://behaviour-diff.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': needed.join(','),
      },
    });
    expect(preflight.status).toBe(204);
  });
});
