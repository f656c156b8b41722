/**
 * OpenAiPromptLogprobScorer against the prompt-log-probability stand-in
 * (tests/stand-ins/prompt-logprobs-server.ts): each log probability worked out by hand from the
 * stand-in's rule (-0.1 x characters under `tenth`, -0.2 x under `fifth`), the answer cut at the
 * conversation's usage.prompt_tokens, the request bodies vLLM's extension needs, a 500 retried,
 * and a server without the extension named as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, BadResponseError } from '../../src/lib/backends/llm/errors';
import { OpenAiPromptLogprobScorer } from '../../src/lib/backends/llm/prompt-logprobs';
import type { ContrastiveItem } from '../../src/lib/backends/llm/worker-protocol';
import {
  startPromptLogprobsServer,
  type PromptLogprobsServer,
} from '../stand-ins/prompt-logprobs-server';
import { sendJson, startTestServer } from './http-server';

let server: PromptLogprobsServer;
beforeAll(async () => {
  server = await startPromptLogprobsServer();
});
afterAll(() => server.close());

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, random: () => 0.5 };
const scorer = (model: string, extra: { apiKey?: string; baseUrl?: string } = {}) =>
  new OpenAiPromptLogprobScorer({ baseUrl: server.url, model, ...fast, ...extra });

const user = (content: string) => [{ role: 'user' as const, content }];

/** Values with float noise (0.1 x 7 is not 0.7 exactly) compared to 12 places. */
function expectTokens(got: { token: string; logprob: number }[], want: [string, number][]): void {
  expect(got.map((t) => t.token)).toEqual(want.map(([token]) => token));
  got.forEach((t, i) => expect(t.logprob).toBeCloseTo(want[i]![1], 12));
}

describe('scoring answers through prompt_logprobs', () => {
  const items: ContrastiveItem[] = [
    { messages: user('Hi there'), answer: 'Hello  world' },
    { messages: user('Hi there'), answer: 'Go away' },
    {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Why?' },
      ],
      answer: '',
    },
  ];
  let before: number;
  let scores: { token: string; logprob: number }[][];
  const progress: [number, number][] = [];
  beforeAll(async () => {
    before = server.requests.length;
    scores = await scorer('tenth').scoreTokens(items, {
      onProgress: (done, total) => progress.push([done, total]),
    });
  });

  it("gives each answer's tokens and the end-of-turn token, -0.1 a character", () => {
    expect(scores).toHaveLength(3);
    // "Hello" 5 characters, "  world" 7 (the two spaces belong to it), "<|end|>" 7.
    expectTokens(scores[0]!, [
      ['Hello', -0.5],
      ['  world', -0.7],
      ['<|end|>', -0.7],
    ]);
    expectTokens(scores[1]!, [
      ['Go', -0.2],
      [' away', -0.5],
      ['<|end|>', -0.7],
    ]);
    // An empty answer is the end of the turn alone.
    expectTokens(scores[2]!, [['<|end|>', -0.7]]);
    // Joined, the tokens are the answer followed by the end-of-turn token.
    expect(scores.map((s) => s.map((t) => t.token).join(''))).toEqual(
      items.map((item) => `${item.answer}<|end|>`),
    );
  });

  it('scores the same answers under another model with its own rule', async () => {
    const fifth = await scorer('fifth').scoreTokens(items.slice(0, 1));
    expectTokens(fifth[0]!, [
      ['Hello', -1.0],
      ['  world', -1.4],
      ['<|end|>', -1.4],
    ]);
  });

  it('asks for the length of each conversation once, then each answer with prompt_logprobs 0', () => {
    const seen = server.requests.slice(before, before + 5);
    // Two conversations' lengths (the second answer to "Hi there" reuses the first's) and
    // three answers.
    expect(seen.map((r) => [r.addGenerationPrompt, r.promptLogprobs])).toEqual([
      [true, 0],
      [false, 0],
      [false, 0],
      [true, 0],
      [false, 0],
    ]);
    expect(seen[0]!.messages).toEqual(user('Hi there'));
    expect(seen[1]!.messages).toEqual([
      ...user('Hi there'),
      { role: 'assistant', content: 'Hello  world' },
    ]);
    expect(seen[4]!.messages.at(-1)).toEqual({ role: 'assistant', content: '' });
    expect(seen.every((r) => r.maxTokens === 1 && r.temperature === 0)).toBe(true);
    expect(seen.every((r) => r.model === 'tenth' && r.status === 200)).toBe(true);
    expect(seen.every((r) => r.authorization === null)).toBe(true);
  });

  it('reports progress after each answer', () => {
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });
});

describe('where the answer starts', () => {
  it('is usage.prompt_tokens of the conversation with the assistant header: the tokens before are not returned', async () => {
    const before = server.requests.length;
    // Prompt: <|user|> "One" " two" " three" <|end|> <|assistant|> = 6 tokens; with the
    // answer: those 6, "Four" and <|end|>.
    const [tokens] = await scorer('tenth').scoreTokens([
      { messages: user('One two three'), answer: 'Four' },
    ]);
    expectTokens(tokens!, [
      ['Four', -0.4],
      ['<|end|>', -0.7],
    ]);
    const asked = server.requests.slice(before);
    expect(asked).toHaveLength(2);
    expect(asked[0]!.addGenerationPrompt).toBe(true);
    expect(asked[1]!.addGenerationPrompt).toBe(false);
  });

  it('keeps a leading space of the answer on its first token', async () => {
    const [tokens] = await scorer('tenth').scoreTokens([
      { messages: user('Say it'), answer: ' spaced out ' },
    ]);
    // The stand-in drops white space at the end of a content (documented there).
    expectTokens(tokens!, [
      [' spaced', -0.7],
      [' out', -0.4],
      ['<|end|>', -0.7],
    ]);
  });
});

describe('failures', () => {
  it('retries a 500 and then scores as if nothing happened', async () => {
    const before = server.requests.length;
    server.faults = [{ at: before, status: 500 }];
    const [tokens] = await scorer('tenth').scoreTokens([
      { messages: user('Again'), answer: 'Yes' },
    ]);
    expectTokens(tokens!, [
      ['Yes', -0.3],
      ['<|end|>', -0.7],
    ]);
    const asked = server.requests.slice(before);
    expect(asked.map((r) => r.status)).toEqual([500, 200, 200]);
    expect(asked[0]!.addGenerationPrompt).toBe(asked[1]!.addGenerationPrompt);
    server.faults = [];
  });

  it("names vLLM's prompt_logprobs when the reply has none", async () => {
    const error = await scorer('no-prompt-logprobs')
      .scoreTokens([{ messages: user('Hi'), answer: 'Hello' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).detail).toMatch(
      /^the reply has no prompt_logprobs: the server must support vLLM's prompt_logprobs extension/,
    );
    expect((error as Error).message).toContain(`The server at ${server.url}`);
  });

  it('refuses a template that renders the prompt differently once an answer follows', async () => {
    // marks-last ends the last message with <|final|>: alone, the user turn is
    // <|user|> "Hi" " there" <|final|> <|assistant|>; before an answer, <|end|> takes position 3.
    const error = await scorer('marks-last')
      .scoreTokens([{ messages: user('Hi there'), answer: 'Hello' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).detail).toBe(
      'the chat template renders the conversation differently once an answer follows (prompt token 3 is "<|final|>" alone, "<|end|>" before the answer), so where the answer starts is unknown',
    );
  });

  it('says so when the model is unknown (404, not retried)', async () => {
    const before = server.requests.length;
    const error = await scorer('nobody')
      .scoreTokens([{ messages: user('Hi'), answer: 'Hello' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as Error).message).toMatch(/HTTP 404 .*model name wrong/);
    expect(server.requests.length - before).toBe(1);
  });

  it('sends the key as a bearer token and never shows it', async () => {
    const before = server.requests.length;
    server.faults = [{ at: before, status: 401 }];
    const key = 'sk-secret-4242';
    const keyed = scorer('tenth', { apiKey: key, baseUrl: `${server.url}?key=${key}` });
    expect(keyed.id).toBe(`openai:tenth@${server.url}`);
    const error = await keyed
      .scoreTokens([{ messages: user('Hi'), answer: 'Hello' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(String((error as Error).message)).not.toContain(key);
    expect(server.requests[before]!.authorization).toBe(`Bearer ${key}`);
    server.faults = [];
  });

  it('stops before the next answer once the signal aborts', async () => {
    const controller = new AbortController();
    const before = server.requests.length;
    const error = await scorer('tenth')
      .scoreTokens(
        [
          { messages: user('One'), answer: 'a' },
          { messages: user('Two'), answer: 'b' },
        ],
        { signal: controller.signal, onProgress: () => controller.abort(new Error('stop here')) },
      )
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop here');
    expect(server.requests.length - before).toBe(2);
  });
});

describe('replies the scorer cannot read', () => {
  /** The detail of the error scoring one answer gets when every reply is `body`. */
  async function detailFor(body: unknown): Promise<string> {
    const test = await startTestServer((_request, res) => sendJson(res, 200, body));
    try {
      const error = await new OpenAiPromptLogprobScorer({ baseUrl: test.url, model: 'm', ...fast })
        .scoreTokens([{ messages: user('Hi'), answer: 'Yo' }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadResponseError);
      return (error as BadResponseError).detail;
    } finally {
      await test.close();
    }
  }
  const entry = (id: number, token: string, logprob: number) => ({
    [id]: { logprob, rank: 1, decoded_token: token },
  });

  it('names each problem', async () => {
    expect(await detailFor({ prompt_logprobs: [null, entry(1, 'a', -1)] })).toBe(
      'the reply has no usage.prompt_tokens, which says where the answer starts',
    );
    expect(
      await detailFor({ usage: { prompt_tokens: 3 }, prompt_logprobs: [null, entry(1, 'a', -1)] }),
    ).toBe('usage.prompt_tokens is 3 but prompt_logprobs has 2 entries');
    // Alternatives besides the prompt token: which is which cannot be told (integer keys).
    expect(
      await detailFor({
        usage: { prompt_tokens: 2 },
        prompt_logprobs: [null, { ...entry(5, 'a', -1), ...entry(2, 'b', -0.1) }],
      }),
    ).toBe(
      "prompt_logprobs[1] has 2 entries where prompt_logprobs: 0 asks for only the prompt token's",
    );
    expect(
      await detailFor({ usage: { prompt_tokens: 2 }, prompt_logprobs: [null, { 1: { rank: 1 } }] }),
    ).toBe('prompt_logprobs[1] has no log probability (got undefined)');
    // The same two tokens with and without the answer: nothing is left for the answer.
    expect(
      await detailFor({ usage: { prompt_tokens: 2 }, prompt_logprobs: [null, entry(1, 'a', -1)] }),
    ).toBe(
      'the conversation with the answer has 2 prompt tokens, no more than the 2 before the answer',
    );
  });

  it('shows a token the server did not detokenize by its id', async () => {
    const test = await startTestServer((request, res) => {
      const full =
        (JSON.parse(request.body) as { add_generation_prompt: boolean }).add_generation_prompt ===
        false;
      sendJson(res, 200, {
        usage: { prompt_tokens: full ? 3 : 2 },
        prompt_logprobs: [
          null,
          { 7: { logprob: -1, rank: 1, decoded_token: 'x' } },
          ...(full ? [{ 42: { logprob: -2.5, rank: 3, decoded_token: null } }] : []),
        ],
      });
    });
    try {
      const [tokens] = await new OpenAiPromptLogprobScorer({
        baseUrl: test.url,
        model: 'm',
        ...fast,
      }).scoreTokens([{ messages: user('Hi'), answer: 'Yo' }]);
      expect(tokens).toEqual([{ token: '<42>', logprob: -2.5 }]);
    } finally {
      await test.close();
    }
  });
});
