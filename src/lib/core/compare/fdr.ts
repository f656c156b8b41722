/** Benjamini-Hochberg false discovery rate control. */

/**
 * Benjamini-Hochberg q-values (adjusted p-values): q_(i) = min over j >= i of min(1, m p_(j) / j),
 * so they are monotone in p and capped at 1. Non-finite entries (NaN: "no test possible") are
 * passed through as NaN and do not count towards m.
 */
export function bhQValues(pValues: ArrayLike<number>): Float64Array {
  const n = pValues.length;
  const q = new Float64Array(n).fill(NaN);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(pValues[i]!)) order.push(i);
  const m = order.length;
  order.sort((a, b) => pValues[a]! - pValues[b]!);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1]!;
    running = Math.min(running, (m * pValues[i]!) / rank);
    q[i] = running;
  }
  return q;
}

/** BH q-values for p-values that may be null (no test possible); nulls stay null. */
export function bhQValuesNullable(pValues: readonly (number | null)[]): (number | null)[] {
  const q = bhQValues(pValues.map((p) => p ?? NaN));
  return Array.from(q, (v) => (Number.isFinite(v) ? v : null));
}
