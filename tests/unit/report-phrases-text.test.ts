import { describe, expect, it } from 'vitest';
import { pairedDesign } from '../../src/lib/core/compare/design';
import { openingsAndClosings } from '../../src/lib/core/compare/openings-closings';
import type { PhrasesResult } from '../../src/lib/core/compare/result-types';
import type { Side } from '../../src/lib/core/run/types';
import { phrasesHtml, phrasesMarkdown } from '../../src/lib/core/report/phrases-text';

/**
 * 60 prompts, one answer a side: B opens 30 answers with "Certainly! Here are" (A 2), and A ends
 * 20 with "I hope this helps." (B 1).
 */
function tested(): { openings: PhrasesResult; closings: PhrasesResult } {
  const texts: string[] = [];
  const promptIndex: number[] = [];
  const sides: Side[] = [];
  for (let p = 0; p < 60; p++) {
    for (const side of ['A', 'B'] as const) {
      const certainly = side === 'B' ? p < 30 : p < 2;
      const hope = side === 'A' ? p < 20 : p === 59;
      texts.push(
        `${certainly ? 'Certainly! Here are' : `Prompt ${p} says`} the facts about item ${p}.` +
          (hope ? ' I hope this helps.' : ` Done with item ${p}.`),
      );
      promptIndex.push(p);
      sides.push(side);
    }
  }
  const r = openingsAndClosings(pairedDesign(promptIndex, sides), texts);
  return { openings: r.openings!, closings: r.closings! };
}

const HOSTILE: PhrasesResult = {
  test: 'mcnemar-exact',
  tested: 1,
  moreInA: [],
  moreInB: [
    {
      text: '<img src=x onerror=alert(1)> & "quoted"',
      z: 4,
      countA: 1,
      countB: 20,
      pValue: 1e-5,
      qValue: 1e-5,
    },
  ],
};

describe('phrasesMarkdown', () => {
  it('lists the significant openings and closings with both counts and q', () => {
    const { openings, closings } = tested();
    const md = phrasesMarkdown(openings, closings);
    expect(md).toMatch(/^## Openings and closings\n/);
    expect(md).toMatch(
      /### Openings\n\n- More in B: "certainly here are" \(in 2 of A's answers vs 30 of B's, q = [\d.e-]+\)/,
    );
    expect(md).toMatch(
      /### Closings\n\n- More in A: "hope this helps" \(in 20 of A's answers vs 1 of B's, q = [\d.e-]+\)/,
    );
    expect(md).toContain('exact McNemar');
    expect(md).toContain(`within the ${openings.tested} openings`);
  });

  it('says when nothing leans either way, nothing was shared, or nothing was computed', () => {
    const none: PhrasesResult = { test: 'mcnemar-exact', tested: 4, moreInA: [], moreInB: [] };
    const empty: PhrasesResult = { ...none, tested: 0 };
    const md = phrasesMarkdown(none, empty);
    expect(md).toContain('No opening is used clearly more by one side (4 tested).');
    expect(md).toContain('No closing is shared by 5 or more answers.');
    expect(phrasesMarkdown(null, null)).toContain(
      'not computed (analysis saved before openings were tested)',
    );
  });

  it('escapes Markdown and HTML in a phrase', () => {
    expect(phrasesMarkdown(HOSTILE, null)).toContain(
      '"\\<img src=x onerror=alert(1)\\> & "quoted""',
    );
  });
});

describe('phrasesHtml', () => {
  it('escapes every phrase and keeps the evidence', () => {
    const html = phrasesHtml(HOSTILE, tested().closings);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;');
    expect(html).toContain("More in A: “hope this helps” (in 20 of A's answers vs 1 of B's, q = ");
  });

  it('says when openings were not computed', () => {
    expect(phrasesHtml(null, null)).toContain(
      'not computed (analysis saved before openings were tested)',
    );
  });
});
