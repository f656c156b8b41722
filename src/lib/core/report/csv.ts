/**
 * The report's clusters and style-features tables as CSV (csv-cell.ts: RFC 4180, text cells
 * formula-neutralised). Numbers are written unrounded so a spreadsheet can re-sort and re-test
 * them.
 */
import type { ReportJson } from '../analysis/report-json';
import { csvDocument } from '../run/export/csv-cell';
import { rankedClusters } from './html';

/** The clusters table: one row per cluster, most one-sided first as in the report. */
export function clustersCsv(report: ReportJson): string {
  const clusters = rankedClusters(report);
  return csvDocument(
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
      'noise',
      'terms_more_in_a',
      'terms_more_in_b',
    ],
    clusters.map((c) => [
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
      c.noise ? 'true' : 'false',
      c.contrastTerms.a.join('; '),
      c.contrastTerms.b.join('; '),
    ]),
  );
}

/** The style-features table: one row per feature, in the report's order. */
export function featuresCsv(report: ReportJson): string {
  return csvDocument(
    [
      'feature',
      'mean_a',
      'mean_b',
      'effect',
      'p_value',
      'q_value',
      'measure',
      'share_a',
      'share_b',
      'per_100_words_a',
      'per_100_words_b',
      'median_a',
      'median_b',
      'n_pairs',
      'n_zeros',
      'rate_opposes_count',
    ],
    report.features.map((f) => [
      f.name,
      f.meanA,
      f.meanB,
      f.effect,
      f.pValue,
      f.qValue,
      f.measure,
      f.shareA,
      f.shareB,
      f.per100wA,
      f.per100wB,
      f.medianA,
      f.medianB,
      f.nPairs,
      f.nZeros,
      f.rateOpposesCount === null ? null : String(f.rateOpposesCount),
    ]),
  );
}
