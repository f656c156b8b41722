/**
 * The stand-in supervisor's documented rule and HTTP surface (tests/stand-ins/supervisor-server.ts):
 * the unit, e2e and benchmark numbers are worked out by hand from this rule, so it is pinned here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listOpenAiModels } from '../../src/lib/backends/llm/openai';
import {
  MALFORMED_REPLY,
  numberedLines,
  readFences,
  standInReply,
  startStandInSupervisor,
  STAND_IN_MODEL,
  type StandInSupervisor,
} from '../stand-ins/supervisor-server';
import { preflightAllows } from './http-server';

const fence = (label: string, text: string) => `${label}:\n<<<\n${text}\n>>>`;
const ask = (task: string, user: string) =>
  standInReply([
    { role: 'system', content: `TASK: ${task}\nInstructions follow.` },
    { role: 'user', content: user },
  ]);
const pair = (one: string, two: string, lead: string[] = []) =>
  [...lead, fence('Prompt', 'Why?'), fence('Answer 1', one), fence('Answer 2', two)].join('\n\n');

const LIST = '1. first\n2) second\n  3. third\nnot 4.no space';
const PROSE = 'A plain answer without any list at all, longer than the list.';

describe('the stand-in rule', () => {
  it('counts numbered lines and reads fences, `> > >` back as `>>>`', () => {
    expect(numberedLines(LIST)).toBe(3);
    expect(numberedLines('10. ten\n1.5 no\n(1) no')).toBe(1);
    const fences = readFences(`${fence('Answer 1', 'a\n> > >\nb')}\n\n${fence('Answer 2', '')}`);
    expect(fences.get('Answer 1')).toBe('a\n>>>\nb');
    expect(fences.get('Answer 2')).toBe('');
  });

  it('properties: the longer answer and the one with more numbered lines', () => {
    expect(JSON.parse(ask('properties', pair(PROSE, LIST)).reply!)).toEqual({
      properties: [
        { property: 'gives a longer answer', answer: 1 },
        { property: 'uses a numbered list', answer: 2 },
      ],
    });
    expect(JSON.parse(ask('properties', pair('same', 'same')).reply!)).toEqual({ properties: [] });
  });

  it('property-names, labels and proposals', () => {
    expect(
      JSON.parse(ask('property-names', 'Properties:\n- uses a list\n- numbers steps').reply!),
    ).toEqual({ name: 'uses a list', definition: 'Answers that uses a list.' });
    const labels = `Terms: recipe, oven, flour, sugar\n\n${fence('Answer 1', 'Bake it.')}`;
    expect(JSON.parse(ask('labels', labels).reply!)).toEqual({
      label: 'recipe, oven, flour',
      description: 'Answers about recipe, oven, flour.',
    });
    expect(JSON.parse(ask('labels', 'Terms: only').reply!).label).toBe('only');
    expect(JSON.parse(ask('proposals', 'Propose up to 1 hypotheses.\n\nBEFORE').reply!)).toEqual({
      hypotheses: ['give longer answers'],
    });
    expect(JSON.parse(ask('proposals', 'Propose up to 5 hypotheses.').reply!)).toEqual({
      hypotheses: ['give longer answers', 'use numbered lists'],
    });
  });

  it('judgements: by length, by numbered lines with "1" on a tie, else neither', () => {
    const longer = [fence('Description', 'give LONGER answers')];
    expect(ask('judgements', pair('short', 'much longer', longer)).reply).toBe('2');
    expect(ask('judgements', pair('much longer', 'short', longer)).reply).toBe('1');
    expect(ask('judgements', pair('same', 'same', longer)).reply).toBe('neither');
    const lists = [fence('Description', 'use numbered lists')];
    expect(ask('judgements', pair(PROSE, LIST, lists)).reply).toBe('2');
    // A tie picks whichever answer is shown first: the two orders disagree (an order flip).
    expect(ask('judgements', pair('x', 'y', lists)).reply).toBe('1');
    expect(ask('judgements', pair('y', 'x', lists)).reply).toBe('1');
    const other = [fence('Description', 'state they are an AI')];
    expect(ask('judgements', pair(PROSE, LIST, other)).reply).toBe('neither');
  });

  it('answers a plain chat (the connection test) with OK, and has no reply for an unknown step', () => {
    expect(standInReply([{ role: 'user', content: 'hello' }])).toEqual({ task: null, reply: 'OK' });
    expect(ask('poetry', 'x').reply).toBeNull();
  });
});

describe('the stand-in server', () => {
  let server: StandInSupervisor | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const chat = (body: object, headers: Record<string, string> = {}) =>
    fetch(`${server!.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const messages = [
    { role: 'system', content: 'TASK: judgements' },
    { role: 'user', content: pair('a', 'bb', [fence('Description', 'longer')]) },
  ];

  it('answers JSON without streaming, SSE ending in [DONE] with it, and lists its model', async () => {
    server = await startStandInSupervisor();
    const json = await chat({ messages, stream: false });
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
    expect(await json.json()).toMatchObject({
      choices: [{ message: { role: 'assistant', content: '2' }, finish_reason: 'stop' }],
      usage: { completion_tokens: 1 },
    });
    const sse = await chat({ messages, stream: true });
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const text = await sse.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"finish_reason":"stop"');
    expect(await listOpenAiModels({ baseUrl: server.url, pageOrigin: null })).toEqual([
      STAND_IN_MODEL,
    ]);
    expect(server.requests.map((r) => [r.task, r.outcome])).toEqual([
      ['judgements', 'ok'],
      ['judgements', 'ok'],
    ]);
    expect([...server.countByBody().values()]).toEqual([2]);
  });

  it('lets a page on another origin call it with a key (CORS preflight)', async () => {
    server = await startStandInSupervisor();
    const preflight = await fetch(`${server.url}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = (name: string) =>
      (preflight.headers.get(name) ?? '').split(',').map((h) => h.trim().toLowerCase());
    const policy = {
      allowOrigin: preflight.headers.get('access-control-allow-origin') ?? '',
      allowMethods: allowed('access-control-allow-methods'),
      allowHeaders: allowed('access-control-allow-headers'),
    };
    expect(
      preflightAllows(policy, {
        origin: 'http://localhost:5173',
        method: 'POST',
        requestHeaders: ['content-type', 'authorization'],
      }),
    ).toBe(true);
    expect(server.requests).toEqual([]);
  });

  it('refuses a wrong key echoing it, and answers faults by request index', async () => {
    server = await startStandInSupervisor({ apiKey: 'sk-right-000000' });
    const refused = await chat({ messages }, { authorization: 'Bearer sk-wrong-111111' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('sk-wrong-111111');
    const accepted = await chat({ messages }, { authorization: 'Bearer sk-right-000000' });
    expect(accepted.status).toBe(200);
    await server.close();

    server = await startStandInSupervisor({
      faults: [
        { at: 0, kind: '429' },
        { at: 1, kind: '429', retryAfterMs: 250 },
        { at: 2, kind: '500' },
        { at: 3, kind: 'malformed' },
      ],
    });
    const limited = await chat({ messages });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
    const limitedMs = await chat({ messages });
    expect(limitedMs.headers.get('retry-after-ms')).toBe('250');
    expect((await chat({ messages })).status).toBe(500);
    const malformed = (await (await chat({ messages })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(malformed.choices[0]!.message.content).toBe(MALFORMED_REPLY);
    expect((await chat({ messages })).status).toBe(200);
    // A plain chat (the setup's connection test) is answered "OK"; an unknown task is refused.
    const plain = (await (await chat({ messages: [{ role: 'user', content: 'hi' }] })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(plain.choices[0]!.message.content).toBe('OK');
    const unknown = [
      { role: 'system', content: 'TASK: poetry' },
      { role: 'user', content: 'hi' },
    ];
    expect((await chat({ messages: unknown })).status).toBe(400);
    expect(server.requests.map((r) => r.outcome)).toEqual([
      '429',
      '429',
      '500',
      'malformed',
      'ok',
      'ok',
      'rejected',
    ]);
  });
});
