/**
 * Amplified sampling: a decode loop of our own with a KV cache per model (transformers.js's
 * logits processors are synchronous, so model A cannot run inside B's `generate`). Each step
 * runs A and B on the newest token and samples from logits_B + alpha * (logits_B - logits_A):
 * alpha = 0 is plain B (greedy output identical to B's own `generate`), larger alpha exaggerates
 * what the intervention changed. Both models must share a vocabulary.
 */
import type { TransformersChatBackend } from './transformers';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatMessage,
  GenerateOptions,
  LoadProgress,
} from './types';

/** B amplified away from A, as a ChatBackend (generation only; it cannot `score`). */
export class AmplifiedChatBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities: ChatCapabilities;

  constructor(
    readonly base: TransformersChatBackend,
    readonly tuned: TransformersChatBackend,
    readonly alpha: number,
  ) {
    this.id = `amplified:${tuned.id}-vs-${base.id}@${alpha}`;
    this.capabilities = {
      logprobs: false,
      batching: false,
      needsWebGpu: tuned.capabilities.needsWebGpu,
    };
  }

  /** Loads both models; throws ModelLoadError when their vocabularies differ. */
  async load(onProgress?: (progress: LoadProgress) => void): Promise<void> {
    void onProgress;
    throw new Error('not built yet');
  }

  /** Streams an amplified generation (temperature 0: greedy on the amplified logits). */
  // eslint-disable-next-line require-yield
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    void messages;
    void options;
    throw new Error('not built yet');
  }

  /** Frees both models. */
  async unload(): Promise<void> {
    await Promise.all([this.base.unload(), this.tuned.unload()]);
  }
}
