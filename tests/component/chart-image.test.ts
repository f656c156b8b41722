/**
 * The HTML report's chart images keep the page colour they were drawn on (charts are
 * transparent: dark-theme text would vanish on the report's white page), and a chart that was
 * never drawn is left out rather than failing the report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { capturePlots, chartBackground } from '../../src/lib/plots/chart-image';

/** A chart target nested in panels with the given inline backgrounds, outermost first. */
function nestedChart(backgrounds: string[]): HTMLElement {
  let parent: HTMLElement = document.body;
  for (const background of backgrounds) {
    const panel = document.createElement('div');
    panel.style.backgroundColor = background;
    parent.append(panel);
    parent = panel;
  }
  const chart = document.createElement('div');
  chart.className = 'js-plotly-plot';
  parent.append(chart);
  return chart;
}

afterEach(() => document.body.replaceChildren());

describe('chartBackground', () => {
  it('takes the first opaque ancestor, passing over transparent and zero-alpha panels', () => {
    const chart = nestedChart(['rgb(17, 24, 39)', 'transparent', 'rgba(255, 255, 255, 0)']);
    expect(chartBackground(chart)).toBe('rgb(17, 24, 39)');
  });

  it('keeps a half-transparent colour: it still shows', () => {
    const chart = nestedChart(['rgb(17, 24, 39)', 'rgba(255, 255, 255, 0.5)']);
    expect(chartBackground(chart)).toBe('rgba(255, 255, 255, 0.5)');
  });

  it('is undefined when nothing behind the chart has a colour', () => {
    expect(chartBackground(nestedChart(['transparent']))).toBeUndefined();
  });
});

describe('capturePlots', () => {
  it('leaves out charts that are not on the page or not drawn yet', async () => {
    const notDrawn = document.createElement('div');
    document.body.append(notDrawn);
    const plots = await capturePlots([
      { title: 'Map of the answers', element: null },
      { title: 'Words', element: notDrawn },
    ]);
    expect(plots).toEqual([]);
  });
});
