import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  BadResponseError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../../src/lib/backends/llm/errors';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import {
  OpenAiBackend,
  listOpenAiModels,
  normaliseOpenAiBaseUrl,
  type OpenAiBackendOptions,
} from '../../src/lib/backends/llm/openai';
import type { ChatChunk, ChatMessage } from '../../src/lib/backends/llm/types';
import {
  delay,
  sendJson,
  sseEvent,
  startSse,
  startTestServer,
  writeSlowly,
  type TestServer,
} from './http-server';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say hello.' },
];
const params = { temperature: 0.7, topP: 0.9, maxTokens: 32 };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function backend(options: Partial<OpenAiBackendOptions> = {}): OpenAiBackend {
  server.requests.length = 0;
  return new OpenAiBackend({
    baseUrl: `${server.url}/v1`,
    model: 'test-model',
    apiKey: 'sk-test',
    pageOrigin: null,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

function chunk(content: string | null, finish: string | null = null, usage?: object) {
  return {
    id: 'c1',
    object: 'chat.completion.chunk',
    choices:
      content === null && finish === null
        ? []
        : [{ index: 0, delta: { content }, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  };
}

const okReply = {
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
};

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe('OpenAI-compatible backend', () => {
  it('normalises base URLs', () => {
    expect(normaliseOpenAiBaseUrl('http://localhost:11434')).toBe('http://localhost:11434/v1');
    expect(normaliseOpenAiBaseUrl('https://openrouter.ai/api/v1/')).toBe(
      'https://openrouter.ai/api/v1',
    );
    expect(normaliseOpenAiBaseUrl('http://h:8000/v1/chat/completions')).toBe('http://h:8000/v1');
  });

  it('sends the request and reads a JSON reply', async () => {
    server.handle((_req, res) => sendJson(res, 200, okReply));
    const b = backend({ stream: false });
    const result = await generateText(b, messages, { ...params, seed: 7, stop: ['\n\n'] });
    expect(result).toMatchObject({
      text: 'Hello!',
      usage: { promptTokens: 12, completionTokens: 3 },
      finishReason: 'stop',
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'test-model',
      messages,
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 32,
      stream: false,
      seed: 7,
      stop: ['\n\n'],
    });
  });

  it('streams SSE split at awkward places, with CRLF, comments and usage', async () => {
    const body =
      ': keep-alive\r\n\r\n' +
      sseEvent(chunk('Hel')).replace(/\n/g, '\r\n') +
      sseEvent(chunk('lo, ')) +
      sseEvent(chunk('wörld')) +
      sseEvent(chunk('', 'length')) +
      sseEvent(chunk(null, null, { prompt_tokens: 9, completion_tokens: 4 })) +
      'data: [DONE]\n\n';
    const bytes = Buffer.from(body, 'utf8');
    server.handle(async (_req, res) => {
      startSse(res);
      // Cut every 7 bytes: events, CRLFs and the two-byte "ö" all end up split.
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await delay(1);
      }
      res.end();
    });
    const chunks = await collect(backend().generate(messages, params));
    expect(
      chunks.filter((c) => c.type === 'token').map((c) => (c.type === 'token' ? c.text : '')),
    ).toEqual(['Hel', 'lo, ', 'wörld']);
    expect(chunks.at(-1)).toEqual({
      type: 'done',
      usage: { promptTokens: 9, completionTokens: 4 },
      finishReason: 'length',
    });
    const sent = JSON.parse(server.requests[0]?.body ?? '');
    expect(sent.stream).toBe(true);
    expect(sent.stream_options).toEqual({ include_usage: true });
  });

  it('accepts a JSON reply to a streaming request', async () => {
    server.handle((_req, res) => sendJson(res, 200, okReply));
    expect((await generateText(backend(), messages, params)).text).toBe('Hello!');
  });

  it('estimates usage when the server reports none', async () => {
    server.handle((_req, res) => {
      startSse(res);
      res.end(sseEvent(chunk('Hi there', 'stop')) + 'data: [DONE]\n\n');
    });
    const result = await generateText(backend(), messages, params);
    expect(result.usage.estimated).toBe(true);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
  });

  it('maps 401 to AuthError without retrying', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, { error: { message: 'Incorrect API key provided' } }),
    );
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain('Incorrect API key');
    expect((error as AuthError).message).toContain('API key');
    expect(server.requests).toHaveLength(1);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.handle((_req, res, i) =>
      i === 0
        ? sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '1' })
        : sendJson(res, 200, okReply),
    );
    const started = performance.now();
    const result = await generateText(backend(), messages, params);
    expect(result.text).toBe('Hello!');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('honours retry-after-ms and gives up with RateLimitError after the retries', async () => {
    server.handle((_req, res) =>
      sendJson(res, 429, { error: { message: 'quota' } }, { 'retry-after-ms': '120' }),
    );
    const started = performance.now();
    const error = await generateText(backend({ retry: { maxRetries: 2 } }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(230);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120);
    expect(server.requests).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond the limit', async () => {
    server.handle((_req, res) => sendJson(res, 429, {}, { 'retry-after': '3600' }));
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toMatch(/Wait about 3600 s/);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    server.handle((_req, res, i) =>
      i < 2 ? sendJson(res, 500, { error: 'boom' }) : sendJson(res, 200, okReply),
    );
    expect((await generateText(backend(), messages, params)).text).toBe('Hello!');
    expect(server.requests).toHaveLength(3);
  });

  it('reports ServerError when 5xx persists', async () => {
    server.handle((_req, res) => sendJson(res, 503, 'upstream down'));
    const error = await generateText(
      backend({ retry: { maxRetries: 1, baseDelayMs: 1 } }),
      messages,
      params,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(503);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a slow reply', async () => {
    server.handle(async (_req, res) => {
      await delay(800);
      if (!res.destroyed) sendJson(res, 200, okReply);
    });
    const error = await generateText(backend({ timeoutMs: 150 }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(150);
  });

  it('times out a stream that stalls, keeping the partial text', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, [sseEvent(chunk('partial ')), sseEvent(chunk('answer'))], 20);
      await delay(800);
      if (!res.destroyed) res.end('data: [DONE]\n\n');
    });
    const error = await generateText(backend({ timeoutMs: 200 }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).partialText).toBe('partial answer');
  });

  it('maps malformed JSON to BadResponseError', async () => {
    server.handle((_req, res) => sendJson(res, 200, '{"choices": [ nope'));
    const error = await generateText(backend({ stream: false }), messages, params).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as Error).message).toMatch(/not JSON/);
  });

  it('maps a malformed streamed event to BadResponseError with the partial text', async () => {
    server.handle((_req, res) => {
      startSse(res);
      res.end(sseEvent(chunk('ok ')) + 'data: {broken\n\n');
    });
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).partialText).toBe('ok ');
  });

  it('reports a dropped connection mid-stream as NetworkError with the partial text', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, [sseEvent(chunk('Once upon ')), sseEvent(chunk('a time'))]);
      res.socket?.destroy();
    });
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).partialText).toBe('Once upon a time');
    expect((error as Error).message).toContain('16 characters had arrived');
  });

  it('reports a stream closed before the end as NetworkError', async () => {
    server.handle((_req, res) => {
      startSse(res);
      res.end(sseEvent(chunk('cut')));
    });
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).partialText).toBe('cut');
  });

  it('reports an unreachable server as NetworkError', async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.close();
    const b = new OpenAiBackend({
      baseUrl: url,
      model: 'm',
      pageOrigin: null,
      retry: { maxRetries: 0 },
    });
    const error = await generateText(b, messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('ends with finishReason "abort" and the partial text when the caller aborts', async () => {
    server.handle(async (_req, res) => {
      startSse(res);
      await writeSlowly(res, [sseEvent(chunk('one ')), sseEvent(chunk('two '))], 10);
      await delay(2000);
      if (!res.destroyed) res.end('data: [DONE]\n\n');
    });
    const controller = new AbortController();
    const chunks: ChatChunk[] = [];
    for await (const c of backend().generate(messages, { ...params, signal: controller.signal })) {
      chunks.push(c);
      if (c.type === 'token' && c.text === 'two ') controller.abort();
    }
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort' });
  });

  it('reports errors a server sends inside the stream', async () => {
    server.handle((_req, res) => {
      startSse(res);
      res.end(
        sseEvent(chunk('a')) + sseEvent({ error: { message: 'Provider overloaded', code: 502 } }),
      );
    });
    const error = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as Error).message).toContain('Provider overloaded');
  });

  it('reports errors a server sends inside a 200 JSON reply, by their code', async () => {
    server.handle((_req, res) =>
      sendJson(res, 200, { error: { message: 'No such model', code: 404 } }),
    );
    const notFound = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(BadResponseError);
    expect((notFound as Error).message).toContain('No such model');
    expect((notFound as Error).message).toContain('is the base URL or model name wrong?');

    // A bare string, or a code that is no HTTP status, counts as the server's failure.
    server.handle((_req, res) => sendJson(res, 200, { error: 'Upstream timed out' }));
    const bare = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(bare).toBeInstanceOf(ServerError);
    expect((bare as Error).message).toContain('Upstream timed out');
    server.handle((_req, res) =>
      sendJson(res, 200, { error: { message: 'Rate limited upstream', code: 'rate_limit' } }),
    );
    const named = await generateText(backend(), messages, params).catch((e: unknown) => e);
    expect(named).toBeInstanceOf(ServerError);
    expect((named as Error).message).toContain('Rate limited upstream');
  });

  it('switches to max_completion_tokens when the server asks for it', async () => {
    server.handle((req, res) =>
      JSON.parse(req.body).max_tokens !== undefined
        ? sendJson(res, 400, {
            error: {
              message: "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead.",
            },
          })
        : sendJson(res, 200, okReply),
    );
    expect((await generateText(backend(), messages, params)).text).toBe('Hello!');
    expect(JSON.parse(server.requests[1]?.body ?? '').max_completion_tokens).toBe(32);
  });

  it('lists models', async () => {
    server.handle((req, res) =>
      req.path === '/v1/models'
        ? sendJson(res, 200, { data: [{ id: 'b-model' }, { id: 'a-model' }] })
        : sendJson(res, 404, {}),
    );
    expect(await backend().listModels()).toEqual(['a-model', 'b-model']);
    const unknown = await listOpenAiModels({
      baseUrl: `${server.url}/nope`,
      pageOrigin: null,
    }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(BadResponseError);
  });
});
