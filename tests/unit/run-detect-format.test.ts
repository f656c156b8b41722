import { describe, expect, it } from 'vitest';
import { answersToCsv } from '../../src/lib/core/run/export/answers-csv';
import { runToLlmComparator } from '../../src/lib/core/run/export/llm-comparator-json';
import { detectFormat } from '../../src/lib/core/run/import/detect-format';
import { readHead, readLines, sourceFromString } from '../../src/lib/core/run/import/source';
import { serializeRunFile } from '../../src/lib/core/run/run-file';
import { fixtureSource, fixtureText, sampleRun } from './run-test-helpers';

async function detectFixture(path: string): Promise<string> {
  const source = fixtureSource(path);
  return detectFormat(source.name, await readHead(source));
}

describe('detectFormat', () => {
  it.each([
    ['runs/v1-small.json', 'run-file'],
    ['runs/v0-tiny.json', 'run-file'],
    ['runs/v99-from-the-future.json', 'run-file'],
    ['import/alpaca/tiny-base.json', 'alpaca-eval'],
    ['import/alpaca/tiny-dpo.json', 'alpaca-eval'],
    ['import/comparator/tiny.json', 'llm-comparator'],
    ['import/table/answers.jsonl', 'jsonl'],
    ['import/table/ids.jsonl', 'jsonl'],
    ['import/table/answers.csv', 'csv'],
    ['import/table/tab-separated.tsv', 'csv'],
    ['import/table/answers-array.json', 'json-array'],
    ['import/table/blank.jsonl', 'jsonl'],
  ])('recognises %s as %s', async (path, format) => {
    expect(await detectFixture(path)).toBe(format);
  });

  it('recognises our own exports, minified or not, whatever their names', () => {
    const run = sampleRun();
    expect(detectFormat('x.txt', serializeRunFile(run))).toBe('run-file');
    expect(detectFormat('x.txt', serializeRunFile(run, { space: 2 }))).toBe('run-file');
    expect(detectFormat('x.txt', JSON.stringify(runToLlmComparator(run)))).toBe('llm-comparator');
    expect(detectFormat('x.txt', JSON.stringify(runToLlmComparator(run), null, 2))).toBe(
      'llm-comparator',
    );
    expect(detectFormat('x.txt', answersToCsv(run))).toBe('csv');
  });

  it('recognises a run file from a head cut mid-document', () => {
    const text = serializeRunFile(sampleRun());
    expect(detectFormat('big.json', text.slice(0, 200))).toBe('run-file');
  });

  it('tells an alpaca_eval file from a table that merely has the same columns for two models', () => {
    const rows = [
      { instruction: 'a', output: 'x', generator: 'm1' },
      { instruction: 'a', output: 'y', generator: 'm2' },
    ];
    expect(detectFormat('both.json', JSON.stringify(rows, null, 2))).toBe('json-array');
    expect(detectFormat('one.json', JSON.stringify(rows.slice(0, 1)))).toBe('alpaca-eval');
  });

  it('ignores a byte order mark and leading whitespace', () => {
    expect(detectFormat('a.jsonl', '\uFEFF\n  {"prompt": "x"}\n{"prompt": "y"}')).toBe('jsonl');
  });

  it('reads a one-line JSONL file as JSONL, and a JSONL head cut mid-line too', () => {
    expect(detectFormat('a.json', '{"prompt": "x", "output": "y"}')).toBe('jsonl');
    expect(detectFormat('a.jsonl', '{"prompt": "x", "output": "very long')).toBe('jsonl');
  });

  it('does not mistake answer text mentioning a run file for a run file', () => {
    const line = JSON.stringify({
      prompt: 'p',
      output: '{"format": "behaviour-diff-run"}',
      model: 'm',
    });
    expect(detectFormat('a.jsonl', `${line}\n${line}`)).toBe('jsonl');
  });
});

describe('text sources', () => {
  it('split lines across chunks, drop a BOM and handle CRLF and a missing final newline', async () => {
    const text = '\uFEFFone\r\ntwo\n\nthree';
    for (const size of [1, 2, 3, 100]) {
      const lines = [];
      for await (const line of readLines(sourceFromString('t.txt', text, size))) lines.push(line);
      expect(lines).toEqual([
        { text: 'one', line: 1 },
        { text: 'two', line: 2 },
        { text: '', line: 3 },
        { text: 'three', line: 4 },
      ]);
    }
  });

  it('read only the head of a file', async () => {
    const head = await readHead(sourceFromString('t.txt', 'x'.repeat(10_000), 100), 250);
    expect(head).toBe('x'.repeat(250));
    expect(await readHead(fixtureSource('import/table/answers.csv'))).toBe(
      fixtureText('import/table/answers.csv'),
    );
  });
});
