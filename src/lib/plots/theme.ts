/** Colours and a shared layout base for plots, read from the page's CSS variables. */
import type { Layout } from './types';

/** The colours a plot needs; see the CSS variables in app.css. */
export interface PlotTheme {
  text: string;
  muted: string;
  border: string;
  sideA: string;
  sideB: string;
  /** The middle of diverging scales: close to the card background. */
  neutral: string;
}

/** Fallbacks for Node tests and for a page without the app's stylesheet. */
export const DEFAULT_THEME: PlotTheme = {
  text: '#1d1f23',
  muted: '#5d6470',
  border: '#d9dbd6',
  sideA: '#2f6fd6',
  sideB: '#c46a00',
  neutral: '#f0f0ed',
};

/** Reads the current theme's colours from CSS; call again after the theme changes. */
export function readTheme(el: Element = document.documentElement): PlotTheme {
  const style = getComputedStyle(el);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: get('--text', DEFAULT_THEME.text),
    muted: get('--muted', DEFAULT_THEME.muted),
    border: get('--border', DEFAULT_THEME.border),
    sideA: get('--side-a', DEFAULT_THEME.sideA),
    sideB: get('--side-b', DEFAULT_THEME.sideB),
    neutral: get('--surface-2', DEFAULT_THEME.neutral),
  };
}

/** Transparent backgrounds and themed text so a plot sits on the card in light and dark. */
export function baseLayout(theme: PlotTheme): Layout {
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: theme.text, family: 'system-ui, sans-serif', size: 12 },
    margin: { l: 40, r: 10, t: 10, b: 40 },
    autosize: true,
    hoverlabel: { align: 'left' },
  };
}

/** The config every plot uses: resizes with its container, no Plotly logo. */
export const PLOT_CONFIG = { responsive: true, displaylogo: false } as const;
