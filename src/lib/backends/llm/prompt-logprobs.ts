/**
 * Scoring through an OpenAI-compatible server that returns prompt log probabilities (vLLM's
 * `prompt_logprobs` on chat completions): the conversation with the answer as the assistant's
 * last turn is sent with `max_tokens: 1`, and the log probabilities of the answer's tokens (and
 * the end-of-turn token the chat template puts after it) are read back. Servers give only a few
 * alternatives per position, so there is no KL on this path.
 */
import type { HttpOptions } from './http';
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

/** Scores answers through an OpenAI-compatible server's prompt log probabilities. */
export class OpenAiPromptLogprobScorer implements TokenLogprobScorer {
  readonly id: string;

  constructor(readonly options: PromptLogprobOptions) {
    this.id = `openai:${options.model}@${options.baseUrl}`;
  }

  /** See TokenLogprobScorer; throws the HTTP errors of errors.ts, BadResponseError when the server gives no prompt log probabilities. */
  async scoreTokens(
    items: readonly ContrastiveItem[],
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ token: string; logprob: number }[][]> {
    void items;
    void options;
    throw new Error('not built yet');
  }
}
