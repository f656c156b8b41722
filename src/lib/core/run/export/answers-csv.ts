/**
 * All answers of a run as one CSV (RFC 4180: CRLF line ends, fields quoted when they hold a
 * comma, quote or line break, quotes doubled). Text is written verbatim: no trimming and no
 * spreadsheet-formula escaping, since the file is data and must re-import exactly.
 */
import type { Run } from '../types';

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

/** One CSV field, quoted only when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The run's answers as CSV text, ordered by prompt, then side (A first), then sample. */
export function answersToCsv(run: Run): string {
  const order = new Map(run.prompts.map((p, i) => [p.id, i]));
  const byId = new Map(run.prompts.map((p) => [p.id, p]));
  const answers = [...run.answers].sort(
    (x, y) =>
      (order.get(x.promptId) ?? Infinity) - (order.get(y.promptId) ?? Infinity) ||
      x.side.localeCompare(y.side) ||
      x.sample - y.sample,
  );
  const lines = [ANSWER_CSV_COLUMNS.join(',')];
  for (const a of answers) {
    const prompt = byId.get(a.promptId);
    const fields = [
      a.promptId,
      prompt?.category ?? '',
      prompt?.text ?? '',
      a.side,
      run.models[a.side].label,
      String(a.sample),
      a.text,
      a.finishReason,
      a.completionTokens === undefined ? '' : String(a.completionTokens),
    ];
    lines.push(fields.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
