import { describe, expect, it } from 'vitest';
import { categoryFeatures, largestCategory } from '../../src/lib/core/compare/category-features';
import { pairedDesign } from '../../src/lib/core/compare/design';
import type { CategoryResult } from '../../src/lib/core/compare/result-types';
import {
  CATEGORIES_METHOD,
  categoriesHtml,
  categoriesMarkdown,
  categorySentence,
  categoryTable,
  NO_CATEGORY_FINDINGS,
} from '../../src/lib/core/report/categories-text';
import type { Side } from '../../src/lib/core/run/types';

const f = (name: string, shareA: number, shareB: number, qValue: number | null) => ({
  name,
  shareA,
  shareB,
  pValue: qValue,
  qValue,
});

const categories: CategoryResult[] = [
  {
    name: 'coding',
    n: 14,
    features: [
      f('length_words', 52.4, 272.2, 0.001),
      f('tables', 0.1, 0.2, 0.3),
      f('numbered_items', 0.5, 2.1, 0.004),
      f('hedges', 1, 1.1, 0.6),
    ],
  },
  {
    name: 'advice',
    n: 14,
    features: [
      f('length_words', 80, 90, 0.2),
      f('tables', 0.002, 0.5, 0.01),
      f('numbered_items', 0.4, 0.45, 0.7),
      f('hedges', 1.2, 1, 0.4),
    ],
  },
];

describe('categoryTable', () => {
  it('has a row for each feature significant in some category, cells A → B marked where q < 0.05', () => {
    expect(categoryTable(categories)).toEqual({
      columns: [
        { name: 'coding', n: 14 },
        { name: 'advice', n: 14 },
      ],
      rows: [
        {
          feature: 'length_words',
          label: 'Answer length (words), mean per answer',
          cells: [
            { text: '52 → 272 *', significant: true },
            { text: '80 → 90', significant: false },
          ],
        },
        {
          feature: 'tables',
          label: 'Tables, share of answers',
          cells: [
            { text: '10% → 20%', significant: false },
            { text: '<1% → 50% *', significant: true },
          ],
        },
        {
          feature: 'numbered_items',
          label: 'Numbered-list items, per 100 words',
          cells: [
            { text: '0.50 → 2.10 *', significant: true },
            { text: '0.40 → 0.45', significant: false },
          ],
        },
      ],
    });
  });

  it('gives a dash where a category lacks a feature, and null without categories', () => {
    const lacking = [categories[0]!, { ...categories[1]!, features: [] }];
    expect(categoryTable(lacking)!.rows[0]!.cells[1]).toEqual({ text: '–', significant: false });
    expect(categoryTable(null)).toBeNull();
    expect(categoryTable([])).toBeNull();
  });
});

describe('categoriesMarkdown', () => {
  it('writes the method and the table', () => {
    expect(categoriesMarkdown(categories).split('\n')).toEqual([
      CATEGORIES_METHOD,
      '',
      '| feature | coding (n = 14) | advice (n = 14) |',
      '| --- | --- | --- |',
      '| Answer length (words), mean per answer | 52 → 272 \\* | 80 → 90 |',
      '| Tables, share of answers | 10% → 20% | \\<1% → 50% \\* |',
      '| Numbered-list items, per 100 words | 0.50 → 2.10 \\* | 0.40 → 0.45 |',
    ]);
  });

  it('escapes a category name that would break the table', () => {
    const odd = [{ ...categories[0]!, name: 'a|b\n<i>c</i>' }, categories[1]!];
    const header = categoriesMarkdown(odd).split('\n')[2]!;
    expect(header).toBe('| feature | a\\|b \\<i\\>c\\</i\\> (n = 14) | advice (n = 14) |');
  });

  it('says when no feature differs in any category, and is empty without categories', () => {
    const flat = categories.map((c) => ({
      ...c,
      features: c.features.map((x) => ({ ...x, qValue: 0.5 })),
    }));
    expect(categoriesMarkdown(flat)).toBe(`${CATEGORIES_METHOD}\n\n${NO_CATEGORY_FINDINGS}`);
    expect(categoriesMarkdown(null)).toBe('');
  });
});

describe('categoriesHtml', () => {
  it('renders every text escaped, significant cells marked', () => {
    const hostile = [
      { ...categories[0]!, name: '<img src=x onerror="alert(1)">' },
      { ...categories[1]!, features: [...categories[1]!.features, f('<b>x</b>', 0, 1, 0.01)] },
    ];
    const html = categoriesHtml(hostile);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<th>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; (n = 14)</th>');
    expect(html).toContain('<td>&lt;b&gt;x&lt;/b&gt;, mean per answer</td><td>–</td>');
    expect(html).toContain(
      '<tr><td>Tables, share of answers</td><td>10% → 20%</td><td class="significant">&lt;1% → 50% *</td></tr>',
    );
  });

  it('is empty without categories and says when nothing differs', () => {
    expect(categoriesHtml(null)).toBe('');
    const flat = categories.map((c) => ({ ...c, features: [] }));
    expect(categoriesHtml(flat)).toContain(`<p>${NO_CATEGORY_FINDINGS}</p>`);
    expect(categoriesHtml(flat)).not.toContain('<table');
  });
});

describe('categorySentence', () => {
  it('names the category and the values on the feature’s measure', () => {
    expect(categorySentence('tables', { name: 'coding', shareA: 0.12, shareB: 0.61 })).toBe(
      'Tables: largest rise in coding prompts (12% → 61% of answers)',
    );
    expect(categorySentence('hedges', { name: 'advice', shareA: 2.1, shareB: 0.8 })).toBe(
      'Hedging phrases: largest fall in advice prompts (2.10 → 0.80 per 100 words)',
    );
    expect(categorySentence('length_words', { name: 'vicuna', shareA: 184, shareB: 431.5 })).toBe(
      'Answer length (words): largest rise in vicuna prompts (mean 184 → 432)',
    );
    expect(categorySentence('tables', null)).toBeNull();
  });

  it('names the category where B adds numbered lists, from categoryFeatures', () => {
    // 12 coding prompts where B answers with a numbered list, 12 advice prompts in prose.
    const texts: string[] = [];
    const categories: string[] = [];
    for (let p = 0; p < 24; p++) {
      const coding = p < 12;
      categories.push(coding ? 'coding' : 'advice');
      texts.push(`Open the file number ${p}, then save it and close it.`);
      texts.push(
        coding
          ? `Steps for file ${p}:\n1. Open it.\n2. Save it.`
          : `Open the file number ${p}, then save it.`,
      );
    }
    const promptIndex = texts.map((_, i) => i >> 1);
    const design = pairedDesign(
      promptIndex,
      texts.map((_, i) => (i % 2 ? 'B' : 'A') as Side),
    );
    const items = texts.map((t) => (t.match(/^\d\. /gm) ?? []).length);
    const words = texts.map((t) => t.split(/\s+/).length);
    const result = categoryFeatures(
      design,
      categories,
      [{ name: 'numbered_items', values: items, measure: 'rate' }],
      words,
    );
    // B: 2 items in 10 words per coding answer (rates of 10 and more print without decimals).
    expect(categorySentence('numbered_items', largestCategory(result, 'numbered_items'))).toBe(
      'Numbered-list items: largest rise in coding prompts (0.00 → 20 per 100 words)',
    );
  });
});
