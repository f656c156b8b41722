/**
 * Anthropic's Messages API (`/v1/messages`) called straight from the browser: SSE streaming
 * (message_start, content_block_delta, message_delta, message_stop, error), retries, timeouts
 * and named errors (see http.ts). Seeds are not supported by the API and are ignored.
 */
import { estimatedUsage } from './generate-text';
import { BadResponseError, NetworkError } from './errors';
import { requestSecrets } from './redact';
import {
  errorForStatus,
  openRequest,
  parseEventData,
  streamKeepingPartialText,
  type HttpOptions,
  type OpenResponse,
} from './http';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatFinishReason,
  ChatMessage,
  GenerateOptions,
} from './types';

/** The API version this client speaks. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic's public API. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** Settings of an Anthropic backend. */
export interface AnthropicBackendOptions extends HttpOptions {
  model: string;
  apiKey: string;
  /**
   * Defaults to https://api.anthropic.com; a proxy with the same API also works. Its query string
   * is sent with every request.
   */
  baseUrl?: string;
  /** Stream tokens with SSE (default); false asks for one JSON reply. */
  stream?: boolean;
}

/**
 * The request headers this client sends. `anthropic-dangerous-direct-browser-access` is what
 * makes Anthropic answer a browser's CORS preflight; without it every browser call fails.
 */
export function anthropicHeaders(apiKey: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-api-key': apiKey,
    'anthropic-version': ANTHROPIC_VERSION,
    'anthropic-dangerous-direct-browser-access': 'true',
  };
}

/** Maps a stop_reason to ours; a refusal cut by Anthropic's classifiers is incomplete. */
export function mapAnthropicStopReason(reason: unknown): ChatFinishReason | undefined {
  if (reason === null || reason === undefined) return undefined;
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length';
  if (reason === 'refusal') return 'error';
  return 'stop'; // end_turn, stop_sequence, tool_use, pause_turn
}

// Status codes of the error types Anthropic puts in an `error` event or body.
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

interface WireUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

function inputTokens(usage: WireUsage | undefined): number | undefined {
  if (typeof usage?.input_tokens !== 'number') return undefined;
  // Cached prompt tokens are counted separately by the API; the prompt is all of them.
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** A Claude model through the Anthropic Messages API. */
export class AnthropicBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities: ChatCapabilities = { logprobs: false, batching: true, needsWebGpu: false };
  readonly #url: string;
  readonly #provider = 'Anthropic';
  readonly #secrets: readonly string[];
  // Some models reject temperature and top_p together; learnt from a 400 and kept.
  #omitTopP = false;

  constructor(private readonly options: AnthropicBackendOptions) {
    const base = new URL((options.baseUrl ?? ANTHROPIC_BASE_URL).trim());
    const path = base.pathname.replace(/\/+$/, '').replace(/\/v1(\/messages)?$/, '');
    this.#url = `${base.origin}${path}/v1/messages${base.search}`;
    this.#secrets = requestSecrets(this.#url, anthropicHeaders(options.apiKey));
    this.id = `anthropic:${options.model}@${base.origin}${path}`;
  }

  /** Nothing to load: the model lives on the server. */
  async load(): Promise<void> {}

  /** Nothing to free. */
  async unload(): Promise<void> {}

  /** Streams a message; see ChatBackend for what it throws. */
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    yield* streamKeepingPartialText(messages, options.signal, this.#secrets, (progress) =>
      this.#generate(messages, options, progress),
    );
  }

  #body(messages: ChatMessage[], options: GenerateOptions, stream: boolean) {
    const system = messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const body: Record<string, unknown> = {
      model: this.options.model,
      max_tokens: options.maxTokens,
      messages: messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role, content: m.content })),
      // Anthropic's range is 0..1 where OpenAI's is 0..2.
      temperature: Math.min(1, Math.max(0, options.temperature)),
      stream,
    };
    if (system) body.system = system;
    // top_p 1 is "no nucleus cut", the same as leaving it out, which every model accepts.
    if (options.topP < 1 && !this.#omitTopP) body.top_p = options.topP;
    if (options.stop?.length) body.stop_sequences = options.stop;
    return body;
  }

  async #open(messages: ChatMessage[], options: GenerateOptions, stream: boolean) {
    for (;;) {
      try {
        return await openRequest(
          {
            provider: this.#provider,
            url: this.#url,
            method: 'POST',
            headers: anthropicHeaders(this.options.apiKey),
            body: this.#body(messages, options, stream),
            signal: options.signal,
          },
          this.options,
        );
      } catch (error) {
        const rejectsTopP = error instanceof BadResponseError && error.detail.includes('top_p');
        if (!rejectsTopP || this.#omitTopP || options.topP >= 1) throw error;
        this.#omitTopP = true;
      }
    }
  }

  #eventError(error: { type?: string; message?: string } | undefined): Error {
    const status = ERROR_STATUS[error?.type ?? ''] ?? 500;
    return errorForStatus(
      { provider: this.#provider, url: this.#url },
      status,
      error?.message ?? 'error event',
    );
  }

  async *#generate(
    messages: ChatMessage[],
    options: GenerateOptions,
    progress: { text: string },
  ): AsyncGenerator<ChatChunk> {
    const stream = this.options.stream ?? true;
    const open = await this.#open(messages, options, stream);
    const type = open.response.headers.get('content-type') ?? '';
    if (!stream || !type.includes('text/event-stream')) {
      yield* this.#fromJson(open, messages, progress);
      return;
    }
    let promptTokens: number | undefined;
    let completionTokens: number | undefined;
    let finishReason: ChatFinishReason | undefined;
    let stopped = false;
    for await (const event of open.events()) {
      if (event.event === 'ping') continue;
      const data = parseEventData(this.#provider, event, progress.text) as {
        type?: string;
        message?: { usage?: WireUsage };
        delta?: { type?: string; text?: string; stop_reason?: string | null };
        usage?: WireUsage;
        error?: { type?: string; message?: string };
      };
      const kind = data.type ?? event.event;
      if (kind === 'error') throw this.#eventError(data.error);
      if (kind === 'message_start') {
        promptTokens = inputTokens(data.message?.usage);
        completionTokens = data.message?.usage?.output_tokens;
      } else if (kind === 'content_block_delta' && data.delta?.type === 'text_delta') {
        const text = data.delta.text ?? '';
        if (text) {
          progress.text += text;
          yield { type: 'token', text };
        }
      } else if (kind === 'message_delta') {
        finishReason = mapAnthropicStopReason(data.delta?.stop_reason) ?? finishReason;
        // message_delta's usage is cumulative, so it replaces what message_start said.
        completionTokens = data.usage?.output_tokens ?? completionTokens;
        promptTokens = inputTokens(data.usage) ?? promptTokens;
      } else if (kind === 'message_stop') {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      throw new NetworkError(this.#url, 'the stream ended before message_stop', progress.text);
    }
    yield {
      type: 'done',
      usage:
        promptTokens !== undefined && completionTokens !== undefined
          ? { promptTokens, completionTokens }
          : estimatedUsage(messages, progress.text),
      finishReason: finishReason ?? 'stop',
    };
  }

  async *#fromJson(
    open: OpenResponse,
    messages: ChatMessage[],
    progress: { text: string },
  ): AsyncGenerator<ChatChunk> {
    const reply = (await open.json()) as {
      type?: string;
      content?: { type?: string; text?: string }[];
      stop_reason?: string | null;
      usage?: WireUsage;
      error?: { type?: string; message?: string };
    };
    if (reply?.type === 'error') throw this.#eventError(reply.error);
    if (!Array.isArray(reply?.content)) {
      throw new BadResponseError(this.#provider, 'the reply has no "content" array');
    }
    const text = reply.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text ?? '')
      .join('');
    progress.text = text;
    if (text) yield { type: 'token', text };
    const promptTokens = inputTokens(reply.usage);
    const completionTokens = reply.usage?.output_tokens;
    yield {
      type: 'done',
      usage:
        promptTokens !== undefined && completionTokens !== undefined
          ? { promptTokens, completionTokens }
          : estimatedUsage(messages, text),
      finishReason: mapAnthropicStopReason(reply.stop_reason) ?? 'stop',
    };
  }
}
