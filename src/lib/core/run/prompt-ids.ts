/** Stable prompt ids for runs built from files that have none. */

/** The id of the `index`-th prompt (0-based): p0001, p0002, … (wider past 9999). */
export function promptIdAt(index: number): string {
  return `p${String(index + 1).padStart(4, '0')}`;
}
