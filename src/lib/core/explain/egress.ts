/**
 * The egress preview: everything a supervisor stage would send, grouped by step, with its size,
 * an estimate of tokens and, for a few well-known models, of cost; and the exclusion of prompts
 * the user does not want to send. Tokens are estimated at 4 characters each (English prose with
 * an OpenAI/Anthropic tokenizer is close to that; code and other scripts use more).
 */
import { SUPERVISOR_STEPS, type EgressPreview, type SupervisorRequest } from './types';

/** Characters per token of the estimate. */
export const CHARS_PER_TOKEN = 4;

/** US dollars per million input and output tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * Approximate list prices (USD per million tokens, input/output) as published by OpenAI and
 * Anthropic in mid-2025; they change, so the preview calls its figure an estimate. Matched as a
 * prefix of the model id (after any "vendor/" part), longest prefix first, so dated ids such as
 * "gpt-4o-mini-2024-07-18" or "claude-3-5-haiku-20241022" find their family.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
};

/** Providers that run on this machine or in the page: nothing is billed. */
const LOCAL_PROVIDER =
  /webllm|transformers|in the browser|ollama|lm ?studio|llama\.?cpp|localhost|127\.0\.0\.1|\[::1\]/i;

/** The list price of `model` at `provider`, or null for local providers and unknown models. */
export function priceOf(provider: string, model: string): ModelPrice | null {
  if (LOCAL_PROVIDER.test(provider)) return null;
  const id = model.trim().toLowerCase().split('/').pop() ?? '';
  const prefix = Object.keys(MODEL_PRICES)
    .filter((known) => id === known || id.startsWith(`${known}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? null : (MODEL_PRICES[prefix] ?? null);
}

/** Characters of all a request's message contents. */
export function requestCharacters(request: SupervisorRequest): number {
  return request.messages.reduce((sum, message) => sum + message.content.length, 0);
}

/**
 * What `requests` would send: one group per step that has requests, in SUPERVISOR_STEPS order,
 * each with its characters, input tokens (ceil of characters / 4) and output tokens (the sum of
 * the reply budgets, an upper bound); totals are the sums over steps; cost from `priceOf`.
 */
export function egressPreview(
  requests: readonly SupervisorRequest[],
  provider: string,
  model: string,
): EgressPreview {
  const steps = SUPERVISOR_STEPS.map((step) => {
    const ofStep = requests.filter((request) => request.step === step);
    const characters = ofStep.reduce((sum, request) => sum + requestCharacters(request), 0);
    return {
      step,
      requests: ofStep,
      characters,
      inputTokens: Math.ceil(characters / CHARS_PER_TOKEN),
      outputTokens: ofStep.reduce((sum, request) => sum + request.maxTokens, 0),
    };
  }).filter((group) => group.requests.length > 0);
  const total = (pick: (group: (typeof steps)[number]) => number): number =>
    steps.reduce((sum, group) => sum + pick(group), 0);
  const inputTokens = total((group) => group.inputTokens);
  const outputTokens = total((group) => group.outputTokens);
  const price = priceOf(provider, model);
  return {
    provider,
    model,
    steps,
    characters: total((group) => group.characters),
    inputTokens,
    outputTokens,
    costUsd: price ? (inputTokens * price.input + outputTokens * price.output) / 1e6 : null,
  };
}

/** The requests that carry none of the excluded prompts (their text or answers). */
export function withoutPrompts(
  requests: readonly SupervisorRequest[],
  excludedPromptIds: Iterable<string>,
): SupervisorRequest[] {
  const excluded = new Set(excludedPromptIds);
  if (excluded.size === 0) return [...requests];
  return requests.filter((request) => !request.promptIds.some((id) => excluded.has(id)));
}
