/**
 * The report's clusters and style-features tables as CSV (RFC 4180: CRLF line ends, fields quoted
 * when they must be). Numbers are written unrounded so a spreadsheet can re-sort and re-test them.
 */
import type { ReportJson } from '../analysis/report-json';
import { csvField } from '../run/export/answers-csv';
import { rankedClusters } from './html';

const row = (fields: readonly (string | number | null)[]): string =>
  fields.map((f) => csvField(f === null ? '' : String(f))).join(',');

const table = (header: readonly string[], rows: string[]): string =>
  [row(header), ...rows].join('\r\n') + '\r\n';

/** The clusters table: one row per cluster, most significant first as in the report. */
export function clustersCsv(report: ReportJson): string {
  const clusters = rankedClusters(report);
  return table(
    [
      'cluster',
      'size',
      'count_a',
      'count_b',
      'share_a',
      'share_b',
      'difference',
      'ci_low',
      'ci_high',
      'p_value',
      'q_value',
      'terms',
    ],
    clusters.map((c) =>
      row([
        c.id,
        c.size,
        c.countA,
        c.countB,
        c.shareA,
        c.shareB,
        c.difference,
        c.ciLow,
        c.ciHigh,
        c.pValue,
        c.qValue,
        c.terms.join('; '),
      ]),
    ),
  );
}

/** The style-features table: one row per feature, in the report's order. */
export function featuresCsv(report: ReportJson): string {
  return table(
    ['feature', 'mean_a', 'mean_b', 'effect', 'p_value', 'q_value'],
    report.features.map((f) => row([f.name, f.meanA, f.meanB, f.effect, f.pValue, f.qValue])),
  );
}
