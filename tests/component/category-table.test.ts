/**
 * The app's per-category table: nothing at all without categories; rows for the features
 * significant in some category, cells "A → B" marked where q < 0.05; imported category names
 * shown as text, never as HTML.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import CategoryTable from '../../src/components/results/CategoryTable.svelte';
import type { CategoryResult } from '../../src/lib/core/compare/result-types';

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
    features: [f('numbered_items', 0.5, 2.1, 0.004), f('hedges', 1, 1.1, 0.6)],
  },
  {
    name: '<img src=x onerror=alert(1)>',
    n: 12,
    features: [f('numbered_items', 0.4, 0.45, 0.7), f('hedges', 1.2, 1, 0.4)],
  },
];

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  document.body.innerHTML = '';
});

function render(value: CategoryResult[] | null): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  component = mount(CategoryTable, { target, props: { categories: value } });
  flushSync();
  return target;
}

const texts = (els: Iterable<Element>) =>
  [...els].map((el) => el.textContent!.replace(/\s+/g, ' ').trim());

describe('category table', () => {
  it('renders nothing when the prompts have no categories', () => {
    const target = render(null);
    expect(target.innerHTML.replace(/<!---->/g, '').trim()).toBe('');
  });

  it('shows the significant features by category, marked, with names as text', () => {
    const target = render(categories);
    expect(target.querySelector('h3')!.textContent).toBe('By prompt category');
    expect(texts(target.querySelectorAll('th'))).toEqual([
      'feature',
      'coding (n = 14)',
      '<img src=x onerror=alert(1)> (n = 12)',
    ]);
    expect(target.querySelector('img')).toBeNull();
    const rows = target.querySelectorAll('[data-testid="category-row"]');
    expect(rows).toHaveLength(1); // hedges is significant nowhere
    expect(texts(rows[0]!.querySelectorAll('td'))).toEqual([
      'Numbered-list items, per 100 words',
      '0.50 → 2.10 *',
      '0.40 → 0.45',
    ]);
    expect(
      [...rows[0]!.querySelectorAll('td')].map((td) => td.className.includes('significant')),
    ).toEqual([false, true, false]);
  });

  it('says so when no feature differs in any category', () => {
    const flat = categories.map((c) => ({
      ...c,
      features: c.features.map((x) => ({ ...x, qValue: 0.5 })),
    }));
    const target = render(flat);
    expect(target.querySelector('[data-testid="category-table"]')).toBeNull();
    expect(target.querySelector('[data-testid="category-none"]')!.textContent).toBe(
      'No feature differs significantly within any category.',
    );
  });
});
