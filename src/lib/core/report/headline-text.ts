/**
 * The sentences of the headline (headline.ts decides what is claimed; this says it): each kind
 * of effect in plain words with its numbers, B first ("B uses tables in 12% of its answers vs 3%
 * of A's", "B's answers are 2.6× longer (median 52 → 136 words)").
 */
import type {
  CategoryResult,
  ChangeCluster,
  ClusterResult,
  FeatureResult,
} from '../compare/result-types';
import { FEATURE_MEASURES, readableFeatureName } from '../text/style-features';
import { featureFindingText, featureOpposesNote } from './features-text';
import { ALPHA, formatCount, formatPercent, formatPoints, formatRatio } from './vocabulary';

/** Terms (words, openings, closings, terms of a change) quoted in one claim at most. */
export const MAX_QUOTED = 3;

/** Lower-case nouns of the rate features, for "more list items per 100 words". */
const RATE_NOUNS: Record<string, string> = {
  list_items: 'list items',
  headings: 'headings',
  questions: 'questions',
  hedges: 'hedging phrases',
  first_person: 'first-person words',
  emoji: 'emoji',
  paragraphs: 'paragraphs',
  bold: 'bold spans',
  numbered_items: 'numbered-list items',
};

/** What B does in an answer that shows a presence feature, for "B uses tables in 12% ...". */
const PRESENCE_VERBS: Record<string, string> = {
  code_blocks: 'includes a code block',
  refusals: 'declines the task',
  pushback: 'pushes back on the premise',
  ai_disclaimers: 'says it is an AI',
  repeats_prompt: 'repeats the prompt',
  question_only: 'only asks a question',
  very_short: 'gives a very short answer (under 5 words)',
  repetition_loops: 'falls into a repetition loop',
  other_language: 'answers in another language than the prompt',
  tables: 'uses tables',
};

/** A feature's direction on its primary measure: +1 when B is higher. */
export function featureSign(f: FeatureResult): number {
  if (f.measure === 'presence' && f.shareA !== undefined && f.shareB !== undefined) {
    if (f.shareB !== f.shareA) return Math.sign(f.shareB - f.shareA);
  }
  if (f.effect !== null && f.effect !== 0) return Math.sign(f.effect);
  return Math.sign(f.meanB - f.meanA);
}

const words = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const rate = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(2));

/** "B's answers are 2.6× longer (median 52 → 136 words)" and the like. */
function lengthText(f: FeatureResult, sign: number): string {
  const { medianA, medianB } = f;
  if (medianA === undefined || medianB === undefined) return featureFindingText(f, 'Length');
  const medians = `median ${words(medianA)} → ${words(medianB)} words`;
  const ratio = medianA > 0 ? medianB / medianA : null;
  // A ratio is quoted only when it points the way the paired test went and is not "1.0×".
  if (ratio !== null && ratio > 1 === sign > 0 && parseFloat(formatRatio(ratio)) !== 1) {
    return sign > 0
      ? `B's answers are ${formatRatio(ratio)} longer (${medians})`
      : `B's answers are shorter, ${formatRatio(ratio)} as long (${medians})`;
  }
  return `B's answers are ${sign > 0 ? 'longer' : 'shorter'} prompt by prompt (${medians})`;
}

/** A significant feature in words, B first. */
export function featureText(f: FeatureResult, sign: number): string {
  if (f.measure === 'length') return lengthText(f, sign);
  if (f.measure === 'presence' && f.shareA !== undefined && f.shareB !== undefined) {
    const shareB = formatPercent(f.shareB, 0);
    const shareA = formatPercent(f.shareA, 0);
    const verb = PRESENCE_VERBS[f.name];
    return verb
      ? `B ${verb} in ${shareB} of its answers vs ${shareA} of A's`
      : `${readableFeatureName(f.name)}: in ${shareB} of B's answers vs ${shareA} of A's`;
  }
  if (f.measure === 'rate' && f.per100wA !== undefined && f.per100wB !== undefined) {
    const noun = RATE_NOUNS[f.name] ?? readableFeatureName(f.name).toLowerCase();
    const rates = `${rate(f.per100wB)} vs ${rate(f.per100wA)} in A's`;
    // The pooled rates can point against the paired test (a few long answers): say which counts.
    const agrees = f.per100wB === f.per100wA || f.per100wB > f.per100wA === sign > 0;
    const way = `B's answers have ${sign > 0 ? 'more' : 'fewer'} ${noun} per 100 words`;
    const measured = agrees
      ? `${way} (${rates})`
      : `${way} prompt by prompt (pooled over all words: ${rates})`;
    // A count that moves against its rate (B writes longer) must not read as the whole story.
    const opposes = featureOpposesNote(f);
    if (opposes) return `${measured}; ${opposes}`;
    // The share of answers with any, which a reader can check by counting, when it differs.
    const shareA = f.shareA === undefined ? null : formatPercent(f.shareA, 0);
    const shareB = f.shareB === undefined ? null : formatPercent(f.shareB, 0);
    return shareA !== null && shareB !== null && shareA !== shareB
      ? `${measured}; some in ${shareB} of B's answers vs ${shareA} of A's`
      : measured;
  }
  // Saved before the measures existed: the mean count, as the feature table words it.
  return featureFindingText(f, readableFeatureName(f.name)).replace(/\.$/, '');
}

/**
 * The category where a claimed feature moves most in its direction, among those where it is
 * significant within the category; null without categories or such a category.
 */
function largestCategoryOf(
  categories: readonly CategoryResult[] | null,
  f: FeatureResult,
  sign: number,
): { name: string; shareA: number; shareB: number } | null {
  let best: { name: string; shareA: number; shareB: number } | null = null;
  let bestChange = 0;
  for (const category of categories ?? []) {
    const cf = category.features.find((x) => x.name === f.name);
    if (!cf || cf.qValue === null || cf.qValue >= ALPHA) continue;
    const change = sign * (cf.shareB - cf.shareA);
    if (change <= bestChange) continue;
    best = { name: category.name, shareA: cf.shareA, shareB: cf.shareB };
    bestChange = change;
  }
  return best;
}

/** ", most in “coding” prompts (60% vs 12%)" for a claimed feature, or "". */
export function categoryNote(
  categories: readonly CategoryResult[] | null,
  f: FeatureResult,
  sign: number,
): string {
  if (!categories || categories.length < 2) return '';
  const best = largestCategoryOf(categories, f, sign);
  if (!best) return '';
  const values =
    f.measure === 'presence'
      ? `${formatPercent(best.shareB, 0)} vs ${formatPercent(best.shareA, 0)}`
      : f.measure === 'rate'
        ? `${rate(best.shareB)} vs ${rate(best.shareA)} per 100 words`
        : f.measure === 'length'
          ? `mean ${best.shareB.toFixed(0)} vs ${best.shareA.toFixed(0)} words`
          : null;
  return `; most in “${best.name}” prompts${values ? ` (${values})` : ''}`;
}

/** A significant answer cluster in words, the leaning side first. */
export function clusterText(cl: ClusterResult): string {
  const terms = cl.terms.length ? ` (${cl.terms.slice(0, 4).join(', ')})` : '';
  const [lead, other, leadShare, otherShare] =
    cl.difference > 0 ? ['B', 'A', cl.shareB, cl.shareA] : ['A', 'B', cl.shareA, cl.shareB];
  return `${lead} gives more answers like cluster ${cl.id}${terms}: ${formatPercent(leadShare)} of ${lead}'s answers vs ${formatPercent(otherShare)} of ${other}'s`;
}

/** "“note” (123 answers vs 4 of A's), “hope” (90 vs 10)": B's count first. */
export function quotedTerms(
  terms: readonly { text: string; countA: number; countB: number }[],
): string {
  return terms
    .map((t, i) =>
      i === 0
        ? `“${t.text}” (${formatCount(t.countB, 'answer')} vs ${formatCount(t.countA)} of A's)`
        : `“${t.text}” (${formatCount(t.countB)} vs ${formatCount(t.countA)})`,
    )
    .join(', ');
}

/** How a side's significant terms are introduced, by section and direction. */
export const TERM_LEADS: Record<'word' | 'opening' | 'closing', { more: string; less: string }> = {
  word: { more: "B's answers more often contain", less: "B's answers less often contain" },
  opening: { more: 'B more often opens with', less: 'B less often opens with' },
  closing: { more: 'B more often ends with', less: 'B less often ends with' },
};

/** "refusals (declines the task) −40.0 pp", "hedging phrases +0.52 per 100 words". */
function detectorDeltaText(name: string, delta: number): string {
  const label = readableFeatureName(name).toLowerCase();
  const measure = (FEATURE_MEASURES as Record<string, string | undefined>)[name];
  const sign = delta > 0 ? '+' : '−';
  if (measure === 'presence') return `${label} ${formatPoints(delta)}`;
  if (measure === 'rate') return `${label} ${sign}${Math.abs(delta).toFixed(2)} per 100 words`;
  if (measure === 'length') return `${label} ${sign}${Math.abs(delta).toFixed(0)}`;
  return `${label} ${sign}${Math.abs(delta).toFixed(2)}`;
}

/** A significant cluster of changes in words: how many prompts, what B adds and drops. */
export function changeText(change: ChangeCluster, nPrompts: number): string {
  const parts: string[] = [];
  const quote = (terms: string[]) =>
    terms
      .slice(0, MAX_QUOTED)
      .map((t) => `“${t}”`)
      .join(', ');
  if (change.terms.added.length) parts.push(`adds ${quote(change.terms.added)}`);
  if (change.terms.removed.length) parts.push(`drops ${quote(change.terms.removed)}`);
  const detectors = [...change.detectors]
    .filter((d) => d.delta !== 0)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
    .slice(0, 2)
    .map((d) => detectorDeltaText(d.name, d.delta));
  parts.push(...detectors);
  const share = formatPercent(change.n / Math.max(1, nPrompts), 0);
  const what = parts.length ? `: B ${parts.join('; ')}` : '';
  return `In ${formatCount(change.n)} of ${formatCount(nPrompts)} prompts (${share}) B's answers change the same way${what}`;
}
