/**
 * The features per prompt category (issue 9 item 10): where prompts have categories
 * (alpaca_eval's `dataset`, the built-in set's seven), each category's prompts are compared on
 * their own, exactly like all prompts are (compareFeatureMeasures on the sub-design of that
 * category's paired prompts), so "numbered lists rise most in coding prompts" rests on the same
 * paired test as the overall finding.
 *
 * - Benjamini-Hochberg runs within each category (across its features), not across categories:
 *   a category's q-values read like the overall table's, one family per category.
 * - A category needs MIN_CATEGORY_PROMPTS paired prompts (answers from both sides) to be
 *   compared; smaller ones, and prompts without a category, are left out. With fewer than two
 *   categories left there is nothing to compare across, and the result is null.
 * - `shareA`/`shareB` are on each feature's primary measure: the share of answers showing it
 *   (presence), the pooled rate per 100 words over the category's answers (rate), the mean words
 *   per answer (length).
 */
import { pairedDesign, type PairedDesign } from './design';
import {
  compareFeatureMeasures,
  type FeatureMeasureOptions,
  type MeasuredFeature,
  type MeasuredFeatureColumn,
} from './feature-measures';
import type { CategoryFeature, CategoryResult } from './result-types';
import type { Side } from '../run/types';

/**
 * Fewest paired prompts a category needs to be compared: below it a paired test has little
 * power and one prompt moves a share by 10 points or more. The built-in set has 14 per category.
 */
export const MIN_CATEGORY_PROMPTS = 10;

/** Options of `categoryFeatures`: the presence test's settings and the category minimum. */
export interface CategoryFeatureOptions extends FeatureMeasureOptions {
  /** Fewest paired prompts a category needs (default MIN_CATEGORY_PROMPTS). */
  minPrompts?: number;
}

/** The category where a feature changes most, for a sentence (see `largestCategory`). */
export interface LargestCategory {
  name: string;
  shareA: number;
  shareB: number;
}

/** The value shown for a feature on its primary measure (see the module comment). */
function shownValues(f: MeasuredFeature): { shareA: number; shareB: number } {
  switch (f.measure) {
    case 'presence':
      return { shareA: f.shareA, shareB: f.shareB };
    case 'rate':
      return { shareA: f.per100wA, shareB: f.per100wB };
    case 'length':
      return { shareA: f.meanA, shareB: f.meanB };
  }
}

/** Whether prompt p has answers from both sides. */
function isPaired(design: PairedDesign, p: number): boolean {
  const size = design.groupStart[p + 1]! - design.groupStart[p]!;
  return design.bCount[p]! > 0 && design.bCount[p]! < size;
}

/** Paired prompt indices of each category, in order of first appearance. */
function pairedPromptsByCategory(
  design: PairedDesign,
  promptCategories: readonly (string | undefined)[],
): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let p = 0; p < design.nPrompts; p++) {
    const name = promptCategories[p]?.trim();
    if (!name || !isPaired(design, p)) continue;
    const group = groups.get(name);
    if (group) group.push(p);
    else groups.set(name, [p]);
  }
  return groups;
}

/** The features of the answers to `prompts`, compared on their own paired sub-design. */
function compareSubset(
  design: PairedDesign,
  prompts: readonly number[],
  columns: readonly MeasuredFeatureColumn[],
  lengthWords: ArrayLike<number>,
  options: FeatureMeasureOptions,
): CategoryFeature[] {
  const answers: number[] = [];
  const promptIndex: number[] = [];
  const sides: Side[] = [];
  prompts.forEach((p, local) => {
    for (let m = design.groupStart[p]!; m < design.groupStart[p + 1]!; m++) {
      const i = design.members[m]!;
      answers.push(i);
      promptIndex.push(local);
      sides.push(design.isB[i] ? 'B' : 'A');
    }
  });
  const sub = pairedDesign(promptIndex, sides, prompts.length);
  const pick = (values: ArrayLike<number>) => Float64Array.from(answers, (i) => values[i]!);
  const subColumns = columns.map((c) => ({ ...c, values: pick(c.values) }));
  return compareFeatureMeasures(sub, subColumns, pick(lengthWords), options).map((f) => ({
    name: f.name,
    ...shownValues(f),
    pValue: f.pValue,
    qValue: f.qValue,
  }));
}

/**
 * Compares the features within each prompt category (see the module comment): one entry per
 * category with at least `minPrompts` paired prompts, in order of first appearance; null when
 * fewer than two categories qualify (no categories, one category, or all too small).
 * `promptCategories[p]` is prompt p's category (undefined or blank: none); `lengthWords[i]` is
 * answer i's word count (the rates' denominator).
 * Throws when `promptCategories`, `lengthWords` or a column does not match the design's size.
 */
export function categoryFeatures(
  design: PairedDesign,
  promptCategories: readonly (string | undefined)[],
  columns: readonly MeasuredFeatureColumn[],
  lengthWords: ArrayLike<number>,
  options: CategoryFeatureOptions = {},
): CategoryResult[] | null {
  if (promptCategories.length !== design.nPrompts) {
    throw new Error(
      `categoryFeatures: ${promptCategories.length} prompt categories for ${design.nPrompts} prompts`,
    );
  }
  if (lengthWords.length !== design.n) {
    throw new Error(`categoryFeatures: ${lengthWords.length} word counts for ${design.n} answers`);
  }
  for (const c of columns) {
    if (c.values.length !== design.n) {
      throw new Error(
        `categoryFeatures: feature ${c.name} has ${c.values.length} values for ${design.n} answers`,
      );
    }
  }
  const { minPrompts = MIN_CATEGORY_PROMPTS, ...testOptions } = options;
  const kept = [...pairedPromptsByCategory(design, promptCategories)].filter(
    ([, prompts]) => prompts.length >= Math.max(1, minPrompts),
  );
  if (kept.length < 2) return null;
  return kept.map(([name, prompts]) => ({
    name,
    n: prompts.length,
    features: compareSubset(design, prompts, columns, lengthWords, testOptions),
  }));
}

/**
 * The category where `featureName` changes most (largest |shareB - shareA| on its primary
 * measure) in the direction of the overall change, among the categories where it is
 * significant (q < alpha); null when there is none. `direction` is the overall change's sign
 * (e.g. the overall feature's effect); without it, the sign of the prompt-weighted mean change
 * over all categories. For sentences like "numbered lists rise most in coding prompts".
 */
export function largestCategory(
  categories: readonly CategoryResult[] | null,
  featureName: string,
  direction?: number | null,
  alpha = 0.05,
): LargestCategory | null {
  if (!categories) return null;
  const rows = categories.flatMap((c) => {
    const f = c.features.find((x) => x.name === featureName);
    return f ? [{ category: c, feature: f }] : [];
  });
  const sign = Math.sign(
    direction ?? rows.reduce((s, r) => s + r.category.n * (r.feature.shareB - r.feature.shareA), 0),
  );
  if (sign === 0) return null;
  let best: LargestCategory | null = null;
  let bestChange = 0;
  for (const { category, feature } of rows) {
    const change = sign * (feature.shareB - feature.shareA);
    if (feature.qValue === null || feature.qValue >= alpha || change <= bestChange) continue;
    best = { name: category.name, shareA: feature.shareA, shareB: feature.shareB };
    bestChange = change;
  }
  return best;
}
