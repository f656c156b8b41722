/**
 * "Prompts where A and B differ most" in the Markdown and HTML reports: ranked by the
 * length-adjusted divergence (said so), with the raw divergence, the length ratio and both
 * answers' openings as escaped text; a report of an analysis saved before length adjustment
 * keeps the raw table. The embedder note sits under the overall sentence.
 */
import { describe, expect, it } from 'vitest';
import { toReportJson } from '../../src/lib/core/analysis/report-json';
import { migrateAnalysisResult } from '../../src/lib/core/analysis/result-schema';
import type { Answer } from '../../src/lib/core/run/types';
import { escapeHtml } from '../../src/lib/core/report/escape-html';
import { reportHtml } from '../../src/lib/core/report/html';
import { cell, reportMarkdown } from '../../src/lib/core/report/markdown';
import {
  divergentPromptsMethod,
  hasLengthAdjustment,
  lengthRatioText,
} from '../../src/lib/core/report/prompts-text';
import { asVersion1Result, fakeAnalysisResult } from './analysis-result-fixture';
import { HOSTILE_IMG, fixedReport } from './report-test-helpers';

const section = (text: string, from: string, to: string) =>
  text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));

/** The fixed report as an analysis saved before length adjustment would give it. */
const legacyReport = () => {
  const base = fixedReport();
  return fixedReport({
    prompts: base.prompts.map((p) => ({
      ...p,
      lengthRatio: null,
      divergenceAdjusted: null,
      answers: null,
    })),
  });
};

describe('divergent prompts in the Markdown report', () => {
  it('says the list is ranked by length-adjusted divergence and what divergence is', () => {
    const md = section(reportMarkdown(fixedReport()), '## Prompts where', '## Exemplars');
    expect(md).toContain('Ranked by length-adjusted divergence');
    expect(md).toContain('1 − cosine similarity');
    expect(md).toContain('at most 2');
    expect(md).toContain('| adjusted | divergence | length | prompt | A begins | B begins |');
  });

  it('shows each prompt’s numbers, length ratio and both openings as text', () => {
    const md = reportMarkdown(fixedReport());
    const row = md.split('\n').find((l) => l.startsWith('| 0.012 | 0.612 |'));
    expect(row).toBe(
      '| 0.012 | 0.612 | B 25× longer | Name a colour. | Red. | Certainly! Here are some colours, each with a short history… |',
    );
    const hostile = md.split('\n').find((l) => l.startsWith('| 0.187 |'));
    expect(hostile).toContain(`| ${cell(`It is ${HOSTILE_IMG} | a tag`)} |`);
    expect(hostile).toContain('| same length |');
  });

  it('keeps the raw table for an analysis saved before length adjustment', () => {
    const md = section(reportMarkdown(legacyReport()), '## Prompts where', '## Exemplars');
    expect(md).toContain('Ranked by divergence (this analysis was saved before length adjustment)');
    expect(md).toContain('| divergence | prompt |');
    expect(md).toContain('| 0.612 | Name a colour. |');
    expect(md).not.toContain('A begins');
  });

  it('states each note under the overall sentence', () => {
    const md = reportMarkdown(fixedReport());
    const head = md.slice(0, md.indexOf('## Clusters'));
    expect(head).toContain('> Note: Embedded with the bundled embedder: word-based');
    expect(head).toContain('\\<negation\\>');
    expect(reportMarkdown(fixedReport({ notes: [] }))).not.toContain('> Note:');
  });
});

describe('divergent prompts in the HTML report', () => {
  const html = reportHtml(fixedReport());

  it('shows the adjusted ranking with the length ratio and escaped openings', () => {
    const prompts = section(html, '<h2>Prompts where', '<h2>Exemplars');
    expect(prompts).toContain('Ranked by length-adjusted divergence');
    expect(prompts).toContain(
      '<tr><td class="n">0.012</td><td class="n">0.612</td><td>B 25× longer</td><td>Name a colour.</td><td>Red.</td><td>Certainly! Here are some colours, each with a short history…</td></tr>',
    );
    expect(prompts).toContain(`<td>${escapeHtml(`It is ${HOSTILE_IMG} | a tag`)}</td>`);
    expect(prompts).not.toContain('<img');
  });

  it('keeps the raw table for an analysis saved before length adjustment', () => {
    const prompts = section(reportHtml(legacyReport()), '<h2>Prompts where', '<h2>Exemplars');
    expect(prompts).toContain('saved before length adjustment');
    expect(prompts).toContain('<tr><td class="n">0.612</td><td>Name a colour.</td></tr>');
    expect(prompts).not.toContain('A begins');
  });

  it('states each note, escaped, under the overall sentence', () => {
    const head = html.slice(0, html.indexOf('<h2>Plots</h2>'));
    expect(head).toContain(
      '<p class="note">Note: Embedded with the bundled embedder: word-based, blind to &lt;negation&gt;.</p>',
    );
    expect(reportHtml(fixedReport({ notes: [] }))).not.toContain('class="note"');
  });
});

describe('prompts-text', () => {
  it('words a length ratio for reading', () => {
    expect(lengthRatioText(2.64)).toBe('B 2.6× longer');
    expect(lengthRatioText(24.5)).toBe('B 25× longer');
    expect(lengthRatioText(0.4)).toBe('B 0.40× as long');
    expect(lengthRatioText(1.04)).toBe('same length');
    expect(lengthRatioText(0.996)).toBe('same length');
    expect(lengthRatioText(null)).toBe('length ratio –');
  });

  it('knows whether every prompt carries the adjusted value', () => {
    const adjusted = { divergence: 0.3, lengthRatio: 1, divergenceAdjusted: 0.1 };
    const legacy = { divergence: 0.3, lengthRatio: null, divergenceAdjusted: null };
    expect(hasLengthAdjustment([adjusted])).toBe(true);
    expect(hasLengthAdjustment([adjusted, legacy])).toBe(false);
    expect(hasLengthAdjustment([])).toBe(false);
    expect(divergentPromptsMethod([])).toMatch(/^Ranked by divergence/);
  });
});

describe('REPORT.json prompts', () => {
  const answers = [
    { promptId: 'p1', side: 'A', sample: 0, text: 'Red.' },
    { promptId: 'p1', side: 'B', sample: 0, text: 'Certainly! Red is a colour.' },
  ] as Answer[];

  it('carry the length ratio, the adjusted divergence and both openings', () => {
    const report = toReportJson(fakeAnalysisResult(answers), [{ id: 'p1', text: 'Name one.' }]);
    expect(report.prompts[0]).toEqual({
      prompt: 'Name one.',
      promptId: 'p1',
      divergence: 0.1,
      lengthRatio: 1,
      divergenceAdjusted: 0,
      answers: { a: 'Red.', b: '' },
    });
  });

  it('are null for an analysis saved by result version 1', () => {
    const migrated = migrateAnalysisResult(asVersion1Result(fakeAnalysisResult(answers)));
    const report = toReportJson(migrated, []);
    expect(report.prompts[0]).toMatchObject({
      divergence: 0.1,
      lengthRatio: null,
      divergenceAdjusted: null,
      answers: null,
    });
  });
});
