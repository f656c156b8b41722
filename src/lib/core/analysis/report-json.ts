/**
 * REPORT.json: the documented, stable contract of `npm run analyze` (see README, "Analysis
 * report"). Fields are only ever added, never renamed or removed.
 */
import type { ImportReport } from '../run/import/types';
import type { Prompt } from '../run/types';
import type {
  ClusterResult,
  FeatureResult,
  WordResult,
  WordsResult,
} from '../compare/result-types';
import type { AnalysisResult } from './pipeline';

/** One cluster in the report: the comparison's cluster without internal answer indices. */
export type ReportCluster = Omit<ClusterResult, 'exemplarAnswers'>;

/** One style feature in the report. */
export type ReportFeature = Pick<
  FeatureResult,
  'name' | 'meanA' | 'meanB' | 'effect' | 'pValue' | 'qValue'
>;

/** A prompt, or a row, the importer left out, and where it was found in the files. */
export interface ReportImportRow {
  prompt: string;
  /** File and line, row or index, e.g. `a.jsonl line 3` or `before.json [12]`. */
  location: string;
}

/** What the import of the two answer files left out, so nothing is dropped without a word. */
export interface ReportImport {
  /** Prompts only model A answered; not analysed. */
  promptsOnlyInA: ReportImportRow[];
  /** Prompts only model B answered; not analysed. */
  promptsOnlyInB: ReportImportRow[];
  /** Repeated (prompt, model, sample) rows; the first of each was kept. */
  duplicates: (ReportImportRow & { side: 'A' | 'B' })[];
  /** What the importer chose or noticed, in words. */
  warnings: string[];
}

/** The import report in REPORT.json's shape. */
export function reportImport(report: ImportReport): ReportImport {
  const row = (r: { prompt: string; location: string }) => ({
    prompt: r.prompt,
    location: r.location,
  });
  return {
    promptsOnlyInA: report.unmatched.filter((r) => r.side === 'A').map(row),
    promptsOnlyInB: report.unmatched.filter((r) => r.side === 'B').map(row),
    duplicates: report.duplicates.map((r) => ({ side: r.side, ...row(r) })),
    warnings: [...report.warnings],
  };
}

/**
 * One word or bigram in the report. `z` is the signed score of the paired presence test
 * (positive: more in B); countA/countB are the answers containing it. For an analysis saved
 * before presence testing (`words.test` 'log-odds') z is the log-odds z and the rest are null.
 */
export interface ReportWord {
  term: string;
  z: number;
  countA: number | null;
  countB: number | null;
  qValue: number | null;
}

/** The report's words: how they were tested, and the top terms of each side. */
export interface ReportWords {
  test: WordsResult['test'];
  /** Terms tested (the BH family). */
  tested: number;
  moreInA: ReportWord[];
  moreInB: ReportWord[];
}

const reportWord = (test: WordsResult['test'], w: WordResult): ReportWord =>
  test === 'log-odds'
    ? { term: w.term, z: w.z, countA: null, countB: null, qValue: null }
    : { term: w.term, z: w.z, countA: w.countA, countB: w.countB, qValue: w.qValue };

/** The REPORT.json document. */
export interface ReportJson {
  n: { prompts: number; answersA: number; answersB: number };
  overall: { method: string; statistic: number; pValue: number };
  clusters: ReportCluster[];
  features: {
    name: string;
    meanA: number;
    meanB: number;
    effect: number | null;
    pValue: number | null;
    qValue: number | null;
  }[];
  words: ReportWords;
  prompts: { prompt: string; promptId: string; divergence: number }[];
  timings: Record<string, number>;
  params: AnalysisResult['params'] & { k: number | 'auto'; kChosen: number };
  models?: { A: string; B: string };
  /** What importing the answer files left out (the CLI; absent for runs made in the app). */
  import?: ReportImport;
}

/** Builds REPORT.json from an analysis; `prompts` turns prompt ids back into their text. */
export function toReportJson(
  result: AnalysisResult,
  prompts: readonly Prompt[],
  extra: {
    timings?: Record<string, number>;
    models?: { A: string; B: string };
    importReport?: ImportReport;
  } = {},
): ReportJson {
  const text = new Map(prompts.map((p) => [p.id, p.text]));
  const c = result.comparison;
  return {
    n: result.n,
    overall: { method: c.overall.method, statistic: c.overall.statistic, pValue: c.overall.pValue },
    clusters: c.clusters.map(({ exemplarAnswers: _indices, ...cluster }) => cluster),
    features: c.features.map((f) => ({
      name: f.name,
      meanA: f.meanA,
      meanB: f.meanB,
      effect: f.effect,
      pValue: f.pValue,
      qValue: f.qValue,
    })),
    words: {
      test: c.words.test,
      tested: c.words.tested,
      moreInA: c.words.moreInA.map((w) => reportWord(c.words.test, w)),
      moreInB: c.words.moreInB.map((w) => reportWord(c.words.test, w)),
    },
    prompts: c.prompts.map((p) => ({
      prompt: text.get(p.prompt) ?? p.prompt,
      promptId: p.prompt,
      divergence: p.divergence,
    })),
    timings: { ...extra.timings, ...result.timings },
    params: { ...result.params, kChosen: result.clustering.k },
    ...(extra.models ? { models: extra.models } : {}),
    ...(extra.importReport ? { import: reportImport(extra.importReport) } : {}),
  };
}
