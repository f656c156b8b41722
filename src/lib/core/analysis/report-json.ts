/**
 * REPORT.json: the documented, stable contract of `npm run analyze` (see README, "Analysis
 * report"). Fields are only ever added, never renamed or removed.
 */
import type { ReportSupervisorFields } from '../explain/report-fields';
import type { ReportApproval } from '../report/approval-text';
import type { ReportContrastive } from '../report/contrastive-text';
import { clusterQuality, type ClusterQuality } from '../compare/cluster-quality';
import type { ImportReport } from '../run/import/types';
import type { Prompt, Side } from '../run/types';
import type {
  CategoryResult,
  ChangeCluster,
  ChangesResult,
  PhrasesResult,
  ClusterResult,
  FeatureResult,
  WordResult,
  WordsResult,
} from '../compare/result-types';
import { headline } from '../report/headline';
import { embedderNote } from './embedder-note';
import type { AnalysisResult } from './pipeline';

/** One cluster in the report: the comparison's cluster without internal answer indices. */
export type ReportCluster = Omit<ClusterResult, 'exemplarAnswers'>;

/** One style feature in the report. */
export type ReportFeature = Pick<
  FeatureResult,
  'name' | 'meanA' | 'meanB' | 'effect' | 'pValue' | 'qValue'
>;

/**
 * One feature row of REPORT.json: the mean count, and (null in an analysis saved before they
 * were computed) the primary measure, the share of answers showing it, the rate per 100 words,
 * the median, the paired prompts and those with no difference, and whether the rate moves
 * against the count.
 */
export interface ReportFeatureRow {
  name: string;
  meanA: number;
  meanB: number;
  effect: number | null;
  pValue: number | null;
  qValue: number | null;
  measure: 'presence' | 'rate' | 'length' | null;
  shareA: number | null;
  shareB: number | null;
  per100wA: number | null;
  per100wB: number | null;
  medianA: number | null;
  medianB: number | null;
  nPairs: number;
  nZeros: number;
  rateOpposesCount: boolean | null;
}

/** The REPORT.json row of one feature. */
function reportFeature(f: FeatureResult): ReportFeatureRow {
  return {
    name: f.name,
    meanA: f.meanA,
    meanB: f.meanB,
    effect: f.effect,
    pValue: f.pValue,
    qValue: f.qValue,
    measure: f.measure ?? null,
    shareA: f.shareA ?? null,
    shareB: f.shareB ?? null,
    per100wA: f.per100wA ?? null,
    per100wB: f.per100wB ?? null,
    medianA: f.medianA ?? null,
    medianB: f.medianB ?? null,
    nPairs: f.nPairs,
    nZeros: f.nZeros,
    rateOpposesCount: f.rateOpposesCount ?? null,
  };
}

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
  duplicates: (ReportImportRow & { side: Side })[];
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

/**
 * One prompt in the report, most divergent after length adjustment first. `divergence` is the
 * embedding distance (cosine: 1 - cos, in [0, 2], less the noise floor with several samples);
 * `lengthRatio` is (mean words of B + 1) / (mean words of A + 1); `divergenceAdjusted` is the
 * robust z-score of the divergence among prompts of a similar length ratio (equal-count bands of
 * |ln lengthRatio|); `answers` are the openings of both sides' first answers. The last three are null for an analysis saved before they existed.
 */
export interface ReportPrompt {
  prompt: string;
  promptId: string;
  divergence: number;
  lengthRatio: number | null;
  divergenceAdjusted: number | null;
  answers: { a: string; b: string } | null;
}

/** One answer's cluster, so anyone can audit the clusters against the answers. */
export interface ReportAssignment {
  promptId: string;
  /** The prompt's text, to join with one's own files. */
  prompt: string;
  side: Side;
  sample: number;
  /** Cluster id (-1: HDBSCAN noise, in no cluster). */
  cluster: number;
}

/**
 * REPORT.json's version: 2 since issue 9, when `refusals` came to mean "declines the task" (it
 * counted apology and disclaimer phrases before) and `words[].z` became the signed score of the
 * paired presence test (it was the per-token log-odds z before).
 */
export const REPORT_VERSION = 2;

/** The REPORT.json document. */
export interface ReportJson {
  /** The contract's version (REPORT_VERSION); first, so a reader can branch on it. */
  reportVersion: typeof REPORT_VERSION;
  /** The headline (report/headline.ts): largest significant effects first, then the overall test. */
  headline: string[];
  /** Prompts, answers per side, and prompts both sides answered (the paired tests' prompts). */
  n: { prompts: number; answersA: number; answersB: number; pairedPrompts: number };
  overall: { method: string; statistic: number; pValue: number };
  /** Clusters by id; `noise` marks HDBSCAN's noise (no terms), shown last. */
  clusters: ReportCluster[];
  /** How far the clusters can be trusted, with a plain warning when they are weak. */
  clusterQuality: ClusterQuality;
  /** Every answer's cluster, in the analysis' row order. */
  assignments: ReportAssignment[];
  /** Style features and detectors; pValue/effect from each one's primary `measure`. */
  features: ReportFeatureRow[];
  words: ReportWords;
  prompts: ReportPrompt[];
  /** Openings (first three words) tested by paired presence; null when not computed. */
  openings: PhrasesResult | null;
  /** Closings (last three words) tested by paired presence; null when not computed. */
  closings: PhrasesResult | null;
  /** Clusters of per-prompt change (compare/change-clusters.ts); empty when not computed. */
  changes: ChangeCluster[];
  /** How the clusters of change were found; null when not computed (too few paired prompts). */
  changeClustering: Omit<ChangesResult, 'clusters'> | null;
  /** Features within each prompt category; absent when prompts have no categories. */
  categories?: CategoryResult[];
  timings: Record<string, number>;
  params: AnalysisResult['params'] & { k: number | 'auto'; kChosen: number };
  models?: { A: string; B: string };
  /** What importing the answer files left out (the CLI; absent for runs made in the app). */
  import?: ReportImport;
  /** Limits of the method a reader must know, e.g. what the embedder cannot see; may be empty. */
  notes: string[];
  /** The supervisor's cluster labels, property clusters and validated hypotheses, when one ran. */
  labels?: ReportSupervisorFields['labels'];
  properties?: ReportSupervisorFields['properties'];
  hypotheses?: ReportSupervisorFields['hypotheses'];
  supervisor?: ReportSupervisorFields['supervisor'];
  /** The approval evaluation (report/approval-text.ts), when the run is one. */
  approval?: ReportApproval;
  /** The run's latest contrastive scoring (report/contrastive-text.ts), when it has one. */
  contrastive?: ReportContrastive;
}

/** The clusters of change without their clusters (REPORT.json lists those in `changes`). */
function changeClustering({ clusters: _clusters, ...rest }: ChangesResult) {
  return rest;
}

/** The clusters of change as the comparison had them, from REPORT.json's two fields. */
export function reportChanges(report: ReportJson): ChangesResult | null {
  return report.changeClustering ? { ...report.changeClustering, clusters: report.changes } : null;
}

/** Builds REPORT.json from an analysis; `prompts` turns prompt ids back into their text. */
export function toReportJson(
  result: AnalysisResult,
  prompts: readonly Prompt[],
  extra: {
    timings?: Record<string, number>;
    models?: { A: string; B: string };
    importReport?: ImportReport;
    /** The supervisor's fields (core/explain/report-fields.ts), when one ran. */
    supervisor?: ReportSupervisorFields;
    /** The approval evaluation's field (report/approval-text.ts), for an approval run. */
    approval?: ReportApproval;
    /** The contrastive scores' field (report/contrastive-text.ts), for a run that has them. */
    contrastive?: ReportContrastive;
  } = {},
): ReportJson {
  const text = new Map(prompts.map((p) => [p.id, p.text]));
  const c = result.comparison;
  return {
    reportVersion: REPORT_VERSION,
    headline: headline(c),
    n: { ...result.n, pairedPrompts: c.counts.pairedPrompts },
    overall: { method: c.overall.method, statistic: c.overall.statistic, pValue: c.overall.pValue },
    clusters: c.clusters.map(({ exemplarAnswers: _indices, ...cluster }) => cluster),
    clusterQuality: clusterQuality(
      result.clustering.silhouette,
      result.clustering.stability?.mean ?? null,
      result.clustering.noise,
    ),
    assignments: result.rows.map((r, i) => ({
      promptId: r.promptId,
      prompt: text.get(r.promptId) ?? r.promptId,
      side: r.side,
      sample: r.sample,
      cluster: result.labels[i]!,
    })),
    features: c.features.map(reportFeature),
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
      lengthRatio: p.lengthRatio,
      divergenceAdjusted: p.divergenceAdjusted,
      answers: p.answers,
    })),
    openings: c.openings,
    closings: c.closings,
    changes: c.changes?.clusters ?? [],
    changeClustering: c.changes ? changeClustering(c.changes) : null,
    ...(c.categories ? { categories: c.categories } : {}),
    timings: { ...extra.timings, ...result.timings },
    params: { ...result.params, kChosen: result.clustering.k },
    ...(extra.models ? { models: extra.models } : {}),
    ...(extra.importReport ? { import: reportImport(extra.importReport) } : {}),
    notes: [embedderNote(result.params.embedderId)].filter((n): n is string => n !== null),
    ...extra.supervisor,
    ...(extra.approval ? { approval: extra.approval } : {}),
    ...(extra.contrastive ? { contrastive: extra.contrastive } : {}),
  };
}
