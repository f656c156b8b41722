/**
 * The seeded discovery/held-out split of a run's prompts, and seeded prompt samples. Both rank
 * each id by a hash of (purpose, seed, id) rather than shuffling a list, so the result depends
 * only on the set of ids and the seed: the same prompts loaded in another order (a run file
 * re-imported, prompts re-sorted) give the same halves and the same samples.
 */

/**
 * A 53-bit hash of a string (cyrb53): wide enough that 10,000 ids practically never tie, and
 * ties are broken by the id itself so the order stays total.
 */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The distinct ids in the seeded order of `purpose` (duplicates count once). */
function seededOrder(ids: readonly string[], seed: number, purpose: string): string[] {
  const keyed = [...new Set(ids)].map((id) => ({
    id,
    h: hash53(`${purpose}\u0000${seed}\u0000${id}`),
  }));
  keyed.sort((x, y) => x.h - y.h || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return keyed.map((k) => k.id);
}

/**
 * Splits prompt ids into a discovery half (what the supervisor sees to propose hypotheses) and
 * a held-out half (where they are judged). Seeded and order-independent: the same ids in any
 * order give the same halves. The discovery half gets ceil(n/2) ids, the held-out half
 * floor(n/2); duplicate ids count once. Each half lists its ids in the seeded order.
 */
export function splitPrompts(
  promptIds: readonly string[],
  seed: number,
): { discovery: string[]; heldOut: string[] } {
  const order = seededOrder(promptIds, seed, 'split');
  const cut = Math.ceil(order.length / 2);
  return { discovery: order.slice(0, cut), heldOut: order.slice(cut) };
}

/**
 * A seeded sample of `n` of the ids (all of them when n >= their number), order-independent
 * like splitPrompts and stable as n grows: it is the first n of one seeded order, so a larger
 * sample holds every prompt of a smaller one (more prompts never re-ask the ones already done).
 * Its own hash purpose keeps it independent of the split with the same seed.
 */
export function samplePrompts(ids: readonly string[], n: number, seed: number): string[] {
  return seededOrder(ids, seed, 'sample').slice(0, Math.max(0, Math.floor(n)));
}
