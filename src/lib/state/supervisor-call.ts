/**
 * One supervisor request sent through any ChatBackend, and the supervisor log entry that records
 * it: what left the machine (messages, temperature, reply budget), the reply, its usage and time,
 * with credentials scrubbed. The JobQueue's `run` calls askSupervisor, then stores the entry.
 */
import type { ChatBackend, ChatUsage } from '../backends/llm/types';
import type { SupervisorRequest } from '../core/explain/types';
import { redactSecrets } from '../core/run/redact-values';
import { isSecretKey, stripUrlCredentials } from '../core/run/scrub-credentials';
import type { SupervisorLogEntry } from '../core/run/types';
import { errorSummary, streamAnswer } from './generation-job';

/** A complete supervisor reply. */
export interface SupervisorReply {
  reply: string;
  usage: ChatUsage;
  /** From sending the request to the reply's last chunk, ms. */
  latencyMs: number;
}

/** Options of one supervisor request. */
export interface AskOptions {
  temperature: number;
  signal?: AbortSignal;
  /** Clock for latencyMs; default performance.now. */
  now?: () => number;
}

/**
 * Sends `request` and reads the whole streamed reply.
 * @throws the backend's errors (AuthError, RateLimitError, ...); IncompleteAnswerError when the
 * stream ends without its final chunk or is aborted, so the queue retries it or drops it.
 */
export async function askSupervisor(
  backend: ChatBackend,
  request: SupervisorRequest,
  options: AskOptions,
): Promise<SupervisorReply> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const answer = await streamAnswer(
    backend,
    request.messages.map((m) => ({ role: m.role, content: m.content })),
    {
      temperature: options.temperature,
      topP: 1,
      maxTokens: request.maxTokens,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    () => undefined,
  );
  return { reply: answer.text, usage: answer.usage, latencyMs: Math.round(now() - started) };
}

/** Who answered and when, for a log entry. `secrets`: values to redact wherever they appear. */
export interface LogMeta {
  provider: string;
  model: string;
  temperature: number;
  /** ISO time the request was sent. */
  at: string;
  /** Times it was sent, retries included. */
  attempts: number;
  secrets?: readonly string[];
}

/** A reply, or the failure of a request that was sent but never answered. */
export type SupervisorOutcome = SupervisorReply | { error: unknown };

/** Drops fields named like credentials at any depth (see isSecretKey). */
function withoutSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretFields);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !isSecretKey(k))
        .map(([k, v]) => [k, withoutSecretFields(v)]),
    );
  }
  return value;
}

/**
 * The supervisor log entry of one request: purpose = its step, key = its job key, request =
 * `{ messages, temperature, maxTokens }`, and the reply with usage and latency (or reply null and
 * the error's message). Credential fields are dropped, URL credentials stripped from provider and
 * model, and `meta.secrets` redacted from every string.
 */
export function supervisorLogEntry(
  request: SupervisorRequest,
  outcome: SupervisorOutcome,
  meta: LogMeta,
): SupervisorLogEntry {
  const entry: SupervisorLogEntry = {
    at: meta.at,
    provider: stripUrlCredentials(meta.provider),
    model: stripUrlCredentials(meta.model),
    purpose: request.step,
    key: request.key,
    request: withoutSecretFields({
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: meta.temperature,
      maxTokens: request.maxTokens,
    }),
    attempts: meta.attempts,
  };
  if ('error' in outcome) {
    entry.reply = null;
    entry.error = errorSummary(outcome.error).message;
  } else {
    entry.reply = outcome.reply;
    const { promptTokens, completionTokens } = outcome.usage;
    entry.usage = { promptTokens, completionTokens };
    entry.latencyMs = outcome.latencyMs;
  }
  return meta.secrets ? redactSecrets(entry, meta.secrets) : entry;
}
