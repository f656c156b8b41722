import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  ANSWER_CSV_COLUMNS,
  answersToCsv,
  csvField,
} from '../../src/lib/core/run/export/answers-csv';
import { importAnswerTable } from '../../src/lib/core/run/import/answer-table';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import { sampleRun } from './run-test-helpers';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('answersToCsv', () => {
  const run = sampleRun();
  const csv = answersToCsv(run);

  it('writes a header and CRLF-terminated records', () => {
    expect(
      csv.startsWith(
        'prompt_id,category,prompt,side,model,sample,answer,finish_reason,completion_tokens\r\n',
      ),
    ).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('orders rows by prompt, side and sample and writes every field verbatim', () => {
    const parsed = Papa.parse<string[]>(csv, { newline: '\r\n', skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const [header, ...rows] = parsed.data;
    expect(header).toEqual([...ANSWER_CSV_COLUMNS]);
    expect(rows).toEqual([
      [
        'p0001',
        'code, web',
        'Write HTML, please.',
        'A',
        'base, v1',
        '0',
        '<script>alert(1)</script>',
        'stop',
        '7',
      ],
      [
        'p0001',
        'code, web',
        'Write HTML, please.',
        'B',
        'finetune "B"',
        '0',
        '<img src=x onerror=alert(1)>',
        'length',
        '',
      ],
      ['p0001', 'code, web', 'Write HTML, please.', 'B', 'finetune "B"', '1', '', 'error', ''],
      [
        'p0002',
        '',
        'Say "hi"\r\nthen stop.',
        'A',
        'base, v1',
        '0',
        'He said "hi",\r\nthen left.',
        'stop',
        '0',
      ],
      [
        'p0002',
        '',
        'Say "hi"\r\nthen stop.',
        'B',
        'finetune "B"',
        '0',
        '  leading and trailing spaces  ',
        'abort',
        '',
      ],
      ['p0003', '', 'Unicode: 日本語 🎉 naïve', 'A', 'base, v1', '0', '=SUM(A1:A2)', 'stop', ''],
      ['p0003', '', 'Unicode: 日本語 🎉 naïve', 'A', 'base, v1', '1', 'second sample', 'stop', ''],
      ['p0003', '', 'Unicode: 日本語 🎉 naïve', 'B', 'finetune "B"', '0', '🎉', 'unknown', ''],
    ]);
  });

  it('re-imports through the table importer into the same prompts and answers', async () => {
    const imported = await importAnswerTable(sourceFromString('answers.csv', csv, 9), {
      promptId: 'prompt_id',
      prompt: 'prompt',
      answer: 'answer',
      model: 'side',
      sample: 'sample',
      category: 'category',
    });
    expect(imported.prompts).toEqual(run.prompts);
    const key = (a: { promptId: string; side: string; sample: number; text: string }) =>
      `${a.promptId}|${a.side}|${a.sample}|${a.text}`;
    expect(imported.answers.map(key).sort()).toEqual(run.answers.map(key).sort());
    expect(imported.report.warnings).toEqual([]);
  });
});
