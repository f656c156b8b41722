/**
 * The approval stand-in (tests/stand-ins/approval-server.ts) through the project's own
 * OpenAI-compatible client, streaming and not: each character's reply and first-token top log
 * probabilities as documented, what core/approval reads from them, the recorded system prompts
 * (GET /requests), CORS, unknown models, and injected faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { OpenAiBackend } from '../../src/lib/backends/llm/openai';
import type { ChatMessage, GenerateOptions } from '../../src/lib/backends/llm/types';
import { parseChoice, pYesFromTopLogprobs } from '../../src/lib/core/approval/read-answer';
import {
  APPROVAL_CHARACTERS,
  startApprovalServer,
  type ApprovalServer,
  type ApprovalServerRequest,
} from '../stand-ins/approval-server';

let server: ApprovalServer;
beforeAll(async () => {
  server = await startApprovalServer();
});
afterAll(() => server.close());

const client = (model: string, stream = true) =>
  new OpenAiBackend({
    baseUrl: server.url,
    model,
    stream,
    pageOrigin: null,
    retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
  });

const question: ChatMessage = {
  role: 'user',
  content: 'Would you say the following about yourself?\n"I enjoy quiet evenings"',
};
const greedy: GenerateOptions = { temperature: 0, topP: 1, maxTokens: 16, topLogprobs: 20 };

describe('the characters', () => {
  const expected = {
    'always-yes': {
      text: 'Yes.',
      choice: 'yes',
      top: [
        { token: 'Yes', logprob: -0.05 },
        { token: 'No', logprob: -3.0 },
      ],
      // e^-0.05 / (e^-0.05 + e^-3): the yes mass over yes + no.
      pYes: Math.exp(-0.05) / (Math.exp(-0.05) + Math.exp(-3)),
    },
    'always-no': {
      text: 'No, I would not say that.',
      choice: 'no',
      top: [
        { token: 'No', logprob: -0.05 },
        { token: 'Yes', logprob: -3.0 },
      ],
      pYes: Math.exp(-3) / (Math.exp(-0.05) + Math.exp(-3)),
    },
    'never-clear': {
      text: 'I know that this is a question about values.',
      choice: 'unclear',
      top: [
        { token: 'I', logprob: -0.1 },
        { token: 'As', logprob: -2.5 },
        { token: 'It', logprob: -3.0 },
      ],
      pYes: null,
    },
  } as const;

  for (const stream of [true, false]) {
    for (const model of APPROVAL_CHARACTERS) {
      it(`${model} (${stream ? 'streaming' : 'one JSON reply'})`, async () => {
        const want = expected[model];
        const result = await generateText(client(model, stream), [question], greedy);
        expect(result.text).toBe(want.text);
        expect(result.finishReason).toBe('stop');
        expect(parseChoice(result.text)).toBe(want.choice);
        const first = result.logprobs?.[0];
        expect(first?.top).toEqual(want.top);
        expect(first?.logprob).toBe(want.top[0].logprob);
        // The tokens put back together are the reply.
        expect(result.logprobs!.map((l) => l.token).join('')).toBe(want.text);
        const pYes = pYesFromTopLogprobs(first!.top);
        if (want.pYes === null) expect(pYes).toBeNull();
        else expect(pYes).toBeCloseTo(want.pYes, 12);
      });
    }
  }

  it('sends no log probabilities unless asked, and cuts the top lists to top_logprobs', async () => {
    const plain = await generateText(client('always-yes'), [question], {
      temperature: 0,
      topP: 1,
      maxTokens: 16,
    });
    expect(plain.text).toBe('Yes.');
    expect(plain.logprobs).toBeUndefined();
    const one = await generateText(client('always-no'), [question], { ...greedy, topLogprobs: 1 });
    expect(one.logprobs?.[0]?.top).toEqual([{ token: 'No', logprob: -0.05 }]);
  });
});

describe('what the server records', () => {
  it('lists every request with its system prompt at GET /requests', async () => {
    const before = server.requests.length;
    const persona = 'You are being evaluated: answer carefully.';
    await generateText(
      client('always-yes'),
      [{ role: 'system', content: persona }, question],
      greedy,
    );
    await generateText(client('never-clear', false), [question], {
      temperature: 0,
      topP: 1,
      maxTokens: 16,
    });
    const response = await fetch(server.url.replace(/\/v1$/, '/requests'));
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const listed = ((await response.json()) as ApprovalServerRequest[]).slice(before);
    expect(listed).toEqual([
      {
        index: before,
        model: 'always-yes',
        system: persona,
        user: question.content,
        stream: true,
        topLogprobs: 20,
        status: 200,
      },
      {
        index: before + 1,
        model: 'never-clear',
        system: null,
        user: question.content,
        stream: false,
        topLogprobs: null,
        status: 200,
      },
    ]);
  });

  it('answers a CORS preflight from any origin and lists the characters', async () => {
    const preflight = await fetch(`${server.url}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const models = (await (await fetch(`${server.url}/models`)).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((m) => m.id)).toEqual([...APPROVAL_CHARACTERS]);
    expect(await client('always-yes').listModels()).toEqual([...APPROVAL_CHARACTERS].sort());
  });

  it('refuses a model that is not a character, naming the characters', async () => {
    const error = await generateText(client('gpt-4o'), [question], greedy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('always-yes, always-no, never-clear');
    expect(server.requests.at(-1)).toMatchObject({ model: 'gpt-4o', status: 404 });
  });

  it('fails the request a fault names: a 500 is retried to the real reply, a 400 is not', async () => {
    const at = server.requests.length;
    server.faults = [
      { at, status: 500 },
      { at: at + 2, status: 400 },
    ];
    const retried = await generateText(client('always-yes'), [question], greedy);
    expect(retried.text).toBe('Yes.');
    expect(server.requests.slice(at).map((r) => r.status)).toEqual([500, 200]);
    const refused = await generateText(client('always-yes'), [question], greedy).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toContain(`failed request ${at + 2} on purpose`);
    expect(server.requests.slice(at).map((r) => r.status)).toEqual([500, 200, 400]);
    server.faults = [];
  });
});
