// The declaration is referenced here so Node type-checks of the tests (tsconfig.node.json) see it.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./plotly.d.ts" />
/**
 * Loads Plotly on demand so the first screen's bundle stays small. The strict build is used
 * because the page's CSP forbids eval, which the regular build's WebGL traces (scattergl) need.
 */
import type { PlotlyApi } from './types';

let pending: Promise<PlotlyApi> | null = null;

/** Plotly, imported once; a failed import is forgotten so the next call retries. */
export function loadPlotly(): Promise<PlotlyApi> {
  pending ??= import('plotly.js-strict-dist-min').then(
    // The UMD bundle arrives as a default export through Vite's CommonJS interop.
    (mod) => ((mod as { default?: unknown }).default ?? mod) as PlotlyApi,
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
