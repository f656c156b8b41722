/**
 * Loads Plotly on demand so the first screen's bundle stays small: our partial, CSP-safe
 * bundle (plotly-bundle.ts), in a chunk of its own.
 */
import type { PlotlyApi } from './types';

let pending: Promise<PlotlyApi> | null = null;

/** The prefix of the app's User Timing measures (DevTools' timeline; the browser bench). */
export const MEASURE_PREFIX = 'behaviour-diff: ';

/** The User Timing measure of loading Plotly. */
export const PLOTLY_MEASURE = `${MEASURE_PREFIX}load Plotly`;

/** The User Timing measure prefix of drawing one chart (its label follows). */
export const DRAW_MEASURE = `${MEASURE_PREFIX}draw `;

/** Records a User Timing measure from `start` to now; a no-op where measures are missing. */
export function measureSince(name: string, start: number): void {
  try {
    performance.measure(name, { start });
  } catch {
    // jsdom and old engines lack measure options; the measure only serves profiling.
  }
}

/** Plotly, imported once; a failed import is forgotten so the next call retries. */
export function loadPlotly(): Promise<PlotlyApi> {
  if (pending) return pending;
  const start = performance.now();
  pending = import('./plotly-bundle').then(
    (mod) => {
      // Named in DevTools' timeline and read by the browser bench: fetch plus evaluation.
      measureSince(PLOTLY_MEASURE, start);
      return mod.default as unknown as PlotlyApi;
    },
    (error: unknown) => {
      pending = null;
      throw error;
    },
  );
  return pending;
}

let webgl: boolean | undefined;

/** Whether this browser can create a WebGL context; the map falls back to SVG when not. */
export function hasWebGL(): boolean {
  if (webgl === undefined) {
    try {
      const gl = document.createElement('canvas').getContext('webgl');
      webgl = gl !== null;
      // Give the probe's context back: browsers cap live WebGL contexts per page.
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
    } catch {
      webgl = false;
    }
  }
  return webgl;
}
