import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { serializeRunFile } from '../../src/lib/core/run/run-file';
import { validateRun, validateRunFile } from '../../src/lib/core/run/schema';
import { sampleRun } from './run-test-helpers';

/** The run as it sits in a run file: plain JSON, vectors as base64. */
function runJson(): Record<string, unknown> {
  const file = JSON.parse(serializeRunFile(sampleRun(), { now: '2025-02-02T00:00:00.000Z' })) as {
    run: Record<string, unknown>;
  };
  return file.run;
}

function errorOf(value: unknown, prefix?: string): InputError {
  try {
    validateRun(value, 'run.json', prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected validation to fail');
}

type Json = Record<string, unknown> & {
  answers: Record<string, unknown>[];
  prompts: Record<string, unknown>[];
  embeddings: Record<string, unknown>[];
  models: Record<string, Record<string, unknown>>;
};

function mutated(change: (run: Json) => void): Json {
  const run = runJson() as Json;
  change(run);
  return run;
}

describe('validateRun', () => {
  it('accepts a run file’s run and decodes its vectors', () => {
    const run = validateRun(runJson(), 'run.json');
    expect(run.embeddings[1]!.vector).toBeInstanceOf(Float32Array);
    expect([...run.embeddings[1]!.vector]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run.answers).toHaveLength(8);
    expect(run.analyses[0]!.result).toMatchObject({
      coords: expect.any(Float32Array),
      labels: expect.any(Int32Array),
    });
  });

  it('accepts a run that already holds Float32Arrays (from storage)', () => {
    const run = sampleRun();
    expect(validateRun(run, 'stored run').embeddings[0]!.vector).toBeInstanceOf(Float32Array);
  });

  it('fills missing optional lists with empty ones', () => {
    const run: Record<string, unknown> = runJson();
    for (const list of ['embeddings', 'analyses', 'hypotheses', 'supervisorLog', 'explanations']) {
      delete run[list];
    }
    const valid = validateRun(run, 'run.json');
    expect(valid.embeddings).toEqual([]);
    expect(valid.supervisorLog).toEqual([]);
    expect(valid.explanations).toEqual([]);
  });

  it('names the path and the allowed values of a bad side', () => {
    const error = errorOf(mutated((r) => (r.answers[3]!.side = 'C')));
    expect(error.location).toBe('answers[3].side');
    expect(error.message).toBe('run.json, answers[3].side: expected one of "A", "B", got "C"');
  });

  it('names a missing field and shows what the object has', () => {
    const error = errorOf(mutated((r) => delete r.answers[0]!.text));
    expect(error.location).toBe('answers[0]');
    expect(error.expected).toBe('an object with a "text" field');
    expect(error.got).toContain('"promptId"');
  });

  it.each([
    [
      'a non-integer sample',
      (r: Json) => (r.answers[1]!.sample = 0.5),
      'answers[1].sample',
      'a whole number',
    ],
    [
      'a negative token count',
      (r: Json) => (r.answers[0]!.completionTokens = -1),
      'answers[0].completionTokens',
      'a number ≥ 0',
    ],
    [
      'an unknown finish reason',
      (r: Json) => (r.answers[0]!.finishReason = 'done'),
      'answers[0].finishReason',
      'one of "stop"',
    ],
    [
      'a bad date',
      (r: Json) => (r.answers[2]!.createdAt = 'yesterday'),
      'answers[2].createdAt',
      'a date-time',
    ],
    [
      'an empty prompt',
      (r: Json) => (r.prompts[1]!.text = '  '),
      'prompts[1].text',
      'a non-empty prompt text',
    ],
    [
      'an unknown backend',
      (r: Json) => (r.models.B!.backend = 'ollama'),
      'models.B.backend',
      'one of "webllm"',
    ],
    [
      'a top-p above 1',
      (r: Json) => ((r.models.A!.params as Record<string, unknown>).topP = 2),
      'models.A.params.topP',
      'a number from 0 to 1',
    ],
    [
      'a string temperature',
      (r: Json) => ((r.models.A!.params as Record<string, unknown>).temperature = '0.7'),
      'models.A.params.temperature',
      'a number',
    ],
    ['a newer run version', (r: Json) => (r.schemaVersion = 6), 'schemaVersion', '5'],
    ['an older run version', (r: Json) => (r.schemaVersion = 4), 'schemaVersion', '5'],
    [
      'a vector that is not base64',
      (r: Json) => (r.embeddings[0]!.vector = 'not base64!'),
      'embeddings[0].vector',
      'base64 of little-endian float32',
    ],
    [
      'a vector given as a number list',
      (r: Json) => (r.embeddings[0]!.vector = [1, 2]),
      'embeddings[0].vector',
      'one of',
    ],
    [
      'zero samples per prompt',
      (r: Json) => (r.samplesPerPrompt = 0),
      'samplesPerPrompt',
      'a number ≥ 1',
    ],
  ])('rejects %s', (_name, change, location, expected) => {
    const error = errorOf(mutated(change));
    expect(error.location).toBe(location);
    expect(error.expected).toContain(expected);
  });

  it('rejects duplicate prompt ids, pointing at both', () => {
    const error = errorOf(mutated((r) => (r.prompts[2]!.id = 'p0001')));
    expect(error.location).toBe('prompts[2].id');
    expect(error.got).toContain('prompts[0]');
  });

  it('rejects a run without prompts with a message that says so', () => {
    const error = errorOf(
      mutated((r) => {
        r.prompts = [];
        r.answers = [];
      }),
      'run',
    );
    expect(error.location).toBe('run.prompts');
    expect(error.message).toBe(
      'run.json, run.prompts: expected at least one prompt (a run compares the two models on its prompts), got an empty list: this run file holds no prompts',
    );
  });

  it('rejects answers to prompts the run does not have', () => {
    const error = errorOf(mutated((r) => (r.answers[4]!.promptId = 'p9999')));
    expect(error.message).toBe(
      'run.json, answers[4].promptId: expected the id of one of the run’s prompts, got "p9999", which no prompt has',
    );
  });

  it('rejects two answers for the same prompt, side and sample', () => {
    const error = errorOf(mutated((r) => (r.answers[2]!.sample = 0)));
    expect(error.location).toBe('answers[2]');
    expect(error.got).toContain('answers[1]');
  });

  it('rejects sample indices beyond samplesPerPrompt', () => {
    const error = errorOf(mutated((r) => (r.samplesPerPrompt = 1)));
    expect(error.location).toBe('answers[2].sample');
  });

  it('rejects vectors of one embedder with different lengths', () => {
    const error = errorOf(mutated((r) => (r.embeddings[1]!.vector = 'AACAPw==')));
    expect(error.location).toBe('embeddings[1].vector');
    expect(error.expected).toContain('6 numbers');
  });

  it('rejects things that are not runs at all', () => {
    expect(errorOf(null).message).toBe('run.json: expected a JSON object, got null');
    expect(errorOf([1]).got).toBe('an array of 1 items');
  });

  it('prefixes paths when the run sits inside a file', () => {
    const error = errorOf(
      mutated((r) => (r.answers[3]!.side = 'C')),
      'run',
    );
    expect(error.location).toBe('run.answers[3].side');
  });
});

describe('validateRunFile', () => {
  it('checks the envelope, then the run with run. paths', () => {
    const file = JSON.parse(
      serializeRunFile(sampleRun(), { now: '2025-02-02T00:00:00.000Z' }),
    ) as Record<string, unknown>;
    expect(validateRunFile(file, 'x.json').exportedAt).toBe('2025-02-02T00:00:00.000Z');
    const noRun = { ...file, run: undefined };
    delete noRun.run;
    expect(() => validateRunFile(noRun, 'x.json')).toThrow(
      'x.json: expected an object with a "run" field',
    );
    const badRun = { ...file, run: { ...(file.run as object), prompts: 'none' } };
    expect(() => validateRunFile(badRun, 'x.json')).toThrow(
      'x.json, run.prompts: expected an array, got "none"',
    );
  });
});

describe('schema v2: hypotheses, log entries and explanations', () => {
  type V2 = Json & {
    hypotheses: Record<string, unknown>[];
    supervisorLog: Record<string, unknown>[];
    explanations: (Record<string, unknown> & {
      labels: Record<string, unknown>[];
      properties: Record<string, unknown>[];
      settings: Record<string, unknown>;
      discoveryPromptIds: unknown[];
      heldOutPromptIds: unknown[];
    })[];
  };
  const v2 = (change: (run: V2) => void) => mutated((r) => change(r as V2));

  it('keeps every v2 field of a valid run', () => {
    const run = validateRun(runJson(), 'run.json');
    expect(run.hypotheses[2]).toMatchObject({ source: 'supervisor', explanationId: 'x1' });
    expect(run.supervisorLog[1]).toMatchObject({
      key: 'judgements|h3|p0003|A',
      reply: '{"answer": 2}',
      attempts: 2,
      usage: { promptTokens: 120, completionTokens: 8 },
      latencyMs: 310.5,
    });
    expect(run.supervisorLog[2]).toMatchObject({
      reply: null,
      error: 'HTTP 500 from the supervisor',
    });
    expect(run.explanations).toEqual(sampleRun().explanations);
  });

  it.each([
    [
      'a label that is an object (rendered as text)',
      (r: V2) => (r.explanations[0]!.labels[0]!.label = { html: '<b>x</b>' }),
      'explanations[0].labels[0].label',
      'a string',
    ],
    [
      'a property example that is a number',
      (r: V2) => (r.explanations[0]!.properties[0]!.examples = ['ok', 7]),
      'explanations[0].properties[0].examples[1]',
      'a string',
    ],
    [
      'a property definition that is an array',
      (r: V2) => (r.explanations[0]!.properties[0]!.definition = ['a']),
      'explanations[0].properties[0].definition',
      'a string',
    ],
    [
      'a share above 1',
      (r: V2) => (r.explanations[0]!.properties[0]!.shareB = 1.5),
      'explanations[0].properties[0].shareB',
      'a number from 0 to 1',
    ],
    [
      'a negative count',
      (r: V2) => (r.explanations[0]!.properties[0]!.countA = -1),
      'explanations[0].properties[0].countA',
      'a number ≥ 0',
    ],
    [
      'an infinite interval end (possible from storage, not JSON)',
      (r: V2) => (r.explanations[0]!.properties[0]!.ciHigh = Infinity),
      'explanations[0].properties[0].ciHigh',
      'a finite number',
    ],
    [
      'a q-value above 1',
      (r: V2) => (r.explanations[0]!.properties[0]!.qValue = 1.01),
      'explanations[0].properties[0].qValue',
      'a number from 0 to 1',
    ],
    [
      'a fractional cluster number',
      (r: V2) => (r.explanations[0]!.labels[1]!.cluster = 0.5),
      'explanations[0].labels[1].cluster',
      'a whole cluster number',
    ],
    [
      'settings with a string seed',
      (r: V2) => (r.explanations[0]!.settings.seed = '7'),
      'explanations[0].settings.seed',
      'a number',
    ],
    [
      'a split id that is a number',
      (r: V2) => (r.explanations[0]!.heldOutPromptIds[0] = 3),
      'explanations[0].heldOutPromptIds[0]',
      'a string',
    ],
    [
      'an empty explanation id',
      (r: V2) => (r.explanations[0]!.id = ' '),
      'explanations[0].id',
      'a non-empty explanation id',
    ],
    [
      'an unknown hypothesis source',
      (r: V2) => (r.hypotheses[2]!.source = 'robot'),
      'hypotheses[2].source',
      'one of "supervisor", "user"',
    ],
    [
      'a validation that is a list',
      (r: V2) => (r.hypotheses[0]!.validation = [0.75]),
      'hypotheses[0].validation',
      'a JSON object',
    ],
    [
      'a reply that is a number',
      (r: V2) => (r.supervisorLog[1]!.reply = 2),
      'supervisorLog[1].reply',
      'a string',
    ],
    [
      'a job key that is a number',
      (r: V2) => (r.supervisorLog[1]!.key = 12),
      'supervisorLog[1].key',
      'a string',
    ],
    [
      'zero attempts',
      (r: V2) => (r.supervisorLog[1]!.attempts = 0),
      'supervisorLog[1].attempts',
      'a number ≥ 1',
    ],
    [
      'negative token usage',
      (r: V2) => (r.supervisorLog[1]!.usage = { promptTokens: -1, completionTokens: 0 }),
      'supervisorLog[1].usage.promptTokens',
      'a number ≥ 0',
    ],
  ])('rejects %s', (_name, change, location, expected) => {
    const error = errorOf(v2(change));
    expect(error.location).toBe(location);
    expect(error.expected).toContain(expected);
  });

  it('rejects an explanation of an analysis the run has not got, naming the path', () => {
    const error = errorOf(
      v2((r) => (r.explanations[0]!.analysisId = 'an-9')),
      'run',
    );
    expect(error.message).toBe(
      'run.json, run.explanations[0].analysisId: expected the id of one of the run’s analyses, got "an-9", which no analysis has',
    );
  });

  it('rejects split prompt ids the run has not got, naming the path', () => {
    const held = errorOf(v2((r) => (r.explanations[0]!.heldOutPromptIds = ['p0003', 'p0009'])));
    expect(held.message).toBe(
      'run.json, explanations[0].heldOutPromptIds[1]: expected the id of one of the run’s prompts, got "p0009", which no prompt has',
    );
    const discovery = errorOf(v2((r) => (r.explanations[0]!.discoveryPromptIds[0] = 'x')));
    expect(discovery.location).toBe('explanations[0].discoveryPromptIds[0]');
  });

  it('rejects two explanations with one id, pointing at both', () => {
    const error = errorOf(v2((r) => r.explanations.push({ ...r.explanations[0]! })));
    expect(error.location).toBe('explanations[1].id');
    expect(error.got).toBe('"x1", already the id of explanations[0]');
  });
});
