import { describe, expect, it } from 'vitest';
import { cell, reportMarkdown } from '../../src/lib/core/report/markdown';
import { fixedReport, HOSTILE_IMG, HOSTILE_SCRIPT } from './report-test-helpers';

describe('reportMarkdown', () => {
  it('has the openings and closings, the clusters of change and the categories, escaped', () => {
    const md = reportMarkdown(fixedReport());
    const at = (heading: string) => md.indexOf(heading);
    for (const heading of [
      '## Openings and closings',
      '## Clusters of change',
      '## By prompt category',
    ])
      expect(at(heading)).toBeGreaterThan(at('## Words'));
    expect(at('## By prompt category')).toBeLessThan(at('## Prompts where A and B differ most'));
    const sections = md.slice(at('## Openings and closings'), at('## Prompts where'));
    expect(sections).toContain('certainly');
    expect(sections).toContain('hope this helps');
    expect(sections).toContain('Short answer.');
    expect(sections).not.toContain(HOSTILE_SCRIPT);
    expect(sections).not.toContain(HOSTILE_IMG);
    // Without categories there is no such section; without changes, a sentence saying why.
    const plain = reportMarkdown(
      fixedReport({ categories: undefined, changes: [], changeClustering: null }),
    );
    expect(plain).not.toContain('## By prompt category');
    expect(plain).toContain('## Clusters of change');
  });

  it('leads with the headline, one escaped bullet a line, the overall test last', () => {
    const md = reportMarkdown(fixedReport());
    const head = md.slice(md.indexOf('from B.'), md.indexOf('> Note'));
    expect(head).toContain(
      "- Taken as a whole, B's answers differ from A's: energy distance 0.0128, within-prompt permutation p ≤ 0.001 (",
    );
    expect(head).toContain(`- B's answers more often contain “${cell(HOSTILE_IMG)}” (123 answers`);
    expect(head.indexOf('more often contain')).toBeLessThan(head.indexOf('Taken as a whole'));
    expect(md).not.toContain('No overall difference');
  });

  it('says what the headline says when nothing was found, and nothing else', () => {
    const nothing =
      'No difference reaches q < 0.05 when the 12 tests of the overall test, clusters and features are controlled together; with 40 paired prompts, a change seen in fewer than 9 of them cannot reach significance on its own among these tests, so smaller changes may be missed.';
    const md = reportMarkdown(fixedReport({ headline: [nothing] }));
    expect(md).toContain(`- ${cell(nothing, 2000)}`);
    expect(md).not.toContain('differ from A');
  });

  it('shows each feature by share, rate and median next to the count, with how it was tested', () => {
    const md = reportMarkdown(fixedReport());
    expect(md).toContain('by whether an answer shows it (exact McNemar');
    expect(md).toContain(
      '| questions | per 100 words | 0.30 vs 0.20 per 100 words; the count per answer moves the other way (more in B: mean 0.20 → 0.25), from answer length | 15.0% | 20.0% | 0.30 | 0.20 | 0.0 | 0.0 | 0.20 | 0.25 | -0.05 | 0.450 | 40 (30) |',
    );
    expect(md).toContain(
      '| length_tokens | words per answer | median 110 → 170.5 | 100.0% | 100.0% | 100.00 | 100.00 | 110.0 | 170.5 | 120.50 | 180.25 | 0.42 | 2.0e-4 | 40 (2) |',
    );
    // Saved before the measures existed: dashes, and the count it was tested on.
    expect(md).toContain(
      '| emoji | count per answer | mean 0.00 → 0.00 | – | – | – | – | – | – | 0.00 | 0.00 | – | – | 40 (40) |',
    );
  });

  it('counts prompts and answers and names the models, escaped', () => {
    const md = reportMarkdown(fixedReport());
    expect(md).toContain('805 prompts, 805 answers from A and 805 from B.');
    expect(md).toContain('A = base \\<b\\>model\\</b\\>');
  });

  it('escapes pipes and markup inside table cells so rows keep their columns', () => {
    const md = reportMarkdown(fixedReport());
    const promptRow = md.split('\n').find((l) => l.startsWith('| 0.187 | 0.321 |'));
    expect(promptRow).toBeDefined();
    expect(promptRow).toContain('\\| pipe');
    expect(promptRow).toContain('\\<script\\>');
    expect(promptRow).toContain('\\| a tag');
    // Unescaped pipes are exactly the seven column borders.
    expect(promptRow?.match(/(?<!\\)\|/g)).toHaveLength(7);
    const clusterRow = md.split('\n').find((l) => l.startsWith('| 0 | 900 |'));
    expect(clusterRow).toContain('a\\|b');
    // Markup survives only backslash-escaped, which Markdown renders as literal text.
    expect(md).not.toMatch(/(?<!\\)<(img|script)/);
  });

  it('quotes each word with the answers that contain it and its q, and how words were tested', () => {
    const md = reportMarkdown(fixedReport());
    const words = md.slice(md.indexOf('## Words'), md.indexOf('## Prompts'));
    expect(words).toContain('exact McNemar test');
    expect(words).toContain('across the 80 terms tested');
    expect(words).toContain(
      `| B | ${cell(HOSTILE_IMG)} | in 4 of A's answers vs 123 of B's, q = 1.2e-6 |`,
    );
    expect(words).toContain("| A | certainly | in 31 of A's answers vs 4 of B's, q = 3.0e-4 |");
  });

  it('words of an analysis saved before presence testing keep their log-odds z', () => {
    const base = fixedReport();
    const legacy = fixedReport({
      words: {
        ...base.words,
        test: 'log-odds',
        tested: 0,
        moreInA: [{ term: 'certainly', z: -4.2, countA: null, countB: null, qValue: null }],
      },
    });
    const md = reportMarkdown(legacy);
    expect(md).toContain('| A | certainly | log-odds z -4.2 |');
    expect(md).toContain('saved before words were tested');
  });

  it('lists settings with the seed and the chosen k', () => {
    const md = reportMarkdown(fixedReport());
    expect(md).toContain('## Settings');
    expect(md).toContain('seed 4242, 999 permutations');
    expect(md).toContain('k = 2 (chosen by silhouette)');
  });

  it('cell flattens line breaks and shortens long text', () => {
    expect(cell('a\n\nb')).toBe('a b');
    expect(cell('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('writes q-values as the vocabulary does: small ones in scientific notation', () => {
    const md = reportMarkdown(fixedReport());
    expect(md).toContain('| 0.42 | 2.0e-4 | 40 (2) |');
    expect(md).toContain('| -0.05 | 0.450 | 40 (30) |');
  });
});
