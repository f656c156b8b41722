/**
 * Scoring through an OpenAI-compatible server that returns prompt log probabilities (vLLM's
 * `prompt_logprobs` on chat completions): the conversation with the answer as the assistant's
 * last turn is sent with `max_tokens: 1`, and the log probabilities of the answer's tokens (and
 * the end-of-turn token the chat template puts after it) are read back. Servers give only a few
 * alternatives per position, so there is no KL on this path.
 *
 * Two requests an item (the first is shared by answers to the same conversation):
 * 1. the conversation without the answer, `add_generation_prompt: true`, `max_tokens: 1`: its
 *    `usage.prompt_tokens` = n is where the answer starts (the template's assistant header is
 *    part of those n tokens); its own `prompt_logprobs: 0` gives those tokens' texts, checked
 *    against the second request's first n;
 * 2. the conversation with the answer as the last assistant message, `add_generation_prompt:
 *    false`, `prompt_logprobs: 0`: the reply's top-level `prompt_logprobs` has one entry per
 *    prompt token (the first null), and entries n..end are the answer's tokens followed by
 *    everything the template writes after an assistant message: its end-of-turn token, and for
 *    templates such as ChatML also the newline after it (`<|im_end|>`, `\n`). Those trailing
 *    tokens are part of the answer's total here; a local model scored by transformers.js counts
 *    only its end-of-turn token, so a URL side's tokens and total may differ from a local one's
 *    by the template's trailing text.
 * This relies on the template rendering the conversation before the answer the same way with and
 * without the answer (true of ChatML; not of templates that treat the last message specially or
 * rewrite earlier turns, e.g. drop a reasoning block from past assistant messages): the check of
 * the first n tokens turns such a template into a named error instead of misplaced scores.
 *
 * What vLLM documents and does: `prompt_logprobs` is an extra parameter of both completion
 * endpoints, added to the OpenAI server in vllm-project/vllm#7453 (for issue #6508); the chat
 * reply carries it at the top level, not in `choices`. Its type is vLLM's PromptLogprobs, `list[Optional[dict[int, Logprob]]]` with Logprob
 * `{ logprob, rank, decoded_token }` (docs.vllm.ai, api/vllm/logprobs), and "logprob of first
 * prompt token is None" (vllm/v1/engine/logprobs.py, LogprobsProcessor.from_new_request). With
 * `prompt_logprobs: 0` each dictionary holds only the prompt's own token. That matters here: the
 * dictionaries are keyed by token id, and JSON.parse orders integer keys numerically, so with
 * alternatives present the prompt token could not be told from them by position.
 */
import { BadResponseError } from './errors';
import { openRequest, throwIfErrorInReply, type ErrorInReply, type HttpOptions } from './http';
import { normaliseOpenAiBaseUrl, openAiEndpointUrl, openAiHeaders } from './openai';
import type { ChatMessage } from './types';
import type { ContrastiveItem } from './worker-protocol';

/** Per-token log probabilities of answers under one model. */
export interface TokenLogprobScorer {
  readonly id: string;
  /** One list per item, in order: the answer's tokens (end-of-turn last) with their log probabilities. */
  scoreTokens(
    items: readonly ContrastiveItem[],
    options?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ): Promise<{ token: string; logprob: number }[][]>;
}

/** Settings of an OpenAI-compatible prompt-log-probability scorer. */
export interface PromptLogprobOptions extends HttpOptions {
  /** e.g. http://localhost:8000/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

/** The parts of a chat completion reply this scorer reads. */
interface WireReply {
  usage?: { prompt_tokens?: unknown } | null;
  prompt_logprobs?: unknown;
  error?: ErrorInReply;
}

/** What a server without the extension is told. */
const NEEDS_PROMPT_LOGPROBS =
  "the server must support vLLM's prompt_logprobs extension of chat completions (vLLM serves it; the OpenAI API and Ollama do not)";

/** Scores answers through an OpenAI-compatible server's prompt log probabilities. */
export class OpenAiPromptLogprobScorer implements TokenLogprobScorer {
  readonly id: string;
  readonly #url: string;
  readonly #provider: string;

  constructor(readonly options: PromptLogprobOptions) {
    // The normalised base (no query string, no user info): ids are shown and saved, keys are not.
    const base = normaliseOpenAiBaseUrl(options.baseUrl);
    this.id = `openai:${options.model}@${base}`;
    this.#url = openAiEndpointUrl(options.baseUrl, 'chat/completions');
    this.#provider = `The server at ${base}`;
  }

  /** See TokenLogprobScorer; throws the HTTP errors of errors.ts, BadResponseError when the server gives no prompt log probabilities. */
  async scoreTokens(
    items: readonly ContrastiveItem[],
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ token: string; logprob: number }[][]> {
    // Answers to one conversation share its prompt: asked once.
    const prompts = new Map<string, string[]>();
    const results: { token: string; logprob: number }[][] = [];
    for (const item of items) {
      options.signal?.throwIfAborted();
      const key = JSON.stringify(item.messages.map((m) => [m.role, m.content]));
      let prompt = prompts.get(key);
      if (prompt === undefined) {
        prompt = await this.#promptTokens(item.messages, options.signal);
        prompts.set(key, prompt);
      }
      results.push(await this.#answerTokens(item, prompt, options.signal));
      options.onProgress?.(results.length, items.length);
    }
    return results;
  }

  async #post(body: Record<string, unknown>, signal?: AbortSignal): Promise<WireReply> {
    const open = await openRequest(
      {
        provider: this.#provider,
        url: this.#url,
        method: 'POST',
        headers: openAiHeaders(this.options.apiKey),
        body,
        ...(signal ? { signal } : {}),
      },
      this.options,
    );
    const reply = (await open.json()) as WireReply | null;
    if (!reply || typeof reply !== 'object') {
      throw new BadResponseError(this.#provider, 'the reply is not a JSON object');
    }
    throwIfErrorInReply({ provider: this.#provider, url: this.#url }, reply.error);
    return reply;
  }

  /** A reply's prompt_logprobs, or the error naming vLLM's extension. */
  #positions(reply: WireReply): unknown[] {
    if (!Array.isArray(reply.prompt_logprobs)) {
      throw new BadResponseError(
        this.#provider,
        `the reply has no prompt_logprobs: ${NEEDS_PROMPT_LOGPROBS}`,
      );
    }
    return reply.prompt_logprobs;
  }

  /**
   * The tokens of `messages` followed by the assistant's header: usage.prompt_tokens of them
   * (null for the first, which has no log probability). Their texts are asked too, so that a
   * template that renders the conversation differently once an answer follows is caught rather
   * than misread.
   */
  async #promptTokens(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string[]> {
    const reply = await this.#post(
      {
        model: this.options.model,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        max_tokens: 1,
        temperature: 0,
        prompt_logprobs: 0,
        add_generation_prompt: true,
      },
      signal,
    );
    const n = reply.usage?.prompt_tokens;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new BadResponseError(
        this.#provider,
        'the reply has no usage.prompt_tokens, which says where the answer starts',
      );
    }
    const positions = this.#positions(reply);
    if (positions.length !== n) {
      throw new BadResponseError(
        this.#provider,
        `usage.prompt_tokens is ${n} but prompt_logprobs has ${positions.length} entries`,
      );
    }
    return positions.map((entry, i) => (i === 0 ? '' : this.#readEntry(entry, i).token));
  }

  /** The answer's tokens (the prompt's `prompt.length` tokens left out) with their log probabilities. */
  async #answerTokens(
    item: ContrastiveItem,
    prompt: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ token: string; logprob: number }[]> {
    const reply = await this.#post(
      {
        model: this.options.model,
        messages: [
          ...item.messages.map((m) => ({ role: m.role, content: m.content })),
          { role: 'assistant', content: item.answer },
        ],
        max_tokens: 1,
        temperature: 0,
        prompt_logprobs: 0,
        add_generation_prompt: false,
      },
      signal,
    );
    const positions = this.#positions(reply);
    const start = prompt.length;
    if (positions.length <= start) {
      throw new BadResponseError(
        this.#provider,
        `the conversation with the answer has ${positions.length} prompt tokens, no more than the ${start} before the answer`,
      );
    }
    for (let i = 1; i < start; i++) {
      const token = this.#readEntry(positions[i], i).token;
      if (token !== prompt[i]) {
        throw new BadResponseError(
          this.#provider,
          `the chat template renders the conversation differently once an answer follows (prompt token ${i} is ${JSON.stringify(prompt[i])} alone, ${JSON.stringify(token)} before the answer), so where the answer starts is unknown`,
        );
      }
    }
    return positions.slice(start).map((entry, i) => this.#readEntry(entry, start + i));
  }

  /** One prompt position's dictionary: exactly the prompt token's entry (prompt_logprobs: 0). */
  #readEntry(entry: unknown, position: number): { token: string; logprob: number } {
    const bad = (what: string) =>
      new BadResponseError(this.#provider, `prompt_logprobs[${position}] ${what}`);
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw bad('is not a dictionary from token id to { logprob, decoded_token }');
    }
    const values = Object.entries(entry as Record<string, unknown>);
    if (values.length !== 1) {
      throw bad(
        `has ${values.length} entries where prompt_logprobs: 0 asks for only the prompt token's`,
      );
    }
    const [id, value] = values[0]!;
    const { logprob, decoded_token } = (value ?? {}) as {
      logprob?: unknown;
      decoded_token?: unknown;
    };
    if (typeof logprob !== 'number' || !Number.isFinite(logprob)) {
      throw bad(`has no log probability (got ${JSON.stringify(logprob)})`);
    }
    // Servers that do not detokenize send no text: the id keeps the position readable.
    return { token: typeof decoded_token === 'string' ? decoded_token : `<${id}>`, logprob };
  }
}
