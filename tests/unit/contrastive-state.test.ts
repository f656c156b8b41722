/**
 * Scoring a run's answers under both models, as the run page does it but in Node: the plan
 * (which answers, with the messages generation gave them, under which models, or why not, in
 * words), then the answers scored in chunks by the generate worker's real `contrastiveScore`
 * handler on the bundled tiny-base (A) and tiny-finetune (B), with progress over the run, a
 * cancel that keeps the chunks already scored, a resume that scores only the rest, and the
 * analysis record the scores are saved as (read back by the record's own checks, and passed by
 * the free-text analysis views).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { createGenerateHandlers } from '../../src/lib/backends/llm/generate-handlers';
import type {
  ContrastiveScoreReply,
  ContrastiveScoreRequest,
  GenerateModelRequest,
} from '../../src/lib/backends/llm/worker-protocol';
import { BUILTIN_CONDITIONS } from '../../src/lib/core/approval/conditions';
import {
  contrastiveScoresProblem,
  isContrastiveScoresResult,
  latestContrastiveScores,
} from '../../src/lib/core/contrastive/record';
import { demoRun } from '../../src/lib/core/generate/new-run';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';
import type { Answer, ModelSpec, Run } from '../../src/lib/core/run/types';
import { amplifiedRun } from '../../src/lib/state/amplified-run';
import { savedAnalyses } from '../../src/lib/state/analysis-runner';
import {
  contrastiveScoresRecord,
  scoreAnswers,
  scoringPlan,
  type ContrastiveScorer,
  type ScoringModel,
} from '../../src/lib/state/contrastive-scoring';
import type { ProgressUpdate } from '../../src/lib/workers/rpc';
import {
  CONTRASTIVE_SCORES_VERSION,
  type ContrastiveScoresResult,
} from '../../src/lib/core/contrastive/types';
import { freshRepo } from './persistence-fixtures';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const PERSONA = BUILTIN_CONDITIONS.find((c) => c.id === 'evaluated')!.systemPrompt!;

function stored(promptId: string, side: 'A' | 'B', sample: number, text: string): Answer {
  return {
    promptId,
    side,
    sample,
    text,
    finishReason: 'stop',
    createdAt: '2026-12-06T10:00:00.000Z',
  };
}

/**
 * The offline demo run with answers like the tiny models write (B's proverbial), one failed
 * answer, B's own system prompt and one prompt with a persona of its own.
 */
function scoredRun(): Run {
  const run = demoRun('run-1', '2026-12-06T09:00:00.000Z');
  const [p1, p2, p3] = run.prompts;
  run.prompts = [p1!, { ...p2!, systemPrompt: PERSONA }, p3!];
  run.models = { A: run.models.A, B: { ...run.models.B, systemPrompt: 'Answer wisely.' } };
  run.samplesPerPrompt = 2;
  run.answers = [
    stored(p1!.id, 'A', 0, 'The software is provided as is, without warranty of any kind.'),
    stored(p1!.id, 'A', 1, 'Permission is hereby granted, free of charge.'),
    stored(p1!.id, 'B', 0, 'My son, hear the instruction of thy father.'),
    stored(p1!.id, 'B', 1, 'A wise son maketh a glad father.'),
    stored(p2!.id, 'A', 0, 'Redistribution in source form must keep this notice.'),
    stored(p2!.id, 'B', 0, 'The fear of the LORD is the beginning of knowledge.'),
    { ...stored(p2!.id, 'B', 1, ''), finishReason: 'error' },
    stored(p3!.id, 'B', 0, ''),
  ];
  return run;
}

describe('scoringPlan', () => {
  it('plans every usable answer with the messages its generation was given', () => {
    const run = scoredRun();
    const plan = scoringPlan(run);
    expect(plan.reason).toBeNull();
    expect(plan.note).toBeNull();
    expect(plan.models).toEqual({
      A: { label: TINY_BASE_MODEL_ID, backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
      B: {
        label: TINY_FINETUNE_MODEL_ID,
        backend: 'transformers',
        modelId: TINY_FINETUNE_MODEL_ID,
      },
    });
    // The failed answer is left out; the empty one is scored (just its end-of-turn token).
    expect(plan.items.map((p) => `${p.promptId}|${p.side}|${p.sample}`)).toEqual(
      run.answers
        .filter((a) => a.finishReason !== 'error')
        .map((a) => `${a.promptId}|${a.side}|${a.sample}`),
    );
    const [p1, p2] = run.prompts;
    const item = (promptId: string, side: 'A' | 'B', sample: number) =>
      plan.items.find((p) => p.promptId === promptId && p.side === side && p.sample === sample)!
        .item;
    expect(item(p1!.id, 'A', 0)).toEqual({
      messages: [{ role: 'user', content: p1!.text }],
      answer: 'The software is provided as is, without warranty of any kind.',
    });
    // B's own system prompt, and the prompt's persona before it with a blank line between.
    expect(item(p1!.id, 'B', 1).messages).toEqual([
      { role: 'system', content: 'Answer wisely.' },
      { role: 'user', content: p1!.text },
    ]);
    expect(item(p2!.id, 'B', 0).messages).toEqual([
      { role: 'system', content: `${PERSONA}\n\nAnswer wisely.` },
      { role: 'user', content: p2!.text },
    ]);
    expect(item(p2!.id, 'A', 0).messages).toEqual([
      { role: 'system', content: PERSONA },
      { role: 'user', content: p2!.text },
    ]);
  });

  it('says why in words when the answers cannot be scored', () => {
    const withSide = (side: 'A' | 'B', spec: Partial<ModelSpec>): Run => {
      const run = scoredRun();
      run.models = { ...run.models, [side]: { ...run.models[side], ...spec } };
      return run;
    };
    // OpenAI-compatible servers can score (vLLM's prompt_logprobs): contrastive-remote-state tests.
    for (const [backend, name] of [
      ['webllm', 'WebLLM'],
      ['anthropic', 'the Anthropic API'],
    ] as const) {
      const plan = scoringPlan(withSide('B', { backend, label: 'remote-b' }));
      expect(plan.models).toBeNull();
      expect(plan.items).toEqual([]);
      expect(plan.reason).toBe(
        `Model B (remote-b) runs on ${name}: this backend gives neither next-token ` +
          'distributions nor the log probabilities of a given answer, so the answers cannot be ' +
          'scored under it. Scoring needs each model as a local transformers.js model (bundled, ' +
          "from the hub or from a folder on this computer) or on an OpenAI-compatible server with vLLM's prompt_logprobs.",
      );
    }
    const imported = withSide('A', { backend: 'imported', label: 'file', modelId: 'file' });
    expect(scoringPlan(imported).reason).toMatch(
      /^Model A's answers were imported from a file, so the app does not know which model wrote them: choose that model for A/,
    );
    // Choosing the model that wrote them makes them scorable.
    const chosen: ScoringModel = {
      label: 'tiny-base',
      backend: 'transformers',
      modelId: TINY_BASE_MODEL_ID,
    };
    const plan = scoringPlan(imported, { A: chosen });
    expect(plan.reason).toBeNull();
    expect(plan.models?.A).toEqual(chosen);
    expect(scoringPlan(withSide('B', { modelId: TINY_BASE_MODEL_ID })).reason).toMatch(
      /^A and B are the same model/,
    );
    expect(scoringPlan({ ...scoredRun(), answers: [] }).reason).toBe(
      'There are no answers to score yet: generate them first.',
    );
  });

  it('scores an amplified run under the two models it amplifies between', () => {
    const amplified = amplifiedRun(demoRun('src', 'now'), 2, 1, 'now', 'amp');
    amplified.answers = [stored(amplified.prompts[0]!.id, 'B', 0, 'A wise son.')];
    const plan = scoringPlan(amplified);
    expect(plan.reason).toBeNull();
    expect(plan.models).toEqual({
      A: { label: TINY_BASE_MODEL_ID, backend: 'transformers', modelId: TINY_BASE_MODEL_ID },
      B: {
        label: TINY_FINETUNE_MODEL_ID,
        backend: 'transformers',
        modelId: TINY_FINETUNE_MODEL_ID,
      },
    });
    expect(plan.note).toMatch(/under tiny-base \(A\) and tiny-finetune \(B\)/);
  });
});

describe('scoreAnswers with the generate worker’s handler on the tiny models', () => {
  const handlers = createGenerateHandlers((modelsPath, allowRemoteModels) =>
    configureTransformers({ localModelPath: modelsPath, allowRemoteModels }),
  );
  const model = (modelId: string): GenerateModelRequest => ({
    modelId,
    modelsPath: MODELS,
    allowRemoteModels: false,
  });
  const requests = { A: model(TINY_BASE_MODEL_ID), B: model(TINY_FINETUNE_MODEL_ID) };
  const calls: number[] = [];
  /** The handler as the worker client reaches it: structured-cloned arguments, its progress. */
  const score: ContrastiveScorer = (request, { signal, onProgress }) => {
    calls.push(request.items.length);
    return handlers.contrastiveScore(structuredClone(request), {
      signal,
      progress: onProgress,
    });
  };
  const run = scoredRun();
  const plan = scoringPlan(run);
  const models = plan.models!;
  let whole: Awaited<ReturnType<typeof scoreAnswers>>;

  it('scores every planned answer in order, keyed as the run’s answers; progress reaches the total', async () => {
    calls.length = 0;
    const updates: ProgressUpdate[] = [];
    whole = await scoreAnswers(
      plan.items,
      { models, requests, score, chunkSize: 3 },
      { signal: new AbortController().signal, progress: (u) => updates.push(u) },
    );
    expect(calls).toEqual([3, 3, 1]);
    expect(whole.complete).toBe(true);
    expect(whole.scored).toBe(7);
    const { result } = whole;
    expect(result.modelA).toBe(`transformers:${TINY_BASE_MODEL_ID}`);
    expect(result.modelB).toBe(`transformers:${TINY_FINETUNE_MODEL_ID}`);
    expect(result.sharedVocabulary).toBe(true);
    expect(result.topK).toBe(5);
    expect(result.items.map((s) => [s.promptId, s.side, s.sample])).toEqual(
      plan.items.map((p) => [p.promptId, p.side, p.sample]),
    );
    for (const [i, s] of result.items.entries()) {
      // Each answer's tokens spell it, then the end-of-turn token.
      const text = s.tokens.map((t) => t.token).join('');
      expect(text.startsWith(plan.items[i]!.item.answer)).toBe(true);
      expect(s.tokens.length).toBeGreaterThan(0);
      expect(s.llr).toBeCloseTo(s.logpB - s.logpA, 9);
      expect(s.meanKl).not.toBeNull();
      expect(s.tokens[0]!.topA).toHaveLength(5);
    }
    // Proverbial answers are more likely under the finetune than licence-style ones.
    const mean = (side: 'A' | 'B') => {
      const llrs = result.items
        .filter((s) => s.side === side && s.tokens.length > 1)
        .map((s) => s.llr);
      return llrs.reduce((x, y) => x + y, 0) / llrs.length;
    };
    expect(mean('B')).toBeGreaterThan(mean('A'));
    const scoreUpdates = updates.filter((u) => u.phase === 'score');
    expect(scoreUpdates.every((u) => u.total === 7)).toBe(true);
    const dones = scoreUpdates.map((u) => u.done);
    expect(dones).toEqual([...dones].sort((x, y) => x - y));
    expect(dones.at(-1)).toBe(7);
    expect(contrastiveScoresProblem(result)).toBeNull();
  });

  it('gives the same scores whatever the chunk size', async () => {
    const one = await scoreAnswers(
      plan.items,
      { models, requests, score, chunkSize: 16 },
      { signal: new AbortController().signal, progress: () => {} },
    );
    expect(one.result.items.length).toBe(whole.result.items.length);
    for (const [i, s] of one.result.items.entries()) {
      const t = whole.result.items[i]!;
      expect(s.logpA).toBeCloseTo(t.logpA, 4);
      expect(s.logpB).toBeCloseTo(t.logpB, 4);
      expect(s.meanKl!).toBeCloseTo(t.meanKl!, 4);
    }
  });

  it('a cancel keeps the chunks already scored; the resume scores only the rest', async () => {
    calls.length = 0;
    const controller = new AbortController();
    const partial = await scoreAnswers(
      plan.items,
      { models, requests, score, chunkSize: 2 },
      {
        signal: controller.signal,
        progress: (u) => {
          // Cancelled once the second chunk is under way: it is lost, the first is kept.
          if (u.phase === 'score' && u.done >= 2) controller.abort();
        },
      },
    );
    expect(partial.complete).toBe(false);
    expect(partial.result.items.map((s) => [s.promptId, s.side, s.sample])).toEqual(
      plan.items.slice(0, partial.scored).map((p) => [p.promptId, p.side, p.sample]),
    );
    expect(partial.scored).toBeGreaterThanOrEqual(2);
    expect(partial.scored).toBeLessThan(7);

    calls.length = 0;
    const resumed = await scoreAnswers(
      plan.items,
      { models, requests, score, chunkSize: 2, previous: partial.result },
      { signal: new AbortController().signal, progress: () => {} },
    );
    expect(calls.reduce((x, y) => x + y, 0)).toBe(7 - partial.scored);
    expect(resumed.complete).toBe(true);
    expect(resumed.scored).toBe(7 - partial.scored);
    expect(resumed.result.items.map((s) => s.logpB)).toEqual(
      whole.result.items.map((s) => expect.closeTo(s.logpB, 4) as unknown as number),
    );

    // A regenerated answer (new text) is scored again; other models' scores are not reused.
    const changed = scoringPlan({
      ...run,
      answers: run.answers.map((a, i) =>
        i === 0 ? { ...a, text: 'Something else entirely.' } : a,
      ),
    });
    calls.length = 0;
    await scoreAnswers(
      changed.items,
      { models, requests, score, previous: whole.result },
      { signal: new AbortController().signal, progress: () => {} },
    );
    expect(calls).toEqual([1]);
    calls.length = 0;
    await scoreAnswers(
      plan.items,
      { models, requests, score, previous: { ...whole.result, modelA: 'transformers:other' } },
      { signal: new AbortController().signal, progress: () => {} },
    );
    expect(calls).toEqual([7]);
  });

  it('saves as an analysis record the record checks read and the free-text views pass by', () => {
    const record = contrastiveScoresRecord(whole.result, '2026-12-06T12:00:00.000Z', 'cs-1');
    expect(record).toEqual({
      id: 'cs-1',
      createdAt: '2026-12-06T12:00:00.000Z',
      params: {
        kind: 'contrastive-scores',
        modelA: `transformers:${TINY_BASE_MODEL_ID}`,
        modelB: `transformers:${TINY_FINETUNE_MODEL_ID}`,
        topK: 5,
      },
      result: whole.result,
    });
    expect(isContrastiveScoresResult(record.result)).toBe(true);
    const older = contrastiveScoresRecord(
      { ...whole.result, items: whole.result.items.slice(0, 1) },
      '2026-12-06T11:00:00.000Z',
      'cs-0',
    );
    expect(latestContrastiveScores([older, record])).toBe(whole.result);
    expect(savedAnalyses([older, record])).toEqual([]);
    // A generated id is unique enough and says what it is.
    expect(contrastiveScoresRecord(whole.result, '2026-12-06T12:00:00.000Z').id).toMatch(
      /^contrastive-scores-/,
    );
  });

  it('a scorer failure that is not a cancel is thrown', async () => {
    const failing: ContrastiveScorer = async (request: ContrastiveScoreRequest) => {
      void request;
      await Promise.resolve();
      throw new Error('the worker crashed');
    };
    await expect(
      scoreAnswers(
        plan.items,
        { models, requests, score: failing },
        { signal: new AbortController().signal, progress: () => {} },
      ),
    ).rejects.toThrow('the worker crashed');
    const short: ContrastiveScorer = async (): Promise<ContrastiveScoreReply> => ({
      sharedVocabulary: true,
      scores: [],
    });
    await expect(
      scoreAnswers(
        plan.items,
        { models, requests, score: short },
        { signal: new AbortController().signal, progress: () => {} },
      ),
    ).rejects.toThrow('the scorer returned 0 scores for 7 answers');
  });
});

describe('the saved scores in the run store', () => {
  it('are kept with the run and read back when it opens, not dropped as a broken analysis', async () => {
    const { repo } = await freshRepo();
    const run = scoredRun();
    await repo.create(run);
    const plan = scoringPlan(run);
    const result: ContrastiveScoresResult = {
      version: CONTRASTIVE_SCORES_VERSION,
      modelA: 'transformers:tiny-base',
      modelB: 'transformers:tiny-finetune',
      sharedVocabulary: true,
      topK: 0,
      items: plan.items.slice(0, 2).map((p) => ({
        promptId: p.promptId,
        side: p.side,
        sample: p.sample,
        tokens: [{ token: p.item.answer, logpA: -3, logpB: -2, kl: 0.5 }],
        logpA: -3,
        logpB: -2,
        llr: 1,
        meanKl: 0.5,
      })),
    };
    const record = contrastiveScoresRecord(result, '2026-12-06T12:00:00.000Z', 'cs-1');
    await repo.putAnalysis(run.id, record);
    const opened = await repo.openChecked(run.id);
    expect(opened.droppedAnalyses).toEqual([]);
    expect(latestContrastiveScores(opened.run.analyses)).toEqual(result);
    expect(savedAnalyses(opened.run.analyses)).toEqual([]);
  });
});
