/**
 * OpenAI-compatible `/v1/chat/completions` (OpenAI, Ollama, vLLM, LM Studio, OpenRouter, Azure
 * OpenAI, ...): SSE streaming with a JSON fallback, retries, timeouts and named errors (see
 * http.ts). The base URL's query string (Azure's `?api-version=`, a gateway's key parameter) is
 * sent with every request; ids and error texts never show its credentials.
 */
import { estimatedUsage } from './generate-text';
import { BadResponseError, NetworkError } from './errors';
import { requestSecrets } from './redact';
import {
  openRequest,
  parseEventData,
  streamKeepingPartialText,
  throwIfErrorInReply,
  type ErrorInReply,
  type HttpOptions,
  type OpenResponse,
} from './http';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatFinishReason,
  ChatMessage,
  ChatUsage,
  GenerateOptions,
  TokenLogprob,
} from './types';

/** Settings of an OpenAI-compatible backend. */
export interface OpenAiBackendOptions extends HttpOptions {
  /** e.g. `https://api.openai.com/v1`, `http://localhost:11434` (`/v1` is added to a bare host). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Stream tokens with SSE (default); false asks for one JSON reply. */
  stream?: boolean;
}

/** A base URL split into origin + path (for ids and messages) and its query (for requests). */
export interface SplitBaseUrl {
  base: string;
  /** `?…` or empty. */
  search: string;
}

/**
 * Splits a base URL (see normaliseOpenAiBaseUrl); `endpoint` is the path a pasted endpoint URL
 * may end with, stripped from it (default `/chat/completions`).
 */
export function splitOpenAiBaseUrl(
  baseUrl: string,
  endpoint = /\/chat\/completions$/,
): SplitBaseUrl {
  const url = new URL(baseUrl.trim());
  let path = url.pathname.replace(/\/+$/, '').replace(endpoint, '').replace(/\/+$/, '');
  if (path === '') path = '/v1';
  return { base: `${url.origin}${path}`, search: url.search };
}

/**
 * Normalises a base URL: no trailing slash, no `/chat/completions`, `/v1` added to a bare host,
 * and no user info, query or fragment (those never belong in ids or messages).
 */
export function normaliseOpenAiBaseUrl(baseUrl: string): string {
  return splitOpenAiBaseUrl(baseUrl).base;
}

/**
 * The URL of `path` (`chat/completions` or `models`) under a base URL, keeping the base URL's
 * query string: Azure needs `?api-version=`, some gateways take the key there.
 */
export function openAiEndpointUrl(baseUrl: string, path: string): string {
  const { base, search } = splitOpenAiBaseUrl(baseUrl);
  return `${base}/${path}${search}`;
}

/** The request headers this client sends (exported so tests can check the CORS preflight). */
export function openAiHeaders(apiKey?: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return headers;
}

/** Maps an OpenAI finish_reason to ours; a content filter cut means the answer is incomplete. */
export function mapOpenAiFinishReason(reason: unknown): ChatFinishReason | undefined {
  if (reason === null || reason === undefined) return undefined;
  if (reason === 'length') return 'length';
  if (reason === 'abort') return 'abort';
  if (reason === 'content_filter' || reason === 'error') return 'error';
  return 'stop'; // stop, eos, tool_calls, function_call
}

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}
interface WireLogprob {
  token: string;
  logprob: number;
  top_logprobs?: { token: string; logprob: number }[];
}
interface WireChoice {
  delta?: { content?: string | null };
  message?: { content?: string | null };
  finish_reason?: string | null;
  logprobs?: { content?: WireLogprob[] | null } | null;
}
interface WireReply {
  choices?: WireChoice[];
  usage?: WireUsage | null;
  error?: ErrorInReply;
}

function toUsage(usage: WireUsage | null | undefined): ChatUsage | undefined {
  if (typeof usage?.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') {
    return undefined;
  }
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

function toLogprobs(choice: WireChoice | undefined): TokenLogprob[] | undefined {
  const content = choice?.logprobs?.content;
  if (!content?.length) return undefined;
  return content.map((l) => ({ token: l.token, logprob: l.logprob, top: l.top_logprobs ?? [] }));
}

/** Models a server offers, from GET `{baseUrl}/models`, sorted by id. */
export async function listOpenAiModels(
  options: Omit<OpenAiBackendOptions, 'model' | 'stream'> & { signal?: AbortSignal },
): Promise<string[]> {
  const base = normaliseOpenAiBaseUrl(options.baseUrl);
  const open = await openRequest(
    {
      provider: `The server at ${base}`,
      url: openAiEndpointUrl(options.baseUrl, 'models'),
      method: 'GET',
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      signal: options.signal,
    },
    options,
  );
  const reply = (await open.json()) as { data?: { id?: unknown }[] };
  if (!Array.isArray(reply?.data)) {
    throw new BadResponseError(`The server at ${base}`, 'the model list has no "data" array');
  }
  return reply.data
    .map((m) => m.id)
    .filter((id): id is string => typeof id === 'string')
    .sort();
}

/** A chat model behind an OpenAI-compatible HTTP API. */
export class OpenAiBackend implements ChatBackend {
  readonly id: string;
  // Most compatible servers return logprobs when asked; remote servers batch requests.
  readonly capabilities: ChatCapabilities = { logprobs: true, batching: true, needsWebGpu: false };
  readonly #base: string;
  readonly #url: string;
  readonly #provider: string;
  readonly #secrets: readonly string[];
  // Request-shape quirks learnt from the server's 400 replies, kept for later requests.
  #useMaxCompletionTokens = false;
  #omitStreamOptions = false;

  constructor(private readonly options: OpenAiBackendOptions) {
    this.#base = normaliseOpenAiBaseUrl(options.baseUrl);
    this.#url = openAiEndpointUrl(options.baseUrl, 'chat/completions');
    this.#provider = `The server at ${this.#base}`;
    this.#secrets = requestSecrets(this.#url, openAiHeaders(options.apiKey));
    this.id = `openai:${options.model}@${this.#base}`;
  }

  /** Nothing to load: the model lives on the server. */
  async load(): Promise<void> {}

  /** Nothing to free. */
  async unload(): Promise<void> {}

  /** Lists the server's models (GET /models). */
  listModels(signal?: AbortSignal): Promise<string[]> {
    return listOpenAiModels({ ...this.options, signal });
  }

  /** Streams a completion; see ChatBackend for what it throws. */
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    yield* streamKeepingPartialText(messages, options.signal, this.#secrets, (progress) =>
      this.#generate(messages, options, progress),
    );
  }

  #body(messages: ChatMessage[], options: GenerateOptions, stream: boolean) {
    const body: Record<string, unknown> = {
      model: this.options.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: options.temperature,
      top_p: options.topP,
      [this.#useMaxCompletionTokens ? 'max_completion_tokens' : 'max_tokens']: options.maxTokens,
      stream,
    };
    if (stream && !this.#omitStreamOptions) body.stream_options = { include_usage: true };
    if (options.seed !== undefined) body.seed = options.seed;
    if (options.stop?.length) body.stop = options.stop;
    if (options.topLogprobs !== undefined) {
      body.logprobs = true;
      body.top_logprobs = options.topLogprobs;
    }
    return body;
  }

  /** Sends the request, adapting once to servers that reject a parameter they do not know. */
  async #open(messages: ChatMessage[], options: GenerateOptions, stream: boolean) {
    for (let adapted = 0; ; adapted++) {
      try {
        return await openRequest(
          {
            provider: this.#provider,
            url: this.#url,
            method: 'POST',
            headers: openAiHeaders(this.options.apiKey),
            body: this.#body(messages, options, stream),
            signal: options.signal,
          },
          this.options,
        );
      } catch (error) {
        if (!(error instanceof BadResponseError) || adapted >= 2) throw error;
        // Newer OpenAI models want max_completion_tokens; some servers reject stream_options.
        if (error.detail.includes('max_completion_tokens') && !this.#useMaxCompletionTokens) {
          this.#useMaxCompletionTokens = true;
        } else if (error.detail.includes('stream_options') && !this.#omitStreamOptions) {
          this.#omitStreamOptions = true;
        } else throw error;
      }
    }
  }

  async *#generate(
    messages: ChatMessage[],
    options: GenerateOptions,
    progress: { text: string },
  ): AsyncGenerator<ChatChunk> {
    const stream = this.options.stream ?? true;
    const open = await this.#open(messages, options, stream);
    const type = open.response.headers.get('content-type') ?? '';
    // Some servers ignore `stream: true` and answer with one JSON document.
    if (!stream || !type.includes('text/event-stream')) {
      yield* this.#fromJson(open, messages, progress);
      return;
    }
    let finishReason: ChatFinishReason | undefined;
    let usage: ChatUsage | undefined;
    let sawDone = false;
    for await (const event of open.events()) {
      if (event.data.trim() === '[DONE]') {
        sawDone = true;
        break;
      }
      const chunk = parseEventData(this.#provider, event, progress.text) as WireReply;
      this.#throwIfError(chunk);
      const choice = chunk.choices?.[0];
      const text = choice?.delta?.content;
      const logprobs = toLogprobs(choice);
      if (text || logprobs) {
        progress.text += text ?? '';
        yield logprobs
          ? { type: 'token', text: text ?? '', logprobs }
          : { type: 'token', text: text ?? '' };
      }
      finishReason = mapOpenAiFinishReason(choice?.finish_reason) ?? finishReason;
      usage = toUsage(chunk.usage) ?? usage;
    }
    if (!sawDone && finishReason === undefined) {
      throw new NetworkError(
        open.response.url || this.#base,
        'the stream ended before the reply was complete',
        progress.text,
      );
    }
    yield {
      type: 'done',
      usage: usage ?? estimatedUsage(messages, progress.text),
      finishReason: finishReason ?? 'stop',
    };
  }

  async *#fromJson(
    open: OpenResponse,
    messages: ChatMessage[],
    progress: { text: string },
  ): AsyncGenerator<ChatChunk> {
    const reply = (await open.json()) as WireReply;
    this.#throwIfError(reply);
    const choice = reply?.choices?.[0];
    const text = choice?.message?.content;
    if (typeof text !== 'string') {
      throw new BadResponseError(this.#provider, 'the reply has no choices[0].message.content');
    }
    progress.text = text;
    const logprobs = toLogprobs(choice);
    if (text || logprobs)
      yield logprobs ? { type: 'token', text, logprobs } : { type: 'token', text };
    yield {
      type: 'done',
      usage: toUsage(reply.usage) ?? estimatedUsage(messages, text),
      finishReason: mapOpenAiFinishReason(choice?.finish_reason) ?? 'stop',
    };
  }

  /** Servers such as OpenRouter report failures inside a 200 reply or stream. */
  #throwIfError(reply: WireReply): void {
    throwIfErrorInReply({ provider: this.#provider, url: this.#url }, reply?.error);
  }
}
