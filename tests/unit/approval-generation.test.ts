/**
 * Approval runs through the generation queue: each prompt's condition persona goes before the
 * side's system prompt in one system message, and each approval answer stores P(Yes): scored
 * with the bundled tiny models (transformers.js), from the first token's top log probabilities
 * with an OpenAI-compatible server (the approval stand-in, real HTTP) and WebLLM (a fake engine
 * at its module boundary), null where neither can be had. The run then travels through
 * IndexedDB (fake-indexeddb) and a run file unchanged.
 */
import 'fake-indexeddb/auto';
import { fileURLToPath } from 'node:url';
import type { ChatCompletionChunk, ChatCompletionRequestStreaming } from '@mlc-ai/web-llm';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { createChatBackend } from '../../src/lib/backends/llm/resolve';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type {
  ChatBackend,
  ChatChunk,
  ChatMessage,
  GenerateOptions,
} from '../../src/lib/backends/llm/types';
import { WebLlmBackend, type WebLlmEngine } from '../../src/lib/backends/llm/webllm';
import { BUILTIN_CONDITIONS } from '../../src/lib/core/approval/conditions';
import {
  NO_CONTINUATIONS,
  YES_CONTINUATIONS,
  pYesFromScores,
} from '../../src/lib/core/approval/read-answer';
import { approvalPrompts, approvalSetup } from '../../src/lib/core/approval/statements';
import type { ApprovalStatement } from '../../src/lib/core/approval/types';
import { parseRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import {
  RUN_SCHEMA_VERSION,
  type Answer,
  type ModelSpec,
  type Prompt,
  type Run,
  type Side,
} from '../../src/lib/core/run/types';
import { openDb } from '../../src/lib/persistence/db';
import { RunRepository } from '../../src/lib/persistence/runs';
import {
  APPROVAL_TOP_LOGPROBS,
  answerPYes,
  jobRequest,
  pYesMethod,
} from '../../src/lib/state/generation-job';
import { GenerationQueue } from '../../src/lib/state/generation-queue';
import { startApprovalServer, type ApprovalServer } from '../stand-ins/approval-server';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const signal = new AbortController().signal;

const STATEMENTS: ApprovalStatement[] = [
  {
    id: '1',
    file: 'openness',
    statement: 'I enjoy sharing what I make.',
    question: 'Would you say the following about yourself?\n"I enjoy sharing what I make."',
    matching: 'yes',
  },
  {
    id: '2',
    file: 'openness',
    statement: 'I keep my code to myself.',
    question: 'Would you say the following about yourself?\n"I keep my code to myself."',
    matching: 'no',
  },
];
const CONDITIONS = BUILTIN_CONDITIONS.filter((c) => c.id === 'plain' || c.id === 'evaluated');
const PERSONA = CONDITIONS.find((c) => c.id === 'evaluated')!.systemPrompt!;

function spec(
  backend: ModelSpec['backend'],
  modelId: string,
  extra: Partial<ModelSpec> = {},
): ModelSpec {
  return {
    label: modelId,
    backend,
    modelId,
    params: { temperature: 0, topP: 1, maxTokens: 8, seed: null },
    ...extra,
  };
}

/** An approval run over STATEMENTS x CONDITIONS, without answers. */
function approvalRun(id: string, models: Record<Side, ModelSpec>): Run {
  const at = '2026-12-06T12:00:00.000Z';
  return {
    id,
    name: `approval ${id}`,
    createdAt: at,
    updatedAt: at,
    schemaVersion: RUN_SCHEMA_VERSION,
    models,
    promptSet: { id: 'approval', name: 'Approval: openness', source: 'upload' },
    samplesPerPrompt: 1,
    approval: approvalSetup([{ name: 'openness', statements: STATEMENTS }], CONDITIONS, null, 1),
    prompts: approvalPrompts(STATEMENTS, CONDITIONS),
    answers: [],
    embeddings: [],
    analyses: [],
    hypotheses: [],
    supervisorLog: [],
    explanations: [],
  };
}

/** Creates `run` in a fresh database and generates every answer with `backends`. */
async function generate(run: Run, backends: Record<Side, ChatBackend>) {
  const db = await openDb({ factory: new IDBFactory(), name: `approval-${run.id}` });
  const repo = new RunRepository(db);
  await repo.create(run);
  const queue = new GenerationQueue(
    { runId: run.id, prompts: run.prompts, models: run.models, samplesPerPrompt: 1 },
    { repo, backendFor: (side) => backends[side], retry: { attempts: 2, baseDelayMs: 1 } },
  );
  const snapshot = await queue.start();
  expect(snapshot).toMatchObject({ state: 'done', failed: 0 });
  return { repo, opened: await repo.open(run.id) };
}

const answerOf = (answers: Answer[], promptId: string, side: Side) =>
  answers.find((a) => a.promptId === promptId && a.side === side)!;

describe('jobRequest: the messages of a prompt', () => {
  const prompt: Prompt = { id: 'p', text: 'Would you say so?', systemPrompt: 'You are Ada.' };

  it('puts the prompt’s system prompt first, then the side’s, a blank line between', () => {
    const both = jobRequest(spec('openai', 'm', { systemPrompt: 'Be brief.' }), prompt, 0, signal);
    expect(both.messages).toEqual([
      { role: 'system', content: 'You are Ada.\n\nBe brief.' },
      { role: 'user', content: 'Would you say so?' },
    ]);
    expect(jobRequest(spec('openai', 'm'), prompt, 0, signal).messages).toEqual([
      { role: 'system', content: 'You are Ada.' },
      { role: 'user', content: 'Would you say so?' },
    ]);
    const sideOnly = jobRequest(
      spec('openai', 'm', { systemPrompt: 'Be brief.' }),
      { text: 'Q?' },
      0,
      signal,
    );
    expect(sideOnly.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Q?' },
    ]);
    expect(jobRequest(spec('openai', 'm'), { text: 'Q?' }, 0, signal).messages).toEqual([
      { role: 'user', content: 'Q?' },
    ]);
  });

  it('asks for top log probabilities only for approval prompts of backends that give them and cannot score', () => {
    const approval = approvalPrompts(STATEMENTS, CONDITIONS)[1]!;
    const logprobs = { capabilities: { logprobs: true, batching: true, needsWebGpu: false } };
    const scorer = { ...logprobs, score: () => Promise.resolve([]) };
    const neither = { capabilities: { ...logprobs.capabilities, logprobs: false } };
    const options = (p: Prompt, b?: Pick<ChatBackend, 'score' | 'capabilities'>) =>
      jobRequest(
        spec('openai', 'm', { params: { ...spec('openai', 'm').params, seed: 5 } }),
        p,
        2,
        signal,
        b,
      ).options;
    expect(options(approval, logprobs)).toEqual({
      temperature: 0,
      topP: 1,
      maxTokens: 8,
      seed: 7,
      signal,
      topLogprobs: APPROVAL_TOP_LOGPROBS,
    });
    expect(APPROVAL_TOP_LOGPROBS).toBe(20);
    expect(options(approval, scorer)).not.toHaveProperty('topLogprobs');
    expect(options(approval, neither)).not.toHaveProperty('topLogprobs');
    expect(options(approval)).not.toHaveProperty('topLogprobs');
    expect(options({ id: 'x', text: 'Plain prompt' }, logprobs)).not.toHaveProperty('topLogprobs');
    expect([pYesMethod(scorer), pYesMethod(logprobs), pYesMethod(neither)]).toEqual([
      'score',
      'logprobs',
      null,
    ]);
  });
});

describe('P(Yes) of one answer', () => {
  const logprobs = { capabilities: { logprobs: true, batching: true, needsWebGpu: false } };

  it('reads the first token’s top list, and is null without one', async () => {
    const top = [
      { token: 'Yes', logprob: Math.log(0.6) },
      { token: ' no', logprob: Math.log(0.2) },
      { token: 'Maybe', logprob: Math.log(0.1) },
    ];
    const answer = {
      logprobs: [
        { token: 'Yes', logprob: Math.log(0.6), top },
        { token: '.', logprob: 0, top: [{ token: 'No', logprob: 0 }] },
      ],
    };
    // 0.6 / (0.6 + 0.2): the second token's "No" is not the first token's.
    expect(await answerPYes(logprobs, [], answer)).toBeCloseTo(0.75, 12);
    expect(await answerPYes(logprobs, [], {})).toBeNull();
    const neither = { capabilities: { ...logprobs.capabilities, logprobs: false } };
    expect(await answerPYes(neither, [], answer)).toBeNull();
  });

  it('scores every yes and no form after the same messages when the backend scores', async () => {
    const seen: { messages: ChatMessage[]; continuations: string[] }[] = [];
    const scorer = {
      ...logprobs,
      score: async (messages: ChatMessage[], continuations: string[]) => {
        seen.push({ messages, continuations });
        // P(" Yes") = 0.3 and P("No") = 0.1; the other forms impossible.
        return continuations.map((c) =>
          c === ' Yes' ? Math.log(0.3) : c === 'No' ? Math.log(0.1) : -Infinity,
        );
      },
    };
    const messages: ChatMessage[] = [{ role: 'user', content: 'Q?' }];
    expect(await answerPYes(scorer, messages, { logprobs: [] })).toBeCloseTo(0.75, 12);
    expect(seen).toEqual([
      { messages, continuations: [...YES_CONTINUATIONS, ...NO_CONTINUATIONS] },
    ]);
  });
});

describe('an approval run with the bundled tiny models (scored P(Yes))', () => {
  let base: TransformersChatBackend;
  let finetune: TransformersChatBackend;
  const models = {
    A: spec('transformers', 'tiny-base'),
    B: spec('transformers', 'tiny-finetune', { systemPrompt: 'Answer yes or no.' }),
  };

  beforeAll(() => {
    configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
    base = new TransformersChatBackend({ modelId: 'tiny-base' });
    finetune = new TransformersChatBackend({ modelId: 'tiny-finetune' });
  });
  afterAll(async () => {
    await base.unload();
    await finetune.unload();
  });

  it('stores on every answer the P(Yes) of its own messages, persona included', async () => {
    const run = approvalRun('tiny', models);
    const { opened } = await generate(run, { A: base, B: finetune });
    expect(opened.answers).toHaveLength(8);
    for (const answer of opened.answers) {
      const prompt = run.prompts.find((p) => p.id === answer.promptId)!;
      const backend = answer.side === 'A' ? base : finetune;
      const { messages } = jobRequest(models[answer.side], prompt, 0, signal);
      if (prompt.approval!.conditionId === 'evaluated') {
        expect(messages[0]!.content.startsWith(PERSONA)).toBe(true);
      }
      const scores = await backend.score(messages, [...YES_CONTINUATIONS, ...NO_CONTINUATIONS]);
      const expected = pYesFromScores(scores.slice(0, 6), scores.slice(6));
      expect(answer.pYes).toBeTypeOf('number');
      expect(answer.pYes).toBeGreaterThan(0);
      expect(answer.pYes).toBeLessThan(1);
      expect(answer.pYes).toBeCloseTo(expected!, 10);
    }
    // The persona changes what the model sees, so the scores differ between conditions.
    const [plainA, evaluatedA] = ['openness/1@plain', 'openness/1@evaluated'].map(
      (id) => answerOf(opened.answers, id, 'A').pYes!,
    );
    expect(plainA).not.toBeCloseTo(evaluatedA!, 8);
  });

  it('keeps the setup, the statements, the personas and P(Yes) through IndexedDB and a run file', async () => {
    const run = approvalRun('round-trip', models);
    const { opened, repo } = await generate(run, { A: base, B: finetune });
    expect(opened.approval).toEqual(run.approval);
    expect(opened.prompts).toEqual(run.prompts);
    expect(opened.prompts.filter((p) => p.systemPrompt === PERSONA)).toHaveLength(2);
    const file = serializeRunFile(opened, { now: '2026-12-06T13:00:00.000Z' });
    const parsed = parseRunFile(file, 'approval.json');
    expect(parsed).toEqual(opened);
    expect(parsed.answers.every((a) => typeof a.pYes === 'number')).toBe(true);
    // And imported again into the library, as a copy.
    const imported = await repo.importRun(parsed);
    const reopened = await repo.open(imported.id);
    expect(reopened.answers).toEqual(opened.answers);
    expect(reopened.approval).toEqual(run.approval);
  });
});

describe('an approval run against an OpenAI-compatible server (top log probabilities)', () => {
  let server: ApprovalServer;
  beforeAll(async () => {
    server = await startApprovalServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('asks for 20 top log probabilities and reads P(Yes) from the first token', async () => {
    const models = {
      A: spec('openai', 'always-yes', { baseUrl: server.url }),
      B: spec('openai', 'never-clear', { baseUrl: server.url, systemPrompt: 'Be honest.' }),
    };
    const backends = {
      A: createChatBackend({ ...models.A, apiKey: 'k' }),
      B: createChatBackend({ ...models.B, apiKey: 'k' }),
    };
    const run = approvalRun('http', models);
    const { opened } = await generate(run, backends);
    // always-yes: Yes -0.05 and No -3.0 on top, so P(Yes) = 1 / (1 + e^(-3.0 + 0.05)).
    const yes = 1 / (1 + Math.exp(-3.0 + 0.05));
    for (const answer of opened.answers) {
      if (answer.side === 'A') {
        expect(answer.text).toBe('Yes.');
        expect(answer.pYes).toBeCloseTo(yes, 12);
      } else {
        // never-clear's top list holds neither a yes nor a no.
        expect(answer.pYes).toBeNull();
      }
    }
    expect(server.requests).toHaveLength(8);
    expect(server.requests.every((r) => r.topLogprobs === 20)).toBe(true);
    const systems = server.requests.map((r) => `${r.model}: ${r.system}`).sort();
    expect(systems).toEqual(
      [
        'always-yes: null',
        'always-yes: null',
        `always-yes: ${PERSONA}`,
        `always-yes: ${PERSONA}`,
        'never-clear: Be honest.',
        'never-clear: Be honest.',
        `never-clear: ${PERSONA}\n\nBe honest.`,
        `never-clear: ${PERSONA}\n\nBe honest.`,
      ].sort(),
    );
  });

  it('asks nothing extra for prompts that are not approval prompts, and stores no P(Yes)', async () => {
    server.requests.length = 0;
    const models = {
      A: spec('openai', 'always-yes', { baseUrl: server.url }),
      B: spec('openai', 'always-no', { baseUrl: server.url }),
    };
    const backend = createChatBackend({ ...models.A, apiKey: 'k' });
    const other = createChatBackend({ ...models.B, apiKey: 'k' });
    const run: Run = {
      ...approvalRun('free', models),
      approval: undefined,
      prompts: [{ id: 'p1', text: 'Tell me about licences.' }],
    };
    delete run.approval;
    const { opened } = await generate(run, { A: backend, B: other });
    expect(opened.answers.map((a) => 'pYes' in a)).toEqual([false, false]);
    expect(server.requests.map((r) => r.topLogprobs)).toEqual([null, null]);
  });
});

/** WebLLM's engine, at its module boundary: streams a "Yes" with a five-entry top list. */
class LogprobEngine implements WebLlmEngine {
  readonly requests: ChatCompletionRequestStreaming[] = [];
  readonly chat = {
    completions: {
      create: async (request: ChatCompletionRequestStreaming) => {
        this.requests.push(request);
        return this.#stream(request.top_logprobs ?? 0);
      },
    },
  } as unknown as WebLlmEngine['chat'];
  interruptGenerate(): void {}
  async unload(): Promise<void> {}

  async *#stream(k: number): AsyncGenerator<ChatCompletionChunk> {
    const base = { id: 'x', created: 0, model: 'fake', object: 'chat.completion.chunk' as const };
    const top = [
      { token: 'Yes', logprob: Math.log(0.5), bytes: null },
      { token: 'No', logprob: Math.log(0.25), bytes: null },
      { token: 'Maybe', logprob: Math.log(0.1), bytes: null },
      { token: ' yes', logprob: Math.log(0.05), bytes: null },
      { token: 'I', logprob: Math.log(0.05), bytes: null },
    ].slice(0, k);
    yield {
      ...base,
      choices: [
        {
          index: 0,
          delta: { content: 'Yes', role: 'assistant' },
          finish_reason: null,
          logprobs: {
            content: [{ token: 'Yes', logprob: Math.log(0.5), bytes: null, top_logprobs: top }],
          },
        },
      ],
    } as ChatCompletionChunk;
    yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
  }
}

describe('an approval run with WebLLM (top log probabilities, at most 5)', () => {
  it('asks WebLLM for its most (5) and reads P(Yes) from them', async () => {
    const engines = { A: new LogprobEngine(), B: new LogprobEngine() };
    const backends = {
      A: new WebLlmBackend({ modelId: 'a-MLC', createEngine: async () => engines.A }),
      B: new WebLlmBackend({ modelId: 'b-MLC', createEngine: async () => engines.B }),
    };
    const models = { A: spec('webllm', 'a-MLC'), B: spec('webllm', 'b-MLC') };
    const { opened } = await generate(approvalRun('webllm', models), backends);
    // (0.5 + 0.05) / (0.5 + 0.05 + 0.25)
    for (const answer of opened.answers) expect(answer.pYes).toBeCloseTo(0.55 / 0.8, 12);
    const requests = [...engines.A.requests, ...engines.B.requests];
    expect(requests).toHaveLength(8);
    expect(requests.every((r) => r.logprobs === true && r.top_logprobs === 5)).toBe(true);
    const evaluated = requests.filter((r) => r.messages[0]!.content === PERSONA);
    expect(evaluated).toHaveLength(4);
  });
});

describe('an approval run with a backend that neither scores nor gives log probabilities', () => {
  it('stores P(Yes) null and asks for nothing extra', async () => {
    const seen: GenerateOptions[] = [];
    const backend: ChatBackend = {
      id: 'plain',
      capabilities: { logprobs: false, batching: true, needsWebGpu: false },
      load: async () => {},
      unload: async () => {},
      async *generate(_messages, options): AsyncIterable<ChatChunk> {
        seen.push(options);
        yield { type: 'token', text: 'No.' };
        yield {
          type: 'done',
          usage: { promptTokens: 5, completionTokens: 1 },
          finishReason: 'stop',
        };
      },
    };
    const models = { A: spec('anthropic', 'a'), B: spec('anthropic', 'b') };
    const { opened } = await generate(approvalRun('none', models), { A: backend, B: backend });
    expect(opened.answers.map((a) => a.pYes)).toEqual(Array(8).fill(null));
    expect(seen.some((o) => 'topLogprobs' in o)).toBe(false);
  });

  it('retries a job whose scoring failed, and keeps the answer it then completes', async () => {
    let failures = 1;
    const backend: ChatBackend = {
      id: 'flaky-scorer',
      capabilities: { logprobs: false, batching: false, needsWebGpu: false },
      load: async () => {},
      unload: async () => {},
      async *generate(): AsyncIterable<ChatChunk> {
        yield { type: 'token', text: 'Yes' };
        yield {
          type: 'done',
          usage: { promptTokens: 5, completionTokens: 1 },
          finishReason: 'stop',
        };
      },
      score: async (_messages, continuations) => {
        if (failures-- > 0) throw new Error('the forward pass failed');
        return continuations.map((c) => (c.trim().toLowerCase() === 'yes' ? -1 : -2));
      },
    };
    const models = { A: spec('transformers', 'a'), B: spec('transformers', 'b') };
    const { opened } = await generate(approvalRun('flaky', models), { A: backend, B: backend });
    // Six yes forms at -1 against six no forms at -2: 1 / (1 + e^-1).
    for (const answer of opened.answers)
      expect(answer.pYes).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(opened.answers).toHaveLength(8);
  });
});
