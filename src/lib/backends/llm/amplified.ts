/**
 * Amplified sampling: a decode loop of our own with a KV cache per model (transformers.js's
 * logits processors are synchronous, so model A cannot run inside B's `generate`). Each step
 * runs A and B on the newest token and samples from logits_B + alpha * (logits_B - logits_A):
 * alpha = 0 is plain B (greedy output identical to B's own `generate`), larger alpha exaggerates
 * what the intervention changed. Both models must share a vocabulary.
 *
 * The loop mirrors transformers.js's `generate` step by step (its own input preparation, cache
 * update and logits processors, the multinomial sampler's order of tokens and the global seeded
 * `random`), so that alpha = 0 reproduces B's answers, greedy and seeded alike.
 */
import {
  LogitsProcessorList,
  Tensor,
  random,
  softmax,
  topk,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { amplifyLogits } from '../../core/contrastive/divergence';
import { ModelLoadError } from './errors';
import { gpuError } from './gpu-errors';
import { StopStringFilter } from './stop-strings';
import { TopPLogitsProcessor } from './top-p';
import {
  encodeMessages,
  withModelTurn,
  type LoadedModel,
  type TransformersChatBackend,
  type TransformersChatOptions,
} from './transformers';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatFinishReason,
  ChatMessage,
  GenerateOptions,
  LoadProgress,
} from './types';
import type { GenerateModelRequest, WireAmplify } from './worker-protocol';

/** The parts of a transformers.js model's generation internals the loop drives (see `generate`). */
interface GenerationInternals {
  generation_config: unknown;
  forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  prepare_inputs_for_generation(
    ids: bigint[][],
    inputs: Record<string, unknown>,
    config: unknown,
  ): Record<string, unknown>;
  _update_model_kwargs_for_generation(args: {
    generated_input_ids: bigint[][];
    outputs: Record<string, Tensor>;
    model_inputs: Record<string, unknown>;
    is_encoder_decoder: boolean;
  }): Record<string, unknown>;
  _prepare_generation_config(config: null, kwargs: Record<string, unknown>): { max_length: number };
  _get_logits_processor(
    config: unknown,
    inputLength: number,
    processors: LogitsProcessorList,
  ): (ids: bigint[][], logits: Tensor) => Tensor;
}

function internals(model: PreTrainedModel): GenerationInternals {
  return model as unknown as GenerationInternals;
}

/**
 * One model's incremental forward passes over one sequence, with its KV cache, the way
 * transformers.js's `generate` runs them: `start` runs the whole prompt, each `advance` only the
 * newest token. Each returns the logits of the next token (float32, a fresh copy).
 */
export class CachedDecoder {
  readonly #model: GenerationInternals;
  readonly #ids: bigint[];
  #inputs: Record<string, unknown> | undefined;
  #outputs: Record<string, Tensor> | undefined;

  constructor(model: PreTrainedModel, prompt: readonly number[]) {
    if (prompt.length === 0) throw new RangeError('Decoding needs a non-empty prompt.');
    this.#model = internals(model);
    this.#ids = prompt.map((id) => BigInt(id));
  }

  /** The token ids so far: the prompt, then every token passed to `advance`. */
  get ids(): readonly bigint[] {
    return this.#ids;
  }

  /** Runs the prompt; the logits of the first new token. */
  async start(): Promise<Float32Array> {
    const n = this.#ids.length;
    const inputs = {
      input_ids: new Tensor('int64', BigInt64Array.from(this.#ids), [1, n]),
      attention_mask: new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    };
    return this.#forward(inputs);
  }

  /** Appends `token` and runs it alone against the cache; the logits of the token after it. */
  async advance(token: number): Promise<Float32Array> {
    if (!this.#inputs || !this.#outputs) throw new Error('CachedDecoder: advance before start');
    const next = BigInt(token);
    this.#ids.push(next);
    const inputs = this.#model._update_model_kwargs_for_generation({
      generated_input_ids: [[next]],
      outputs: this.#outputs,
      model_inputs: this.#inputs,
      is_encoder_decoder: false,
    });
    // The outputs' present tensors now belong to the cache.
    this.#outputs = undefined;
    return this.#forward(inputs);
  }

  async #forward(inputs: Record<string, unknown>): Promise<Float32Array> {
    const model = this.#model;
    this.#inputs = model.prepare_inputs_for_generation(
      [this.#ids],
      inputs,
      model.generation_config,
    );
    this.#outputs = await model.forward(this.#inputs);
    // The last position, in float32 as `generate` reads it (fp16 models give fp16 logits).
    const logits = this.#outputs.logits!;
    if (logits.type === 'float32') {
      const data = logits.data as Float32Array;
      return data.slice(data.length - logits.dims.at(-1)!);
    }
    return Float32Array.from(logits.slice(null, -1, null).to('float32').data as Float32Array);
  }

  /** Frees the cache and the last outputs (GPU tensors; CPU ones are left to the collector). */
  async dispose(): Promise<void> {
    const outputs = this.#outputs;
    const cache = this.#inputs?.past_key_values as { dispose?: () => Promise<void> } | undefined;
    this.#outputs = undefined;
    this.#inputs = undefined;
    for (const tensor of Object.values(outputs ?? {})) {
      if (tensor.location === 'gpu-buffer') tensor.dispose();
    }
    await cache?.dispose?.();
  }
}

/** Throws ModelLoadError unless the two tokenizers map the same tokens to the same ids. */
function checkSameVocabulary(
  a: { id: string; tokenizer: PreTrainedTokenizer; model: PreTrainedModel },
  b: { id: string; tokenizer: PreTrainedTokenizer; model: PreTrainedModel },
): void {
  const fail = (detail: string): never => {
    throw new ModelLoadError(
      `${b.id} vs ${a.id}`,
      `amplification needs two models with the same tokenizer (${detail})`,
    );
  };
  const vocabA = a.tokenizer.get_vocab();
  const vocabB = b.tokenizer.get_vocab();
  if (vocabA.size !== vocabB.size) fail(`${vocabA.size} vs ${vocabB.size} tokens`);
  for (const [token, id] of vocabB) {
    if (vocabA.get(token) !== id) fail(`the token ${JSON.stringify(token)} differs`);
  }
  const widthA = (a.model.config as { vocab_size?: number }).vocab_size;
  const widthB = (b.model.config as { vocab_size?: number }).vocab_size;
  if (widthA !== widthB) fail(`logits of ${widthA} vs ${widthB} tokens`);
}

/** An index drawn with probability proportional to `weights`, as transformers.js's sampler draws it. */
function weightedIndex(weights: ArrayLike<number>, uniform: number): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  let x = uniform * sum;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

/** The first index of the largest value (transformers.js's greedy pick). */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The next token from processed logits: greedy, or the multinomial sampler's draw (tokens
 * sorted by logit, then softmax, then the global `random`), so seeds mean what they mean for B.
 */
async function pickToken(logits: Tensor, sampling: boolean): Promise<number> {
  const data = logits.data as Float32Array;
  if (!sampling) return argmax(data);
  const [values, indices] = await topk(logits, data.length);
  const probabilities = softmax(values.data as Float32Array);
  return Number(indices.data[weightedIndex(probabilities, random.random())]);
}

/** B amplified away from A, as a ChatBackend (generation only; it cannot `score`). */
export class AmplifiedChatBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities: ChatCapabilities;
  // The pair of sessions whose vocabularies were compared (a reload compares again).
  #checked: [LoadedModel, LoadedModel] | undefined;

  constructor(
    readonly base: TransformersChatBackend,
    readonly tuned: TransformersChatBackend,
    readonly alpha: number,
  ) {
    if (!Number.isFinite(alpha))
      throw new RangeError(`alpha must be a finite number, not ${alpha}`);
    this.id = `amplified:${tuned.id}-vs-${base.id}@${alpha}`;
    this.capabilities = {
      logprobs: false,
      batching: false,
      needsWebGpu: tuned.capabilities.needsWebGpu,
    };
  }

  /** Loads both models; throws ModelLoadError when their vocabularies differ. */
  async load(onProgress?: (progress: LoadProgress) => void): Promise<void> {
    await this.#sessions(onProgress);
  }

  async #sessions(
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<{ a: LoadedModel; b: LoadedModel }> {
    // One after the other: the progress of two loads at once would jump between files.
    const b = await this.tuned.session(onProgress);
    const a = await this.base.session(onProgress);
    if (this.#checked?.[0] !== a || this.#checked[1] !== b) {
      checkSameVocabulary({ id: this.base.id, ...a }, { id: this.tuned.id, ...b });
      this.#checked = [a, b];
    }
    return { a, b };
  }

  /** Streams an amplified generation (temperature 0: greedy on the amplified logits). */
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    // Hold the model turn for the whole stream, as TransformersChatBackend.generate does.
    let release!: () => void;
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const entry = new Promise<void>((resolve) => (entered = resolve));
    const turn = withModelTurn(async () => {
      entered();
      await held;
    });
    await entry;
    try {
      yield* this.#generate(messages, options);
    } catch (error) {
      throw gpuError(error) ?? error;
    } finally {
      release();
      await turn;
    }
  }

  async *#generate(messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<ChatChunk> {
    const { a, b } = await this.#sessions();
    const promptA = Array.from(encodeMessages(a.tokenizer, messages).input_ids.data, Number);
    const promptB = Array.from(encodeMessages(b.tokenizer, messages).input_ids.data, Number);
    const sampling = options.temperature > 0;
    const model = internals(b.model);
    // B's own generation config and logits processors (repetition penalty, temperature, ...) as
    // its `generate` would build them, so alpha = 0 is B exactly.
    const config = model._prepare_generation_config(null, {
      max_new_tokens: options.maxTokens,
      do_sample: sampling,
      ...(sampling ? { temperature: options.temperature, top_k: 0 } : {}),
    });
    config.max_length = promptB.length + options.maxTokens;
    const extra = new LogitsProcessorList();
    if (sampling && options.topP < 1) extra.push(new TopPLogitsProcessor(options.topP));
    const processLogits = model._get_logits_processor(config, promptB.length, extra);
    if (sampling && options.seed !== undefined) random.seed(options.seed);

    // At alpha 0 A's logits do not count: B alone, at the cost of plain B.
    const decoderA = this.alpha === 0 ? undefined : new CachedDecoder(a.model, promptA);
    const decoderB = new CachedDecoder(b.model, promptB);
    const stops = new StopStringFilter(options.stop);
    const generated: number[] = [];
    let decoded = '';
    // The new text since the last piece, held back while it ends inside a multi-byte character.
    const nextPiece = (final: boolean): string => {
      if (generated.length === 0) return '';
      const text = b.tokenizer.decode(generated, { skip_special_tokens: true });
      if (!final && text.endsWith('\uFFFD')) return '';
      const piece = text.slice(decoded.length);
      decoded = text;
      return piece;
    };
    let finishReason: ChatFinishReason = 'length';
    try {
      let logitsB = await decoderB.start();
      let logitsA = decoderA ? await decoderA.start() : logitsB;
      if (logitsA.length !== logitsB.length) {
        throw new ModelLoadError(
          `${this.tuned.id} vs ${this.base.id}`,
          `amplification needs two models with the same tokenizer (logits of ${logitsA.length} vs ${logitsB.length} tokens)`,
        );
      }
      const amplified = new Float32Array(logitsB.length);
      while (generated.length < options.maxTokens) {
        if (options.signal?.aborted) {
          finishReason = 'abort';
          break;
        }
        amplifyLogits(logitsA, logitsB, this.alpha, amplified);
        const scores = processLogits(
          [decoderB.ids.slice()],
          new Tensor('float32', amplified, [1, amplified.length]),
        );
        const token = await pickToken(scores, sampling);
        generated.push(token);
        if (b.eos.has(token)) {
          finishReason = 'stop';
          break;
        }
        const shown = stops.push(nextPiece(false));
        if (shown) yield { type: 'token', text: shown };
        if (stops.stopped) {
          finishReason = 'stop';
          break;
        }
        if (generated.length >= options.maxTokens) break;
        logitsB = await decoderB.advance(token);
        logitsA = decoderA ? await decoderA.advance(token) : logitsB;
      }
      if (!stops.stopped) {
        const rest = stops.push(nextPiece(true)) + stops.flush();
        if (rest) yield { type: 'token', text: rest };
      }
      yield {
        type: 'done',
        usage: { promptTokens: promptB.length, completionTokens: generated.length },
        finishReason,
      };
    } finally {
      await Promise.all([decoderA?.dispose(), decoderB.dispose()]);
    }
  }

  /** Frees both models. */
  async unload(): Promise<void> {
    await Promise.all([this.base.unload(), this.tuned.unload()]);
  }
}

/** The transformers.js settings of the amplified sampler's two models, from a worker request. */
function requestModels(request: GenerateModelRequest & { amplify: WireAmplify }): {
  base: TransformersChatOptions;
  tuned: TransformersChatOptions;
} {
  const { modelId, device, dtype } = request;
  return { base: request.amplify.base, tuned: { modelId, device, dtype } };
}

/** A stable cache key for an amplified worker request; undefined for a plain model request. */
export function amplifiedBackendKey(request: GenerateModelRequest): string | undefined {
  if (!request.amplify) return undefined;
  const key = (o: TransformersChatOptions) =>
    `${o.modelId}@${o.device ?? 'default'}/${o.dtype ?? 'default'}`;
  const { base, tuned } = requestModels({ ...request, amplify: request.amplify });
  return `amplified:${key(tuned)}|${key(base)}|${request.amplify.alpha}`;
}

/**
 * The amplified sampler a worker request asks for (B = the request's model, A = amplify.base),
 * its two models taken from `plain` (the worker's own per-model backends, so loads are shared).
 */
export function amplifiedBackendFor(
  request: GenerateModelRequest & { amplify: WireAmplify },
  plain: (options: TransformersChatOptions) => TransformersChatBackend,
): AmplifiedChatBackend {
  const { base, tuned } = requestModels(request);
  return new AmplifiedChatBackend(plain(base), plain(tuned), request.amplify.alpha);
}
