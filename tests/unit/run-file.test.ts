import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/core/run/errors';
import { parseRunFile, readRunFile, serializeRunFile } from '../../src/lib/core/run/run-file';
import { isSecretKey } from '../../src/lib/core/run/scrub-credentials';
import { RUN_SCHEMA_VERSION, type Run } from '../../src/lib/core/run/types';
import { XSS_IMG, XSS_SCRIPT, fixtureText, sampleRun } from './run-test-helpers';

const NOW = '2025-03-01T08:00:00.000Z';

function bits(vector: Float32Array): number[] {
  return [...new Uint32Array(vector.buffer, vector.byteOffset, vector.length)];
}

describe('run files', () => {
  it('round-trip a run exactly, vectors bit for bit and typed arrays with their types', () => {
    const run = sampleRun();
    const back = parseRunFile(serializeRunFile(run, { now: NOW }), 'run.json');
    expect(back).toEqual(run);
    run.embeddings.forEach((e, i) =>
      expect(bits(back.embeddings[i]!.vector)).toEqual(bits(e.vector)),
    );
    const result = back.analyses[0]!.result as {
      labels: Int32Array;
      nested: { scores: Float64Array }[];
    };
    expect(result.labels).toBeInstanceOf(Int32Array);
    expect(result.nested[0]!.scores[0]).toBe(Math.PI);
    expect(back.answers[0]!.text).toBe(XSS_SCRIPT);
    expect(back.answers[1]!.text).toBe(XSS_IMG);
    expect(back.answers[3]!.text).toBe('He said "hi",\r\nthen left.');
  });

  it('is stable: once read, a run serialises to the same text every time', () => {
    // The first read puts fields in schema order; from then on the text is a fixed point.
    const once = serializeRunFile(
      parseRunFile(serializeRunFile(sampleRun(), { now: NOW }), 'a.json'),
      { now: NOW },
    );
    expect(serializeRunFile(parseRunFile(once, 'b.json'), { now: NOW })).toBe(once);
  });

  it('round-trips a current file with explanations byte for byte through import and export', () => {
    const text = serializeRunFile(sampleRun(), { now: NOW, space: 1 });
    const read = readRunFile(text, 'v5.json');
    expect(read.fileVersion).toBe(RUN_SCHEMA_VERSION);
    expect(read.run.explanations).toEqual(sampleRun().explanations);
    expect(read.run.supervisorLog.map((e) => e.key)).toEqual([
      undefined,
      'judgements|h3|p0003|A',
      'judgements|h3|p0003|B',
    ]);
    expect(serializeRunFile(read.run, { now: read.exportedAt, space: 1 })).toBe(text);
  });

  it('writes the envelope first, so the format can be detected from the head', () => {
    const text = serializeRunFile(sampleRun(), { now: NOW });
    expect(
      text.startsWith(
        `{"format":"behaviour-diff-run","schemaVersion":${RUN_SCHEMA_VERSION},"exportedAt":"${NOW}","run":{`,
      ),
    ).toBe(true);
    expect(readRunFile(text, 'run.json')).toMatchObject({
      exportedAt: NOW,
      fileVersion: RUN_SCHEMA_VERSION,
    });
  });

  it('never writes credentials, wherever a careless writer put them', () => {
    const run = sampleRun() as Run & { apiKey?: string };
    run.apiKey = 'sk-top-level';
    run.models.B.baseUrl = 'https://user:hunter2@api.example.com/v1?key=sk-in-url&region=eu';
    (run.models.A as unknown as Record<string, unknown>).openaiApiKey = 'sk-in-model';
    run.supervisorLog[0]!.request = {
      headers: {
        Authorization: 'Bearer sk-bearer',
        'x-api-key': 'sk-ant-header',
        'content-type': 'application/json',
      },
      body: { api_key: 'sk-body', messages: [{ role: 'user', content: 'hello' }] },
    };
    run.supervisorLog[1]!.request = { headers: { key: 'sk-header-key' }, messages: [] };
    const text = serializeRunFile(run, { now: NOW });
    expect(text).not.toMatch(/sk-|hunter2/);
    expect(text).not.toMatch(/authorization|apiKey|api_key|x-api-key/i);
    const back = parseRunFile(text, 'run.json');
    expect(back.models.B.baseUrl).toBe('https://api.example.com/v1?region=eu');
    expect(back.supervisorLog[0]!.request).toEqual({
      headers: { 'content-type': 'application/json' },
      body: { messages: [{ role: 'user', content: 'hello' }] },
    });
    // A log entry's own `key` is its job key, not a credential; a `key` inside it still goes.
    expect(back.supervisorLog[1]!.key).toBe('judgements|h3|p0003|A');
    expect(back.supervisorLog[1]!.request).toEqual({ headers: {}, messages: [] });
    // Token counts and hashes are not secrets.
    expect(back.answers[0]!.completionTokens).toBe(7);
    expect(back.models.A.params.maxTokens).toBe(256);
    expect(back.embeddings[0]!.textHash).toBe('aa');
  });

  it('leaves ordinary base URLs untouched', () => {
    const run = sampleRun();
    run.models.B.baseUrl = 'http://127.0.0.1:8080';
    expect(parseRunFile(serializeRunFile(run, { now: NOW }), 'r.json').models.B.baseUrl).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('knows which field names are secrets and which are not', () => {
    for (const name of [
      'key',
      'apiKey',
      'API_KEY',
      'openaiApiKey',
      'Authorization',
      'x-api-key',
      'password',
      'secret',
      'clientSecret',
      'accessToken',
    ]) {
      expect(isSecretKey(name), name).toBe(true);
    }
    for (const name of [
      'maxTokens',
      'completionTokens',
      'promptTokens',
      'textHash',
      'keywords',
      'monkey',
      'keyTerms',
      'max_tokens',
    ]) {
      expect(isSecretKey(name), name).toBe(false);
    }
  });

  it('reads the committed v1 file, so the format cannot drift unnoticed', () => {
    const run = parseRunFile(fixtureText('runs/v1-small.json'), 'v1-small.json');
    expect(run.id).toBe('run-golden');
    expect(run.models.B).toEqual({
      label: 'tiny-finetune',
      backend: 'openai',
      modelId: 'tiny-ft',
      baseUrl: 'http://127.0.0.1:8080/v1',
      systemPrompt: 'Be brief.',
      params: { temperature: 0.7, topP: 0.95, maxTokens: 64, seed: 42 },
    });
    expect(run.answers[0]).toEqual({
      promptId: 'p0001',
      side: 'A',
      sample: 0,
      text: 'Hello.',
      promptTokens: 5,
      completionTokens: 2,
      finishReason: 'stop',
      latencyMs: 120.5,
      createdAt: '2025-01-15T09:01:00.000Z',
    });
    expect(run.answers[3]!.text).toBe(XSS_SCRIPT);
    expect([...run.embeddings[0]!.vector]).toEqual([0.25, -1.5, 3]);
    expect([...run.embeddings[2]!.vector]).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect((run.analyses[0]!.result as { labels: Int32Array }).labels).toEqual(
      new Int32Array([0, 1]),
    );
    expect(run.hypotheses[0]!.validation).toEqual({ accuracy: 0.8 });
  });

  it('reports malformed JSON with line and column', () => {
    const text = serializeRunFile(sampleRun(), { now: NOW, space: 2 }).replace(
      '"name": "Sample',
      '"name" "Sample',
    );
    try {
      parseRunFile(text, 'broken.behaviour-diff.json');
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(
        /^broken\.behaviour-diff\.json, line 7, column 12: expected valid JSON: ':' after the property name/,
      );
    }
  });

  it('reports an invalid run inside a well-formed file with its run. path', () => {
    const file = JSON.parse(serializeRunFile(sampleRun(), { now: NOW })) as {
      run: { answers: { side: string }[] };
    };
    file.run.answers[5]!.side = 'both';
    expect(() => parseRunFile(JSON.stringify(file), 'r.json')).toThrow(
      'r.json, run.answers[5].side: expected one of "A", "B", got "both"',
    );
  });

  it('refuses JSON that is not a run file', () => {
    expect(() => parseRunFile('[1, 2]', 'list.json')).toThrow(
      'list.json: expected a Behaviour Diff run file (a JSON object), got an array of 2 items',
    );
    expect(() => parseRunFile('{"examples": []}', 'cmp.json')).toThrow(
      'cmp.json: expected a Behaviour Diff run file (with "format": "behaviour-diff-run"), got an object with fields "examples"',
    );
    expect(() => parseRunFile('{"format": "other"}', 'o.json')).toThrow(
      'o.json, format: expected a Behaviour Diff run file',
    );
    expect(() => parseRunFile('', 'empty.json')).toThrow(
      'empty.json: expected JSON content, got an empty file',
    );
  });
});
