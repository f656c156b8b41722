/**
 * OpenAI-compatible `POST /v1/embeddings` (OpenAI, vLLM, Ollama, LM Studio, llama.cpp,
 * text-embeddings-inference) as an Embedder. Transport, retries, timeouts and named errors come
 * from the chat backends' HTTP layer (llm/http.ts); this file only shapes requests and checks
 * replies, because compatible servers differ in what they get right (order, norm, encoding).
 * The base URL's query string (Azure's `?api-version=`) is sent with every request; error texts
 * never show the key or a credential query value (llm/redact.ts).
 */
import { base64ToFloat32 } from '../../core/run/float32-base64';
import type { Matrix } from '../../core/vectors/matrix';
import { BadResponseError } from '../llm/errors';
import { openRequest, throwIfErrorInReply, type ErrorInReply, type HttpOptions } from '../llm/http';
import { openAiHeaders, splitOpenAiBaseUrl } from '../llm/openai';
import { redactError, requestSecrets } from '../llm/redact';
import type { EmbedOptions, EmbedProgress, Embedder } from './types';

/** Settings of an OpenAI-compatible embedder (plus transport settings: fetch, timeoutMs, retry). */
export interface OpenAiEmbedderOptions extends HttpOptions {
  /** e.g. `https://api.openai.com/v1`, `http://localhost:11434` (`/v1` is added to a bare host). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Texts per request unless `embed` is given one; default 64. */
  batchSize?: number;
  /** Ask for shortened vectors (OpenAI text-embedding-3, some vLLM models); part of the id. */
  dimensions?: number;
  /**
   * Characters kept per text, default 8000 (about 2000 tokens): servers reject over-long input
   * rather than truncating it, and a whole batch fails with it.
   */
  maxChars?: number;
}

/** Default texts per request: large enough to amortise latency, small enough for any server. */
export const DEFAULT_EMBED_BATCH_SIZE = 64;

const DEFAULT_MAX_CHARS = 8000;
const PROBE_TEXT = 'ping';

/** The embedder id (vector cache key): model, server origin and `dimensions`, never the key. */
export function openAiEmbedderId(
  options: Pick<OpenAiEmbedderOptions, 'baseUrl' | 'model' | 'dimensions'>,
): string {
  // URL.origin drops user:password and the query, so credentials put there cannot leak.
  const origin = new URL(options.baseUrl.trim()).origin;
  const suffix = options.dimensions === undefined ? '' : `?dimensions=${options.dimensions}`;
  return `openai:${options.model}@${origin}${suffix}`;
}

// A pasted endpoint URL (…/v1/embeddings) works as a base URL too.
const EMBEDDINGS_PATH = /\/embeddings$/;

interface WireItem {
  index?: unknown;
  embedding?: unknown;
}
interface WireReply {
  data?: unknown;
  error?: ErrorInReply;
}

/**
 * An Embedder backed by an OpenAI-compatible HTTP endpoint. Every vector is L2-normalised here,
 * because not every server does it.
 *
 * Unlike TransformersEmbedder, `load` and `embed` throw the named HTTP errors of llm/errors.ts
 * (AuthError, CorsError, NetworkError, TimeoutError, RateLimitError, ServerError,
 * BadResponseError) rather than EmbedderLoadError: their messages already say what to fix.
 * `embed` throws the signal's reason (an AbortError) when cancelled.
 */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly #base: string;
  readonly #url: string;
  readonly #provider: string;
  readonly #secrets: readonly string[];
  #dims: number | undefined;
  #loading: Promise<void> | undefined;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    if (
      options.dimensions !== undefined &&
      !(Number.isInteger(options.dimensions) && options.dimensions > 0)
    ) {
      throw new RangeError(`dimensions must be a positive integer, got ${options.dimensions}`);
    }
    const { base, search } = splitOpenAiBaseUrl(options.baseUrl, EMBEDDINGS_PATH);
    this.#base = base;
    this.#url = `${base}/embeddings${search}`;
    this.#provider = `The server at ${this.#base}`;
    this.#secrets = requestSecrets(this.#url, openAiHeaders(options.apiKey));
    this.id = openAiEmbedderId(options);
  }

  /** Vector length, once `load` or `embed` has seen a reply. */
  get dims(): number | undefined {
    return this.#dims;
  }

  /**
   * Embeds one short text to check URL, key, CORS and model, and to learn `dims`. Done once; a
   * failed probe is forgotten so the next call retries. Throws the named HTTP errors (see class).
   */
  load(onProgress?: (progress: EmbedProgress) => void): Promise<void> {
    this.#loading ??= (async () => {
      onProgress?.({ phase: 'load', done: 0, total: 1, detail: this.#base });
      await this.#embedBatch([PROBE_TEXT]);
      onProgress?.({ phase: 'load', done: 1, total: 1, detail: this.#base });
    })().catch((error: unknown) => {
      this.#loading = undefined;
      throw error;
    });
    return this.#loading;
  }

  /**
   * Embeds `texts` in sequential batches (sequential so a rate-limited key is not flooded),
   * reporting progress after each. Throws the named HTTP errors (see class), BadResponseError
   * for a reply with the wrong count, mixed dimensions or non-finite numbers, or the abort reason.
   */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Matrix> {
    const batchSize = Math.max(
      1,
      Math.floor(options.batchSize ?? this.options.batchSize ?? DEFAULT_EMBED_BATCH_SIZE),
    );
    let data: Float32Array | undefined;
    for (let start = 0; start < texts.length; start += batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(start, start + batchSize);
      const vectors = await this.#embedBatch(batch, options.signal);
      const dims = this.#dims ?? 0;
      const out = (data ??= new Float32Array(texts.length * dims));
      vectors.forEach((vector, i) => out.set(vector, (start + i) * dims));
      options.onProgress?.({ phase: 'embed', done: start + batch.length, total: texts.length });
    }
    const dims = this.#dims ?? 0;
    return { data: data ?? new Float32Array(0), rows: texts.length, dims };
  }

  /** Nothing to free: the model lives on the server. Forgets the probe so `load` checks again. */
  async unload(): Promise<void> {
    this.#loading = undefined;
  }

  /** One request; returns the batch's vectors in input order, checked and L2-normalised. */
  async #embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const maxChars = this.options.maxChars ?? DEFAULT_MAX_CHARS;
    const body: Record<string, unknown> = {
      model: this.options.model,
      // OpenAI rejects an empty string in `input`; an empty answer is embedded as one space.
      input: texts.map((t) => t.slice(0, maxChars) || ' '),
      encoding_format: 'float',
    };
    if (this.options.dimensions !== undefined) body.dimensions = this.options.dimensions;
    const open = await openRequest(
      {
        provider: this.#provider,
        url: this.#url,
        method: 'POST',
        headers: openAiHeaders(this.options.apiKey),
        body,
        signal,
      },
      this.options,
    );
    const reply = (await open.json()) as WireReply | null;
    try {
      return this.#parse(reply, texts.length);
    } catch (error) {
      // A 200 reply may carry an error that echoes the key, like a 401 would.
      throw redactError(error, this.#secrets);
    }
  }

  #parse(reply: WireReply | null, expected: number): Float32Array[] {
    const fail = (detail: string) => new BadResponseError(this.#provider, detail);
    if (reply === null || typeof reply !== 'object') throw fail('the reply is not a JSON object');
    // Some servers (proxies such as OpenRouter, LiteLLM) report failures inside a 200 reply.
    throwIfErrorInReply({ provider: this.#provider, url: this.#url }, reply.error);
    if (!Array.isArray(reply.data)) throw fail('the reply has no "data" array');
    const items = reply.data as WireItem[];
    if (items.length !== expected) {
      throw fail(`${expected} texts were sent but ${items.length} embeddings came back`);
    }
    const vectors: (Float32Array | undefined)[] = new Array(expected);
    items.forEach((item, position) => {
      // The spec says `index` gives the order; a server that omits it is taken to keep order.
      const index = item?.index ?? position;
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= expected) {
        throw fail(`data[${position}].index is ${JSON.stringify(index)}, not 0..${expected - 1}`);
      }
      if (vectors[index as number]) throw fail(`two embeddings have index ${index}`);
      vectors[index as number] = this.#vector(item?.embedding, index as number, fail);
    });
    const checked = vectors as Float32Array[];
    const dims = checked[0]!.length;
    const odd = checked.findIndex((v) => v.length !== dims);
    if (odd >= 0) {
      throw fail(
        `embedding ${odd} has ${checked[odd]!.length} dimensions, embedding 0 has ${dims}`,
      );
    }
    const wanted = this.options.dimensions;
    if (wanted !== undefined && dims !== wanted) {
      throw fail(
        `${wanted} dimensions were asked for but ${dims} came back; this server or model ` +
          'ignores "dimensions": leave that setting empty',
      );
    }
    if (this.#dims !== undefined && dims !== this.#dims) {
      throw fail(`this reply has ${dims} dimensions, earlier ones had ${this.#dims}`);
    }
    this.#dims = dims;
    return checked;
  }

  /** Decodes one embedding (number array or base64 float32), checks it and L2-normalises it. */
  #vector(raw: unknown, index: number, fail: (detail: string) => Error): Float32Array {
    let values: ArrayLike<unknown>;
    if (typeof raw === 'string') {
      const decoded = base64ToFloat32(raw);
      if (!decoded) throw fail(`embedding ${index} is a string but not base64 of float32 values`);
      values = decoded;
    } else if (Array.isArray(raw)) {
      values = raw;
    } else {
      throw fail(`embedding ${index} is missing (expected an array of numbers)`);
    }
    if (values.length === 0) throw fail(`embedding ${index} is empty`);
    let sumSquares = 0;
    for (let j = 0; j < values.length; j++) {
      const x = values[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw fail(`embedding ${index} has a non-finite value at position ${j}: ${String(x)}`);
      }
      sumSquares += x * x;
    }
    // A zero vector has no direction: cosine similarity with it is undefined.
    if (sumSquares === 0) throw fail(`embedding ${index} is all zeros`);
    if (!Number.isFinite(sumSquares)) throw fail(`embedding ${index} has absurdly large values`);
    const scale = 1 / Math.sqrt(sumSquares);
    const out = new Float32Array(values.length);
    for (let j = 0; j < values.length; j++) out[j] = (values[j] as number) * scale;
    return out;
  }
}
