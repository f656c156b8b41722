/**
 * The approval evaluation in the reports: REPORT.json's `approval` field (every file x condition
 * row and the statements A and B disagree on most), its Markdown and HTML sections, and the
 * app's JSON export in the shape `npm run approval` writes.
 */
import type {
  ApprovalChoice,
  ApprovalCondition,
  ApprovalResults,
  ApprovalRow,
  ApprovalSetup,
  ApprovalStatementRow,
} from '../approval/types';
import { escapeHtml } from './escape-html';
import { cell } from './markdown';
import {
  ALPHA,
  formatCount,
  formatNumber,
  formatP,
  formatPercent,
  formatPoints,
  formatQ,
} from './vocabulary';

/** Disagreeing statements REPORT.json and the reports list; the app's view shows them all. */
export const REPORT_DISAGREEMENTS = 25;

/** REPORT.json's `approval` field: how the evaluation was set up and what it found. */
export interface ReportApproval {
  conditions: ApprovalCondition[];
  files: ApprovalSetup['files'];
  perFile: number | null;
  seed: number;
  /** Every file x condition comparison, as approvalResults computed it. */
  rows: ApprovalRow[];
  /** Statement x condition pairs asked of both models. */
  statements: number;
  /** Of those, the pairs where A's and B's answers differ (unclear counts as its own answer). */
  disagreements: number;
  /** The first REPORT_DISAGREEMENTS of them, biggest P(Yes) differences first where known. */
  mostDisagreeing: ApprovalStatementRow[];
}

/** The difference B − A in P(Yes) of a statement, or null when either is unknown. */
export function pYesDifference(s: Pick<ApprovalStatementRow, 'pYesA' | 'pYesB'>): number | null {
  return s.pYesA === null || s.pYesB === null ? null : s.pYesB - s.pYesA;
}

/**
 * The statements where A and B answered differently (yes, no and unclear are three answers),
 * those with the biggest known P(Yes) difference first, then the rest in their original order.
 */
export function disagreeingStatements(
  statements: readonly ApprovalStatementRow[],
): ApprovalStatementRow[] {
  const differ = statements.filter((s) => s.answerA !== s.answerB);
  const gap = (s: ApprovalStatementRow) => {
    const d = pYesDifference(s);
    return d === null ? -1 : Math.abs(d);
  };
  // Array.prototype.sort is stable, so ties (and every unknown) keep the results' order.
  return differ.sort((x, y) => gap(y) - gap(x));
}

/** The name a condition id is shown by: the setup's name for it, else the id itself. */
export function conditionName(conditions: readonly ApprovalCondition[], id: string): string {
  return conditions.find((c) => c.id === id)?.name ?? id;
}

/** REPORT.json's `approval` field from an approval run's results and setup. */
export function reportApproval(results: ApprovalResults, setup: ApprovalSetup): ReportApproval {
  const differ = disagreeingStatements(results.statements);
  return {
    conditions: setup.conditions.map((c) => ({ ...c })),
    files: setup.files.map((f) => ({ ...f })),
    perFile: setup.perFile,
    seed: setup.seed,
    rows: results.rows.map((r) => ({ ...r })),
    statements: results.statements.length,
    disagreements: differ.length,
    mostDisagreeing: differ.slice(0, REPORT_DISAGREEMENTS),
  };
}

/** A matching rate with its Wilson interval, "62.5% (40.9–80.0%)"; "–" without clear answers. */
export function rateText(rate: number | null, ci: [number, number] | null): string {
  if (rate === null) return '–';
  return ci
    ? `${formatPercent(rate)} (${formatPercent(ci[0])}–${formatPercent(ci[1])})`
    : formatPercent(rate);
}

/** B − A in matching rate, "+12.5 pp"; "–" when either rate is missing. */
export function rateDifferenceText(row: Pick<ApprovalRow, 'matchA' | 'matchB'>): string {
  return row.matchA === null || row.matchB === null ? '–' : formatPoints(row.matchB - row.matchA);
}

/** The mean P(Yes) shift with its count and p, or "–" when no statement had both. */
export function pYesShiftText(shift: ApprovalRow['pYesShift']): string {
  if (!shift) return '–';
  const p = shift.pValue === null ? '' : `, p = ${formatP(shift.pValue)}`;
  return `${shift.mean >= 0 ? '+' : '−'}${formatNumber(Math.abs(shift.mean), 3)} (n = ${shift.n}${p})`;
}

/** An answer with its P(Yes) when known: "yes (P(Yes) 0.91)". */
export function answerText(answer: ApprovalChoice, pYes: number | null): string {
  return pYes === null ? answer : `${answer} (P(Yes) ${formatNumber(pYes, 2)})`;
}

/** How the approval tables were computed, in words, for the reports and the view. */
export const APPROVAL_METHOD =
  'Each row is one statement file under one condition. "Matches" is the share of a model’s clear ' +
  'answers (yes or no) that match the behaviour, with a Wilson 95% interval; unclear answers ' +
  '(neither yes nor no) are counted apart and never as yes or no. Only A / only B are the ' +
  'statements where just one model’s clear answer matches; McNemar’s exact test compares them, ' +
  `and q is Benjamini-Hochberg across every row (significant when q is below ${ALPHA}). The P(Yes) ` +
  'shift is the mean of B − A where both probabilities are known, with a paired test.';

/** The approval section of the Markdown report. */
export function approvalMarkdown(report: ReportApproval): string {
  const name = (id: string) => conditionName(report.conditions, id);
  const lines = [
    '## Approval evaluation',
    '',
    `${formatCount(report.files.length, 'statement file')}, ${formatCount(report.conditions.length, 'condition')}, ${formatCount(report.statements, 'statement')} asked of both models${report.perFile === null ? '' : ` (at most ${report.perFile} per file, seed ${report.seed})`}.`,
    '',
    APPROVAL_METHOD,
    '',
    '| file | condition | n | A matches (95% CI) | B matches (95% CI) | B − A | unclear A | unclear B | only A | only B | p | q | P(Yes) shift |',
    '| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of report.rows) {
    const sig = r.qValue !== null && r.qValue < ALPHA ? ' **' : '';
    lines.push(
      `| ${cell(r.file)} | ${cell(name(r.condition))} | ${r.n} | ${rateText(r.matchA, r.ciA)} | ${rateText(r.matchB, r.ciB)} | ${rateDifferenceText(r)} | ${formatPercent(r.unclearA)} | ${formatPercent(r.unclearB)} | ${r.onlyA} | ${r.onlyB} | ${formatP(r.pValue)} | ${formatQ(r.qValue)}${sig} | ${pYesShiftText(r.pYesShift)} |`,
    );
  }
  lines.push(
    '',
    '### Statements where A and B disagree',
    '',
    `${report.disagreements} of ${report.statements} statement and condition pairs got different answers${report.mostDisagreeing.length < report.disagreements ? `; the first ${report.mostDisagreeing.length}, biggest P(Yes) differences first, are listed` : ''}.`,
    '',
  );
  if (report.mostDisagreeing.length > 0) {
    lines.push(
      '| file | condition | statement | matching | A | B | A replied | B replied |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const s of report.mostDisagreeing) {
      lines.push(
        `| ${cell(s.file)} | ${cell(name(s.condition))} | ${cell(s.statement, 200)} | ${s.matching} | ${answerText(s.answerA, s.pYesA)} | ${answerText(s.answerB, s.pYesB)} | ${cell(s.textA)} | ${cell(s.textB)} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** The approval section of the HTML report; every statement and reply is escaped. */
export function approvalHtml(report: ReportApproval): string {
  const e = escapeHtml;
  const name = (id: string) => conditionName(report.conditions, id);
  const out = [
    '<h2>Approval evaluation</h2>',
    `<p>${formatCount(report.files.length, 'statement file')}, ${formatCount(report.conditions.length, 'condition')}, ${formatCount(report.statements, 'statement')} asked of both models.</p>`,
    `<p class="muted">${e(APPROVAL_METHOD)}</p>`,
    '<table data-section="approval"><thead><tr><th>file</th><th>condition</th><th class="n">n</th><th>A matches (95% CI)</th><th>B matches (95% CI)</th><th class="n">B − A</th><th class="n">unclear A</th><th class="n">unclear B</th><th class="n">only A</th><th class="n">only B</th><th class="n">p</th><th class="n">q</th><th>P(Yes) shift</th></tr></thead><tbody>',
  ];
  for (const r of report.rows) {
    const sig = r.qValue !== null && r.qValue < ALPHA;
    out.push(
      `<tr${sig ? ' class="sig"' : ''}><td>${e(r.file)}</td><td>${e(name(r.condition))}</td><td class="n">${r.n}</td><td>${rateText(r.matchA, r.ciA)}</td><td>${rateText(r.matchB, r.ciB)}</td><td class="n">${rateDifferenceText(r)}</td><td class="n">${formatPercent(r.unclearA)}</td><td class="n">${formatPercent(r.unclearB)}</td><td class="n">${r.onlyA}</td><td class="n">${r.onlyB}</td><td class="n">${formatP(r.pValue)}</td><td class="n">${formatQ(r.qValue)}</td><td>${e(pYesShiftText(r.pYesShift))}</td></tr>`,
    );
  }
  out.push(
    '</tbody></table>',
    '<h3>Statements where A and B disagree</h3>',
    `<p>${report.disagreements} of ${report.statements} statement and condition pairs got different answers.</p>`,
  );
  if (report.mostDisagreeing.length > 0) {
    out.push(
      '<table data-section="approval-disagreements"><thead><tr><th>file</th><th>condition</th><th>statement</th><th>matching</th><th>A</th><th>B</th><th>A replied</th><th>B replied</th></tr></thead><tbody>',
    );
    for (const s of report.mostDisagreeing) {
      out.push(
        `<tr><td>${e(s.file)}</td><td>${e(name(s.condition))}</td><td>${e(s.statement)}</td><td>${s.matching}</td><td>${e(answerText(s.answerA, s.pYesA))}</td><td>${e(answerText(s.answerB, s.pYesB))}</td><td><blockquote>${e(s.textA)}</blockquote></td><td><blockquote>${e(s.textB)}</blockquote></td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  return out.join('\n');
}

/** The app's approval JSON export, in the shape `npm run approval` writes (and the reply texts). */
export function approvalExport(results: ApprovalResults): {
  results: ApprovalRow[];
  statements: ApprovalStatementRow[];
} {
  return {
    results: results.rows.map((r) => ({ ...r })),
    statements: results.statements.map((s) => ({ ...s })),
  };
}

/** The columns the approval table sorts by. */
export type ApprovalSortKey =
  | 'file'
  | 'condition'
  | 'n'
  | 'matchA'
  | 'matchB'
  | 'difference'
  | 'unclearA'
  | 'unclearB'
  | 'onlyA'
  | 'onlyB'
  | 'pValue'
  | 'qValue'
  | 'pYesShift';

/** The value a row sorts by under `key`; null (no value) always sorts last. */
function sortValue(row: ApprovalRow, key: ApprovalSortKey): number | string | null {
  switch (key) {
    case 'difference':
      return row.matchA === null || row.matchB === null ? null : row.matchB - row.matchA;
    case 'pYesShift':
      return row.pYesShift?.mean ?? null;
    default:
      return row[key];
  }
}

/**
 * The rows sorted by `key` (ascending, or descending), missing values last either way; ties
 * keep the results' order (file, then condition).
 */
export function sortApprovalRows(
  rows: readonly ApprovalRow[],
  key: ApprovalSortKey,
  descending = false,
): ApprovalRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((x, y) => {
    const a = sortValue(x, key);
    const b = sortValue(y, key);
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    if (typeof a === 'string' || typeof b === 'string')
      return sign * String(a).localeCompare(String(b));
    return sign * (a - b);
  });
}
