/**
 * The import report in a few lines for the terminal: how many prompts only one model answered,
 * how many rows repeated, with the first few of each; REPORT.json's `import` holds them all.
 */
import type { ReportImport, ReportImportRow } from '../src/lib/core/analysis/report-json';

/** How many rows of each kind are named in the terminal. */
export const SHOWN_PER_KIND = 3;

const PROMPT_CHARS = 60;

/**
 * `text` on one line, shortened and quoted. Prompts come from the files, so control characters
 * (a terminal escape sequence among them) are shown as escapes, never sent to the terminal.
 */
function quoted(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > PROMPT_CHARS ? `${oneLine.slice(0, PROMPT_CHARS - 1)}…` : oneLine;
  // JSON.stringify escapes C0 controls; C1 controls (e.g. U+009B, a one-byte CSI) are escaped here.
  return JSON.stringify(short).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function kindLine(label: string, rows: readonly ReportImportRow[], tail: string): string {
  const named = rows
    .slice(0, SHOWN_PER_KIND)
    .map((r) => `${quoted(r.prompt)} (${r.location})`)
    .join('; ');
  const more = rows.length > SHOWN_PER_KIND ? `; and ${rows.length - SHOWN_PER_KIND} more` : '';
  return `${label} ${tail}: ${named}${more}`;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The lines to print for an import; none when both files matched exactly and nothing was noted. */
export function importSummaryLines(report: ReportImport): string[] {
  const lines: string[] = [];
  for (const side of ['A', 'B'] as const) {
    const rows = side === 'A' ? report.promptsOnlyInA : report.promptsOnlyInB;
    if (rows.length === 0) continue;
    lines.push(
      kindLine(count(rows.length, 'prompt', 'prompts'), rows, `only in ${side} (not analysed)`),
    );
  }
  if (report.duplicates.length > 0) {
    lines.push(
      kindLine(
        count(report.duplicates.length, 'duplicate row', 'duplicate rows'),
        report.duplicates,
        '(the first of each kept)',
      ),
    );
  }
  lines.push(...report.warnings.map((w) => `warning: ${w}`));
  return lines.length === 0
    ? []
    : [...lines, 'every one is listed in the report\'s "import" field'];
}
