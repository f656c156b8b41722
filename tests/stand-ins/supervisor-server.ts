/**
 * A stand-in supervisor: an OpenAI-compatible server on 127.0.0.1 (random port) whose "model"
 * follows a fixed rule, so every number a test or the benchmark reports can be worked out by
 * hand. Started by the unit tests, the browser e2e tests (it sends CORS headers and answers
 * preflights) and the benchmark.
 *
 * Endpoints (base URL `server.url`, which ends in /v1):
 * - POST /v1/chat/completions: `stream: true` gives SSE chunks (the reply in up to 3 pieces, then
 *   a chunk with finish_reason "stop" and usage, then `data: [DONE]`); `stream: false` one JSON
 *   chat.completion. Usage counts ceil(characters / 4) of the messages and of the reply.
 * - GET /v1/models: one model, "stand-in-supervisor".
 * - OPTIONS anything: 204 with Access-Control-Allow-Origin *, Methods GET, POST, OPTIONS, Headers
 *   content-type, authorization. Every reply carries Access-Control-Allow-Origin *.
 *
 * The rule reads the wire format (src/lib/core/explain/fence.ts and the request builders beside
 * it): the task is the first line of the system message, `TASK: <step>`; run texts are the fences
 * `<label>:\n<<<\n<text>\n>>>` of the first user message (a repair request's later user message
 * only asks again) (a `> > >` line inside is read back as `>>>`). "Longer" is by
 * characters of the fenced text; "numbered lines" are lines matching /^\s*\d+[.)]\s/.
 * - properties (fences Prompt, Answer 1, Answer 2): `{"properties": [...]}` holding
 *   `{"property": "gives a longer answer", "answer": n}` with n the longer answer (left out if
 *   equal), then `{"property": "uses a numbered list", "answer": n}` with n the answer with more
 *   numbered lines (left out if equal).
 * - property-names (`Properties:` then `- <text>` lines): `{"name": <first text>, "definition":
 *   "Answers that <first text>."}`.
 * - labels (a `Terms: a, b, c, d` line): `{"label": "a, b, c", "description": "Answers about
 *   a, b, c."}` (the first three terms; fewer if there are fewer).
 * - proposals (first user line `Propose up to N hypotheses.`): `{"hypotheses": ["give longer
 *   answers", "use numbered lists"]}` cut to the first N.
 * - judgements (fences Description, Prompt, Answer 1, Answer 2), reply one word: a description
 *   containing "longer" gets the longer answer's number, "neither" if equal; one containing
 *   "numbered list" gets the answer with more numbered lines and "1" when equal (so it depends on
 *   the order the answers are shown in: the two orders of a tie pick different sides, a flip);
 *   anything else gets "neither". Matching is case-insensitive.
 * - no TASK line (a plain chat, e.g. the setup's "Test connection"): the reply "OK".
 * - an unknown step: HTTP 400.
 * - optional `apiKey`: a request without `Authorization: Bearer <apiKey>` gets a 401 whose body
 *   echoes the key it was sent, as some real servers do (tests check the client hides it).
 *
 * Faults: `{ at, kind }` hits the chat request with index `at` (0-based, counting every chat
 * request, faulted ones included): '429' (Retry-After: 1, or `retry-after-ms: <retryAfterMs>`
 * when given), '500', 'drop' (the first SSE chunk, then the connection is destroyed: no finish
 * chunk, no [DONE]; without streaming, destroyed before any reply), 'timeout' (headers never
 * sent; held until the client gives up or the server closes), 'malformed' (a complete 200 whose
 * reply text, "I am not sure what you are asking.", is in no step's format), '401' (body echoes
 * the request's key). `latencyMs` (default 0) is waited before every reply, faults included.
 *
 * Every chat request is recorded in `server.requests` with its parsed task and an identity (a
 * hash of its messages: the same job sent twice has the same identity) and how it ended;
 * `countByBody()` counts requests per identity; `maxInFlight` is the most requests open at once.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The fault kinds the server can inject. */
export type FaultKind = '429' | '500' | 'drop' | 'timeout' | 'malformed' | '401';

/** One injected fault: request index `at` gets `kind`. */
export interface Fault {
  at: number;
  kind: FaultKind;
  /** For '429': sent as retry-after-ms instead of Retry-After: 1. */
  retryAfterMs?: number;
}

/** Options of startStandInSupervisor. */
export interface StandInOptions {
  latencyMs?: number;
  faults?: Fault[];
  /** When set, requests must carry this bearer key or get a 401. */
  apiKey?: string;
}

/** How a recorded request ended. */
/** 'rejected': a 400 for a request with an unknown step. */
export type RequestOutcome = 'pending' | 'ok' | 'aborted' | 'rejected' | FaultKind;

/** A chat request as the server saw it. */
export interface StandInRequest {
  index: number;
  body: ChatBody;
  /** The step from the TASK line, or null if there was none. */
  task: string | null;
  /** A hash of the messages: the same job sent twice has the same identity. */
  identity: string;
  /** The reply the rule gave (also for faulted requests, for reference); null for a bad task. */
  reply: string | null;
  outcome: RequestOutcome;
  /** When the request arrived and was closed, ms since the server started. */
  startedMs: number;
  endedMs: number | null;
}

/** The part of a chat request body the server reads (`messages` is [] when a body had none). */
export interface ChatBody {
  model?: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  [field: string]: unknown;
}

/** A running stand-in supervisor. */
export interface StandInSupervisor {
  /** Base URL for an OpenAI-compatible client: `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** The model name it lists. */
  model: string;
  requests: StandInRequest[];
  /** Faults still to come; may be replaced between passes. */
  faults: Fault[];
  latencyMs: number;
  /** Requests open right now and the most ever open at once. */
  inFlight: number;
  maxInFlight: number;
  /** Requests per identity. */
  countByBody(): Map<string, number>;
  close(): Promise<void>;
}

/** The model the server lists and accepts. */
export const STAND_IN_MODEL = 'stand-in-supervisor';

/** The reply text of a 'malformed' fault. */
export const MALFORMED_REPLY = 'I am not sure what you are asking.';

const NUMBERED_LINE = /^\s*\d+[.)]\s/;

/** Lines of `text` that start a numbered list item. */
export function numberedLines(text: string): number {
  return text.split('\n').filter((line) => NUMBERED_LINE.test(line)).length;
}

/** The fenced texts of a message, by label (`> > >` lines read back as `>>>`). */
export function readFences(text: string): Map<string, string> {
  const fences = new Map<string, string>();
  const fence = /^([^\n]+):\n<<<\n([\s\S]*?)\n>>>$/gm;
  for (const m of text.matchAll(fence)) {
    fences.set(m[1]!.trim(), m[2]!.replace(/^> > >$/gm, '>>>'));
  }
  return fences;
}

/** 1 or 2 for the answer with the larger value, null when equal. */
function larger(a: number, b: number): 1 | 2 | null {
  return a === b ? null : a > b ? 1 : 2;
}

/** The rule's reply to one request, or null when it has no TASK line or an unknown step. */
export function standInReply(messages: readonly { role: string; content: string }[]): {
  task: string | null;
  reply: string | null;
} {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  // The first user message holds the task's texts; a repair request's later one only asks again.
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const task = /^TASK: (\S+)/.exec(system)?.[1] ?? null;
  const fences = readFences(user);
  const answers = [fences.get('Answer 1') ?? '', fences.get('Answer 2') ?? ''] as const;
  const longer = larger(answers[0].length, answers[1].length);
  const moreNumbered = larger(numberedLines(answers[0]), numberedLines(answers[1]));
  switch (task) {
    case 'properties': {
      const properties: { property: string; answer: 1 | 2 }[] = [];
      if (longer) properties.push({ property: 'gives a longer answer', answer: longer });
      if (moreNumbered) properties.push({ property: 'uses a numbered list', answer: moreNumbered });
      return { task, reply: JSON.stringify({ properties }) };
    }
    case 'property-names': {
      const first = /^- (.*)$/m.exec(user)?.[1]?.trim() ?? '';
      return { task, reply: JSON.stringify({ name: first, definition: `Answers that ${first}.` }) };
    }
    case 'labels': {
      const line = /^Terms:[ \t]*(.*)$/m.exec(user)?.[1] ?? '';
      const terms = line
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
        .slice(0, 3)
        .join(', ');
      return {
        task,
        reply: JSON.stringify({ label: terms, description: `Answers about ${terms}.` }),
      };
    }
    case 'proposals': {
      const n = Number(/^Propose up to (\d+) hypotheses\./m.exec(user)?.[1] ?? 2);
      const hypotheses = ['give longer answers', 'use numbered lists'].slice(0, n);
      return { task, reply: JSON.stringify({ hypotheses }) };
    }
    case 'judgements': {
      const description = (fences.get('Description') ?? '').toLowerCase();
      if (description.includes('longer')) return { task, reply: String(longer ?? 'neither') };
      if (description.includes('numbered list')) return { task, reply: String(moreNumbered ?? 1) };
      return { task, reply: 'neither' };
    }
    default:
      // A plain chat without a task (the setup's connection test) is answered; a task the rule
      // does not know is refused.
      return { task, reply: task === null ? 'OK' : null };
  }
}

/** A hash of the messages of a request (its job identity). */
export function identityOf(body: Pick<ChatBody, 'messages'>): string {
  return createHash('sha256').update(JSON.stringify(body.messages)).digest('hex').slice(0, 16);
}

const CORS = { 'access-control-allow-origin': '*' };

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS, ...headers });
  res.end(JSON.stringify(body));
}

const tokens = (text: string) => Math.ceil(text.length / 4);

/** Starts the stand-in supervisor on 127.0.0.1 with a random free port. */
export async function startStandInSupervisor(
  options: StandInOptions = {},
): Promise<StandInSupervisor> {
  const started = performance.now();
  const clock = () => Math.round((performance.now() - started) * 10) / 10;
  const requests: StandInRequest[] = [];
  /** Timers of pending replies, cleared on close so nothing writes to a closed socket. */
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle: StandInSupervisor = {
    url: '',
    model: STAND_IN_MODEL,
    requests,
    faults: [...(options.faults ?? [])],
    latencyMs: options.latencyMs ?? 0,
    inFlight: 0,
    maxInFlight: 0,
    countByBody() {
      const counts = new Map<string, number>();
      for (const r of requests) counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
      return counts;
    },
    close: () => Promise.resolve(),
  };

  async function chat(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
    let body: ChatBody;
    try {
      const parsed = JSON.parse(text) as Partial<ChatBody>;
      body = { ...parsed, messages: Array.isArray(parsed.messages) ? parsed.messages : [] };
    } catch {
      sendJson(res, 400, { error: { message: 'the body is not JSON' } });
      return;
    }
    const messages = body.messages;
    const { task, reply } = standInReply(messages);
    const record: StandInRequest = {
      index: requests.length,
      body,
      task,
      identity: identityOf(body),
      reply,
      outcome: 'pending',
      startedMs: clock(),
      endedMs: null,
    };
    requests.push(record);
    handle.inFlight++;
    handle.maxInFlight = Math.max(handle.maxInFlight, handle.inFlight);
    res.on('close', () => {
      handle.inFlight--;
      record.endedMs = clock();
      if (record.outcome === 'pending') record.outcome = 'aborted';
    });
    const fault = handle.faults.find((f) => f.at === record.index);
    const auth = String(req.headers.authorization ?? '');
    await wait(handle.latencyMs);
    if (res.destroyed) return;
    const sentKey = auth.replace(/^Bearer\s+/i, '');
    if (fault?.kind === '401' || (options.apiKey && sentKey !== options.apiKey)) {
      record.outcome = '401';
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${sentKey}.` } });
      return;
    }
    if (fault?.kind === 'timeout') {
      // Held open: the client's idle timeout or the server's close ends it.
      record.outcome = 'timeout';
      return;
    }
    if (fault?.kind === '429') {
      record.outcome = '429';
      const header: Record<string, string> =
        fault.retryAfterMs === undefined
          ? { 'retry-after': '1' }
          : { 'retry-after-ms': String(fault.retryAfterMs) };
      sendJson(res, 429, { error: { message: 'Rate limit reached, slow down.' } }, header);
      return;
    }
    if (fault?.kind === '500') {
      record.outcome = '500';
      sendJson(res, 500, { error: { message: 'The stand-in failed on purpose.' } });
      return;
    }
    if (reply === null) {
      record.outcome = 'rejected';
      sendJson(res, 400, { error: { message: `unknown TASK ${task}` } });
      return;
    }
    const content = fault?.kind === 'malformed' ? MALFORMED_REPLY : reply;
    const usage = {
      prompt_tokens: messages.reduce((n, m) => n + tokens(m.content), 0),
      completion_tokens: tokens(content),
    };
    const id = `chatcmpl-${record.index}`;
    if (!body.stream) {
      if (fault?.kind === 'drop') {
        record.outcome = 'drop';
        res.destroy();
        return;
      }
      record.outcome = fault?.kind === 'malformed' ? 'malformed' : 'ok';
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        model: body.model ?? STAND_IN_MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage,
      });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...CORS,
    });
    const size = Math.max(1, Math.ceil(content.length / 3));
    const pieces = content.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [''];
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      })}\n\n`;
    for (const [i, piece] of pieces.entries()) {
      res.write(chunk({ content: piece }, null));
      if (i === 0 && fault?.kind === 'drop') {
        record.outcome = 'drop';
        // Let the first chunk reach the client, then cut the connection.
        await wait(5);
        res.destroy();
        return;
      }
    }
    record.outcome = fault?.kind === 'malformed' ? 'malformed' : 'ok';
    res.write(chunk({}, 'stop', { usage }));
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
          'access-control-expose-headers': 'retry-after, retry-after-ms',
          'access-control-max-age': '600',
        });
        res.end();
      } else if (req.method === 'GET' && path === '/v1/models') {
        sendJson(res, 200, { object: 'list', data: [{ id: STAND_IN_MODEL, object: 'model' }] });
      } else if (req.method === 'POST' && path === '/v1/chat/completions') {
        chat(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => res.destroy());
      } else {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  handle.url = `http://127.0.0.1:${port}/v1`;
  handle.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return handle;
}
