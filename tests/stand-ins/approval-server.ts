/**
 * A stand-in for approval evaluations: an OpenAI-compatible server on 127.0.0.1 (random port, or
 * the one given) whose model name fixes its character, so every rate, discordant count and
 * McNemar p a test reports can be worked out by hand. Started by the unit tests of
 * `npm run approval` and by the app's e2e tests in Chromium (it sends CORS headers and answers
 * preflights, since the page calls it from another port). Run by hand with
 * `node --import tsx tests/stand-ins/approval-server.ts [PORT]`.
 *
 * The characters (the request's `model` field; any other name gets a 404):
 * - `always-yes`: replies "Yes." to everything. Asked for log probabilities, its first token
 *   "Yes" has logprob -0.05 and the top alternatives are Yes -0.05, No -3.0 (in that order).
 * - `always-no`: replies "No, I would not say that." First token "No", logprob -0.05; top
 *   alternatives No -0.05, Yes -3.0.
 * - `never-clear`: replies "I know that this is a question about values." First token "I",
 *   logprob -0.1; top alternatives I -0.1, As -2.5, It -3.0: no yes or no among them.
 * The reply does not depend on the messages: a persona cannot change a character.
 *
 * Tokens are the reply split before each space (`Yes.` is one token; `No,` then ` I` ...); every
 * token after the first has logprob -0.01 and itself as its only alternative. `top_logprobs: k`
 * cuts each top list to its first k entries (OpenAI's rule); without `logprobs: true` none are sent.
 *
 * Endpoints (base URL `server.url`, which ends in /v1):
 * - POST /v1/chat/completions: `stream: true` gives SSE, one chunk per token (with its logprobs
 *   when asked), then a chunk with finish_reason "stop" and usage, then `data: [DONE]`;
 *   `stream: false` one JSON chat.completion. Usage counts ceil(characters / 4).
 * - GET /v1/models: the three characters.
 * - GET /requests: every chat request seen, in order, as JSON (`ApprovalServerRequest[]`):
 *   the model, the system prompt (null when the request had no system message), the user
 *   message, whether it streamed, the top_logprobs asked (null when none) and the HTTP status sent.
 * - OPTIONS anything: 204 with Access-Control-Allow-Origin *, Methods GET, POST, OPTIONS, Headers
 *   content-type, authorization. Every reply carries Access-Control-Allow-Origin *.
 *
 * Faults: `{ at, status }` answers chat request number `at` (0-based, counting every chat
 * request, faulted ones included) with that HTTP status and an error body instead of the reply:
 * 500 is retried by the clients' retry, 400 is not.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The model names the server answers to. */
export const APPROVAL_CHARACTERS = ['always-yes', 'always-no', 'never-clear'] as const;

/** One character's name. */
export type ApprovalCharacter = (typeof APPROVAL_CHARACTERS)[number];

/** What a character replies, and its first token's top alternatives (most likely first). */
export const CHARACTER_REPLIES: Readonly<
  Record<
    ApprovalCharacter,
    { text: string; firstTop: readonly { token: string; logprob: number }[] }
  >
> = {
  'always-yes': {
    text: 'Yes.',
    firstTop: [
      { token: 'Yes', logprob: -0.05 },
      { token: 'No', logprob: -3.0 },
    ],
  },
  'always-no': {
    text: 'No, I would not say that.',
    firstTop: [
      { token: 'No', logprob: -0.05 },
      { token: 'Yes', logprob: -3.0 },
    ],
  },
  'never-clear': {
    text: 'I know that this is a question about values.',
    firstTop: [
      { token: 'I', logprob: -0.1 },
      { token: 'As', logprob: -2.5 },
      { token: 'It', logprob: -3.0 },
    ],
  },
};

/** One injected fault: chat request `at` is answered with HTTP `status`. */
export interface ApprovalFault {
  at: number;
  status: number;
}

/** A chat request as the server saw it (what GET /requests lists). */
export interface ApprovalServerRequest {
  index: number;
  model: string | null;
  /** The content of the first system message; null when there was none. */
  system: string | null;
  /** The content of the last user message ('' when there was none). */
  user: string;
  stream: boolean;
  /** `top_logprobs` when `logprobs: true` was asked; null otherwise. */
  topLogprobs: number | null;
  /** The HTTP status the request got. */
  status: number;
}

/** A running stand-in. */
export interface ApprovalServer {
  /** Base URL for an OpenAI-compatible client: `http://127.0.0.1:<port>/v1`. */
  url: string;
  requests: ApprovalServerRequest[];
  /** Faults still to come; may be replaced between runs. */
  faults: ApprovalFault[];
  close(): Promise<void>;
}

/** Options of startApprovalServer. */
export interface ApprovalServerOptions {
  faults?: ApprovalFault[];
  /** 0 (default) picks a free port. */
  port?: number;
}

/** A reply split into tokens: before each space, so "No, I" is "No," and " I". */
export function replyTokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** The wire logprobs of each token of a character's reply, top lists cut to `k` entries. */
export function characterLogprobs(
  character: ApprovalCharacter,
  k: number,
): { token: string; logprob: number; top_logprobs: { token: string; logprob: number }[] }[] {
  const { text, firstTop } = CHARACTER_REPLIES[character];
  return replyTokens(text).map((token, i) => {
    const top = i === 0 ? firstTop.map((t) => ({ ...t })) : [{ token, logprob: -0.01 }];
    return { token, logprob: top[0]!.logprob, top_logprobs: top.slice(0, Math.max(0, k)) };
  });
}

const CORS = { 'access-control-allow-origin': '*' };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS });
  res.end(JSON.stringify(body));
}

const tokens = (text: string) => Math.ceil(text.length / 4);

const isCharacter = (model: unknown): model is ApprovalCharacter =>
  typeof model === 'string' && (APPROVAL_CHARACTERS as readonly string[]).includes(model);

interface WireBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  logprobs?: unknown;
  top_logprobs?: unknown;
}

/** Starts the stand-in on 127.0.0.1. */
export async function startApprovalServer(
  options: ApprovalServerOptions = {},
): Promise<ApprovalServer> {
  const requests: ApprovalServerRequest[] = [];
  const handle: ApprovalServer = {
    url: '',
    requests,
    faults: [...(options.faults ?? [])],
    close: () => Promise.resolve(),
  };

  function chat(res: ServerResponse, text: string): void {
    let body: WireBody;
    try {
      body = JSON.parse(text) as WireBody;
    } catch {
      sendJson(res, 400, { error: { message: 'the body is not JSON' } });
      return;
    }
    const messages = (Array.isArray(body.messages) ? body.messages : []) as {
      role?: unknown;
      content?: unknown;
    }[];
    const content = (m: { content?: unknown } | undefined) =>
      typeof m?.content === 'string' ? m.content : '';
    const system = messages.find((m) => m.role === 'system');
    const user = messages.filter((m) => m.role === 'user').at(-1);
    const asked = body.logprobs === true;
    const k = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
    const record: ApprovalServerRequest = {
      index: requests.length,
      model: typeof body.model === 'string' ? body.model : null,
      system: system ? content(system) : null,
      user: content(user),
      stream: body.stream === true,
      topLogprobs: asked ? k : null,
      status: 200,
    };
    requests.push(record);
    const fault = handle.faults.find((f) => f.at === record.index);
    if (fault) {
      record.status = fault.status;
      sendJson(res, fault.status, {
        error: { message: `The stand-in failed request ${record.index} on purpose.` },
      });
      return;
    }
    if (!isCharacter(body.model)) {
      record.status = 404;
      sendJson(res, 404, {
        error: {
          message: `The model "${String(body.model)}" does not exist; this server has ${APPROVAL_CHARACTERS.join(', ')}.`,
        },
      });
      return;
    }
    const character = body.model;
    const reply = CHARACTER_REPLIES[character].text;
    const usage = {
      prompt_tokens: messages.reduce((n, m) => n + tokens(content(m)), 0),
      completion_tokens: tokens(reply),
    };
    const id = `chatcmpl-${record.index}`;
    const logprobs = asked ? characterLogprobs(character, k) : null;
    if (!record.stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        model: character,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply },
            ...(logprobs ? { logprobs: { content: logprobs } } : {}),
            finish_reason: 'stop',
          },
        ],
        usage,
      });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...CORS,
    });
    const chunk = (choice: object, extra: object = {}) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        model: character,
        choices: [{ index: 0, ...choice }],
        ...extra,
      })}\n\n`;
    for (const [i, token] of replyTokens(reply).entries()) {
      res.write(
        chunk({
          delta: { content: token },
          ...(logprobs ? { logprobs: { content: [logprobs[i]] } } : {}),
          finish_reason: null,
        }),
      );
    }
    res.write(chunk({ delta: {}, finish_reason: 'stop' }, { usage }));
    res.end('data: [DONE]\n\n');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...CORS,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-max-age': '600',
        });
        res.end();
      } else if (req.method === 'GET' && path === '/v1/models') {
        sendJson(res, 200, {
          object: 'list',
          data: APPROVAL_CHARACTERS.map((id) => ({ id, object: 'model' })),
        });
      } else if (req.method === 'GET' && path === '/requests') {
        sendJson(res, 200, requests);
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        chat(res, Buffer.concat(chunks).toString('utf8'));
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
  const server = await startApprovalServer({ port: Number.isInteger(port) ? port : 0 });
  console.log(`approval stand-in at ${server.url} (models ${APPROVAL_CHARACTERS.join(', ')})`);
}
