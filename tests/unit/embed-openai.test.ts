import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OpenAiEmbedder,
  openAiEmbedderId,
  type OpenAiEmbedderOptions,
} from '../../src/lib/backends/embed/openai';
import type { EmbedProgress } from '../../src/lib/backends/embed/types';
import {
  AuthError,
  BadResponseError,
  NetworkError,
  ServerError,
} from '../../src/lib/backends/llm/errors';
import { float32ToBase64 } from '../../src/lib/core/run/float32-base64';
import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function embedder(options: Partial<OpenAiEmbedderOptions> = {}): OpenAiEmbedder {
  server.requests.length = 0;
  return new OpenAiEmbedder({
    baseUrl: `${server.url}/v1`,
    model: 'embed-test',
    apiKey: 'sk-secret-123',
    pageOrigin: null,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

interface WireRequest {
  model: string;
  input: string[];
  encoding_format: string;
  dimensions?: number;
}

function parse(request: RecordedRequest | undefined): WireRequest {
  return JSON.parse(request?.body ?? '') as WireRequest;
}

/** A deterministic, deliberately un-normalised 4-d vector for a text: [len, code0, 1, 2]. */
function rawVector(text: string): number[] {
  return [text.length + 1, text.charCodeAt(0) || 1, 1, 2];
}

function normalised(values: number[]): number[] {
  const norm = Math.hypot(...values);
  return values.map((x) => x / norm);
}

/** An OpenAI-style reply for `input`, in reverse index order to check that order is restored. */
function reply(input: string[], encode: (v: number[]) => unknown = (v) => v) {
  return {
    object: 'list',
    model: 'embed-test',
    data: input
      .map((text, index) => ({ object: 'embedding', index, embedding: encode(rawVector(text)) }))
      .reverse(),
    usage: { prompt_tokens: input.length, total_tokens: input.length },
  };
}

/** Answers every embeddings request correctly. */
function echo(request: RecordedRequest, res: Parameters<Parameters<TestServer['handle']>[0]>[1]) {
  sendJson(res, 200, reply(parse(request).input));
}

function rowsOf(m: { data: Float32Array; rows: number; dims: number }): number[][] {
  return Array.from({ length: m.rows }, (_, i) =>
    Array.from(m.data.subarray(i * m.dims, (i + 1) * m.dims)),
  );
}

describe('OpenAI-compatible embedder', () => {
  it('sends the request, restores index order and L2-normalises', async () => {
    server.handle(echo);
    const e = embedder();
    const texts = ['alpha', 'be', 'gamma ray'];
    const m = await e.embed(texts);
    expect(m.rows).toBe(3);
    expect(m.dims).toBe(4);
    expect(e.dims).toBe(4);
    rowsOf(m).forEach((row, i) => {
      const expected = normalised(rawVector(texts[i]!));
      row.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 6));
      expect(Math.hypot(...row)).toBeCloseTo(1, 6);
    });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/embeddings');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(parse(request)).toEqual({
      model: 'embed-test',
      input: texts,
      encoding_format: 'float',
    });
  });

  it('sends the key as a Bearer token and never puts it in the id', async () => {
    server.handle(echo);
    const e = embedder({ baseUrl: `${server.url.replace('//', '//user:pw@')}/v1?key=sk-q` });
    expect(e.id).toBe(`openai:embed-test@${server.url}`);
    expect(e.id).not.toContain('sk-');
    expect(e.id).not.toContain('pw');
    const plain = embedder();
    await plain.embed(['x']);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-secret-123');
    expect(plain.id).toBe(`openai:embed-test@${server.url}`);
    expect(plain.id).not.toContain('sk-secret-123');
    const anonymous = embedder({ apiKey: undefined });
    await anonymous.embed(['x']);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('builds ids from the origin, adding /v1 and stripping /embeddings', async () => {
    expect(openAiEmbedderId({ baseUrl: 'http://localhost:11434', model: 'nomic-embed-text' })).toBe(
      'openai:nomic-embed-text@http://localhost:11434',
    );
    expect(
      openAiEmbedderId({
        baseUrl: 'https://api.openai.com/v1/',
        model: 'text-embedding-3-small',
        dimensions: 256,
      }),
    ).toBe('openai:text-embedding-3-small@https://api.openai.com?dimensions=256');
    server.handle(echo);
    await embedder({ baseUrl: `${server.url}/v1/embeddings` }).embed(['a']);
    expect(server.requests[0]?.path).toBe('/v1/embeddings');
    await embedder({ baseUrl: server.url }).embed(['a']);
    expect(server.requests[0]?.path).toBe('/v1/embeddings');
  });

  it('sends dimensions when set and rejects a server that ignores it', async () => {
    server.handle((req, res) => {
      const { input, dimensions } = parse(req);
      sendJson(res, 200, {
        data: input.map((_, index) => ({
          index,
          embedding: Array.from({ length: dimensions === 2 ? 2 : 4 }, (_, j) => j + 1),
        })),
      });
    });
    const m = await embedder({ dimensions: 2 }).embed(['a', 'b']);
    expect(m.dims).toBe(2);
    expect(parse(server.requests[0]).dimensions).toBe(2);
    const error = await embedder({ dimensions: 3 })
      .embed(['a'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as Error).message).toContain('3 dimensions were asked for but 4 came back');
  });

  it('decodes base64 float32 embeddings', async () => {
    server.handle((req, res) =>
      sendJson(
        res,
        200,
        reply(parse(req).input, (v) => float32ToBase64(new Float32Array(v))),
      ),
    );
    const m = await embedder().embed(['one', 'two!']);
    expect(m.dims).toBe(4);
    rowsOf(m).forEach((row, i) => {
      const expected = normalised(rawVector(['one', 'two!'][i]!));
      row.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 6));
    });
  });

  it('batches 150 texts as 64 + 64 + 22 and reports progress', async () => {
    server.handle(echo);
    const texts = Array.from({ length: 150 }, (_, i) => `text ${i}`);
    const progress: EmbedProgress[] = [];
    const m = await embedder().embed(texts, { onProgress: (p) => progress.push(p) });
    expect(server.requests.map((r) => parse(r).input.length)).toEqual([64, 64, 22]);
    expect(server.requests.flatMap((r) => parse(r).input)).toEqual(texts);
    expect(progress).toEqual([
      { phase: 'embed', done: 64, total: 150 },
      { phase: 'embed', done: 128, total: 150 },
      { phase: 'embed', done: 150, total: 150 },
    ]);
    expect(m.rows).toBe(150);
    // Row 149 came from the last batch and still lands in its own place.
    const expected = normalised(rawVector('text 149'));
    rowsOf(m)[149]!.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 6));
  });

  it('honours batchSize from the constructor and from embed()', async () => {
    server.handle(echo);
    const texts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    await embedder({ batchSize: 4 }).embed(texts);
    expect(server.requests.map((r) => parse(r).input.length)).toEqual([4, 4, 2]);
    await embedder({ batchSize: 4 }).embed(texts, { batchSize: 5 });
    expect(server.requests.map((r) => parse(r).input.length)).toEqual([5, 5]);
  });

  it('returns an empty matrix for no texts without a request', async () => {
    server.handle(echo);
    const m = await embedder().embed([]);
    expect(m).toEqual({ data: new Float32Array(0), rows: 0, dims: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('sends an empty text as one space and truncates long ones', async () => {
    server.handle(echo);
    await embedder({ maxChars: 5 }).embed(['', 'abcdefghij']);
    expect(parse(server.requests[0]).input).toEqual([' ', 'abcde']);
  });

  it('load() probes once, learns dims and reports load progress', async () => {
    server.handle(echo);
    const e = embedder();
    const progress: EmbedProgress[] = [];
    await e.load((p) => progress.push(p));
    await e.load();
    expect(server.requests).toHaveLength(1);
    expect(parse(server.requests[0]).input).toHaveLength(1);
    expect(e.dims).toBe(4);
    expect(progress.map((p) => [p.phase, p.done, p.total])).toEqual([
      ['load', 0, 1],
      ['load', 1, 1],
    ]);
  });

  it('load() fails fast with AuthError on 401, and retries on the next call', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, { error: { message: 'Incorrect API key provided' } }),
    );
    const e = embedder();
    const error = await e.load().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('Incorrect API key');
    expect((error as Error).message).toContain('Check the API key');
    expect((error as Error).message).not.toContain('sk-secret-123');
    expect(server.requests).toHaveLength(1);
    server.handle(echo);
    await e.load();
    expect(e.dims).toBe(4);
  });

  it('load() reports an unreachable server as NetworkError', async () => {
    const closed = await startTestServer();
    await closed.close();
    const e = new OpenAiEmbedder({
      baseUrl: closed.url,
      model: 'm',
      pageOrigin: null,
      retry: { maxRetries: 0 },
    });
    const error = await e.load().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain('Check the URL');
  });

  it('waits for Retry-After on 429, then succeeds', async () => {
    server.handle((req, res, i) =>
      i === 0
        ? sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '1' })
        : echo(req, res),
    );
    const started = performance.now();
    const m = await embedder().embed(['a', 'b']);
    expect(m.rows).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a 500, then succeeds; gives up with ServerError when it persists', async () => {
    server.handle((req, res, i) =>
      i === 0 ? sendJson(res, 500, { error: 'boom' }) : echo(req, res),
    );
    expect((await embedder().embed(['a'])).rows).toBe(1);
    expect(server.requests).toHaveLength(2);
    server.handle((_req, res) => sendJson(res, 503, { error: 'down' }));
    const error = await embedder({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } })
      .embed(['a'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(2);
  });

  it('maps malformed JSON to BadResponseError', async () => {
    server.handle((_req, res) => sendJson(res, 200, '{"data": [ {"index": 0,'));
    const error = await embedder()
      .embed(['a'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as Error).message).toContain('not JSON');
  });

  it.each([
    ['a missing data array', { object: 'list' }, 'no "data" array'],
    [
      'the wrong count',
      { data: [{ index: 0, embedding: [1, 2] }] },
      '2 texts were sent but 1 embeddings came back',
    ],
    [
      'mixed dimensions',
      {
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 1, embedding: [1, 2, 3] },
        ],
      },
      'embedding 1 has 3 dimensions, embedding 0 has 2',
    ],
    [
      'a non-number',
      {
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 1, embedding: [1, null] },
        ],
      },
      'embedding 1 has a non-finite value at position 1',
    ],
    [
      'a duplicate index',
      {
        data: [
          { index: 1, embedding: [1, 2] },
          { index: 1, embedding: [1, 2] },
        ],
      },
      'two embeddings have index 1',
    ],
    [
      'an index out of range',
      {
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 2, embedding: [1, 2] },
        ],
      },
      'data[1].index is 2',
    ],
    [
      'bad base64',
      {
        data: [
          { index: 0, embedding: float32ToBase64(new Float32Array([1, 2])) },
          { index: 1, embedding: 'not base64!' },
        ],
      },
      'embedding 1 is a string but not base64',
    ],
    [
      'a zero vector',
      {
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 1, embedding: [0, 0] },
        ],
      },
      'embedding 1 is all zeros',
    ],
  ])('rejects a reply with %s', async (_name, body, message) => {
    server.handle((_req, res) => sendJson(res, 200, body));
    const error = await embedder()
      .embed(['a', 'b'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as Error).message).toContain(message);
  });

  it('rejects a later batch whose dimensions differ from the earlier ones', async () => {
    server.handle((req, res, i) =>
      sendJson(res, 200, {
        data: parse(req).input.map((_, index) => ({
          index,
          embedding: i === 0 ? [1, 2] : [1, 2, 3],
        })),
      }),
    );
    const error = await embedder({ batchSize: 1 })
      .embed(['a', 'b'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as Error).message).toContain('3 dimensions, earlier ones had 2');
  });

  it('maps an error inside a 200 reply to the named error', async () => {
    server.handle((_req, res) =>
      sendJson(res, 200, { error: { message: 'invalid key', code: 401 } }),
    );
    const error = await embedder()
      .embed(['a'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
  });

  it('stops between batches when cancelled, and passes the signal to fetch', async () => {
    server.handle(echo);
    const controller = new AbortController();
    const texts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const error = await embedder({ batchSize: 3 })
      .embed(texts, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done === 3) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);

    // An abort during a request ends the request itself (the server never answers).
    server.handle(() => undefined);
    const inFlight = new AbortController();
    const pending = embedder()
      .embed(['a'], { signal: inFlight.signal })
      .catch((e: unknown) => e);
    setTimeout(() => inFlight.abort(), 50);
    expect(((await pending) as Error).name).toBe('AbortError');
  });
});
