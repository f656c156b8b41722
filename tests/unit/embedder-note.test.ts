/**
 * The bundled embedder's limit, measured with the real bundled embedder (transformers.js on the
 * files in public/models): a refusal and an offer to help come out close, because it averages
 * word vectors. That is why results made with it carry a note, and REPORT.json says so too.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import {
  BUNDLED_ANALYSIS_EMBEDDER,
  SENTENCE_ANALYSIS_EMBEDDER,
  embedderNote,
} from '../../src/lib/core/analysis/embedder-note';
import { analysisParams } from '../../src/lib/core/analysis/params';
import { toReportJson } from '../../src/lib/core/analysis/report-json';
import type { Answer } from '../../src/lib/core/run/types';
import { fakeAnalysisResult } from './analysis-result-fixture';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
let embedder: TransformersEmbedder;

beforeAll(() => {
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  embedder = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });
});
afterAll(async () => {
  await embedder.unload();
});

/** Cosine similarity of rows i and j of unit-normalised embeddings. */
function cosine(m: { data: Float32Array; dims: number }, i: number, j: number): number {
  let s = 0;
  for (let d = 0; d < m.dims; d++) s += m.data[i * m.dims + d]! * m.data[j * m.dims + d]!;
  return s;
}

describe('the bundled embedder', () => {
  it('puts a refusal nearer an offer to help than another refusal (word-based, blind to negation)', async () => {
    const m = await embedder.embed([
      'I cannot help with that',
      'Sure, here is how to help',
      'I can help with that',
      'I am unable to assist with this request',
      'The capital of France is Paris',
    ]);
    const refusalVsOffer = cosine(m, 0, 1);
    const refusalVsNegated = cosine(m, 0, 2);
    const refusalVsParaphrase = cosine(m, 0, 3);
    // Measured: 0.69, 0.84 and 0.44. Opposite behaviours look alike to it, and a refusal in
    // other words looks less like a refusal than the offer does.
    expect(refusalVsOffer).toBeGreaterThan(0.6);
    expect(refusalVsNegated).toBeGreaterThan(0.8);
    expect(refusalVsParaphrase).toBeLessThan(refusalVsOffer - 0.15);
    // Only a change of topic moves the vector far.
    expect(cosine(m, 0, 4)).toBeLessThan(0);
  });

  it('is blind to word order', async () => {
    const m = await embedder.embed(['the dog bit the man', 'the man bit the dog']);
    expect(cosine(m, 0, 1)).toBeGreaterThan(0.999);
  });
});

describe('embedderNote', () => {
  it('states the limit for the bundled embedder only', () => {
    const note = embedderNote(BUNDLED_ANALYSIS_EMBEDDER);
    expect(note).toMatch(/word-based/);
    expect(note).toMatch(/negation and word order/);
    expect(note).toMatch(/sentence embedder/);
    expect(embedderNote(SENTENCE_ANALYSIS_EMBEDDER)).toBeNull();
    expect(embedderNote('openai:https://api.example.com/v1:text-embedding-3-small')).toBeNull();
  });

  it('REPORT.json carries the note in `notes` when the bundled embedder was used', () => {
    const answers = [
      { promptId: 'p1', side: 'A', sample: 0, text: 'a' },
      { promptId: 'p1', side: 'B', sample: 0, text: 'b' },
    ] as Answer[];
    const bundled = fakeAnalysisResult(answers);
    bundled.params = analysisParams({ embedderId: BUNDLED_ANALYSIS_EMBEDDER });
    expect(toReportJson(bundled, []).notes).toEqual([embedderNote(BUNDLED_ANALYSIS_EMBEDDER)]);
    const sentence = fakeAnalysisResult(answers);
    sentence.params = analysisParams({ embedderId: SENTENCE_ANALYSIS_EMBEDDER });
    expect(toReportJson(sentence, []).notes).toEqual([]);
  });
});
