/**
 * Traces for the words chart: the words and bigrams each side's answers contain more often, by
 * the signed score of their paired presence test (log-odds z for results saved before it).
 */
import type { WordResult, WordsResult } from '../core/compare/result-types';
import { wordEvidence } from '../core/report/words-text';
import { escapePlotText } from './text';
import type { PlotTheme } from './theme';
import type { Trace } from './types';

/** How many terms of each side the chart shows by default. */
export const WORDS_PER_SIDE = 15;

/** The terms the chart shows: the top `perSide` of each side, most A-leaning first (bottom). */
export function chartWords(words: WordsResult, perSide = WORDS_PER_SIDE): WordResult[] {
  // Sort each side by |z| ourselves rather than trusting the input order.
  const b = words.moreInB
    .filter((w) => w.z > 0)
    .sort((x, y) => y.z - x.z)
    .slice(0, perSide);
  const a = words.moreInA
    .filter((w) => w.z < 0)
    .sort((x, y) => x.z - y.z)
    .slice(0, perSide);
  return [...a, ...b].sort((x, y) => x.z - y.z || x.term.localeCompare(y.term));
}

/**
 * One diverging horizontal bar trace: B-leaning terms (z > 0) to the right in B's colour,
 * A-leaning ones to the left in A's, the strongest B term at the top.
 */
export function wordBarTraces(
  words: WordsResult,
  theme: PlotTheme,
  perSide = WORDS_PER_SIDE,
): Trace[] {
  const shown = chartWords(words, perSide);
  if (!shown.length) return [];
  return [
    {
      type: 'bar',
      orientation: 'h',
      // Terms are model-written text: escaped, since Plotly parses tick labels as HTML.
      y: shown.map((w) => escapePlotText(w.term)),
      x: shown.map((w) => w.z),
      marker: { color: shown.map((w) => (w.z > 0 ? theme.sideB : theme.sideA)) },
      hovertext: shown.map((w) =>
        [
          `<b>${escapePlotText(w.term)}</b>`,
          `more in ${w.z > 0 ? 'B' : 'A'} · z = ${w.z.toFixed(2)}`,
          escapePlotText(
            words.test === 'log-odds'
              ? `count A ${w.countA} · count B ${w.countB} (tokens)`
              : wordEvidence(w),
          ),
        ].join('<br>'),
      ),
      hoverinfo: 'text',
    },
  ];
}

/** The chart's x-axis title for how the words were scored. */
export function wordsAxisTitle(words: Pick<WordsResult, 'test'>): string {
  return words.test === 'log-odds'
    ? '← more in A · log-odds z-score · more in B →'
    : '← more in A · signed score of the presence test · more in B →';
}

/** An x range centred on zero that holds every z, so both sides read alike even if one is empty. */
export function symmetricRange(words: readonly Pick<WordResult, 'z'>[]): [number, number] {
  const max = Math.max(1, ...words.map((w) => Math.abs(w.z)));
  return [-1.08 * max, 1.08 * max];
}
