/**
 * How the features per prompt category are shown (app table, Markdown and HTML reports): one
 * compact table whose rows are the features significant in some category and whose columns are
 * the categories, each cell "A → B" on the feature's primary measure with a mark where q < 0.05,
 * and one sentence naming the category where a feature changes most.
 */
import type { LargestCategory } from '../compare/category-features';
import { MIN_CATEGORY_PROMPTS } from '../compare/category-features';
import type { CategoryFeature, CategoryResult } from '../compare/result-types';
import { FEATURE_MEASURES, readableFeatureName } from '../text/style-features';
import type { FeatureMeasure } from '../text/style-features';
import { escapeHtml } from './escape-html';
import { cell } from './markdown';

/** The section's title wherever it is shown. */
export const CATEGORIES_TITLE = 'By prompt category';

/** What marks a significant cell, and where q is below it. */
const MARK = '*';
const ALPHA = 0.05;

/** How the per-category comparison is done and what the table shows, for the reports. */
export const CATEGORIES_METHOD =
  "Each category's prompts are compared on their own, exactly like all prompts in the style " +
  'features (paired by prompt, on the same primary measure: share of answers, rate per 100 ' +
  'words, or mean words per answer), with q-values by Benjamini-Hochberg within each category. ' +
  `Categories with fewer than ${MIN_CATEGORY_PROMPTS} paired prompts are left out. Rows: the ` +
  `features significant in at least one category; cells: A → B, ${MARK} where q < ${ALPHA}.`;

/** One cell of the table: "A → B" and whether its q is below 0.05. */
export interface CategoryCell {
  text: string;
  significant: boolean;
}

/** The table as data: what the Markdown, the HTML and the app's component all render. */
export interface CategoryTable {
  /** Column headers: each category's name and its paired prompts. */
  columns: { name: string; n: number }[];
  rows: { feature: string; label: string; cells: CategoryCell[] }[];
}

/**
 * A feature's primary measure by name: the style features' own; any other (the comparison's
 * extra features) is compared on its values as they are, like length.
 */
function measureOf(feature: string): FeatureMeasure {
  return (FEATURE_MEASURES as Record<string, FeatureMeasure | undefined>)[feature] ?? 'length';
}

function percent(x: number): string {
  // A share that rounds to 0% but is not zero would read as "none".
  return x > 0 && x < 0.005 ? '<1%' : `${Math.round(x * 100)}%`;
}

function rate(x: number): string {
  return x >= 10 ? x.toFixed(0) : x.toFixed(2);
}

/** "12% → 61%", "0.52 → 1.30" (per 100 words) or "52 → 272" (words), by the feature's measure. */
export function categoryValuesText(feature: string, shareA: number, shareB: number): string {
  switch (measureOf(feature)) {
    case 'presence':
      return `${percent(shareA)} → ${percent(shareB)}`;
    case 'rate':
      return `${rate(shareA)} → ${rate(shareB)}`;
    case 'length':
      return `${Math.round(shareA)} → ${Math.round(shareB)}`;
  }
}

/** The unit of a feature's values: "share of answers", "per 100 words" or "words per answer". */
function unitOf(feature: string): string {
  switch (measureOf(feature)) {
    case 'presence':
      return 'share of answers';
    case 'rate':
      return 'per 100 words';
    case 'length':
      return 'mean per answer';
  }
}

const isSignificant = (f: CategoryFeature | undefined): boolean =>
  f !== undefined && f.qValue !== null && f.qValue < ALPHA;

/**
 * The table's data: rows are the features significant (q < 0.05) in at least one category, in
 * the categories' feature order; a feature a category lacks is "–". Null when there are no
 * categories.
 */
export function categoryTable(categories: readonly CategoryResult[] | null): CategoryTable | null {
  if (!categories || categories.length === 0) return null;
  const names: string[] = [];
  for (const c of categories) {
    for (const f of c.features) if (!names.includes(f.name)) names.push(f.name);
  }
  const rows = names
    .filter((name) =>
      categories.some((c) => isSignificant(c.features.find((f) => f.name === name))),
    )
    .map((name) => ({
      feature: name,
      label: `${readableFeatureName(name)}, ${unitOf(name)}`,
      cells: categories.map((c) => {
        const f = c.features.find((x) => x.name === name);
        if (!f) return { text: '–', significant: false };
        const significant = isSignificant(f);
        const values = categoryValuesText(name, f.shareA, f.shareB);
        return { text: significant ? `${values} ${MARK}` : values, significant };
      }),
    }));
  return { columns: categories.map((c) => ({ name: c.name, n: c.n })), rows };
}

/** What the table says when no feature is significant in any category. */
export const NO_CATEGORY_FINDINGS = 'No feature differs significantly within any category.';

/** A category's column header: "koala (n = 156)". */
export function categoryHeader(column: { name: string; n: number }): string {
  return `${column.name} (n = ${column.n})`;
}

/**
 * The section body in Markdown (method note and table, no heading: see CATEGORIES_TITLE); ""
 * when there are no categories. Every text is escaped for a table cell.
 */
export function categoriesMarkdown(categories: readonly CategoryResult[] | null): string {
  const table = categoryTable(categories);
  if (!table) return '';
  const lines = [CATEGORIES_METHOD, ''];
  if (table.rows.length === 0) {
    lines.push(NO_CATEGORY_FINDINGS);
    return lines.join('\n');
  }
  lines.push(
    `| feature | ${table.columns.map((c) => cell(categoryHeader(c))).join(' | ')} |`,
    `| --- | ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map(
      (r) => `| ${cell(r.label)} | ${r.cells.map((c) => cell(c.text)).join(' | ')} |`,
    ),
  );
  return lines.join('\n');
}

/**
 * The section body in HTML (method note and table, no heading: see CATEGORIES_TITLE); "" when
 * there are no categories. Every text is escaped: category names come from imported files.
 */
export function categoriesHtml(categories: readonly CategoryResult[] | null): string {
  const table = categoryTable(categories);
  if (!table) return '';
  const e = escapeHtml;
  const out = [`<p>${e(CATEGORIES_METHOD)}</p>`];
  if (table.rows.length === 0) {
    out.push(`<p>${e(NO_CATEGORY_FINDINGS)}</p>`);
    return out.join('\n');
  }
  out.push(
    '<table class="categories">',
    `<thead><tr><th>feature</th>${table.columns.map((c) => `<th>${e(categoryHeader(c))}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...table.rows.map(
      (r) =>
        `<tr><td>${e(r.label)}</td>${r.cells
          .map((c) => (c.significant ? `<td class="significant">` : '<td>') + `${e(c.text)}</td>`)
          .join('')}</tr>`,
    ),
    '</tbody>',
    '</table>',
  );
  return out.join('\n');
}

/**
 * One sentence naming the category where `feature` changes most (from `largestCategory`), e.g.
 * "Numbered-list items: largest rise in coding prompts (0.52 → 2.10 per 100 words)"; null when
 * there is no such category.
 */
export function categorySentence(feature: string, largest: LargestCategory | null): string | null {
  if (!largest || largest.shareA === largest.shareB) return null;
  const way = largest.shareB > largest.shareA ? 'rise' : 'fall';
  const values = categoryValuesText(feature, largest.shareA, largest.shareB);
  const measure = measureOf(feature);
  const shown =
    measure === 'presence'
      ? `${values} of answers`
      : measure === 'rate'
        ? `${values} per 100 words`
        : `mean ${values}`;
  return `${readableFeatureName(feature)}: largest ${way} in ${largest.name} prompts (${shown})`;
}
