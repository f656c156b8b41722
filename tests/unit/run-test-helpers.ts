/** Shared helpers of the core/run tests: fixture files as SourceFiles, and a complete sample run. */
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Explanation } from '../../src/lib/core/explain/types';
import type { SourceFile } from '../../src/lib/core/run/import/source';
import { RUN_SCHEMA_VERSION, type Run } from '../../src/lib/core/run/types';

/** Absolute path of a file under tests/fixtures/. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

/** A fixture's text. */
export function fixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/**
 * A fixture as a SourceFile streamed from disk the way Node would pass it, in deliberately
 * small chunks so lines, quoted fields and multi-byte characters cross chunk boundaries.
 */
export function fixtureSource(relative: string, highWaterMark = 61): SourceFile {
  const path = fixturePath(relative);
  return fileSource(path, highWaterMark);
}

/** Any file on disk as a SourceFile. */
export function fileSource(path: string, highWaterMark = 64 * 1024): SourceFile {
  return {
    name: basename(path),
    size: readFileSync(path).length,
    chunks: () =>
      createReadStream(path, { encoding: 'utf8', highWaterMark }) as AsyncIterable<string>,
  };
}

/** Untrusted-text probes that must survive every import and export verbatim. */
export const XSS_SCRIPT = '<script>alert(1)</script>';
export const XSS_IMG = '<img src=x onerror=alert(1)>';

/** A complete run using every optional field, with awkward text and bit-awkward vectors. */
export function sampleRun(): Run {
  const at = '2025-02-01T12:00:00.000Z';
  return {
    id: 'run-1',
    name: 'Sample "quoted", with comma',
    createdAt: at,
    updatedAt: '2025-02-01T12:30:00.000Z',
    schemaVersion: RUN_SCHEMA_VERSION,
    models: {
      A: {
        label: 'base, v1',
        backend: 'webllm',
        modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
        params: { temperature: 0.7, topP: 0.9, maxTokens: 256, seed: 1 },
      },
      B: {
        label: 'finetune "B"',
        backend: 'openai',
        modelId: 'my-ft',
        baseUrl: 'https://api.example.com/v1',
        systemPrompt: 'You are helpful.\nAlways.',
        params: { temperature: 0, topP: 1, maxTokens: 128, seed: null },
      },
    },
    promptSet: { id: 'set-1', name: 'Mixed', source: 'pasted' },
    samplesPerPrompt: 2,
    notes: 'notes with\nnewline',
    prompts: [
      { id: 'p0001', text: 'Write HTML, please.', category: 'code, web' },
      { id: 'p0002', text: 'Say "hi"\r\nthen stop.' },
      { id: 'p0003', text: 'Unicode: 日本語 🎉 naïve' },
    ],
    answers: [
      {
        promptId: 'p0001',
        side: 'A',
        sample: 0,
        text: XSS_SCRIPT,
        promptTokens: 9,
        completionTokens: 7,
        finishReason: 'stop',
        latencyMs: 12.5,
        createdAt: at,
      },
      {
        promptId: 'p0001',
        side: 'B',
        sample: 0,
        text: XSS_IMG,
        finishReason: 'length',
        createdAt: at,
      },
      { promptId: 'p0001', side: 'B', sample: 1, text: '', finishReason: 'error', createdAt: at },
      {
        promptId: 'p0002',
        side: 'A',
        sample: 0,
        text: 'He said "hi",\r\nthen left.',
        completionTokens: 0,
        finishReason: 'stop',
        createdAt: at,
      },
      {
        promptId: 'p0002',
        side: 'B',
        sample: 0,
        text: '  leading and trailing spaces  ',
        finishReason: 'abort',
        createdAt: at,
      },
      {
        promptId: 'p0003',
        side: 'B',
        sample: 0,
        text: '🎉',
        finishReason: 'unknown',
        createdAt: at,
      },
      {
        promptId: 'p0003',
        side: 'A',
        sample: 0,
        text: '=SUM(A1:A2)',
        finishReason: 'stop',
        createdAt: at,
      },
      {
        promptId: 'p0003',
        side: 'A',
        sample: 1,
        text: 'second sample',
        finishReason: 'stop',
        createdAt: at,
      },
    ],
    embeddings: [
      {
        embedderId: 'e1',
        textHash: 'aa',
        vector: new Float32Array([0.1, -0, NaN, Infinity, -Infinity, 1e-45]),
      },
      { embedderId: 'e1', textHash: 'bb', vector: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { embedderId: 'e2', textHash: 'aa', vector: new Float32Array(0) },
    ],
    analyses: [
      {
        id: 'an-1',
        createdAt: at,
        params: { k: 3, seeds: [1, 2, 3], maxTokens: 5 },
        result: {
          coords: new Float32Array([0.5, -0.25, 3.75]),
          labels: new Int32Array([0, 2, -1]),
          nested: [{ scores: new Float64Array([Math.PI]) }],
          text: 'plain',
        },
      },
    ],
    hypotheses: [
      { id: 'h1', text: 'B is warmer.', createdAt: at, validation: { accuracy: 0.75, n: 20 } },
      { id: 'h2', text: 'B lists more.', createdAt: at },
      {
        id: 'h3',
        text: 'Compared with A, B more often <b>uses</b> a numbered list.',
        createdAt: at,
        source: 'supervisor',
        explanationId: 'x1',
        validation: { nHeldOut: 1, decided: 1, accuracy: 1, rightPromptIds: ['p0003'] },
      },
    ],
    supervisorLog: [
      {
        at,
        provider: 'anthropic',
        model: 'claude-x',
        purpose: 'labels',
        request: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 },
      },
      {
        at,
        provider: 'openai',
        model: 'gpt-x',
        purpose: 'judgements',
        request: { messages: [{ role: 'user', content: 'Which fits?' }], temperature: 0 },
        key: 'judgements|h3|p0003|A',
        reply: '{"answer": 2}',
        attempts: 2,
        usage: { promptTokens: 120, completionTokens: 8 },
        latencyMs: 310.5,
      },
      {
        at,
        provider: 'openai',
        model: 'gpt-x',
        purpose: 'judgements',
        request: { messages: [{ role: 'user', content: 'Which fits?' }], temperature: 0 },
        key: 'judgements|h3|p0003|B',
        reply: null,
        error: 'HTTP 500 from the supervisor',
        attempts: 3,
      },
    ],
    explanations: [sampleExplanation('an-1', ['p0001', 'p0002'], ['p0003'])],
  };
}

/**
 * A complete Explanation of analysis `analysisId` (every field, awkward text), with the given
 * discovery and held-out prompt ids.
 */
export function sampleExplanation(
  analysisId: string,
  discoveryPromptIds: string[],
  heldOutPromptIds: string[],
  id = 'x1',
): Explanation {
  return {
    id,
    createdAt: '2025-02-01T12:40:00.000Z',
    analysisId,
    settings: {
      provider: 'openai',
      model: 'gpt-x',
      temperature: 0,
      seed: 7,
      propertiesSample: 40,
      hypotheses: 5,
      heldOutSample: 60,
    },
    discoveryPromptIds,
    heldOutPromptIds,
    labels: [
      { cluster: 0, label: 'Numbered steps', description: 'Answers that list <steps> as 1., 2.' },
      { cluster: -1, label: 'Noise', description: '' },
    ],
    properties: [
      {
        id: 0,
        name: 'uses a numbered list',
        definition: 'The answer "numbers" its steps.',
        examples: ['uses a numbered list', 'lists steps 1-3'],
        countA: 1,
        countB: 2,
        nPrompts: 2,
        shareA: 0.5,
        shareB: 1,
        ciLow: -0.19,
        ciHigh: 1,
        pValue: 0.5,
        qValue: 1,
      },
    ],
  };
}
