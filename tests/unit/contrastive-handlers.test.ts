/**
 * The generate worker's `contrastiveScore` handler on the bundled tiny models, built by
 * createGenerateHandlers with a configure function as the worker builds it: the reply is
 * scoreContrastive's, both models' load progress then item progress, backends reused, abort
 * between batches, a generation let in between batches, and a missing model named.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureTransformers } from '../../src/lib/backends/embed/transformers';
import { scoreContrastive } from '../../src/lib/backends/llm/contrastive-score';
import { ModelLoadError } from '../../src/lib/backends/llm/errors';
import { createGenerateHandlers } from '../../src/lib/backends/llm/generate-handlers';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import type {
  ContrastiveItem,
  ContrastiveScoreRequest,
  GenerateModelRequest,
  WireHandlerContext,
  WireProgress,
} from '../../src/lib/backends/llm/worker-protocol';
import { TINY_BASE_MODEL_ID, TINY_FINETUNE_MODEL_ID } from '../../src/lib/core/models';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const model = (modelId: string): GenerateModelRequest => ({
  modelId,
  modelsPath: MODELS,
  allowRemoteModels: false,
});
const ITEMS: ContrastiveItem[] = [
  { messages: [{ role: 'user', content: 'What is allowed?' }], answer: 'You may copy it.' },
  { messages: [{ role: 'user', content: 'What should I know?' }], answer: 'The wise man.' },
  { messages: [{ role: 'user', content: 'Why?' }], answer: '' },
];
const request = (extra: Partial<ContrastiveScoreRequest> = {}): ContrastiveScoreRequest => ({
  a: model(TINY_BASE_MODEL_ID),
  b: model(TINY_FINETUNE_MODEL_ID),
  items: ITEMS,
  topK: 2,
  batchSize: 2,
  ...extra,
});

const configured: [string, boolean][] = [];
const handlers = createGenerateHandlers((modelsPath, allowRemoteModels) => {
  configured.push([modelsPath, allowRemoteModels]);
  configureTransformers({ localModelPath: modelsPath, allowRemoteModels });
});

/** A handler context that keeps (structured clones of) the progress messages. */
function context(signal = new AbortController().signal, onProgress?: (p: WireProgress) => void) {
  const seen: WireProgress[] = [];
  const ctx: WireHandlerContext = {
    progress: (p) => {
      seen.push(structuredClone(p));
      onProgress?.(p);
    },
    signal,
  };
  return { ctx, seen };
}

let ownA: TransformersChatBackend;
let ownB: TransformersChatBackend;

beforeAll(() => {
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  ownA = new TransformersChatBackend({ modelId: TINY_BASE_MODEL_ID });
  ownB = new TransformersChatBackend({ modelId: TINY_FINETUNE_MODEL_ID });
});

afterAll(async () => {
  await handlers.unload(model(TINY_BASE_MODEL_ID));
  await handlers.unload(model(TINY_FINETUNE_MODEL_ID));
  await ownA.unload();
  await ownB.unload();
});

describe('the contrastiveScore handler', () => {
  it("replies with scoreContrastive's scores after both models' load progress and item progress", async () => {
    const { ctx, seen } = context();
    const reply = await handlers.contrastiveScore(structuredClone(request()), ctx);
    expect(configured.every(([path, remote]) => path === MODELS && !remote)).toBe(true);
    const direct = await scoreContrastive(ownA, ownB, ITEMS, { topK: 2, batchSize: 2 });
    // Same computation, same batches: the same numbers, and they survive the trip to the page.
    expect(structuredClone(reply)).toEqual(direct);
    expect(reply.sharedVocabulary).toBe(true);
    expect(reply.scores.map((s) => s.tokens.at(-1)!.token)).toEqual(ITEMS.map(() => '<|im_end|>'));
    expect(reply.scores[0]!.tokens[0]!.topB).toHaveLength(2);

    const phases = seen.map((p) => p.phase);
    const firstScore = phases.indexOf('score');
    expect(phases.slice(0, firstScore).every((phase) => phase === 'load')).toBe(true);
    // Each model's ONNX file is reported loaded: A's, then B's.
    const loaded = seen.map((p) => (p as { text?: string }).text);
    expect(loaded.filter((t) => t === 'Loaded onnx/model.onnx')).toHaveLength(2);
    expect(seen.slice(firstScore)).toEqual([
      { phase: 'score', done: 2, total: 3 },
      { phase: 'score', done: 3, total: 3 },
    ]);
  });

  it('reuses the loaded backends: a second request reports items only', async () => {
    const { ctx, seen } = context();
    const reply = await handlers.contrastiveScore(request({ topK: 0, batchSize: 3 }), ctx);
    expect(seen).toEqual([{ phase: 'score', done: 3, total: 3 }]);
    expect(reply.scores[0]!.tokens[0]).not.toHaveProperty('topA');
  });

  it("rejects with the signal's reason when aborted between batches", async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const { ctx, seen } = context(controller.signal, (p) => {
      if (p.phase === 'score') controller.abort(reason);
    });
    await expect(handlers.contrastiveScore(request({ batchSize: 1 }), ctx)).rejects.toBe(reason);
    expect(seen.filter((p) => p.phase === 'score')).toEqual([
      { phase: 'score', done: 1, total: 3 },
    ]);
  });

  it('lets a generation waiting in the queue go between batches', async () => {
    const events: string[] = [];
    let generation: Promise<unknown> | undefined;
    const { ctx } = context(undefined, (p) => {
      if (p.phase !== 'score') return;
      events.push(`scored ${p.done}`);
      generation ??= handlers
        .generate(
          {
            ...model(TINY_BASE_MODEL_ID),
            messages: [{ role: 'user', content: 'Tell me something.' }],
            options: { temperature: 0, topP: 1, maxTokens: 4 },
          },
          context().ctx,
        )
        .then(() => events.push('generated'));
    });
    await handlers.contrastiveScore(request({ batchSize: 1 }), ctx);
    await generation;
    expect(events).toEqual(['scored 1', 'generated', 'scored 2', 'scored 3']);
  });

  it('names a model that is not there', async () => {
    const { ctx } = context();
    await expect(
      handlers.contrastiveScore(request({ b: model('no-such-model') }), ctx),
    ).rejects.toBeInstanceOf(ModelLoadError);
  });
});
