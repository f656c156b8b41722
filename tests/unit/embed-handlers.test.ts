/**
 * The embed worker's handlers, run in Node on the bundled embedder (public/models), as the worker
 * runs them: progress messages in the worker's phases, vectors equal to the embedder's own, one
 * embedder per model and device, cancellation and named load errors that survive the wire.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createEmbedHandlers,
  type EmbedModelRequest,
} from '../../src/lib/backends/embed/embed-handlers';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import type { WireHandlerContext, WireProgress } from '../../src/lib/backends/llm/worker-protocol';
import { toWireError } from '../../src/lib/workers/rpc';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const TEXTS = [
  'I cannot help with that.',
  'Sure, here is a recipe for bread.',
  'The capital of France is Paris.',
  'Here are three ways to sort a list in Python.',
  'I would rather not answer that question.',
];

const configured: [string, boolean][] = [];
const handlers = createEmbedHandlers((modelsPath, allowRemoteModels) => {
  configured.push([modelsPath, allowRemoteModels]);
  configureTransformers({ localModelPath: modelsPath, allowRemoteModels });
});
const model: EmbedModelRequest = {
  modelId: 'bundled-embedder',
  modelsPath: MODELS,
  allowRemoteModels: false,
  device: 'cpu',
};
const direct = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });

afterAll(() => direct.unload());

function context(signal = new AbortController().signal) {
  const seen: WireProgress[] = [];
  const ctx: WireHandlerContext = { progress: (p) => seen.push(structuredClone(p)), signal };
  return { ctx, seen };
}

describe('embed worker handlers (bundled embedder)', () => {
  it('loads with byte progress per file, after pointing transformers.js at the request’s models', async () => {
    const { ctx, seen } = context();
    await handlers.load(model, ctx);
    expect(configured.at(-1)).toEqual([MODELS, false]);
    const onnx = seen.filter((p) => p.phase === 'loading onnx/model.onnx');
    expect(onnx.length).toBeGreaterThan(0);
    expect(onnx.at(-1)!.total).toBeGreaterThan(100_000);
    expect(onnx.at(-1)!.done).toBe(onnx.at(-1)!.total);
    expect(seen.every((p) => p.phase.startsWith('loading '))).toBe(true);
  });

  it('embeds as the embedder itself does, reporting texts done per batch', async () => {
    const { ctx, seen } = context();
    const matrix = await handlers.embed({ ...model, texts: TEXTS, batchSize: 2 }, ctx);
    configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
    const expected = await direct.embed(TEXTS);
    expect(matrix.rows).toBe(TEXTS.length);
    expect(matrix.dims).toBe(expected.dims);
    expect(Array.from(matrix.data)).toEqual(Array.from(expected.data));
    expect(seen).toEqual([
      { phase: 'embedding', done: 2, total: 5 },
      { phase: 'embedding', done: 4, total: 5 },
      { phase: 'embedding', done: 5, total: 5 },
    ]);
  });

  it('keeps one embedder per model and device: a second load of the same model loads nothing', async () => {
    const { ctx, seen } = context();
    await handlers.load(model, ctx);
    expect(seen).toEqual([]);
  });

  it('stops when the caller cancels', async () => {
    const controller = new AbortController();
    controller.abort();
    const { ctx } = context(controller.signal);
    await expect(handlers.embed({ ...model, texts: TEXTS }, ctx)).rejects.toThrow(/abort/i);
  });

  it('fails to load a missing model with a named error that crosses the wire', async () => {
    const { ctx } = context();
    const error = await handlers.load({ ...model, modelId: 'no-such-embedder' }, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    const wire = toWireError(error);
    expect(wire.name).toBe('EmbedderLoadError');
    expect(wire.message).toContain('"no-such-embedder"');
    expect(wire.fields.modelId).toBe('no-such-embedder');
  });
});
