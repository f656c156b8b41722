/**
 * Search and paging of the run screen (RunViewState over PagedSearch, the one the cluster view
 * shares): the query looks in prompts and both sides' answers, the category narrows, a new query
 * starts at the first page, and the page never points past the matches.
 */
import { describe, expect, it } from 'vitest';
import type { Answer, Prompt, Run } from '../../src/lib/core/run/types';
import type { AppState } from '../../src/lib/state/app.svelte';
import { PAGE_SIZE, PagedSearch } from '../../src/lib/state/paged-search.svelte';
import { RunViewState } from '../../src/lib/state/run-view.svelte';
import { makeRun } from '../unit/persistence-fixtures';

const CATEGORIES = ['coding', 'maths', 'poetry'];

/** 60 prompts in three categories, one answer a side; B mentions recursion on every 7th. */
function run(): Run {
  const prompts: Prompt[] = Array.from({ length: 60 }, (_, i) => ({
    id: `p${i}`,
    text: `Question ${i}`,
    category: CATEGORIES[i % 3]!,
  }));
  const answers: Answer[] = prompts.flatMap((p, i) =>
    (['A', 'B'] as const).map((side) => ({
      promptId: p.id,
      side,
      sample: 0,
      text: side === 'B' && i % 7 === 0 ? 'Use Recursion here.' : `${side} says something`,
      finishReason: 'stop' as const,
      createdAt: '2026-01-01T00:00:00.000Z',
    })),
  );
  return { ...makeRun('r1', { samples: 1 }), prompts, answers, analyses: [] };
}

describe('run screen search and paging', () => {
  it('pages the prompts and searches answers case-insensitively within a category', () => {
    const view = new RunViewState({} as AppState);
    view.run = run();
    expect(view.pageCount).toBe(3);
    expect(view.visible.map((r) => r.prompt.id)).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, i) => `p${i}`),
    );
    view.page = 2;
    expect(view.visible.map((r) => r.prompt.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `p${50 + i}`),
    );

    // B's answers on p0, p7, p14, ... p56 mention recursion; a new query starts at page 1.
    view.query = ' RECURSION ';
    expect(view.page).toBe(0);
    expect(view.filtered.map((r) => r.prompt.id)).toEqual(
      [0, 7, 14, 21, 28, 35, 42, 49, 56].map((i) => `p${i}`),
    );
    view.category = 'maths';
    expect(view.filtered.map((r) => r.prompt.id)).toEqual(['p7', 'p28', 'p49']);
    view.query = 'Question 1';
    // Question 1, 10, 13, 16, 19 are maths prompts (index % 3 === 1).
    expect(view.filtered.map((r) => r.prompt.id)).toEqual(['p1', 'p10', 'p13', 'p16', 'p19']);
  });

  it('keeps the page within the matches when they shrink under it', () => {
    const view = new RunViewState({} as AppState);
    view.run = run();
    view.page = 2;
    view.category = 'coding';
    // 20 coding prompts: one page, and it shows them rather than an empty third page.
    expect(view.pageCount).toBe(1);
    expect(view.page).toBe(0);
    expect(view.visible).toHaveLength(20);
  });

  it('never goes below the first page', () => {
    const search = new PagedSearch({ items: () => [1, 2, 3], texts: (n) => [String(n)] });
    search.page = -3;
    expect(search.page).toBe(0);
    expect(search.visible).toEqual([1, 2, 3]);
  });
});
