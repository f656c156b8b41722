/**
 * One row per analysed answer, with the cluster it was put in and the value of every style
 * feature for it (`npm run analyze -- --csv`), so that anyone can check a cluster or a feature
 * against the answers themselves. Written with the app's one CSV cell writer (csv-cell.ts), so
 * text that a spreadsheet would run as a formula is neutralised.
 */
import type { Answer, Prompt } from '../run/types';
import { csvDocument } from '../run/export/csv-cell';
import { STYLE_FEATURE_NAMES, styleFeatureColumns } from '../text/style-features';

/** The columns before the features; the answer text comes last, after the features. */
export const ANSWER_FEATURES_CSV_LEADING = [
  'promptId',
  'prompt',
  'side',
  'sample',
  'cluster',
] as const;

/** The header of the per-answer CSV: identity, cluster, each style feature, the answer. */
export function answerFeaturesCsvHeader(): string[] {
  return [...ANSWER_FEATURES_CSV_LEADING, ...STYLE_FEATURE_NAMES, 'answer'];
}

/**
 * The per-answer CSV of an analysis: `answers` in the order of `labels` (the analysis rows);
 * cluster -1 is HDBSCAN noise, as in REPORT.json.
 * @throws RangeError when there is not one label per answer.
 */
export function answerFeaturesCsv(
  prompts: readonly Prompt[],
  answers: readonly Answer[],
  labels: ArrayLike<number>,
): string {
  if (labels.length !== answers.length) {
    throw new RangeError(`${answers.length} answers but ${labels.length} cluster labels`);
  }
  const text = new Map(prompts.map((p) => [p.id, p.text]));
  const features = styleFeatureColumns(
    answers.map((a) => a.text),
    answers.map((a) => text.get(a.promptId) ?? ''),
  );
  const rows = answers.map((a, i) => [
    a.promptId,
    text.get(a.promptId) ?? '',
    a.side,
    a.sample,
    labels[i]!,
    ...STYLE_FEATURE_NAMES.map((name) => features[name][i]!),
    a.text,
  ]);
  return csvDocument(answerFeaturesCsvHeader(), rows);
}
