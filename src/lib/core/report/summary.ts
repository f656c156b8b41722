/** The plain-language lines of the results summary, from an analysis result. */
import type { ComparisonResult, WordsResult } from '../compare/result-types';
import { readableFeatureName } from '../text/style-features';
import { featureFindingText } from './features-text';
import { formatP, formatPercent } from './markdown';
import { wordEvidence } from './words-text';

/** Significance threshold for q-values (FDR) and the overall p-value. */
export const ALPHA = 0.05;

/** "B's answers differ from A's: energy distance 0.0128, p = 0.001", or that none was found. */
export function overallSentence(c: ComparisonResult): string {
  const stats = `energy distance ${c.overall.statistic.toFixed(4)}, within-prompt permutation p = ${formatP(c.overall.pValue)}`;
  return c.overall.pValue < ALPHA
    ? `B's answers differ from A's (${stats}).`
    : `No overall difference between A's and B's answers was detected (${stats}).`;
}

/** One ranked difference: what it is, how strong the evidence, where to look. */
export interface Difference {
  kind: 'cluster' | 'feature' | 'word';
  text: string;
  /** q-value (clusters, features, words tested by presence) or null (log-odds words). */
  q: number | null;
  /** Cluster id or feature name, to link to the evidence. */
  ref: string;
}

/**
 * The words line of one side: its significant words with their counts and q (presence test),
 * or its top log-odds words for results saved before presence testing; null when none.
 */
function wordsDifference(words: WordsResult, side: 'A' | 'B'): Difference | null {
  const list = side === 'B' ? words.moreInB : words.moreInA;
  if (words.test === 'log-odds') {
    if (!list.length) return null;
    const terms = list.slice(0, 5).map((w) => w.term);
    return {
      kind: 'word',
      ref: side,
      q: null,
      text: `Words ${side} uses more: ${terms.join(', ')}.`,
    };
  }
  const significant = list.filter((w) => w.qValue !== null && w.qValue < ALPHA);
  if (!significant.length) return null;
  const quoted = significant.slice(0, 3).map((w) => `“${w.term}” (${wordEvidence(w)})`);
  return {
    kind: 'word',
    ref: side,
    q: significant[0]!.qValue,
    text: `${side}'s answers more often contain ${quoted.join('; ')}.`,
  };
}

/** Significant cluster and feature differences, strongest evidence first, then words. */
export function topDifferences(c: ComparisonResult, limit = 6): Difference[] {
  const found: Difference[] = [];
  for (const cl of c.clusters) {
    if (cl.qValue >= ALPHA || cl.id < 0) continue;
    const terms = cl.terms.length ? ` (${cl.terms.slice(0, 4).join(', ')})` : '';
    // The leaning side first, with both shares, so the claim can be checked at a glance.
    const [lead, other, leadShare, otherShare] =
      cl.difference > 0 ? ['B', 'A', cl.shareB, cl.shareA] : ['A', 'B', cl.shareA, cl.shareB];
    found.push({
      kind: 'cluster',
      ref: String(cl.id),
      q: cl.qValue,
      text: `${lead} gives more answers like cluster ${cl.id}${terms}: ${formatPercent(leadShare)} of ${lead}'s answers vs ${formatPercent(otherShare)} of ${other}'s.`,
    });
  }
  for (const f of c.features) {
    if (f.qValue === null || f.qValue >= ALPHA) continue;
    found.push({
      kind: 'feature',
      ref: f.name,
      q: f.qValue,
      text: featureFindingText(f, readableFeatureName(f.name)),
    });
  }
  found.sort((x, y) => (x.q ?? 1) - (y.q ?? 1));
  for (const side of ['B', 'A'] as const) {
    const line = wordsDifference(c.words, side);
    if (line) found.push(line);
  }
  return found.slice(0, limit);
}
