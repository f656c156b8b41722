/**
 * The one way the app writes a CSV cell, for every CSV it exports (answers, report tables).
 *
 * RFC 4180: a cell is quoted when it holds a comma, quote or line break, quotes doubled.
 * Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula, and answers come from models and imported files, so following OWASP's advice on CSV
 * injection every text cell that starts with one of them gets a leading single quote (`'`),
 * which spreadsheets show as text. Numbers the app computed itself (counts, shares, p-values,
 * negative differences included) are written as plain numbers so they stay sortable and
 * computable; they are not text anyone typed. The escaping changes such text cells, so the
 * exact text goes to the JSONL export instead.
 */

/** Characters that make a spreadsheet read a cell as a formula when they start it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `text` with a leading `'` when a spreadsheet would otherwise run it as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One CSV cell: text is formula-neutralised and quoted when it must be; numbers are written as
 * they are; null and undefined are empty.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return quote(neutraliseFormula(value));
}

/** One CSV record (without its line end). */
export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',');
}

/** A whole CSV document: header and records, CRLF line ends, ending with one. */
export function csvDocument(
  header: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
): string {
  return [csvRow(header), ...rows.map(csvRow)].join('\r\n') + '\r\n';
}
