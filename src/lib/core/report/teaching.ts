/**
 * Teaching mode: two or three plain sentences per analysis step, told with the run's own numbers,
 * for readers who have never met an embedding or a q-value.
 */
import type { ReportJson } from '../analysis/report-json';
import { ALPHA, formatCount, formatPercent, pText } from './vocabulary';

/** The analysis steps that have a teaching note. */
export type TeachingStep = 'embed' | 'map' | 'cluster' | 'test' | 'q';

/** What the notes are told from: REPORT.json and, when known, the embedding's length. */
export interface TeachingInput {
  report: ReportJson;
  /** Numbers per embedding; unknown when the vectors are not at hand. */
  dims?: number | null;
}

const int = (n: number): string => formatCount(n);
const plural = (n: number, one: string, many = `${one}s`): string =>
  `${int(n)} ${n === 1 ? one : many}`;

/** What an embedding is, with this run's answer count and vector length. */
export function embedNote({ report, dims }: TeachingInput): string[] {
  const total = report.n.answersA + report.n.answersB;
  const list = dims ? `a list of ${int(dims)} numbers` : 'a list of numbers';
  return [
    `We turned each of the ${int(total)} answers into ${list} (an "embedding"), using the embedder ${report.params.embedderId}.`,
    'Answers that mean similar things get similar numbers, even when their words differ, so "how different are two answers?" becomes a distance we can measure.',
  ];
}

/** What the 2-D map shows and what it must not be used for. */
export function mapNote({ report, dims }: TeachingInput): string[] {
  const method = report.params.projection === 'umap' ? 'UMAP' : 'PCA';
  const from = dims ? `${int(dims)} numbers` : 'its long list of numbers';
  return [
    `${method} squeezes each answer's ${from} down to 2, so every answer becomes a dot and similar answers land close together.`,
    'The map is only for looking: squeezing distorts distances, so clusters and tests below use the full embeddings, never the map.',
  ];
}

/** How the answers were grouped, and what a shift between A and B in a group means. */
export function clusterNote({ report }: TeachingInput): string[] {
  const p = report.params;
  const noise = report.clusters.find((c) => c.id < 0)?.size ?? 0;
  const k = plural(p.kChosen, 'cluster');
  const how =
    p.clustering === 'hdbscan'
      ? `HDBSCAN found ${k} of densely packed answers${noise > 0 ? `; ${plural(noise, 'answer')} that fit none are "noise"` : ''}.`
      : p.clustering === 'ward'
        ? `Ward's method merged the most similar answers step by step, and we cut that tree into ${k}${p.k === 'auto' ? ', the number that separated the groups best (silhouette)' : ''}.`
        : `k-means sorted A's and B's answers together into ${k}${p.k === 'auto' ? `, the number between ${p.kMin} and ${p.kMax} that separated the groups best (silhouette)` : ''}.`;
  return [
    how,
    "If the intervention changed nothing, each cluster would hold about the same share of A's answers as of B's; a cluster whose share moved shows a kind of answer B gives more (or less) often.",
    ...(report.clusterQuality.warning ? [report.clusterQuality.warning] : []),
  ];
}

/** The overall permutation test: what was measured, what shuffling does, what p means here. */
export function testNote({ report }: TeachingInput): string[] {
  const o = report.overall;
  const perms = int(report.params.nPermutations);
  const share = o.pValue * 100;
  const shareText = share < 1 ? 'under 1%' : `about ${share.toFixed(share < 10 ? 1 : 0)}%`;
  return [
    `To ask "is B different at all?", we measured how far apart the two clouds of answers are (energy distance ${o.statistic.toFixed(4)}).`,
    `Then we shuffled the A/B labels within each prompt ${perms} times and measured again: a gap this large came up in ${shareText} of the shuffles, which is the p-value (${pText(o.pValue, report.params.nPermutations)}).`,
    o.pValue < ALPHA
      ? `That is rare enough (below ${formatPercent(ALPHA, 0)}) that chance alone is an unlikely explanation.`
      : `That happens often enough by chance (${formatPercent(ALPHA, 0)} or more) that we cannot say B differs overall.`,
  ];
}

/** Why many tests need q-values, and how many of this run's results pass. */
export function qNote({ report }: TeachingInput): string[] {
  const clusters = report.clusters.filter((c) => c.id >= 0);
  const features = report.features.filter((f) => f.qValue !== null);
  const sigC = clusters.filter((c) => c.qValue < ALPHA).length;
  const sigF = features.filter((f) => (f.qValue ?? 1) < ALPHA).length;
  return [
    `We ran ${int(clusters.length + features.length)} tests here (${plural(clusters.length, 'cluster')} and ${plural(features.length, 'style feature')}), and with many tests some look significant by luck alone.`,
    `A q-value corrects for that (Benjamini–Hochberg): if we keep every result with q below ${ALPHA}, on average at most ${formatPercent(ALPHA, 0)} of what we keep are false alarms.`,
    `Here ${int(sigC)} of ${int(clusters.length)} clusters and ${int(sigF)} of ${int(features.length)} style features pass.`,
  ];
}

const NOTES: Record<TeachingStep, (input: TeachingInput) => string[]> = {
  embed: embedNote,
  map: mapNote,
  cluster: clusterNote,
  test: testNote,
  q: qNote,
};

/** The sentences of one step's teaching note. */
export function teachingNote(step: TeachingStep, input: TeachingInput): string[] {
  return NOTES[step](input);
}
