/**
 * Contrastive scoring with transformers.js: each answer, chat-templated after its prompt as for
 * generation (encodeMessages), goes through A and through B in one batched forward pass per
 * model; from the two rows of logits that predict each answer token (the end-of-turn token
 * included) come logpA, logpB, KL(B || A) and each model's top next tokens. Tokenizers that
 * differ give log probabilities only (kl null), each model on its own tokens.
 */
import type { ContrastiveItem, ContrastiveScoreReply } from './worker-protocol';
import type { TransformersChatBackend } from './transformers';

/** Options of scoreContrastive. */
export interface ContrastiveScoreOptions {
  /** Top next tokens kept per token and model (default 5; 0 keeps none). */
  topK?: number;
  /** Answers per forward pass (default 4). */
  batchSize?: number;
  /** Checked between batches: aborting throws the signal's reason. */
  signal?: AbortSignal;
  /** Called after each batch with items done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Scores every item under A and B; see the file's comment. */
export async function scoreContrastive(
  a: TransformersChatBackend,
  b: TransformersChatBackend,
  items: readonly ContrastiveItem[],
  options: ContrastiveScoreOptions = {},
): Promise<ContrastiveScoreReply> {
  void a;
  void b;
  void items;
  void options;
  throw new Error('not built yet');
}

/**
 * Per-token log probabilities of each item's answer (end-of-turn token last) under one local
 * model, for pairing with a model scored elsewhere (an OpenAI-compatible server).
 */
export async function scoreTokenLogprobs(
  model: TransformersChatBackend,
  items: readonly ContrastiveItem[],
  options: Omit<ContrastiveScoreOptions, 'topK'> = {},
): Promise<{ token: string; logprob: number }[][]> {
  void model;
  void items;
  void options;
  throw new Error('not built yet');
}
