/**
 * 50 MB answer tables must import by streaming. The files are generated here (not committed):
 * every answer is recomputable from its row number, so the test checks every answer exactly.
 */
import { describe, expect, it } from 'vitest';
import { csvField } from '../../src/lib/core/run/export/csv-cell';
import { importAnswerTable } from '../../src/lib/core/run/import/answer-table';
import type { SourceFile } from '../../src/lib/core/run/import/source';
import type { ImportedAnswers } from '../../src/lib/core/run/import/types';

const TARGET_CHARS = 50 * 1024 * 1024;
const FILLER = 'The quick brown fox, "quoted", jumps over the lazy dog; naïve café 🎉. ';

function promptOf(p: number): string {
  return `Prompt number ${p}: explain topic ${p % 97}, please.`;
}

/** Answer text of prompt p, model m: varied length, commas, quotes, line breaks, unicode. */
function answerOf(p: number, m: number): string {
  const body = FILLER.repeat(14 + ((p * 7 + m) % 5));
  return `Answer ${p}/${m}\n${m === 0 ? '<script>alert(1)</script>' : '<img src=x onerror=alert(1)>'}\r\n${body}`;
}

interface Table {
  source: SourceFile;
  prompts: number;
  chars: number;
}

/** A table of `prompts` prompts answered by two models, as close to 50 MB as the rows allow. */
function makeTable(name: string, row: (p: number, m: number) => string, header?: string): Table {
  const parts: string[] = header ? [header] : [];
  let chars = header?.length ?? 0;
  let p = 0;
  for (; chars < TARGET_CHARS; p++) {
    for (const m of [0, 1]) {
      const line = row(p, m);
      parts.push(line);
      chars += line.length;
    }
  }
  // One prompt answered by model 0 only, to check unmatched rows at scale.
  parts.push(row(p, 0));
  const prompts = p;
  // Serve the text the way a browser stream would: 64 kB chunks sliced on demand.
  const chunkChars = 64 * 1024;
  const text = parts.join('');
  return {
    prompts,
    chars: text.length,
    source: {
      name,
      size: text.length,
      async *chunks() {
        for (let i = 0; i < text.length; i += chunkChars) yield text.slice(i, i + chunkChars);
      },
    },
  };
}

function checkAll(imported: ImportedAnswers, prompts: number): void {
  expect(imported.prompts).toHaveLength(prompts);
  expect(imported.answers).toHaveLength(prompts * 2);
  expect(imported.report.unmatched).toEqual([
    expect.objectContaining({ side: 'A', prompt: promptOf(prompts) }),
  ]);
  expect(imported.report.duplicates).toEqual([]);
  for (let i = 0; i < imported.prompts.length; i++) {
    const prompt = imported.prompts[i]!;
    if (prompt.text !== promptOf(i)) expect(prompt.text).toBe(promptOf(i));
    const a = imported.answers[2 * i]!;
    const b = imported.answers[2 * i + 1]!;
    // Compare without building 40,000 expect() calls; report the first mismatch in full.
    if (a.text !== answerOf(i, 0) || b.text !== answerOf(i, 1)) {
      expect([a.text, b.text]).toEqual([answerOf(i, 0), answerOf(i, 1)]);
    }
  }
}

describe('50 MB answer tables', () => {
  it('imports a 50 MB JSONL file, every answer intact', async () => {
    const table = makeTable(
      'big.jsonl',
      (p, m) =>
        `${JSON.stringify({ id: `${p}-${m}`, prompt: promptOf(p), output: answerOf(p, m), model: `model-${m}`, sample: 0 })}\n`,
    );
    expect(table.chars).toBeGreaterThanOrEqual(TARGET_CHARS);
    const started = performance.now();
    const imported = await importAnswerTable(table.source, {
      prompt: 'prompt',
      answer: 'output',
      model: 'model',
      sample: 'sample',
    });
    const seconds = (performance.now() - started) / 1000;
    checkAll(imported, table.prompts);
    expect(imported.models.A.label).toBe('model-0');
    expect(seconds).toBeLessThan(15);
  });

  it('imports a 50 MB CSV with quoted line breaks across batch boundaries, every answer intact', async () => {
    const table = makeTable(
      'big.csv',
      (p, m) =>
        `${[String(p), promptOf(p), answerOf(p, m), `model-${m}`].map(csvField).join(',')}\r\n`,
      'prompt_id,prompt,answer,model\r\n',
    );
    expect(table.chars).toBeGreaterThanOrEqual(TARGET_CHARS);
    const started = performance.now();
    const imported = await importAnswerTable(table.source, {
      prompt: 'prompt',
      answer: 'answer',
      model: 'model',
    });
    const seconds = (performance.now() - started) / 1000;
    checkAll(imported, table.prompts);
    // Row and line numbers stay right deep into the file, past many batches and quoted breaks.
    const last = imported.report.unmatched[0]!;
    expect(last.location).toBe(`row ${table.prompts * 2 + 1} (line ${2 + table.prompts * 2 * 3})`);
    expect(seconds).toBeLessThan(15);
  });
});
