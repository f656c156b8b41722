/**
 * All answers of a run as one CSV for reading in a spreadsheet: RFC 4180, and text cells that a
 * spreadsheet would run as a formula get a leading `'` (see csv-cell.ts). Tools that need the
 * exact text read the JSONL export (answers-jsonl.ts) instead.
 */
import type { Run } from '../types';
import { csvDocument } from './csv-cell';

/** The CSV columns, in order. */
export const ANSWER_CSV_COLUMNS = [
  'prompt_id',
  'category',
  'prompt',
  'side',
  'model',
  'sample',
  'answer',
  'finish_reason',
  'completion_tokens',
] as const;

/** The run's answers as CSV text, ordered by prompt, then side (A first), then sample. */
export function answersToCsv(run: Run): string {
  const byId = new Map(run.prompts.map((p) => [p.id, p]));
  const rows = answersInOrder(run).map((a) => {
    const prompt = byId.get(a.promptId);
    return [
      a.promptId,
      prompt?.category ?? '',
      prompt?.text ?? '',
      a.side,
      run.models[a.side].label,
      a.sample,
      a.text,
      a.finishReason,
      a.completionTokens,
    ];
  });
  return csvDocument(ANSWER_CSV_COLUMNS, rows);
}

/** The run's answers ordered by prompt (as in the run), then side (A first), then sample. */
export function answersInOrder(run: Run): Run['answers'] {
  const order = new Map(run.prompts.map((p, i) => [p.id, i]));
  return [...run.answers].sort(
    (x, y) =>
      (order.get(x.promptId) ?? Infinity) - (order.get(y.promptId) ?? Infinity) ||
      x.side.localeCompare(y.side) ||
      x.sample - y.sample,
  );
}
