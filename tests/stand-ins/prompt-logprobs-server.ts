/**
 * A stand-in for vLLM's prompt log probabilities on chat completions (the `prompt_logprobs`
 * extension): an OpenAI-compatible server on 127.0.0.1 (random port, or the one given) with a
 * fixed chat template, tokenizer and log-probability rule, so every value a test reads can be
 * worked out by hand. Started by the unit tests of OpenAiPromptLogprobScorer and `npm run score`.
 * Run by hand with `node --import tsx tests/stand-ins/prompt-logprobs-server.ts [PORT]`.
 *
 * The chat template: each message is `<|ROLE|>` (one token, e.g. `<|user|>`), the words of its
 * content, then `<|end|>`; `add_generation_prompt: true` (the default, as in vLLM) appends
 * `<|assistant|>`. So the conversation with the answer as the assistant's last turn, sent with
 * `add_generation_prompt: false`, ends in `<|assistant|>`, the answer's words and `<|end|>`, and
 * the conversation without it, sent with `add_generation_prompt: true`, is exactly the part
 * before the answer's words.
 *
 * The tokenizer: whitespace-preserving words, i.e. each content is split before each run of
 * white space (`" Hello  world"` is `" Hello"` and `"  world"`); white space at the end of a
 * content is no token. Token ids are positions in a vocabulary the server grows as it meets
 * tokens (only the dictionaries' keys show them).
 *
 * The models (the request's `model`; any other name gets a 404), each a log probability rule:
 * - `tenth`: every token has log probability -0.1 x its length in characters.
 * - `fifth`: -0.2 x its length.
 * - `no-prompt-logprobs`: answers like `tenth` but never sends `prompt_logprobs` (a server
 *   without vLLM's extension: OpenAI, Ollama).
 * - `marks-last`: like `tenth`, but its template ends the conversation's last message with
 *   `<|final|>` instead of `<|end|>` (as templates that treat the last message specially do), so
 *   the prompt before an answer renders differently once the answer follows it.
 * Special tokens count their characters too: `<|end|>` is 7 characters (-0.7 under `tenth`).
 *
 * The reply: `prompt_logprobs` (top level, when the request's `prompt_logprobs` is a number k):
 * one entry per prompt token, the first null, each other a dictionary from token id (as a
 * string) to `{ logprob, rank, decoded_token }`. With k = 0 it holds the prompt's own token
 * alone, at rank 1; with k > 0 (one alternative at most, whatever k) it also holds `" the"` at
 * log probability -0.05 and rank 1, the prompt's token then at rank 2, unless that token is
 * `" the"` itself. `usage.prompt_tokens` counts the prompt's tokens; the completion is the
 * single token `" the"`.
 *
 * Endpoints (base URL `server.url`, which ends in /v1):
 * - POST /v1/chat/completions (JSON only; `stream: true` gets a 400).
 * - GET /requests: every chat request seen, in order (`PromptLogprobsServerRequest[]`).
 * - OPTIONS anything: 204 with Access-Control-Allow-Origin *, Methods GET, POST, OPTIONS and
 *   Headers content-type, authorization (a browser's preflight; every reply allows any origin).
 *
 * Faults: `{ at, status }` answers chat request number `at` (0-based, counting every chat
 * request, faulted ones included) with that HTTP status and an error body instead of the reply.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The model names the server answers to, with each one's log probability per character. */
export const PROMPT_LOGPROB_MODELS = {
  tenth: -0.1,
  fifth: -0.2,
  'no-prompt-logprobs': -0.1,
  'marks-last': -0.1,
} as const;

/** One model's name. */
export type PromptLogprobModel = keyof typeof PROMPT_LOGPROB_MODELS;

/** The end-of-turn token of the stand-in's template. */
export const END_OF_TURN = '<|end|>';

/** The alternative offered when a request asks for k > 0 alternatives. */
export const ALTERNATIVE = { token: ' the', logprob: -0.05 } as const;

/** One injected fault: chat request `at` is answered with HTTP `status`. */
export interface PromptLogprobsFault {
  at: number;
  status: number;
}

/** A chat request as the server saw it. */
export interface PromptLogprobsServerRequest {
  index: number;
  model: string | null;
  messages: { role: string; content: string }[];
  /** The flag as sent; absent means vLLM's default (true). */
  addGenerationPrompt: boolean | null;
  /** `prompt_logprobs` as sent; null when absent. */
  promptLogprobs: number | null;
  maxTokens: number | null;
  temperature: number | null;
  /** The authorization header (tests check a key arrives; never printed). */
  authorization: string | null;
  /** The HTTP status the request got. */
  status: number;
}

/** A running stand-in. */
export interface PromptLogprobsServer {
  /** Base URL for an OpenAI-compatible client: `http://127.0.0.1:<port>/v1`. */
  url: string;
  requests: PromptLogprobsServerRequest[];
  /** Faults still to come; may be replaced between runs. */
  faults: PromptLogprobsFault[];
  close(): Promise<void>;
}

/** Options of startPromptLogprobsServer. */
export interface PromptLogprobsServerOptions {
  faults?: PromptLogprobsFault[];
  /** 0 (default) picks a free port. */
  port?: number;
}

/** A content's tokens: split before each run of white space, trailing white space dropped. */
export function standInWords(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** The stand-in template's tokens of a conversation (see the file's comment). */
export function standInPromptTokens(
  messages: readonly { role: string; content: string }[],
  addGenerationPrompt: boolean,
  model: PromptLogprobModel = 'tenth',
): string[] {
  const tokens = messages.flatMap((m, i) => [
    `<|${m.role}|>`,
    ...standInWords(m.content),
    model === 'marks-last' && i === messages.length - 1 ? '<|final|>' : END_OF_TURN,
  ]);
  if (addGenerationPrompt) tokens.push('<|assistant|>');
  return tokens;
}

/** A token's log probability under a model: its length times the model's rate. */
export function standInLogprob(model: PromptLogprobModel, token: string): number {
  return PROMPT_LOGPROB_MODELS[model] * token.length;
}

const CORS = { 'access-control-allow-origin': '*' };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS });
  res.end(JSON.stringify(body));
}

const isModel = (model: unknown): model is PromptLogprobModel =>
  typeof model === 'string' && Object.hasOwn(PROMPT_LOGPROB_MODELS, model);

/** Starts the stand-in on 127.0.0.1. */
export async function startPromptLogprobsServer(
  options: PromptLogprobsServerOptions = {},
): Promise<PromptLogprobsServer> {
  const requests: PromptLogprobsServerRequest[] = [];
  const vocabulary = new Map<string, number>();
  const idOf = (token: string) => {
    let id = vocabulary.get(token);
    if (id === undefined) vocabulary.set(token, (id = vocabulary.size));
    return id;
  };
  const handle: PromptLogprobsServer = {
    url: '',
    requests,
    faults: [...(options.faults ?? [])],
    close: () => Promise.resolve(),
  };

  function chat(res: ServerResponse, text: string, authorization: string | null): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      sendJson(res, 400, { error: { message: 'the body is not JSON' } });
      return;
    }
    const messages = (Array.isArray(body.messages) ? body.messages : []).map((m: unknown) => {
      const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
      return { role: String(role), content: typeof content === 'string' ? content : '' };
    });
    const number = (value: unknown) => (typeof value === 'number' ? value : null);
    const record: PromptLogprobsServerRequest = {
      index: requests.length,
      model: typeof body.model === 'string' ? body.model : null,
      messages,
      addGenerationPrompt:
        typeof body.add_generation_prompt === 'boolean' ? body.add_generation_prompt : null,
      promptLogprobs: number(body.prompt_logprobs),
      maxTokens: number(body.max_tokens),
      temperature: number(body.temperature),
      authorization,
      status: 200,
    };
    requests.push(record);
    const fail = (status: number, message: string) => {
      record.status = status;
      sendJson(res, status, { error: { message } });
    };
    const fault = handle.faults.find((f) => f.at === record.index);
    if (fault) return fail(fault.status, `The stand-in failed request ${record.index} on purpose.`);
    if (!isModel(body.model)) {
      return fail(
        404,
        `The model "${String(body.model)}" does not exist; this server has ${Object.keys(PROMPT_LOGPROB_MODELS).join(', ')}.`,
      );
    }
    if (body.stream === true) return fail(400, 'the stand-in does not stream');
    const model = body.model;
    const tokens = standInPromptTokens(messages, record.addGenerationPrompt ?? true, model);
    const k = record.promptLogprobs;
    const promptLogprobs =
      k === null || model === 'no-prompt-logprobs'
        ? undefined
        : tokens.map((token, i) => {
            if (i === 0) return null;
            const alternative = k > 0 && token !== ALTERNATIVE.token;
            const entries: [string, { logprob: number; rank: number; decoded_token: string }][] = [
              [
                String(idOf(token)),
                {
                  logprob: standInLogprob(model, token),
                  rank: alternative ? 2 : 1,
                  decoded_token: token,
                },
              ],
            ];
            if (alternative) {
              entries.push([
                String(idOf(ALTERNATIVE.token)),
                { logprob: ALTERNATIVE.logprob, rank: 1, decoded_token: ALTERNATIVE.token },
              ]);
            }
            return Object.fromEntries(entries);
          });
    sendJson(res, 200, {
      id: `chatcmpl-${record.index}`,
      object: 'chat.completion',
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: ALTERNATIVE.token },
          finish_reason: 'length',
        },
      ],
      usage: {
        prompt_tokens: tokens.length,
        completion_tokens: 1,
        total_tokens: tokens.length + 1,
      },
      ...(promptLogprobs ? { prompt_logprobs: promptLogprobs } : {}),
    });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'OPTIONS') {
        // A page on another origin posts JSON with a key: the browser asks first.
        res.writeHead(204, {
          ...CORS,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-max-age': '600',
        });
        res.end();
      } else if (req.method === 'GET' && path === '/requests') {
        sendJson(res, 200, requests);
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        const authorization = req.headers.authorization ?? null;
        chat(res, Buffer.concat(chunks).toString('utf8'), authorization);
      } else {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  handle.url = `http://127.0.0.1:${port}/v1`;
  handle.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return handle;
}

// Started by hand: serve until Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.argv[2] ?? 0);
  const server = await startPromptLogprobsServer({ port: Number.isInteger(port) ? port : 0 });
  console.log(
    `prompt-logprobs stand-in at ${server.url} (models ${Object.keys(PROMPT_LOGPROB_MODELS).join(', ')})`,
  );
}
