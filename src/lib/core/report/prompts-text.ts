/**
 * The words the app and the reports use for "Prompts where A and B differ most", in one place so
 * the results view, Markdown and HTML say the same thing about how the list is ranked.
 */
import { formatRatio } from './vocabulary';

/** The fields of a ranked prompt that its wording needs (a PromptResult or a ReportPrompt). */
export interface DivergentPromptNumbers {
  divergence: number;
  lengthRatio: number | null;
  divergenceAdjusted: number | null;
}

/** Whether the prompts carry a length-adjusted divergence (results saved before it do not). */
export function hasLengthAdjustment(prompts: readonly DivergentPromptNumbers[]): boolean {
  return prompts.length > 0 && prompts.every((p) => p.divergenceAdjusted !== null);
}

/** How the list is ranked and what its numbers mean, in two sentences. */
export function divergentPromptsMethod(prompts: readonly DivergentPromptNumbers[]): string {
  const divergence =
    'divergence is 1 − cosine similarity of the two answers’ embeddings (0 = same direction, ' +
    'at most 2), less the models’ own variation when there are several samples';
  if (!hasLengthAdjustment(prompts)) {
    return `Ranked by divergence (this analysis was saved before length adjustment); ${divergence}.`;
  }
  return (
    'Ranked by length-adjusted divergence: how unusual a prompt’s divergence is among prompts ' +
    'with a similar length ratio (robust z-score within bands of |ln length ratio|: divergence ' +
    'minus the band’s median, over its median absolute deviation), so a short answer against a ' +
    `long one does not top the list by length alone; ${divergence}; length ratio is B’s words / ` +
    'A’s words (+1 each).'
  );
}

/** A length ratio for reading: "B 2.6× longer", "B 0.40× as long", "same length". */
export function lengthRatioText(ratio: number | null): string {
  if (ratio === null) return 'length ratio –';
  const shown = formatRatio(ratio);
  // 0.996 shows as "1.00×": the same length as far as the reader can tell.
  if (parseFloat(shown) === 1) return 'same length';
  return ratio > 1 ? `B ${shown} longer` : `B ${shown} as long`;
}
