/** Collects a ChatBackend stream into one result, for callers that do not need tokens live. */
import type {
  ChatBackend,
  ChatFinishReason,
  ChatMessage,
  ChatUsage,
  GenerateOptions,
  GenerateResult,
  TokenLogprob,
} from './types';

/** Rough token count for backends that report none: about four characters a token. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.round(text.length / 4));
}

/** Usage estimated from characters, for backends that report no token counts. */
export function estimatedUsage(messages: readonly ChatMessage[], text: string): ChatUsage {
  return {
    promptTokens: estimateTokens(messages.map((m) => m.content).join('\n')),
    completionTokens: estimateTokens(text),
    estimated: true,
  };
}

/** Runs one generation to the end; throws whatever the backend's stream throws. */
export async function generateText(
  backend: ChatBackend,
  messages: ChatMessage[],
  options: GenerateOptions,
  now: () => number = () => performance.now(),
): Promise<GenerateResult> {
  const started = now();
  let text = '';
  let usage: ChatUsage | undefined;
  let finishReason: ChatFinishReason = 'error';
  let logprobs: TokenLogprob[] | undefined;
  for await (const chunk of backend.generate(messages, options)) {
    if (chunk.type === 'token') {
      text += chunk.text;
      if (chunk.logprobs) (logprobs ??= []).push(...chunk.logprobs);
    } else {
      usage = chunk.usage;
      finishReason = chunk.finishReason;
    }
  }
  // A stream that ends without its final chunk is a backend bug; report it honestly.
  usage ??= estimatedUsage(messages, text);
  const result: GenerateResult = { text, usage, finishReason, latencyMs: now() - started };
  if (logprobs) result.logprobs = logprobs;
  return result;
}
