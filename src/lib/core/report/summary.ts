/** The plain-language lines of the results summary, from an analysis result. */
import type { ComparisonResult } from '../compare/result-types';
import { readableFeatureName } from '../text/style-features';
import { formatP } from './markdown';

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
  /** q-value (clusters, features) or null (words rank by z only). */
  q: number | null;
  /** Cluster id or feature name, to link to the evidence. */
  ref: string;
}

const share = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Significant cluster and feature differences, strongest evidence first, then top words. */
export function topDifferences(c: ComparisonResult, limit = 6): Difference[] {
  const found: Difference[] = [];
  for (const cl of c.clusters) {
    if (cl.qValue >= ALPHA || cl.id < 0) continue;
    const terms = cl.terms.slice(0, 4).join(', ');
    // The leaning side first, with both shares, so the claim can be checked at a glance.
    const [lead, other, leadShare, otherShare] =
      cl.difference > 0 ? ['B', 'A', cl.shareB, cl.shareA] : ['A', 'B', cl.shareA, cl.shareB];
    found.push({
      kind: 'cluster',
      ref: String(cl.id),
      q: cl.qValue,
      text: `${lead} gives more answers like cluster ${cl.id} (${terms}): ${share(leadShare)} of ${lead}'s answers vs ${share(otherShare)} of ${other}'s.`,
    });
  }
  for (const f of c.features) {
    if (f.qValue === null || f.qValue >= ALPHA) continue;
    found.push({
      kind: 'feature',
      ref: f.name,
      q: f.qValue,
      text: `${readableFeatureName(f.name)}: ${f.meanB > f.meanA ? 'higher' : 'lower'} in B (mean ${f.meanA.toFixed(2)} → ${f.meanB.toFixed(2)}).`,
    });
  }
  found.sort((x, y) => (x.q ?? 1) - (y.q ?? 1));
  const words = (list: { term: string }[]) =>
    list
      .slice(0, 5)
      .map((w) => w.term)
      .join(', ');
  if (c.words.moreInB.length)
    found.push({
      kind: 'word',
      ref: 'B',
      q: null,
      text: `Words B uses more: ${words(c.words.moreInB)}.`,
    });
  if (c.words.moreInA.length)
    found.push({
      kind: 'word',
      ref: 'A',
      q: null,
      text: `Words A uses more: ${words(c.words.moreInA)}.`,
    });
  return found.slice(0, limit);
}
