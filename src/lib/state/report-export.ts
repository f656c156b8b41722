/** Downloading the analysis report (Markdown, HTML with plot images) and its tables as CSV. */
import { toReportJson, type AnalysisResult, type ReportJson } from '../core/analysis';
import { clustersCsv, featuresCsv } from '../core/report/csv';
import { reportHtml, type ReportPlot } from '../core/report/html';
import { cell, reportMarkdown } from '../core/report/markdown';
import type { Run } from '../core/run/types';
import { loadPlotly } from '../plots/loader';
import { dataUrlBlob, downloadFile, fileStem } from './download';

/** The report files the results view offers. */
export type ReportKind = 'markdown' | 'html' | 'clusters-csv' | 'features-csv';

/** What a report is made from. */
export interface ReportSource {
  result: AnalysisResult;
  /** Prompt texts (for the divergent prompts) and, when present, the run's name for file names. */
  run: Pick<Run, 'prompts'> & Partial<Pick<Run, 'name'>>;
  labels: { A: string; B: string };
}

/** A drawn chart to embed in the HTML report: its title and the element Plotly drew into. */
export interface PlotSource {
  title: string;
  element: HTMLElement | null | undefined;
}

/** REPORT.json for the results on screen. */
export function reportOf(source: ReportSource): ReportJson {
  return toReportJson(source.result, source.run.prompts, { models: source.labels });
}

// Plotly's image export; not part of the typed slice in plots/types.ts that the charts use.
type ToImage = (
  el: HTMLElement,
  options: { format: ChartImageFormat; width: number; height: number; scale?: number },
) => Promise<string>;

/** The image formats a chart downloads as. */
export type ChartImageFormat = 'png' | 'svg';

/**
 * Downloads the chart Plotly drew into `el` as `<name>.png` (at twice its size on screen, for
 * sharp slides) or `<name>.svg`. WebGL layers (the map) are embedded as images in the SVG.
 */
export async function downloadChart(
  el: HTMLElement,
  format: ChartImageFormat,
  name: string,
): Promise<void> {
  const plotly = (await loadPlotly()) as unknown as { toImage: ToImage };
  const width = Math.max(400, Math.round(el.clientWidth || 800));
  const height = Math.max(200, Math.round(el.clientHeight || 400));
  const url = await plotly.toImage(el, {
    format,
    width,
    height,
    ...(format === 'png' ? { scale: 2 } : {}),
  });
  const blob = dataUrlBlob(url);
  downloadFile(`${fileStem(name)}.${format}`, blob, blob.type);
}

const IMAGE_TIMEOUT_MS = 10_000;

/**
 * The colour a chart is drawn on: charts are transparent, so the first opaque ancestor's
 * background is kept, or dark-theme text would vanish on the report's white page.
 */
function backgroundOf(el: HTMLElement): string | undefined {
  for (let node: HTMLElement | null = el; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour && colour !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(colour)) return colour;
  }
  return undefined;
}

/**
 * Renders each drawn chart to a PNG data: URL. Charts not drawn yet (or failing to render) are
 * skipped: the report then says plots are omitted rather than failing the whole download.
 */
export async function capturePlots(sources: readonly PlotSource[]): Promise<ReportPlot[]> {
  const drawn = sources
    .map((s) => ({ title: s.title, el: s.element?.querySelector<HTMLElement>('.js-plotly-plot') }))
    .filter((s): s is { title: string; el: HTMLElement } => !!s.el);
  if (drawn.length === 0) return [];
  const plotly = (await loadPlotly()) as unknown as { toImage?: ToImage };
  const toImage = plotly.toImage;
  if (!toImage) return [];
  const plots: ReportPlot[] = [];
  for (const { title, el } of drawn) {
    try {
      const width = Math.max(400, Math.round(el.clientWidth || 800));
      const height = Math.max(200, Math.round(el.clientHeight || 400));
      const dataUrl = await Promise.race([
        toImage(el, { format: 'png', width, height }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timed out')), IMAGE_TIMEOUT_MS),
        ),
      ]);
      plots.push({ title, dataUrl, background: backgroundOf(el) });
    } catch {
      // A chart that cannot be rendered to an image is left out; the rest of the report stands.
    }
  }
  return plots;
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
