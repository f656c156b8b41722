/**
 * The analysis end to end on real answers: the bundled tiny-base and tiny-finetune generate in
 * this test (real transformers.js), the bundled embedder embeds, the pipeline tests.
 * tiny-finetune was trained further on the Book of Proverbs, so B's answers should lean there.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureTransformers,
  TransformersEmbedder,
} from '../../src/lib/backends/embed/transformers';
import { generateText } from '../../src/lib/backends/llm/generate-text';
import { TransformersChatBackend } from '../../src/lib/backends/llm/transformers';
import { analysisParams, runAnalysis, type AnalysisResult } from '../../src/lib/core/analysis';
import { TINY_LM_MARKER_WORDS } from '../../src/lib/core/models';
import { BUILTIN_PROMPT_SET } from '../../src/lib/core/prompts';
import type { Answer, Prompt, Side } from '../../src/lib/core/run/types';

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const prompts: Prompt[] = BUILTIN_PROMPT_SET.prompts.filter((_, i) => i % 4 === 0).slice(0, 24);
const SAMPLES = 2;

let base: TransformersChatBackend;
let finetune: TransformersChatBackend;
let embedder: TransformersEmbedder;

beforeAll(async () => {
  configureTransformers({ localModelPath: MODELS, allowRemoteModels: false });
  base = new TransformersChatBackend({ modelId: 'tiny-base' });
  finetune = new TransformersChatBackend({ modelId: 'tiny-finetune' });
  embedder = new TransformersEmbedder({ modelId: 'bundled-embedder', device: 'cpu' });
});
afterAll(async () => {
  await Promise.all([base.unload(), finetune.unload(), embedder.unload()]);
});

/** Samples every prompt SAMPLES times per side; seeds differ per side so sides are independent. */
async function answersOf(
  models: Record<Side, TransformersChatBackend>,
  seeds: Record<Side, number>,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const side of ['A', 'B'] as const) {
    for (const prompt of prompts) {
      for (let sample = 0; sample < SAMPLES; sample++) {
        const { text, finishReason } = await generateText(
          models[side],
          [{ role: 'user', content: prompt.text }],
          {
            temperature: 0.9,
            topP: 0.95,
            maxTokens: 40,
            seed: seeds[side] + prompts.indexOf(prompt) * 100 + sample,
          },
        );
        answers.push({
          promptId: prompt.id,
          side,
          sample,
          text,
          finishReason: finishReason === 'length' ? 'length' : 'stop',
          createdAt: '2026-01-01T00:00:00Z',
        });
      }
    }
  }
  return answers;
}

async function analyse(answers: Answer[]): Promise<AnalysisResult> {
  const vectors = await embedder.embed(answers.map((a) => a.text));
  return runAnalysis(
    { prompts, answers, vectors },
    analysisParams({ projection: 'pca', nPermutations: 999, seed: 5 }),
  );
}

describe('analysis of the bundled tiny models', () => {
  it('finds that tiny-finetune answers differently, in the words of its finetuning text', async () => {
    const result = await analyse(await answersOf({ A: base, B: finetune }, { A: 1, B: 2 }));
    expect(result.comparison.overall.pValue).toBeLessThan(0.01);
    const mostB = [...result.comparison.clusters].sort((x, y) => y.difference - x.difference)[0]!;
    expect(mostB.difference).toBeGreaterThan(0);
    expect(mostB.qValue).toBeLessThan(0.05);
    const finetuneWords = new Set(TINY_LM_MARKER_WORDS.finetune);
    const baseWords = new Set(TINY_LM_MARKER_WORDS.base);
    const top = mostB.terms.slice(0, 8);
    expect(top.filter((t) => finetuneWords.has(t)).length).toBeGreaterThan(
      top.filter((t) => baseWords.has(t)).length,
    );
    expect(
      result.comparison.words.moreInB.slice(0, 10).some((w) => finetuneWords.has(w.term)),
    ).toBe(true);
  }, 120_000);

  it('finds nothing significant after FDR when comparing tiny-base with itself (two seeds)', async () => {
    const result = await analyse(await answersOf({ A: base, B: base }, { A: 1, B: 77_777 }));
    expect(result.comparison.clusters.filter((c) => c.qValue < 0.05)).toEqual([]);
    expect(result.comparison.features.filter((f) => f.qValue !== null && f.qValue < 0.05)).toEqual(
      [],
    );
    expect(result.comparison.overall.pValue).toBeGreaterThan(0.01);
  }, 120_000);
});
