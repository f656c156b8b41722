/**
 * transformers.js text generation as a ChatBackend: runs in Node (tests, CLI) and in a worker
 * (workers/generate.worker.ts). Where models come from is set by `configureTransformers`.
 *
 * Sampling: temperature 0 is greedy; otherwise multinomial sampling with `temperature` and
 * `top_p` (top-p by our own processor, see top-p.ts; top_k is switched off so the settings mean
 * what they mean for OpenAI and WebLLM). Seeds: transformers.js samples with one global
 * Mersenne Twister (`random` in its exports); we call `random.seed(seed)` before a seeded
 * generation and run generations one at a time, so the same seed gives the same answer.
 *
 * Scoring (`score`): the messages are templated exactly as for generation (encodeMessages), each
 * continuation's tokens are appended, and one forward pass over the batch gives, through a
 * log-softmax, the natural-log probability of every continuation token; their sum is the score.
 */
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  InterruptableStoppingCriteria,
  LogitsProcessorList,
  Tensor,
  TextStreamer,
  env,
  random,
  type DataType,
  type DeviceType,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { ModelLoadError } from './errors';
import { errorText, gpuError } from './gpu-errors';
import { StopStringFilter } from './stop-strings';
import { TopPLogitsProcessor } from './top-p';
import type {
  ChatBackend,
  ChatCapabilities,
  ChatChunk,
  ChatFinishReason,
  ChatMessage,
  GenerateOptions,
  LoadProgress,
} from './types';

/** Settings of a transformers.js chat model. */
export interface TransformersChatOptions {
  /** A bundled folder under the models path (`tiny-base`) or a hub repo id. */
  modelId: string;
  /** Defaults to transformers.js's choice: `cpu` in Node, `wasm` in browsers. */
  device?: 'wasm' | 'webgpu' | 'cpu';
  /**
   * Weight precision; the ONNX file `model_<dtype>.onnx` must exist (`fp32` is `model.onnx`).
   * Unset, the model's own `transformers.js_config.dtype` (or the library default) decides.
   */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16' | 'int8' | 'uint8' | 'bnb4';
}

/** A loaded model: what contrastive scoring and the amplified decode loop work with directly. */
export interface LoadedModel {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  /** Token ids that end a turn (the model's and the tokenizer's end-of-sequence ids). */
  eos: Set<number>;
}

type Loaded = LoadedModel;

interface FileProgressEvent {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

// Generations of all instances run one at a time: sampling uses transformers.js's one global
// random generator, so interleaving two seeded generations would break reproducibility. Scoring
// waits its turn too, so a forward pass never competes with a generation for the same session.
let generationQueue: Promise<void> = Promise.resolve();

/**
 * Runs `work` when no other generation or forward pass of any transformers.js model in this
 * thread is running (the same queue `generate` and `score` wait in), so seeded sampling stays
 * reproducible and two passes never compete for one session.
 */
export async function withModelTurn<T>(work: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const previous = generationQueue;
  generationQueue = new Promise((resolve) => (release = resolve));
  await previous;
  try {
    return await work();
  } finally {
    release();
  }
}

function eosIds(model: PreTrainedModel, tokenizer: PreTrainedTokenizer): Set<number> {
  const ids = new Set<number>();
  const configured =
    model.generation_config?.eos_token_id ??
    (model.config as { eos_token_id?: number | number[] } | undefined)?.eos_token_id;
  for (const id of [configured].flat()) if (typeof id === 'number') ids.add(id);
  const tokenizerEos = (tokenizer as { eos_token_id?: unknown }).eos_token_id;
  if (typeof tokenizerEos === 'number') ids.add(tokenizerEos);
  return ids;
}

/**
 * Why a load failed, in words. A missing local model surfaces from transformers.js as an odd
 * TypeError about `tokenizer_class`, so say where we looked instead.
 */
function loadFailureReason(modelId: string, error: unknown): string {
  const text = errorText(error).replace(/\s+/g, ' ');
  if (/tokenizer_class|could not locate file|file not found|\b404\b/i.test(text)) {
    const where = `${env.localModelPath.replace(/\/?$/, '/')}${modelId}/`;
    const hub = env.allowRemoteModels
      ? 'nor on the Hugging Face hub'
      : '(downloading from the Hugging Face hub is switched off)';
    return `its files were not found in ${where} ${hub}; ${text.slice(0, 160)}`;
  }
  return text.slice(0, 300);
}

/** Prompt for tokenizers without a chat template (base models): the turns, one per paragraph. */
function plainPrompt(messages: ChatMessage[]): string {
  return `${messages.map((m) => m.content).join('\n\n')}\n\n`;
}

/**
 * The model's input for `messages`, as generation and scoring both send it: the tokenizer's chat
 * template with the assistant turn opened, or (no template: base models) the plain prompt.
 */
export function encodeMessages(
  tokenizer: PreTrainedTokenizer,
  messages: ChatMessage[],
): { input_ids: Tensor; attention_mask: Tensor } {
  if (tokenizer.chat_template) {
    return tokenizer.apply_chat_template(messages, {
      add_generation_prompt: true,
      return_dict: true,
    }) as { input_ids: Tensor; attention_mask: Tensor };
  }
  return tokenizer(plainPrompt(messages)) as { input_ids: Tensor; attention_mask: Tensor };
}

/** log p(token) from one row of logits: the log-softmax at `token`, in float64. */
function logSoftmaxAt(logits: ArrayLike<number>, offset: number, size: number, token: number) {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(logits[offset + i]! - max);
  return logits[offset + token]! - max - Math.log(sum);
}

/**
 * Each continuation's summed log probability after `prompt` (token ids), from one forward pass
 * over the batch of prompt + continuation sequences. Shorter sequences are padded on the right
 * and masked: a causal model's logits at real positions never see the padding.
 */
async function scoreContinuations(
  model: PreTrainedModel,
  prompt: readonly number[],
  continuations: readonly (readonly number[])[],
  padId: number,
): Promise<number[]> {
  const length = prompt.length + Math.max(0, ...continuations.map((c) => c.length));
  const batch = continuations.length;
  const ids = new BigInt64Array(batch * length).fill(BigInt(padId));
  const mask = new BigInt64Array(batch * length);
  continuations.forEach((continuation, b) => {
    [...prompt, ...continuation].forEach((id, t) => {
      ids[b * length + t] = BigInt(id);
      mask[b * length + t] = 1n;
    });
  });
  const output = (await model({
    input_ids: new Tensor('int64', ids, [batch, length]),
    attention_mask: new Tensor('int64', mask, [batch, length]),
  })) as { logits: Tensor };
  const vocab = output.logits.dims.at(-1)!;
  const logits = output.logits.data as Float32Array;
  return continuations.map((continuation, b) =>
    continuation.reduce((sum, token, j) => {
      // The logits at position t predict the token at t + 1.
      const row = (b * length + prompt.length + j - 1) * vocab;
      return sum + logSoftmaxAt(logits, row, vocab, token);
    }, 0),
  );
}

/** A causal LM run by transformers.js (ONNX Runtime on CPU, WASM or WebGPU). */
export class TransformersChatBackend implements ChatBackend {
  readonly id: string;
  readonly capabilities: ChatCapabilities;
  #loaded: Promise<Loaded> | undefined;

  constructor(private readonly options: TransformersChatOptions) {
    this.id = `transformers:${options.modelId}`;
    this.capabilities = {
      logprobs: false,
      batching: false,
      needsWebGpu: options.device === 'webgpu',
    };
  }

  /** Loads tokenizer and model once; a failed load is forgotten so the next call retries. */
  async load(onProgress?: (progress: LoadProgress) => void): Promise<void> {
    await this.#load(onProgress);
  }

  #load(onProgress?: (progress: LoadProgress) => void): Promise<Loaded> {
    const { modelId, device, dtype } = this.options;
    const files = new Map<string, { loaded: number; total: number }>();
    const progress_callback = (event: FileProgressEvent) => {
      if (!onProgress || !event.file) return;
      if (event.status === 'progress' && event.total) {
        files.set(event.file, { loaded: event.loaded ?? 0, total: event.total });
        let loadedBytes = 0;
        let totalBytes = 0;
        for (const f of files.values()) {
          loadedBytes += f.loaded;
          totalBytes += f.total;
        }
        onProgress({
          loadedBytes,
          totalBytes,
          fraction: totalBytes ? loadedBytes / totalBytes : undefined,
          text: `Loading ${event.file}`,
        });
      } else if (event.status === 'done') {
        onProgress({ text: `Loaded ${event.file}` });
      }
    };
    this.#loaded ??= (async (): Promise<Loaded> => {
      const tokenizer = await AutoTokenizer.from_pretrained(modelId, { progress_callback });
      const model = await AutoModelForCausalLM.from_pretrained(modelId, {
        progress_callback,
        ...(dtype ? { dtype: dtype as DataType } : {}),
        ...(device ? { device: device as DeviceType } : {}),
      });
      return { tokenizer, model, eos: eosIds(model, tokenizer) };
    })().catch((error: unknown) => {
      this.#loaded = undefined;
      throw (
        gpuError(error) ??
        new ModelLoadError(modelId, loadFailureReason(modelId, error), { cause: error })
      );
    });
    return this.#loaded;
  }

  /**
   * The loaded tokenizer and model (loading them first), for work that needs the logits:
   * contrastive scoring and amplified decoding. Callers run passes inside `withModelTurn`.
   */
  session(onProgress?: (progress: LoadProgress) => void): Promise<LoadedModel> {
    return this.#load(onProgress);
  }

  /** Frees the ONNX sessions. */
  async unload(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = undefined;
    await (await loaded?.catch(() => undefined))?.model.dispose();
  }

  /**
   * The natural-log probability of each continuation as the reply to `messages` (see the file's
   * comment); throws ModelLoadError, DeviceLostError or OutOfMemoryError, or the signal's reason
   * when aborted before the pass (a pass itself cannot be interrupted).
   */
  async score(
    messages: ChatMessage[],
    continuations: string[],
    signal?: AbortSignal,
  ): Promise<number[]> {
    let release!: () => void;
    const previous = generationQueue;
    generationQueue = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      signal?.throwIfAborted();
      const { tokenizer, model } = await this.#load();
      const prompt = Array.from(encodeMessages(tokenizer, messages).input_ids.data, Number);
      if (prompt.length === 0) throw new RangeError('Scoring needs a non-empty prompt.');
      const tokens = continuations.map((c) =>
        c === '' ? [] : tokenizer.encode(c, { add_special_tokens: false }),
      );
      if (tokens.length === 0) return [];
      const pad = (tokenizer as { pad_token_id?: unknown }).pad_token_id;
      return await scoreContinuations(model, prompt, tokens, typeof pad === 'number' ? pad : 0);
    } catch (error) {
      throw gpuError(error) ?? error;
    } finally {
      release();
    }
  }

  /** Streams a generation; throws ModelLoadError, DeviceLostError or OutOfMemoryError. */
  async *generate(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<ChatChunk> {
    let release!: () => void;
    const previous = generationQueue;
    generationQueue = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      yield* this.#generate(messages, options);
    } catch (error) {
      throw gpuError(error) ?? error;
    } finally {
      release();
    }
  }

  async *#generate(messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<ChatChunk> {
    const { tokenizer, model, eos } = await this.#load();
    const inputs = encodeMessages(tokenizer, messages);
    const promptTokens = inputs.input_ids.dims.at(-1) ?? 0;
    const stopper = new InterruptableStoppingCriteria();
    const stops = new StopStringFilter(options.stop);
    const pending: string[] = [];
    let wake: (() => void) | undefined;
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (text: string) => {
        const shown = stops.push(text);
        if (shown) pending.push(shown);
        if (stops.stopped) stopper.interrupt();
        wake?.();
      },
    });
    const interrupt = () => {
      stopper.interrupt();
      wake?.();
    };
    options.signal?.addEventListener('abort', interrupt, { once: true });
    if (options.signal?.aborted) stopper.interrupt();
    const sampling = options.temperature > 0;
    if (sampling && options.seed !== undefined) random.seed(options.seed);
    const processors = new LogitsProcessorList();
    if (sampling && options.topP < 1) processors.push(new TopPLogitsProcessor(options.topP));
    let finished = false;
    let failure: unknown;
    let output: Tensor | undefined;
    const run = model
      .generate({
        ...inputs,
        max_new_tokens: options.maxTokens,
        do_sample: sampling,
        ...(sampling ? { temperature: options.temperature, top_k: 0 } : {}),
        logits_processor: processors,
        stopping_criteria: [stopper],
        streamer,
      })
      .then(
        (result) => void (output = result as Tensor),
        (error: unknown) => void (failure = error),
      )
      .finally(() => {
        finished = true;
        wake?.();
      });
    try {
      for (;;) {
        const text = pending.shift();
        if (text !== undefined) {
          yield { type: 'token', text };
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failure !== undefined) throw failure;
      const rest = stops.flush();
      if (rest) yield { type: 'token', text: rest };
      const sequence = Array.from(output?.data ?? [], Number);
      const generated = sequence.slice(promptTokens);
      const last = generated.at(-1);
      let finishReason: ChatFinishReason;
      if (options.signal?.aborted) finishReason = 'abort';
      else if (stops.stopped || (last !== undefined && eos.has(last))) finishReason = 'stop';
      else if (generated.length >= options.maxTokens) finishReason = 'length';
      else finishReason = 'stop';
      yield {
        type: 'done',
        usage: { promptTokens, completionTokens: generated.length },
        finishReason,
      };
    } finally {
      // Also reached when the consumer stops early: end the generation before releasing the queue.
      stopper.interrupt();
      options.signal?.removeEventListener('abort', interrupt);
      await run;
    }
  }
}
