/**
 * Scoring a run's answers with a side on an OpenAI-compatible server, as the run page does it
 * but in Node: the plan (openai with local, openai with openai, Anthropic and WebLLM refused in
 * words, the note), then the answers scored against the prompt-log-probability stand-in (its
 * rule: log probability -0.1 x characters under `tenth`, -0.2 x under `fifth`, its template's
 * `<|end|>` last) with the local side through the generate worker's real `tokenLogprobs` handler
 * on tiny-finetune, paired without KL; the session's key reaches the server and never the saved
 * scores; a server without vLLM's extension is an error in words.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { scoreContrastive } from '../../src/lib/backends/llm/contrastive-score';
import { AuthError, BadResponseError } from '../../src/lib/backends/llm/errors';
import { createGenerateHandlers } from '../../src/lib/backends/llm/generate-handlers';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type {
  GenerateModelRequest,
  WireProgress,
} from '../../src/lib/backends/llm/worker-protocol';
import { contrastiveScoresProblem } from '../../src/lib/core/contrastive/record';
import { demoRun } from '../../src/lib/core/generate/new-run';
import { TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';
import type { Answer, ModelSpec, Run } from '../../src/lib/core/run/types';
import {
  contrastiveScoresRecord,
  localTokenScorer,
  scoreAnswers,
  scoresSeparately,
  scoringPlan,
  serverTokenScorer,
  type TokenLogprobsCall,
} from '../../src/lib/state/contrastive-scoring';
import { describeError } from '../../src/lib/state/describe-error';
import type { ProgressUpdate } from '../../src/lib/workers/rpc';
import {
  END_OF_TURN,
  standInWords,
  startPromptLogprobsServer,
  type PromptLogprobsServer,
} from '../stand-ins/prompt-logprobs-server';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const KEY = 'sk-h8-secret-key';

let server: PromptLogprobsServer;
beforeAll(async () => {
  server = await startPromptLogprobsServer();
});
afterAll(() => server.close());

function stored(promptId: string, side: 'A' | 'B', sample: number, text: string): Answer {
  return { promptId, side, sample, text, finishReason: 'stop', createdAt: '2026-12-06T10:00:00Z' };
}

const serverSpec = (modelId: string, base: ModelSpec): ModelSpec => ({
  ...base,
  label: `served ${modelId}`,
  backend: 'openai',
  modelId,
  baseUrl: server.url,
});

/** The demo run with A (and B when asked) on the stand-in, five answers and one failed. */
function remoteRun(b?: string): Run {
  const run = demoRun('run-remote', '2026-12-06T09:00:00.000Z');
  const [p1, p2] = run.prompts;
  run.models = {
    A: serverSpec('tenth', run.models.A),
    B: b ? serverSpec(b, run.models.B) : { ...run.models.B, systemPrompt: 'Answer wisely.' },
  };
  run.samplesPerPrompt = 2;
  run.answers = [
    stored(p1!.id, 'A', 0, 'You may copy  it freely.'),
    stored(p1!.id, 'B', 0, 'My son, hear the instruction of thy father.'),
    stored(p1!.id, 'B', 1, 'A wise son maketh a glad father. '),
    stored(p2!.id, 'A', 0, 'Redistribution must keep this notice.'),
    { ...stored(p2!.id, 'B', 0, ''), finishReason: 'error' },
    stored(p2!.id, 'B', 1, ''),
  ];
  return run;
}

/** A's total under the stand-in's rule: -k x the characters of its words, then `<|end|>`. */
const standInTotal = (answer: string, rate: number) =>
  rate * (standInWords(answer).join('').length + END_OF_TURN.length);

describe('scoringPlan with a side on an OpenAI-compatible server', () => {
  it('plans a server side with a local one, and says what a server can and cannot give', () => {
    const run = remoteRun();
    const plan = scoringPlan(run);
    expect(plan.reason).toBeNull();
    expect(plan.models).toEqual({
      A: { label: 'served tenth', backend: 'openai', modelId: 'tenth', baseUrl: server.url },
      B: {
        label: TINY_FINETUNE_MODEL_ID,
        backend: 'transformers',
        modelId: TINY_FINETUNE_MODEL_ID,
      },
    });
    expect(scoresSeparately(plan.models!)).toBe(true);
    expect(plan.items).toHaveLength(5);
    expect(plan.note).toBe(
      'Model A (served tenth) is scored through its server, which gives log probabilities only: ' +
        'no KL and no top tokens, so answers are ranked by their log-likelihood ratio. The ' +
        "server must support vLLM's prompt_logprobs (the OpenAI API and Ollama do not), and it " +
        'counts everything its chat template writes after the answer (the end-of-turn token and ' +
        'what follows it) as the answer’s end.',
    );
    // Both local stays as it was: scored together, no note.
    const local = demoRun('run-local', 'now');
    local.answers = [stored(local.prompts[0]!.id, 'A', 0, 'Hi.')];
    const localPlan = scoringPlan(local);
    expect(localPlan.note).toBeNull();
    expect(scoresSeparately(localPlan.models!)).toBe(false);
  });

  it('plans two server models, and refuses the same model twice', () => {
    const plan = scoringPlan(remoteRun('fifth'));
    expect(plan.reason).toBeNull();
    expect(plan.models?.B).toEqual({
      label: 'served fifth',
      backend: 'openai',
      modelId: 'fifth',
      baseUrl: server.url,
    });
    expect(plan.note).toMatch(
      /^Model A \(served tenth\) and B \(served fifth\) are scored through their servers/,
    );
    expect(scoringPlan(remoteRun('tenth')).reason).toMatch(/^A and B are the same model/);
    // The same name on another server is another model.
    const other = remoteRun('tenth');
    other.models.B.baseUrl = 'http://127.0.0.1:1/v1';
    expect(scoringPlan(other).reason).toBeNull();
  });

  it('refuses Anthropic, WebLLM and a server model without an address, with the reason', () => {
    for (const [backend, name] of [
      ['anthropic', 'the Anthropic API'],
      ['webllm', 'WebLLM'],
    ] as const) {
      const run = remoteRun();
      run.models.B = { ...run.models.B, backend, label: 'other-b' };
      const plan = scoringPlan(run);
      expect(plan.models).toBeNull();
      expect(plan.items).toEqual([]);
      expect(plan.note).toBeNull();
      expect(plan.reason).toBe(
        `Model B (other-b) runs on ${name}: this backend gives neither next-token ` +
          'distributions nor the log probabilities of a given answer, so the answers cannot be ' +
          'scored under it. Scoring needs each model as a local transformers.js model (bundled, ' +
          "from the hub or from a folder on this computer) or on an OpenAI-compatible server with vLLM's prompt_logprobs.",
      );
    }
    const run = remoteRun();
    delete run.models.A.baseUrl;
    expect(scoringPlan(run).reason).toBe(
      'Model A (served tenth) has no server address, so it cannot be asked to score.',
    );
  });
});

describe('scoreAnswers with a server side (the stand-in) and a local side (tokenLogprobs)', () => {
  const handlers = createGenerateHandlers((modelsPath, allowRemoteModels) =>
    configureTransformers({ localModelPath: modelsPath, allowRemoteModels }),
  );
  const finetune: GenerateModelRequest = {
    modelId: TINY_FINETUNE_MODEL_ID,
    modelsPath: MODELS,
    allowRemoteModels: false,
  };
  const localCalls: number[] = [];
  /** The handler as the worker client reaches it: structured-cloned arguments, its progress. */
  const call: TokenLogprobsCall = (request, { signal, onProgress }) => {
    localCalls.push(request.items.length);
    return handlers.tokenLogprobs(structuredClone(request), {
      signal,
      progress: onProgress as (p: WireProgress) => void,
    });
  };

  it('the tokenLogprobs handler gives the local model’s tokens, progress in items, abort between batches', async () => {
    const items = [
      { messages: [{ role: 'user' as const, content: 'Why?' }], answer: 'A wise son.' },
      { messages: [{ role: 'user' as const, content: 'Who?' }], answer: '' },
      { messages: [{ role: 'user' as const, content: 'What?' }], answer: 'My son.' },
    ];
    const seen: WireProgress[] = [];
    const tokens = await handlers.tokenLogprobs(
      { ...finetune, items, batchSize: 2 },
      { signal: new AbortController().signal, progress: (p) => seen.push(structuredClone(p)) },
    );
    expect(seen.filter((p) => p.phase === 'score')).toEqual([
      { phase: 'score', done: 2, total: 3 },
      { phase: 'score', done: 3, total: 3 },
    ]);
    // The same values as the model scored directly (its own backend, not the handler's).
    configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
    const own = new TransformersChatBackend({ modelId: TINY_FINETUNE_MODEL_ID });
    const reference = await scoreContrastive(own, own, items, { topK: 0 });
    await own.unload();
    tokens.forEach((list, i) => {
      expect(list.map((t) => t.token)).toEqual(reference.scores[i]!.tokens.map((t) => t.token));
      list.forEach((t, j) =>
        expect(t.logprob).toBeCloseTo(reference.scores[i]!.tokens[j]!.logpB, 4),
      );
    });
    const controller = new AbortController();
    await expect(
      handlers.tokenLogprobs(
        { ...finetune, items, batchSize: 1 },
        {
          signal: controller.signal,
          progress: (p) => {
            if (p.phase === 'score') controller.abort();
          },
        },
      ),
    ).rejects.toThrow();
  });

  it('pairs the server’s log probabilities with the local ones: no KL, A’s total by the stand-in’s rule', async () => {
    const run = remoteRun();
    const plan = scoringPlan(run);
    const models = plan.models!;
    const start = server.requests.length;
    localCalls.length = 0;
    const updates: ProgressUpdate[] = [];
    const outcome = await scoreAnswers(
      plan.items,
      {
        models,
        sides: {
          A: serverTokenScorer(models.A, { apiKey: KEY }),
          B: localTokenScorer(finetune, call),
        },
        chunkSize: 2,
      },
      { signal: new AbortController().signal, progress: (u) => updates.push(u) },
    );
    expect(outcome.complete).toBe(true);
    expect(outcome.scored).toBe(5);
    expect(localCalls).toEqual([2, 2, 1]);
    const { result } = outcome;
    expect(result.modelA).toBe(`openai:tenth@${server.url}`);
    expect(result.modelB).toBe(`transformers:${TINY_FINETUNE_MODEL_ID}`);
    expect(result.sharedVocabulary).toBe(false);
    expect(result.topK).toBe(0);
    expect(contrastiveScoresProblem(result)).toBeNull();
    // B's own scores, for the comparison: the finetune alone on the same items.
    configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
    const own = new TransformersChatBackend({ modelId: TINY_FINETUNE_MODEL_ID });
    const reference = await scoreContrastive(
      own,
      own,
      plan.items.map((p) => p.item),
      { topK: 0 },
    );
    await own.unload();
    expect(result.items.map((s) => [s.promptId, s.side, s.sample])).toEqual(
      plan.items.map((p) => [p.promptId, p.side, p.sample]),
    );
    result.items.forEach((s, i) => {
      const answer = plan.items[i]!.item.answer;
      // A (words) and B (GPT-2 pieces) split differently: B's tokens, no per-token A, no KL.
      expect(s.tokens.map((t) => t.token)).toEqual(reference.scores[i]!.tokens.map((t) => t.token));
      expect(s.tokens.every((t) => t.logpA === null && t.kl === null && !t.topA && !t.topB)).toBe(
        true,
      );
      expect(s.logpA).toBeCloseTo(standInTotal(answer, -0.1), 9);
      expect(s.logpB).toBeCloseTo(reference.scores[i]!.logpB, 4);
      expect(s.llr).toBeCloseTo(s.logpB - s.logpA, 9);
      expect(s.meanKl).toBeNull();
    });
    // The empty answer is just `<|end|>` on the server: 7 characters.
    expect(result.items[4]!.logpA).toBeCloseTo(-0.7, 9);
    // Every chat request carried the session's key; the key is nowhere in what is saved.
    const sent = server.requests.slice(start);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.authorization === `Bearer ${KEY}` && r.model === 'tenth')).toBe(
      true,
    );
    expect(sent.every((r) => r.promptLogprobs === 0 && r.maxTokens === 1)).toBe(true);
    // Each answer is scored after the messages it was generated with: B's with B's system prompt.
    expect(sent[0]!.messages).toEqual([{ role: 'user', content: run.prompts[0]!.text }]);
    expect(sent.some((r) => r.messages[0]!.content === 'Answer wisely.')).toBe(true);
    const record = contrastiveScoresRecord(result, '2026-12-06T11:00:00.000Z', 'rec');
    expect(JSON.stringify(record)).not.toContain(KEY);
    expect(record.params).toEqual({
      kind: 'contrastive-scores',
      modelA: `openai:tenth@${server.url}`,
      modelB: `transformers:${TINY_FINETUNE_MODEL_ID}`,
      topK: 0,
    });
    const dones = updates.filter((u) => u.phase === 'score').map((u) => u.done);
    expect(dones).toEqual([...dones].sort((x, y) => x - y));
    expect(dones.at(-1)).toBe(5);
    expect(updates.every((u) => u.phase !== 'score' || u.total === 5)).toBe(true);
  });

  it('two server models: every token paired, each value by the stand-in’s rule', async () => {
    const plan = scoringPlan(remoteRun('fifth'));
    const models = plan.models!;
    const outcome = await scoreAnswers(
      plan.items,
      { models, sides: { A: serverTokenScorer(models.A, {}), B: serverTokenScorer(models.B, {}) } },
      { signal: new AbortController().signal, progress: () => {} },
    );
    const { result } = outcome;
    expect(result.modelB).toBe(`openai:fifth@${server.url}`);
    result.items.forEach((s, i) => {
      const words = [...standInWords(plan.items[i]!.item.answer), END_OF_TURN];
      expect(s.tokens.map((t) => t.token)).toEqual(words);
      s.tokens.forEach((t, j) => {
        expect(t.logpA).toBeCloseTo(-0.1 * words[j]!.length, 9);
        expect(t.logpB).toBeCloseTo(-0.2 * words[j]!.length, 9);
        expect(t.kl).toBeNull();
      });
      const chars = words.join('').length;
      expect(s.logpA).toBeCloseTo(-0.1 * chars, 9);
      expect(s.logpB).toBeCloseTo(-0.2 * chars, 9);
      expect(s.llr).toBeCloseTo(-0.1 * chars, 9);
      expect(s.meanKl).toBeNull();
    });
    // No key in this session: none is sent.
    expect(server.requests.at(-1)!.authorization).toBeNull();
  });

  it('a base URL with credentials from the session is used for requests, never saved', async () => {
    const plan = scoringPlan(remoteRun('fifth'));
    const models = plan.models!;
    const secret = { baseUrl: `${server.url}?api_key=${KEY}` };
    const outcome = await scoreAnswers(
      plan.items.slice(0, 1),
      {
        models,
        sides: { A: serverTokenScorer(models.A, secret), B: serverTokenScorer(models.B, secret) },
      },
      { signal: new AbortController().signal, progress: () => {} },
    );
    expect(outcome.result.items).toHaveLength(1);
    expect(server.requests.at(-1)!.status).toBe(200);
    expect(outcome.result.modelA).toBe(`openai:tenth@${server.url}`);
    expect(JSON.stringify(contrastiveScoresRecord(outcome.result, 'now', 'r'))).not.toContain(KEY);
  });

  it('a cancel keeps the chunks already scored; the resume asks the server only for the rest', async () => {
    const plan = scoringPlan(remoteRun('fifth'));
    const models = plan.models!;
    const sides = { A: serverTokenScorer(models.A, {}), B: serverTokenScorer(models.B, {}) };
    const controller = new AbortController();
    const part = await scoreAnswers(
      plan.items,
      { models, sides, chunkSize: 2 },
      {
        signal: controller.signal,
        progress: (u) => {
          if (u.phase === 'score' && u.done === 2) controller.abort();
        },
      },
    );
    expect(part.complete).toBe(false);
    expect(part.result.items).toHaveLength(2);
    const start = server.requests.length;
    const rest = await scoreAnswers(
      plan.items,
      { models, sides, chunkSize: 2, previous: part.result },
      { signal: new AbortController().signal, progress: () => {} },
    );
    expect(rest.complete).toBe(true);
    expect(rest.scored).toBe(3);
    expect(rest.result.items.slice(0, 2)).toEqual(part.result.items);
    // Only the three answers left were sent, chunk by chunk, A's model then B's.
    const answered = server.requests.slice(start).filter((r) => r.addGenerationPrompt === false);
    const left = plan.items.slice(2).map((p) => p.item.answer);
    expect(answered.map((r) => [r.model, r.messages.at(-1)!.content])).toEqual([
      ['tenth', left[0]],
      ['tenth', left[1]],
      ['fifth', left[0]],
      ['fifth', left[1]],
      ['tenth', left[2]],
      ['fifth', left[2]],
    ]);
  });

  it('a key refused part way keeps the chunks scored before it when asked to (the app does)', async () => {
    const plan = scoringPlan(remoteRun('fifth'));
    const models = plan.models!;
    const sides = { A: serverTokenScorer(models.A, {}), B: serverTokenScorer(models.B, {}) };
    const attempt = (keepOnError: boolean) => {
      // The first chunk is six requests (one conversation, two answers, under each model); the
      // seventh, the second chunk's first, is refused.
      server.faults = [{ at: server.requests.length + 6, status: 401 }];
      return scoreAnswers(
        plan.items,
        { models, sides, chunkSize: 2, keepOnError },
        { signal: new AbortController().signal, progress: () => {} },
      );
    };
    const kept = await attempt(true);
    expect(kept.complete).toBe(false);
    expect(kept.scored).toBe(2);
    expect(kept.error).toBeInstanceOf(AuthError);
    expect(kept.result.items.map((s) => [s.promptId, s.side, s.sample])).toEqual(
      plan.items.slice(0, 2).map((p) => [p.promptId, p.side, p.sample]),
    );
    expect(server.requests.at(-1)!.status).toBe(401);
    await expect(attempt(false)).rejects.toBeInstanceOf(AuthError);
    // Refused at the very first request: nothing to keep, so it is thrown either way.
    server.faults = [{ at: server.requests.length, status: 401 }];
    await expect(
      scoreAnswers(
        plan.items,
        { models, sides, keepOnError: true },
        { signal: new AbortController().signal, progress: () => {} },
      ),
    ).rejects.toBeInstanceOf(AuthError);
    server.faults = [];
  });

  it('a server without vLLM’s prompt_logprobs, or one refusing the key, is an error in words', async () => {
    const run = remoteRun();
    run.models.A = serverSpec('no-prompt-logprobs', run.models.A);
    const plan = scoringPlan(run);
    const models = plan.models!;
    const attempt = (A = serverTokenScorer(models.A, {})) =>
      scoreAnswers(
        plan.items,
        { models, sides: { A, B: localTokenScorer(finetune, call) } },
        { signal: new AbortController().signal, progress: () => {} },
      );
    const error = await attempt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect(describeError(error)).toMatch(
      /the reply has no prompt_logprobs: the server must support vLLM's prompt_logprobs extension of chat completions \(vLLM serves it; the OpenAI API and Ollama do not\)/,
    );
    expect(describeError(error)).toContain(`The server at ${server.url}`);
    server.faults = [{ at: server.requests.length, status: 401 }];
    const auth = await attempt(serverTokenScorer(scoringPlan(remoteRun()).models!.A, {})).catch(
      (e: unknown) => e,
    );
    expect(auth).toBeInstanceOf(AuthError);
    expect(describeError(auth)).not.toBe('');
  });
});
