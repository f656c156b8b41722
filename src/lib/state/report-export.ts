/**
 * Downloading the analysis report (Markdown, HTML with plot images) and its tables as CSV; the
 * images themselves are plot work (plots/chart-image.ts).
 */
import { toReportJson, type AnalysisResult, type ReportJson } from '../core/analysis';
import type { Supervision } from '../core/explain/explanation-of';
import { reportSupervisorFields } from '../core/explain/report-fields';
import { clustersCsv, featuresCsv } from '../core/report/csv';
import { reportHtml } from '../core/report/html';
import { cell, reportMarkdown } from '../core/report/markdown';
import type { Run } from '../core/run/types';
import { approvalResults } from '../core/approval/stats';
import { reportApproval } from '../core/report/approval-text';
import type { ContrastiveScoresResult } from '../core/contrastive/types';
import { reportContrastive } from '../core/report/contrastive-text';
import { capturePlots, type PlotSource } from '../plots/chart-image';
import { downloadFile, fileStem } from './download';

/** The report files the results view offers. */
export type ReportKind = 'markdown' | 'html' | 'clusters-csv' | 'features-csv';

/** What a report is made from. */
export interface ReportSource {
  result: AnalysisResult;
  /**
   * Prompt texts (for the divergent prompts) and, when present, the run's name for file names;
   * an approval run's setup and answers add the approval section.
   */
  run: Pick<Run, 'prompts'> & Partial<Pick<Run, 'name' | 'approval' | 'answers'>>;
  labels: { A: string; B: string };
  /** The supervisor's results on this analysis, when one ran. */
  supervision?: Supervision | null;
  /** The run's latest contrastive scores (latestContrastiveScores), for the reports' section. */
  contrastive?: ContrastiveScoresResult | null;
}

/** REPORT.json for the results on screen. */
export function reportOf(source: ReportSource): ReportJson {
  const s = source.supervision;
  const { prompts, approval, answers } = source.run;
  return toReportJson(source.result, prompts, {
    models: source.labels,
    ...(s ? { supervisor: reportSupervisorFields(s.explanation, s.hypotheses) } : {}),
    ...(approval && answers
      ? { approval: reportApproval(approvalResults(prompts, answers, approval), approval) }
      : {}),
    ...(source.contrastive ? { contrastive: reportContrastive(source.contrastive, prompts) } : {}),
  });
}

/** Builds report `kind` and offers it as a download; plots are used by the HTML report only. */
export async function downloadReport(
  kind: ReportKind,
  source: ReportSource,
  plots: readonly PlotSource[] = [],
): Promise<void> {
  const report = reportOf(source);
  const stem = `${fileStem(source.run.name ?? 'run')}-report`;
  const title = source.run.name ? `Behaviour Diff report: ${source.run.name}` : undefined;
  switch (kind) {
    case 'markdown':
      // reportMarkdown writes the title as given; the run name is user text, so escape it here.
      downloadFile(
        `${stem}.md`,
        reportMarkdown(report, title && cell(title, 200)),
        'text/markdown;charset=utf-8',
      );
      return;
    case 'html': {
      const images = await capturePlots(plots);
      const html = reportHtml(report, {
        title,
        plots: images,
        createdAt: new Date().toISOString(),
      });
      downloadFile(`${stem}.html`, html, 'text/html;charset=utf-8');
      return;
    }
    case 'clusters-csv':
      downloadFile(`${stem}-clusters.csv`, clustersCsv(report), 'text/csv;charset=utf-8');
      return;
    case 'features-csv':
      downloadFile(`${stem}-features.csv`, featuresCsv(report), 'text/csv;charset=utf-8');
      return;
  }
}
