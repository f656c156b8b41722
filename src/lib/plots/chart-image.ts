/**
 * Charts as images: a drawn Plotly chart rendered to PNG or SVG (for the chart's own download
 * buttons) and to PNG data: URLs on its page background (for the HTML report).
 */
import type { ReportPlot } from '../core/report/html';
import { loadPlotly } from './loader';

/** The image formats a chart downloads as. */
export type ChartImageFormat = 'png' | 'svg';

/** A drawn chart to embed in the HTML report: its title and the element Plotly drew into. */
export interface PlotSource {
  title: string;
  element: HTMLElement | null | undefined;
}

// Plotly's image export; not part of the typed slice in plots/types.ts that the charts use.
type ToImage = (
  el: HTMLElement,
  options: { format: ChartImageFormat; width: number; height: number; scale?: number },
) => Promise<string>;

const IMAGE_TIMEOUT_MS = 10_000;

/** The chart's size on screen, with a floor so a chart in a collapsed panel still reads. */
function imageSize(el: HTMLElement): { width: number; height: number } {
  return {
    width: Math.max(400, Math.round(el.clientWidth || 800)),
    height: Math.max(200, Math.round(el.clientHeight || 400)),
  };
}

/**
 * The chart Plotly drew into `el` as a data: URL: a PNG at twice its size on screen (for sharp
 * slides) or an SVG, where WebGL layers (the map) are embedded as images.
 */
export async function chartImageUrl(el: HTMLElement, format: ChartImageFormat): Promise<string> {
  const plotly = (await loadPlotly()) as unknown as { toImage: ToImage };
  return plotly.toImage(el, {
    format,
    ...imageSize(el),
    ...(format === 'png' ? { scale: 2 } : {}),
  });
}

/**
 * The colour a chart is drawn on: charts are transparent, so the first opaque ancestor's
 * background is kept, or dark-theme text would vanish on the report's white page.
 */
export function chartBackground(el: HTMLElement): string | undefined {
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
      const dataUrl = await Promise.race([
        toImage(el, { format: 'png', ...imageSize(el) }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timed out')), IMAGE_TIMEOUT_MS),
        ),
      ]);
      plots.push({ title, dataUrl, background: chartBackground(el) });
    } catch {
      // A chart that cannot be rendered to an image is left out; the rest of the report stands.
    }
  }
  return plots;
}
