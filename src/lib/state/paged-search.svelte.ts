/**
 * Searching a long list and showing it a page at a time (the run's prompts, a cluster's
 * answers): the items that match the query and any further filter, and the page of them shown.
 */

/** How many items one page shows; long lists stay quick to render. */
export const PAGE_SIZE = 25;

/** Where a PagedSearch gets its items and what it searches in them. */
export interface PagedSearchSource<T> {
  /** The whole list; read inside a derivation, so it may come from runes. */
  items(): readonly T[];
  /** The texts the query is looked for in, case-insensitively. */
  texts(item: T): readonly string[];
  /** A filter besides the query (a category, a side); every item passes when absent. */
  keep?(item: T): boolean;
}

/** A query and a page over a list; the page stays within the matches when they shrink. */
export class PagedSearch<T> {
  #query = $state('');
  #page = $state(0);
  readonly #source: PagedSearchSource<T>;

  /** Items matching the query and the source's filter, in list order. */
  readonly filtered: T[] = $derived.by(() => {
    const needle = this.#query.trim().toLowerCase();
    return this.#source
      .items()
      .filter(
        (item) =>
          (this.#source.keep?.(item) ?? true) &&
          (!needle || this.#source.texts(item).some((t) => t.toLowerCase().includes(needle))),
      );
  });
  /** Pages of matches; at least one, so "page 1 of 1" shows for no match. */
  readonly pageCount: number = $derived(Math.max(1, Math.ceil(this.filtered.length / PAGE_SIZE)));
  /** The matches on the page shown. */
  readonly visible: T[] = $derived(
    this.filtered.slice(this.page * PAGE_SIZE, (this.page + 1) * PAGE_SIZE),
  );

  constructor(source: PagedSearchSource<T>) {
    this.#source = source;
  }

  /** The search text; a new one starts at the first page. */
  get query(): string {
    return this.#query;
  }

  set query(query: string) {
    if (query === this.#query) return;
    this.#query = query;
    this.#page = 0;
  }

  /** The page shown, from 0. */
  get page(): number {
    return Math.min(this.#page, this.pageCount - 1);
  }

  set page(page: number) {
    this.#page = Math.max(0, Math.floor(page));
  }
}
