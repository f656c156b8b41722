import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { ANSWER_CSV_COLUMNS, answersToCsv } from '../../src/lib/core/run/export/answers-csv';
import { csvField, neutraliseFormula } from '../../src/lib/core/run/export/csv-cell';
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

  // OWASP CSV injection: a spreadsheet runs a cell starting with these as a formula.
  it.each([
    [
      '=HYPERLINK("http://evil.example","click")',
      `"'=HYPERLINK(""http://evil.example"",""click"")"`,
    ],
    ['=1+1', "'=1+1"],
    ['+1+cmd|calc', "'+1+cmd|calc"],
    ['-2+3', "'-2+3"],
    ['- a markdown list item', "'- a markdown list item"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('prefixes the text cell %j with a single quote: %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
    expect(neutraliseFormula(value)).toBe(`'${value}`);
  });

  it.each([['a=1'], [' =1'], ["'=1"], ['x-y'], ['1e-3']])(
    'leaves %j alone: it does not start with a formula character',
    (value) => {
      expect(neutraliseFormula(value)).toBe(value);
    },
  );

  it('writes numbers the app computed as numbers, negative ones included, and null as empty', () => {
    expect(csvField(-0.125)).toBe('-0.125');
    expect(csvField(3)).toBe('3');
    expect(csvField(1e-12)).toBe('1e-12');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    // The same characters as text are escaped: a prompt id "-1" came from a file.
    expect(csvField('-1')).toBe("'-1");
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

  it('orders rows by prompt, side and sample; writes every field verbatim but formulas', () => {
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
      ['p0003', '', 'Unicode: 日本語 🎉 naïve', 'A', 'base, v1', '0', "'=SUM(A1:A2)", 'stop', ''],
      ['p0003', '', 'Unicode: 日本語 🎉 naïve', 'A', 'base, v1', '1', 'second sample', 'stop', ''],
      ['p0003', '', 'Unicode: 日本語 🎉 naïve', 'B', 'finetune "B"', '0', '🎉', 'unknown', ''],
    ]);
  });

  it('re-imports into the same prompts and answers, formula-like text with its quote', async () => {
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
    // The one lossy step: "=SUM(A1:A2)" comes back as "'=SUM(A1:A2)"; JSONL keeps it exact.
    const escaped = run.answers.map((a) => ({ ...a, text: neutraliseFormula(a.text) }));
    expect(escaped.some((a, i) => a.text !== run.answers[i]!.text)).toBe(true);
    expect(imported.answers.map(key).sort()).toEqual(escaped.map(key).sort());
    expect(imported.report.warnings).toEqual([]);
  });
});
