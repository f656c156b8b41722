/**
 * One interface for every chat model: WebLLM, transformers.js, OpenAI-compatible HTTP and
 * Anthropic. The generation queue and the supervisor only ever see a ChatBackend.
 */

/** Who wrote a message, in OpenAI's chat vocabulary. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** One message of a conversation. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Why a generation ended. A subset of core/run's FinishReason, so answers store it as is. */
export type ChatFinishReason = 'stop' | 'length' | 'abort' | 'error';

/** Token counts of one generation. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the backend did not report counts and they were estimated (about 4 characters a token). */
  estimated?: boolean;
}

/** Log probability of one generated token and of its most likely alternatives. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

/** A piece of streamed output: text as it arrives, then exactly one final `done` chunk. */
export type ChatChunk =
  | { type: 'token'; text: string; logprobs?: TokenLogprob[] }
  | { type: 'done'; usage: ChatUsage; finishReason: ChatFinishReason };

/** Options of one generation. */
export interface GenerateOptions {
  /** 0 means greedy decoding. */
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Honoured where the backend can seed its sampler (OpenAI-compatible, WebLLM, transformers.js). */
  seed?: number;
  /** Strings that end generation; they are not included in the output. */
  stop?: string[];
  /** Ask for this many alternatives' log probabilities per token (only if `capabilities.logprobs`). */
  topLogprobs?: number;
  /** Aborting ends the stream early with finishReason 'abort' and the text so far. */
  signal?: AbortSignal;
}

/** Progress of loading a model: bytes where known, a fraction where known, always a text. */
export interface LoadProgress {
  loadedBytes?: number;
  totalBytes?: number;
  /** 0..1 */
  fraction?: number;
  text: string;
}

/** What a backend can do; the setup screen and the queue adapt to it. */
export interface ChatCapabilities {
  /** Token log probabilities can be requested with `topLogprobs`. */
  logprobs: boolean;
  /** Several generations may run at once (remote servers batch them). */
  batching: boolean;
  /** Needs a WebGPU adapter in this browser. */
  needsWebGpu: boolean;
}

/**
 * A chat model that streams tokens.
 *
 * `load` throws ModelLoadError (and DeviceLostError/OutOfMemoryError on GPUs); it is a no-op for
 * HTTP backends. `generate` throws AuthError, RateLimitError, NetworkError (with the partial
 * text), CorsError, TimeoutError, ServerError, BadResponseError, DeviceLostError or
 * OutOfMemoryError; a caller's abort is not an error: the stream ends with finishReason 'abort'.
 */
export interface ChatBackend {
  /** Stable id, e.g. `openai:gpt-4o-mini@https://api.openai.com`, never containing secrets. */
  readonly id: string;
  readonly capabilities: ChatCapabilities;
  load(onProgress?: (progress: LoadProgress) => void): Promise<void>;
  generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk>;
  /** Frees the model (GPU memory, worker); a later `load` or `generate` loads it again. */
  unload(): Promise<void>;
  /**
   * The `score` capability (local models): the natural-log probability of each continuation as
   * the assistant's reply to `messages` (chat-templated as for generation), summed over its
   * tokens, from a forward pass. Absent on backends that cannot score (HTTP APIs, WebLLM).
   */
  score?(messages: ChatMessage[], continuations: string[], signal?: AbortSignal): Promise<number[]>;
}

/** A whole generation, collected from a stream. */
export interface GenerateResult {
  text: string;
  usage: ChatUsage;
  finishReason: ChatFinishReason;
  latencyMs: number;
  /** Per-token log probabilities, when they were requested and the backend returned them. */
  logprobs?: TokenLogprob[];
}
