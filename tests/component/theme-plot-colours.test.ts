/**
 * The charts' colours come from the theme shown: ThemeState.plotTheme reads the page's CSS
 * variables again when the user switches between light and dark, so every chart redraws in the
 * new theme's colours (the charts share this one reading instead of each deriving their own).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';
import { ThemeState } from '../../src/lib/state/theme.svelte';

const LIGHT_SIDE_A = 'rgb(10, 20, 30)';
const DARK_SIDE_A = 'rgb(200, 100, 50)';

let style: HTMLStyleElement;
beforeEach(() => {
  // jsdom has no matchMedia; the system theme here is light.
  vi.stubGlobal(
    'matchMedia',
    () => ({ matches: false, addEventListener: () => {} }) as unknown as MediaQueryList,
  );
  style = document.createElement('style');
  style.textContent = `
    :root[data-theme='light'] { --side-a: ${LIGHT_SIDE_A}; }
    :root[data-theme='dark'] { --side-a: ${DARK_SIDE_A}; }
  `;
  document.head.append(style);
});
afterEach(() => {
  style.remove();
  delete document.documentElement.dataset.theme;
  localStorage.clear();
  vi.unstubAllGlobals();
});

describe('chart colours of the theme', () => {
  it('follow the theme shown when the user switches it', () => {
    const theme = new ThemeState();
    expect(theme.effective).toBe('light');
    expect(theme.plotTheme.sideA).toBe(LIGHT_SIDE_A);
    // A variable the page does not set falls back to the default colour.
    expect(theme.plotTheme.sideB).toBe(DEFAULT_THEME.sideB);

    theme.toggle();
    expect(theme.effective).toBe('dark');
    expect(theme.plotTheme.sideA).toBe(DARK_SIDE_A);

    theme.toggle();
    expect(theme.plotTheme.sideA).toBe(LIGHT_SIDE_A);
  });
});
