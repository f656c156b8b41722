/**
 * The sentences of the headline (headline.ts decides what is claimed; this says it): each kind
 * of effect in plain words with its numbers, B first ("B uses tables in 12% of its answers vs 3%
 * of A's", "B's answers are 2.6× longer (median 52 → 136 words)").
 */
import { largestCategory } from '../compare/category-features';
import type { CategoryResult, ClusterResult, FeatureResult } from '../compare/result-types';
import { readableFeatureName } from '../text/style-features';
import { categoryValuesText } from './categories-text';
import { featureFindingText, featureOpposesNote } from './features-text';
import { ALPHA, formatCount, formatPercent, formatRatio } from './vocabulary';

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

/** "; most in “coding” prompts (5% → 30% of answers)" for a claimed feature, or "". */
export function categoryNote(
  categories: readonly CategoryResult[] | null,
  f: FeatureResult,
  sign: number,
): string {
  // The same choice as the categories section: largest change in the claim's direction among
  // the categories where the feature is significant within the category.
  const best = largestCategory(categories, f.name, sign, ALPHA);
  if (!best) return '';
  const values = categoryValuesText(f.name, best.shareA, best.shareB);
  const unit =
    f.measure === 'presence'
      ? ' of answers'
      : f.measure === 'rate'
        ? ' per 100 words'
        : f.measure === 'length'
          ? ' words'
          : '';
  return `; most in “${best.name}” prompts (${f.measure === 'length' ? 'mean ' : ''}${values}${unit})`;
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
