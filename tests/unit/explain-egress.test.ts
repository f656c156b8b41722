import { describe, expect, it } from 'vitest';
import { orderedPair } from '../../src/lib/core/explain/blind-pairs';
import {
  egressPreview,
  priceOf,
  requestCharacters,
  withoutPrompts,
} from '../../src/lib/core/explain/egress';
import { judgementRequest } from '../../src/lib/core/explain/judge-prompt';
import { propertiesRequest } from '../../src/lib/core/explain/property-prompt';
import type { SupervisorRequest, SupervisorStep } from '../../src/lib/core/explain/types';

/** A request whose messages have exactly the given lengths. */
function request(
  key: string,
  step: SupervisorStep,
  lengths: [number, number],
  maxTokens: number,
  promptIds: string[],
): SupervisorRequest {
  return {
    key,
    step,
    messages: [
      { role: 'system', content: `TASK: ${step}`.padEnd(lengths[0], '.') },
      { role: 'user', content: 'u'.repeat(lengths[1]) },
    ],
    maxTokens,
    promptIds,
  };
}

const R1 = request('properties|e|p1|0', 'properties', [100, 301], 600, ['p1']);
const R2 = request('properties|e|p2|0', 'properties', [200, 200], 600, ['p2']);
const R3 = request('judgements|h|p1|A', 'judgements', [20, 3], 5, ['p1']);
const R4 = request('labels|a|3', 'labels', [50, 0], 120, ['p2', 'p3']);
const MIXED = [R3, R1, R4, R2];

describe('egressPreview', () => {
  it('groups by step in running order and sums characters and tokens by hand', () => {
    const preview = egressPreview(MIXED, 'OpenRouter', 'some-local-finetune');
    expect(preview.provider).toBe('OpenRouter');
    expect(preview.model).toBe('some-local-finetune');
    // properties: 401 + 400 = 801 characters, ceil(801 / 4) = 201 tokens, 600 + 600 out.
    // labels: 50 characters, ceil(12.5) = 13 tokens, 120 out.
    // judgements: 23 characters, ceil(5.75) = 6 tokens, 5 out.
    expect(
      preview.steps.map(({ step, requests, characters, inputTokens, outputTokens }) => ({
        step,
        keys: requests.map((r) => r.key),
        characters,
        inputTokens,
        outputTokens,
      })),
    ).toEqual([
      {
        step: 'properties',
        keys: [R1.key, R2.key],
        characters: 801,
        inputTokens: 201,
        outputTokens: 1200,
      },
      { step: 'labels', keys: [R4.key], characters: 50, inputTokens: 13, outputTokens: 120 },
      { step: 'judgements', keys: [R3.key], characters: 23, inputTokens: 6, outputTokens: 5 },
    ]);
    // Totals are the sums of the rows shown (220, not ceil(874 / 4) = 219).
    expect(preview.characters).toBe(874);
    expect(preview.inputTokens).toBe(220);
    expect(preview.outputTokens).toBe(1325);
    expect(preview.costUsd).toBeNull();
  });

  it('prices known models from the table: (input x in + output x out) / 1e6', () => {
    // gpt-4o-mini at $0.15 / $0.60 per million: 220 x 0.15 + 1325 x 0.6 = 33 + 795 = 828.
    expect(egressPreview(MIXED, 'OpenAI', 'gpt-4o-mini').costUsd).toBeCloseTo(828e-6, 12);
    expect(egressPreview(MIXED, 'OpenRouter', 'openai/gpt-4o-mini').costUsd).toBeCloseTo(
      828e-6,
      12,
    );
    // claude-3-5-haiku at $0.80 / $4: 220 x 0.8 + 1325 x 4 = 176 + 5300 = 5476.
    expect(egressPreview(MIXED, 'Anthropic', 'claude-3-5-haiku-20241022').costUsd).toBeCloseTo(
      5476e-6,
      12,
    );
  });

  it('matches the longest known prefix at a "-" boundary, and nothing for local providers', () => {
    expect(priceOf('OpenAI', 'gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(priceOf('OpenAI', 'GPT-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
    expect(priceOf('OpenAI', 'gpt-4.1-mini')).toEqual({ input: 0.4, output: 1.6 });
    expect(priceOf('OpenAI', 'gpt-4omega')).toBeNull();
    expect(priceOf('Ollama', 'llama3.1:8b')).toBeNull();
    expect(priceOf('WebLLM', 'gpt-4o-mini')).toBeNull();
    expect(priceOf('http://localhost:8000/v1', 'gpt-4o-mini')).toBeNull();
  });

  it('leaves out steps without requests and is all zeros for none', () => {
    expect(egressPreview([], 'OpenAI', 'gpt-4o')).toEqual({
      provider: 'OpenAI',
      model: 'gpt-4o',
      steps: [],
      characters: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
    });
  });

  it('counts every message of real requests, including both answers', () => {
    const pair = orderedPair('p1', 'Name a prime.', 'Seven is prime.', '2', 'A');
    const requests = [
      propertiesRequest('e', pair, { maxAnswerChars: 1000 }),
      judgementRequest('h', 'give one word', pair, { maxAnswerChars: 1000 }),
    ];
    const preview = egressPreview(requests, 'OpenAI', 'gpt-4o');
    const byHand = requests.map((r) => r.messages.reduce((s, m) => s + m.content.length, 0));
    expect(preview.steps.map((s) => s.characters)).toEqual(byHand);
    expect(requests.map(requestCharacters)).toEqual(byHand);
    expect(preview.steps[0]!.requests[0]).toBe(requests[0]);
    expect(preview.outputTokens).toBe(600 + 5);
  });
});

describe('withoutPrompts', () => {
  it('drops every request that carries an excluded prompt', () => {
    expect(withoutPrompts(MIXED, ['p2']).map((r) => r.key)).toEqual([R3.key, R1.key]);
    expect(withoutPrompts(MIXED, new Set(['p3'])).map((r) => r.key)).toEqual([
      R3.key,
      R1.key,
      R2.key,
    ]);
    expect(withoutPrompts(MIXED, ['p1', 'p2'])).toEqual([]);
  });

  it('keeps everything, as a new list, when nothing is excluded or the ids are unknown', () => {
    const kept = withoutPrompts(MIXED, []);
    expect(kept).toEqual(MIXED);
    expect(kept).not.toBe(MIXED);
    expect(withoutPrompts(MIXED, ['p9'])).toEqual(MIXED);
  });
});
