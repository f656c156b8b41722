/**
 * Contrastive scoring with transformers.js: each answer, chat-templated after its prompt as for
 * generation (encodeMessages), goes through A and through B in one batched forward pass per
 * model; from the two rows of logits that predict each answer token (the end-of-turn token
 * included) come logpA, logpB, KL(B || A) and each model's top next tokens. Tokenizers that
 * differ give log probabilities only (kl null), each model on its own tokens.
 *
 * Each model gets its own prompt ids (A and B may have different chat templates) and its own
 * answer ids: the answer's tokens followed by the model's end-of-turn token (endOfTurnId). A
 * batch of `batchSize` items is right-padded with an attention mask: a causal model's logits at
 * real positions never see the padding, so batching changes nothing. Both passes of a batch run
 * in one `withModelTurn`, so a generation waiting in the queue can go between batches. A pass
 * holds batch x length x vocabulary float32 logits for each of the two models until the batch
 * is read: with vocabularies of 150k tokens, a smaller batchSize keeps that in bounds.
 */
import { Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import {
  alignTokenLogprobs,
  klDivergence,
  logSoftmax,
  scoreTotals,
  topTokenIds,
} from '../../core/contrastive/divergence';
import type { TextScore, TokenScore, TopToken } from '../../core/contrastive/types';
import { gpuError } from './gpu-errors';
import {
  encodeMessages,
  withModelTurn,
  type LoadedModel,
  type TransformersChatBackend,
} from './transformers';
import type { ContrastiveItem, ContrastiveScoreReply } from './worker-protocol';

const DEFAULT_TOP_K = 5;
const DEFAULT_BATCH_SIZE = 4;

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

/** One scored token of one model: its text and natural-log probability. */
interface OwnToken {
  token: string;
  logprob: number;
}

/** One item as one model reads it. */
interface Sequence {
  prompt: number[];
  /** The answer's tokens, the end-of-turn token last. */
  answer: number[];
  /** Each answer token's text (see tokenTexts). */
  texts: string[];
}

/** A batch's logits of one model, to be disposed once read. */
interface BatchLogits {
  data: ArrayLike<number>;
  /** Padded sequence length. */
  length: number;
  /** Logits per position. */
  vocab: number;
  dispose(): void;
}

// A short assistant turn rendered by the chat template shows which token closes a turn.
const PROBE_REPLY = 'All right.';

const endOfTurnCache = new WeakMap<PreTrainedModel, number>();

/** The model's configured end-of-sequence ids, in their configured order. */
function configuredEos(model: PreTrainedModel): number[] {
  const configured =
    model.generation_config?.eos_token_id ??
    (model.config as { eos_token_id?: number | number[] } | undefined)?.eos_token_id;
  return [configured].flat().filter((id): id is number => typeof id === 'number');
}

/**
 * The token that closes the chat template's assistant turn (rendered with a short reply), or
 * undefined when there is no template, it fails, or that token is not one the model stops on.
 */
function templateEndOfTurn(tokenizer: PreTrainedTokenizer, stops: Set<number>) {
  if (!tokenizer.chat_template) return undefined;
  try {
    const text = tokenizer.apply_chat_template(
      [
        { role: 'user', content: 'Hello.' },
        { role: 'assistant', content: PROBE_REPLY },
      ],
      { tokenize: false, add_generation_prompt: false },
    ) as string;
    const at = text.lastIndexOf(PROBE_REPLY);
    if (at < 0) return undefined;
    const after = text.slice(at + PROBE_REPLY.length);
    const first = after ? tokenizer.encode(after, { add_special_tokens: false })[0] : undefined;
    return first !== undefined && stops.has(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token a model ends its turn with, scored as the last token of every answer. The chat
 * template's own closing token when it is one the model stops on (Llama 3 lists
 * `<|end_of_text|>` first in generation_config but closes turns with `<|eot_id|>`, Gemma
 * closes with `<end_of_turn>`); otherwise the first id of generation_config's (else config's)
 * `eos_token_id`, else the tokenizer's eos. For the bundled tiny models all give `<|im_end|>`.
 */
export function endOfTurnId({
  model,
  tokenizer,
}: Pick<LoadedModel, 'model' | 'tokenizer'>): number {
  const cached = endOfTurnCache.get(model);
  if (cached !== undefined) return cached;
  const configured = configuredEos(model);
  const tokenizerEos = (tokenizer as { eos_token_id?: unknown }).eos_token_id;
  const stops = new Set(configured);
  if (typeof tokenizerEos === 'number') stops.add(tokenizerEos);
  const id =
    templateEndOfTurn(tokenizer, stops) ??
    configured[0] ??
    (typeof tokenizerEos === 'number' ? tokenizerEos : undefined);
  if (id === undefined) throw new Error('The model names no end-of-sequence token to score.');
  endOfTurnCache.set(model, id);
  return id;
}

const vocabularyCache = new WeakMap<PreTrainedTokenizer, WeakMap<PreTrainedTokenizer, boolean>>();

/** Whether two tokenizers map every token to the same id (compared once per pair). */
function sameVocabulary(a: PreTrainedTokenizer, b: PreTrainedTokenizer): boolean {
  if (a === b) return true;
  const known = vocabularyCache.get(a)?.get(b);
  if (known !== undefined) return known;
  const va = a.get_vocab();
  const vb = b.get_vocab();
  let same = va.size === vb.size;
  if (same) {
    for (const [token, id] of va) {
      if (vb.get(token) !== id) {
        same = false;
        break;
      }
    }
  }
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    let row = vocabularyCache.get(x);
    if (!row) vocabularyCache.set(x, (row = new WeakMap()));
    row.set(y, same);
  }
  return same;
}

/** The longest sequence the model's position embeddings allow (undefined when not stated). */
function maxPositions(model: PreTrainedModel): number | undefined {
  const config = model.config as { max_position_embeddings?: unknown; n_positions?: unknown };
  const limit = config.max_position_embeddings ?? config.n_positions;
  return typeof limit === 'number' ? limit : undefined;
}

/**
 * The text of each token of `ids`, joining to the text of them all: each token decoded on its
 * own (special tokens by name) when those pieces join to the whole, as byte-level BPE's do for
 * most text. Otherwise each token's text is what it adds to the decoded text before it, which
 * also covers a character split over several byte tokens (its last token carries it, the
 * others are empty) and decoders that drop a lone token's leading space (SentencePiece).
 */
export function tokenTexts(
  tokenizer: PreTrainedTokenizer,
  ids: readonly number[],
  decode: (id: number) => string = (id) => tokenizer.decode([id]),
): string[] {
  const single = ids.map(decode);
  const whole = tokenizer.decode([...ids]);
  if (single.join('') === whole) return single;
  const texts: string[] = [];
  let shown = '';
  ids.forEach((_, j) => {
    const text = tokenizer.decode(ids.slice(0, j + 1));
    // An unfinished character decodes as U+FFFD: wait for the token that completes it.
    if (j < ids.length - 1 && text.endsWith('\uFFFD')) {
      texts.push('');
      return;
    }
    // Past what is shown (a decoder that rewrites earlier text, such as a clean-up of spaces
    // before punctuation, is the one case where the pieces cannot join to the whole).
    texts.push(text.slice(shown.length));
    shown = text;
  });
  return texts;
}

/** An item's prompt and answer ids for one model; throws when they cannot be scored. */
function sequenceFor(
  loaded: LoadedModel,
  item: ContrastiveItem,
  index: number,
  decode: (id: number) => string,
): Sequence {
  const { tokenizer, model } = loaded;
  const prompt = Array.from(encodeMessages(tokenizer, item.messages).input_ids.data, Number);
  if (prompt.length === 0)
    throw new RangeError(`Item ${index + 1}: scoring needs a non-empty prompt.`);
  const answer = [
    ...(item.answer === '' ? [] : tokenizer.encode(item.answer, { add_special_tokens: false })),
    endOfTurnId(loaded),
  ];
  const limit = maxPositions(model);
  if (limit !== undefined && prompt.length + answer.length > limit) {
    throw new RangeError(
      `Item ${index + 1}: prompt and answer are ${prompt.length + answer.length} tokens, ` +
        `more than the ${limit} the model reads.`,
    );
  }
  return { prompt, answer, texts: tokenTexts(tokenizer, answer, decode) };
}

/** One forward pass over prompt + answer rows, right-padded with `padId` and masked. */
async function forward(
  model: PreTrainedModel,
  rows: readonly Sequence[],
  padId: number,
): Promise<BatchLogits> {
  const length = Math.max(...rows.map((r) => r.prompt.length + r.answer.length));
  const ids = new BigInt64Array(rows.length * length).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * length);
  rows.forEach((row, b) => {
    let t = b * length;
    for (const id of [...row.prompt, ...row.answer]) {
      ids[t] = BigInt(id);
      mask[t++] = 1n;
    }
  });
  const input_ids = new Tensor('int64', ids, [rows.length, length]);
  const attention_mask = new Tensor('int64', mask, [rows.length, length]);
  let output: Record<string, unknown>;
  try {
    output = (await model({ input_ids, attention_mask })) as Record<string, unknown>;
  } finally {
    input_ids.dispose();
    attention_mask.dispose();
  }
  // The key/value caches come back too: nothing reads them, so they go at once.
  for (const [name, value] of Object.entries(output)) {
    if (name !== 'logits' && value instanceof Tensor) value.dispose();
  }
  const raw = output.logits as Tensor;
  const logits = raw.type === 'float32' ? raw : raw.to('float32');
  if (logits !== raw) raw.dispose();
  return {
    data: logits.data as Float32Array,
    length,
    vocab: logits.dims.at(-1)!,
    dispose: () => logits.dispose(),
  };
}

/** The tokenizer's pad id, else its eos, else 0 (padded positions are masked anyway). */
function padIdOf(tokenizer: PreTrainedTokenizer): number {
  const { pad_token_id: pad, eos_token_id: eos } = tokenizer as {
    pad_token_id?: unknown;
    eos_token_id?: unknown;
  };
  return typeof pad === 'number' ? pad : typeof eos === 'number' ? eos : 0;
}

/** Decodes single token ids (special tokens by name), remembering each. */
function tokenDecoder(tokenizer: PreTrainedTokenizer): (id: number) => string {
  const seen = new Map<number, string>();
  return (id) => {
    let text = seen.get(id);
    if (text === undefined) seen.set(id, (text = tokenizer.decode([id])));
    return text;
  };
}

/** The row of logits that predicts answer token `j` of batch row `b`. */
function rowOffset(logits: BatchLogits, b: number, sequence: Sequence, j: number): number {
  // The logits at position t predict the token at t + 1.
  return (b * logits.length + sequence.prompt.length + j - 1) * logits.vocab;
}

/** The `k` most likely next tokens of a row of log probabilities, decoded. */
function tops(logp: Float64Array, k: number, decode: (id: number) => string): TopToken[] {
  return topTokenIds(logp, k).map(({ id, logprob }) => ({ token: decode(id), logprob }));
}

/** One model's tokens of one answer with their log probabilities (and tops when k > 0). */
function ownTokens(
  logits: BatchLogits,
  b: number,
  sequence: Sequence,
  k: number,
  decode: (id: number) => string,
): { tokens: OwnToken[]; tops: TopToken[][] } {
  const buffer = new Float64Array(logits.vocab);
  const tokens: OwnToken[] = [];
  const topsPerToken: TopToken[][] = [];
  sequence.answer.forEach((id, j) => {
    logSoftmax(logits.data, rowOffset(logits, b, sequence, j), logits.vocab, buffer);
    tokens.push({ token: sequence.texts[j]!, logprob: buffer[id]! });
    if (k > 0) topsPerToken.push(tops(buffer, k, decode));
  });
  return { tokens, tops: topsPerToken };
}

/** Both models' scores of an answer both tokenized alike, from their full distributions. */
function sharedScore(
  logitsA: BatchLogits,
  logitsB: BatchLogits,
  b: number,
  seqA: Sequence,
  seqB: Sequence,
  k: number,
  decodeA: (id: number) => string,
  decodeB: (id: number) => string,
): TextScore {
  const vocab = logitsA.vocab;
  const bufferA = new Float64Array(vocab);
  const bufferB = new Float64Array(vocab);
  const tokens = seqB.answer.map((id, j): TokenScore => {
    logSoftmax(logitsA.data, rowOffset(logitsA, b, seqA, j), vocab, bufferA);
    logSoftmax(logitsB.data, rowOffset(logitsB, b, seqB, j), vocab, bufferB);
    const token: TokenScore = {
      token: seqB.texts[j]!,
      logpA: bufferA[id]!,
      logpB: bufferB[id]!,
      kl: klDivergence(bufferB, bufferA),
    };
    if (k > 0) {
      token.topA = tops(bufferA, k, decodeA);
      token.topB = tops(bufferB, k, decodeB);
    }
    return token;
  });
  return { ...scoreTotals(tokens), tokens };
}

/** Scores of an answer each model tokenized its own way: B's tokens, A's attached where they align. */
function separateScore(
  own: { a: ReturnType<typeof ownTokens>; b: ReturnType<typeof ownTokens> },
  k: number,
): TextScore {
  const tokens = alignTokenLogprobs(own.a.tokens, own.b.tokens);
  if (k > 0) {
    tokens.forEach((token, j) => {
      token.topB = own.b.tops[j];
      // A's tops belong to this position only when A split the text the same way.
      if (token.logpA !== null && own.a.tops[j]) token.topA = own.a.tops[j];
    });
  }
  const logpA = own.a.tokens.reduce((sum, t) => sum + t.logprob, 0);
  return { ...scoreTotals(tokens, logpA), tokens };
}

/** Batches of `size` consecutive indices of `count` items. */
function* batchRanges(count: number, size: number): Generator<[number, number]> {
  for (let start = 0; start < count; start += size) yield [start, Math.min(count, start + size)];
}

function checkedBatchSize(batchSize: number | undefined): number {
  const size = batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError('batchSize must be a whole number ≥ 1.');
  return size;
}

/**
 * Scores every item under A and B; see the file's comment. `sharedVocabulary` says the two
 * tokenizers map every token to the same id and the logits are as wide; an item whose answer
 * ids still differ (two end-of-turn tokens) is scored as under different tokenizers. Throws a
 * RangeError for an empty prompt or a sequence longer than a model's positions.
 */
export async function scoreContrastive(
  a: TransformersChatBackend,
  b: TransformersChatBackend,
  items: readonly ContrastiveItem[],
  options: ContrastiveScoreOptions = {},
): Promise<ContrastiveScoreReply> {
  const { signal, onProgress } = options;
  const topK = options.topK ?? DEFAULT_TOP_K;
  const batchSize = checkedBatchSize(options.batchSize);
  signal?.throwIfAborted();
  const loadedA = await a.session();
  const loadedB = await b.session();
  const sameTokens = sameVocabulary(loadedA.tokenizer, loadedB.tokenizer);
  const decodeA = tokenDecoder(loadedA.tokenizer);
  const decodeB = tokenDecoder(loadedB.tokenizer);
  const seqA = items.map((item, i) => sequenceFor(loadedA, item, i, decodeA));
  const seqB = items.map((item, i) => sequenceFor(loadedB, item, i, decodeB));
  let sameWidth = true;
  const scores: TextScore[] = [];
  for (const [start, end] of batchRanges(items.length, batchSize)) {
    signal?.throwIfAborted();
    const batch = await withModelTurn(async () => {
      signal?.throwIfAborted();
      let logitsA: BatchLogits | undefined;
      let logitsB: BatchLogits | undefined;
      try {
        logitsA = await forward(loadedA.model, seqA.slice(start, end), padIdOf(loadedA.tokenizer));
        logitsB = await forward(loadedB.model, seqB.slice(start, end), padIdOf(loadedB.tokenizer));
        sameWidth = logitsA.vocab === logitsB.vocab;
        const out: TextScore[] = [];
        for (let i = start; i < end; i++) {
          const sa = seqA[i]!;
          const sb = seqB[i]!;
          const shared =
            sameTokens &&
            sameWidth &&
            sa.answer.length === sb.answer.length &&
            sa.answer.every((id, j) => id === sb.answer[j]);
          out.push(
            shared
              ? sharedScore(logitsA, logitsB, i - start, sa, sb, topK, decodeA, decodeB)
              : separateScore(
                  {
                    a: ownTokens(logitsA, i - start, sa, topK, decodeA),
                    b: ownTokens(logitsB, i - start, sb, topK, decodeB),
                  },
                  topK,
                ),
          );
        }
        return out;
      } catch (error) {
        throw gpuError(error) ?? error;
      } finally {
        logitsA?.dispose();
        logitsB?.dispose();
      }
    });
    scores.push(...batch);
    onProgress?.(end, items.length);
  }
  return { sharedVocabulary: sameTokens && sameWidth, scores };
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
  const { signal, onProgress } = options;
  const batchSize = checkedBatchSize(options.batchSize);
  signal?.throwIfAborted();
  const loaded = await model.session();
  const decode = tokenDecoder(loaded.tokenizer);
  const sequences = items.map((item, i) => sequenceFor(loaded, item, i, decode));
  const result: OwnToken[][] = [];
  for (const [start, end] of batchRanges(items.length, batchSize)) {
    signal?.throwIfAborted();
    const batch = await withModelTurn(async () => {
      signal?.throwIfAborted();
      let logits: BatchLogits | undefined;
      try {
        logits = await forward(
          loaded.model,
          sequences.slice(start, end),
          padIdOf(loaded.tokenizer),
        );
        const out: OwnToken[][] = [];
        for (let i = start; i < end; i++) {
          out.push(ownTokens(logits, i - start, sequences[i]!, 0, decode).tokens);
        }
        return out;
      } catch (error) {
        throw gpuError(error) ?? error;
      } finally {
        logits?.dispose();
      }
    });
    result.push(...batch);
    onProgress?.(end, items.length);
  }
  return result;
}

/**
 * Why each item cannot be scored under `model`, or null where it can: an empty prompt, or a
 * prompt and answer longer than the model reads (the message scoreContrastive would throw).
 * Lets a caller score the rest and say which were left out.
 */
export async function unscorableItems(
  model: TransformersChatBackend,
  items: readonly ContrastiveItem[],
): Promise<(string | null)[]> {
  const loaded = await model.session();
  const decode = tokenDecoder(loaded.tokenizer);
  return items.map((item, i) => {
    try {
      sequenceFor(loaded, item, i, decode);
      return null;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return error.message.replace(/^Item \d+: /, '');
    }
  });
}
