/**
 * Contrastive analysis: the same text scored under both models, token by token. Natural logs
 * throughout; `kl` is KL(B || A) in nats between the two next-token distributions that predict a
 * token (given the tokens before it), so it is large where the intervention changed what the
 * model expects next.
 */
import type { Side } from '../run/types';

/** One of a model's most likely next tokens at a position. */
export interface TopToken {
  token: string;
  logprob: number;
}

/** One token of a scored answer (the end-of-turn token included, as the last one). */
export interface TokenScore {
  /** The token's text as the tokenizer decodes it (special tokens by their name). */
  token: string;
  /** log p_A(token | before); null when A's tokenizer splits the text differently. */
  logpA: number | null;
  /** log p_B(token | before). */
  logpB: number;
  /** KL(B || A) of the next-token distributions here; null without a shared vocabulary or full distributions. */
  kl: number | null;
  /** A's most likely next tokens here (local models only), most likely first. */
  topA?: TopToken[];
  /** B's most likely next tokens here (local models only), most likely first. */
  topB?: TopToken[];
}

/** Sequence totals of one scored answer. */
export interface ScoreTotals {
  /** Total log probability of the answer (end-of-turn included) under A, given the prompt. */
  logpA: number;
  /** The same under B. */
  logpB: number;
  /** logpB - logpA: positive when B finds the answer more likely. */
  llr: number;
  /** Mean of the tokens' `kl`; null when KL could not be had. */
  meanKl: number | null;
}

/** One answer scored under both models. */
export interface TextScore extends ScoreTotals {
  tokens: TokenScore[];
}

/** A scored text as `npm run score` writes it: the input line's prompt and answer with its scores. */
export interface ScoredText extends TextScore {
  prompt: string;
  answer: string;
}

/** A scored answer of a run, keyed as the run's answers are. */
export interface ScoredAnswer extends TextScore {
  promptId: string;
  side: Side;
  sample: number;
}

/** The `version` of a saved contrastive scoring of a run (an analysis record, not a free-text analysis). */
export const CONTRASTIVE_SCORES_VERSION = 'contrastive-scores-1';

/** A run's contrastive scores, saved as the `result` of one of its analysis records. */
export interface ContrastiveScoresResult {
  version: typeof CONTRASTIVE_SCORES_VERSION;
  /** The backend ids that scored (A, B), e.g. `transformers:tiny-base`. */
  modelA: string;
  modelB: string;
  /** Whether A and B share a vocabulary (KL and per-token A values need it). */
  sharedVocabulary: boolean;
  /** How many top next tokens each token keeps per model (0 when none were kept). */
  topK: number;
  items: ScoredAnswer[];
}
