import { describe, expect, it } from 'vitest';
import type { WordResult } from '../../src/lib/core/compare/result-types';
import { DEFAULT_THEME } from '../../src/lib/plots/theme';
import {
  chartWords,
  symmetricRange,
  wordBarTraces,
  wordsAxisTitle,
} from '../../src/lib/plots/words';

const word = (term: string, z: number): WordResult => ({
  term,
  z,
  countA: z < 0 ? 9 : 2,
  countB: z > 0 ? 9 : 2,
  pValue: 0.01,
  qValue: 0.04,
});
const tested = { test: 'mcnemar-exact', tested: 50, minAnswers: 5 } as const;

describe('words chart', () => {
  const words = {
    ...tested,
    moreInB: [word('certainly', 5), word('great question', 7), word('<script>', 3)],
    moreInA: [word('no', -4), word('a&b', -6)],
  };
  const [trace] = wordBarTraces(words, DEFAULT_THEME);

  it('orders terms by z, most A-leaning at the bottom and the strongest B term on top', () => {
    expect(trace!.type).toBe('bar');
    expect(trace!.orientation).toBe('h');
    expect(trace!.x).toEqual([-6, -4, 3, 5, 7]);
    expect(trace!.y).toEqual(['a&amp;b', 'no', '&lt;script&gt;', 'certainly', 'great question']);
  });
  it('colours B-leaning bars with B and A-leaning bars with A', () => {
    const { sideA, sideB } = DEFAULT_THEME;
    expect((trace!.marker as { color: string[] }).color).toEqual([
      sideA,
      sideA,
      sideB,
      sideB,
      sideB,
    ]);
  });
  it('escapes terms in the hover text and names the side and counts', () => {
    const hover = trace!.hovertext as string[];
    expect(hover[2]).toContain('<b>&lt;script&gt;</b>');
    expect(hover[2]).not.toContain('<script>');
    expect(hover[2]).toContain('more in B · z = 3.00');
    expect(hover[0]).toContain('more in A · z = -6.00');
    expect(hover[0]).toContain("in 9 of A's answers vs 2 of B's, q = 0.040");
    const legacy = wordBarTraces({ ...words, test: 'log-odds' }, DEFAULT_THEME)[0]!;
    expect((legacy.hovertext as string[])[0]).toContain('count A 9 · count B 2 (tokens)');
  });
  it('names the score on the axis by how the words were tested', () => {
    expect(wordsAxisTitle(words)).toMatch(/signed score of the presence test/);
    expect(wordsAxisTitle({ test: 'log-odds' })).toMatch(/log-odds z-score/);
  });
  it('keeps the top terms of each side, by |z|, whatever the input order', () => {
    const many = {
      ...tested,
      moreInB: Array.from({ length: 20 }, (_, i) => word(`b${i}`, i + 1)),
      moreInA: Array.from({ length: 20 }, (_, i) => word(`a${i}`, -(i + 1))),
    };
    const shown = chartWords(many, 15);
    expect(shown).toHaveLength(30);
    expect(shown[0]!.z).toBe(-20);
    expect(shown.at(-1)!.z).toBe(20);
    expect(shown.some((w) => Math.abs(w.z) <= 5)).toBe(false);
    expect(chartWords(many, 2).map((w) => w.term)).toEqual(['a19', 'a18', 'b18', 'b19']);
  });
  it('draws nothing when no word leans either way', () => {
    expect(wordBarTraces({ ...tested, moreInA: [], moreInB: [] }, DEFAULT_THEME)).toEqual([]);
  });
  it('centres the axis on zero, wide enough for the strongest term', () => {
    expect(symmetricRange([{ z: 2 }, { z: -5 }])).toEqual([-5.4, 5.4]);
    expect(symmetricRange([])).toEqual([-1.08, 1.08]);
  });
});
