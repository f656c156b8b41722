import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/lib/core/report/escape-html';
import { isSafeImageUrl, reportHtml } from '../../src/lib/core/report/html';
import { HOSTILE_IMG, HOSTILE_SCRIPT, fixedReport } from './report-test-helpers';

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==';

describe('reportHtml', () => {
  const html = reportHtml(fixedReport(), { title: 'Run <i>x</i>', createdAt: '2026-01-01' });

  it('escapes every piece of model, prompt and imported text', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>model</b>');
    expect(html).not.toContain('<i>x</i>');
    expect(html).toContain(escapeHtml(HOSTILE_IMG));
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain(escapeHtml(HOSTILE_SCRIPT));
    expect(html).toContain('tuned &amp; &quot;better&quot;');
    expect(html).toContain('Run &lt;i&gt;x&lt;/i&gt;');
  });

  it('is one self-contained document: inline style, no scripts, a CSP that forbids them', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    // No tag anywhere carries an event handler; escaped text may mention one harmlessly.
    expect(html).not.toMatch(/<script|<link|<[a-z][^>]*\son\w+=/i);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
    );
  });

  it('has every section', () => {
    for (const heading of [
      'Plots',
      'Clusters',
      'Style features',
      'Words',
      'Openings and closings',
      'Clusters of change',
      'By prompt category',
      'Prompts where A and B differ most',
      'Exemplars of the most one-sided clusters',
      'Settings',
    ])
      expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html).toContain(
      "<li>Taken as a whole, B's answers differ from A's: energy distance 0.0128, within-prompt permutation p ≤ 0.001 (",
    );
    expect(html).toContain('length_tokens');
    expect(html).toContain('0.321');
    expect(html).toContain('Mix two cups of flour.');
  });

  it('quotes each word with the answers that contain it and its q, escaped', () => {
    const words = html.slice(html.indexOf('<h2>Words</h2>'), html.indexOf('<h2>Prompts'));
    expect(words).toContain(
      `<td>${escapeHtml(HOSTILE_IMG)}</td><td>in 4 of A's answers vs 123 of B's, q = 1.2e-6</td>`,
    );
    expect(words).toContain('exact McNemar test');
  });

  it('lists the settings and the seed so the analysis can be reproduced', () => {
    const settings = html.slice(html.indexOf('<h2>Settings</h2>'));
    expect(settings).toContain('<th>seed</th><td>4242</td>');
    expect(settings).toContain('transformers:bundled-embedder (answer)');
    expect(settings).toContain('<th>permutations</th><td>999</td>');
    expect(settings).toContain('2 (chosen by silhouette over 2–12)');
    expect(settings).toContain('umap');
    expect(settings).toContain('kmeans');
  });

  it('ranks the significant cluster first and marks it', () => {
    expect(html.indexOf('<tr class="sig"><td>0</td>')).toBeGreaterThan(0);
    expect(html.indexOf('<td>0</td>')).toBeLessThan(html.indexOf('<td>1</td>'));
  });

  it('embeds raster data: URL plots and drops anything else', () => {
    const withPlots = reportHtml(fixedReport(), {
      plots: [
        { title: 'Map <b>', dataUrl: PNG, background: 'rgb(20, 20, 24)' },
        { title: 'Bars', dataUrl: PNG, background: 'red;}</style><script>' },
        { title: 'evil', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' },
        { title: 'remote', dataUrl: 'https://example.com/x.png' },
      ],
    });
    expect(withPlots).toContain(
      `<img src="${PNG}" alt="Map &lt;b&gt;" style="background:rgb(20, 20, 24)">`,
    );
    expect(withPlots).toContain(`<img src="${PNG}" alt="Bars">`);
    expect(withPlots).not.toContain('svg+xml');
    expect(withPlots).not.toContain('example.com');
    expect(withPlots).not.toContain('Plots are omitted');
    expect(html).toContain('Plots are omitted from this report.');
  });

  it('leads with the headline as a list, each line escaped', () => {
    expect(html).toContain(
      `<ul class="headline"><li>B's answers more often contain “${escapeHtml(HOSTILE_IMG)}” (123 answers vs 4 of A's).</li><li>Taken as a whole`,
    );
    const none = reportHtml(fixedReport({ headline: ['No difference reaches q < 0.05.'] }));
    expect(none).toContain('<ul class="headline"><li>No difference reaches q &lt; 0.05.</li></ul>');
  });
});

describe('helpers', () => {
  it('escapeHtml escapes &, <, > and double quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title='y'&gt;&amp;&lt;/a&gt;",
    );
  });

  it('isSafeImageUrl accepts base64 rasters only', () => {
    expect(isSafeImageUrl(PNG)).toBe(true);
    expect(isSafeImageUrl('data:image/png;base64,AAA"><script>')).toBe(false);
    expect(isSafeImageUrl('javascript:alert(1)')).toBe(false);
  });
});
