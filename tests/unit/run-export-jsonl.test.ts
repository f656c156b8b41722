/** The JSONL answers export: exact text for tools, read back by the app's own JSONL importer. */
import { describe, expect, it } from 'vitest';
import { answersToCsv } from '../../src/lib/core/run/export/answers-csv';
import { answersToJsonl, type AnswerRecord } from '../../src/lib/core/run/export/answers-jsonl';
import { importAnswerTable } from '../../src/lib/core/run/import/answer-table';
import { detectFormat } from '../../src/lib/core/run/import/detect-format';
import { inspectTable } from '../../src/lib/core/run/import/inspect-table';
import { sourceFromString } from '../../src/lib/core/run/import/source';
import type { Run } from '../../src/lib/core/run/types';
import { sampleRun } from './run-test-helpers';

// Every character that starts a spreadsheet formula, the ones the CSV export escapes.
const FORMULA_LIKE = ['=1+1', '+cmd|calc', '-2 degrees', '@SUM(A1)', '\t=tab', '\r=cr'];

/** The sample run with one more prompt whose answers start with each formula character. */
function runWithFormulas(): Run {
  const run = sampleRun();
  const at = run.createdAt;
  return {
    ...run,
    prompts: [...run.prompts, { id: 'p0004', text: '=prompt() too', category: '-category' }],
    answers: [
      ...run.answers,
      ...FORMULA_LIKE.flatMap((text, sample) =>
        (['A', 'B'] as const).map((side) => ({
          promptId: 'p0004',
          side,
          sample,
          text: `${text} (${side})`,
          finishReason: 'stop' as const,
          createdAt: at,
        })),
      ),
    ],
    samplesPerPrompt: FORMULA_LIKE.length,
  };
}

const key = (a: { promptId: string; side: string; sample: number; text: string }) =>
  `${a.promptId}|${a.side}|${a.sample}|${JSON.stringify(a.text)}`;

describe('answersToJsonl', () => {
  const run = runWithFormulas();
  const jsonl = answersToJsonl(run);
  const records = jsonl
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as AnswerRecord);

  it('writes one object per answer, in the CSV export order, with the exact text', () => {
    expect(jsonl.endsWith('\n')).toBe(true);
    expect(records).toHaveLength(run.answers.length);
    expect(records[0]).toEqual({
      promptId: 'p0001',
      category: 'code, web',
      prompt: 'Write HTML, please.',
      side: 'A',
      model: 'base, v1',
      sample: 0,
      text: '<script>alert(1)</script>',
      finishReason: 'stop',
      completionTokens: 7,
    });
    expect(records.map(key).sort()).toEqual(run.answers.map(key).sort());
    for (const text of FORMULA_LIKE) {
      expect(records.map((r) => r.text)).toContain(`${text} (A)`);
    }
  });

  it('keeps exactly the text the CSV export has to change', () => {
    const csv = answersToCsv(run);
    expect(csv).toContain("'=1+1 (A)");
    expect(csv).not.toMatch(/(^|,)=1\+1/m);
    expect(records.find((r) => r.text.startsWith('=1+1'))?.text).toBe('=1+1 (A)');
  });

  it('is recognised as JSONL and read back by the JSONL importer into the same run', async () => {
    expect(detectFormat('run.answers.jsonl', jsonl)).toBe('jsonl');
    const source = sourceFromString('run.answers.jsonl', jsonl, 17);
    const inspection = await inspectTable(source);
    // The guessed mapping already reads every field; only which model is A must be said.
    expect(inspection.suggestedMapping).toEqual({
      promptId: 'promptId',
      prompt: 'prompt',
      answer: 'text',
      model: 'model',
      sample: 'sample',
      category: 'category',
    });
    const imported = await importAnswerTable(source, {
      ...inspection.suggestedMapping,
      modelA: run.models.A.label,
      modelB: run.models.B.label,
    });
    expect(imported.prompts).toEqual(run.prompts);
    expect(imported.answers.map(key).sort()).toEqual(run.answers.map(key).sort());
    expect(imported.models.A.label).toBe('base, v1');
    expect(imported.report.warnings).toEqual([]);
    expect(imported.report.unmatched).toEqual([]);
  });

  it('reads back by side when both models carry the same label', async () => {
    const same = runWithFormulas();
    same.models.B = { ...same.models.B, label: same.models.A.label };
    const imported = await importAnswerTable(sourceFromString('same.jsonl', answersToJsonl(same)), {
      promptId: 'promptId',
      prompt: 'prompt',
      answer: 'text',
      model: 'side',
      sample: 'sample',
    });
    expect(imported.models.A.label).toBe('A');
    expect(imported.answers.map(key).sort()).toEqual(same.answers.map(key).sort());
  });
});
