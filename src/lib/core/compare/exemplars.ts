/**
 * Representative answers of each cluster: the answers of each side closest (by cosine
 * similarity) to the centroid of the whole cluster. One centroid for both sides, so A's and B's
 * exemplars answer "what does this cluster look like when A writes it / when B writes it".
 */
import type { Matrix } from '../vectors/matrix';

/** Answer indices nearest the centroid of one cluster, per side, nearest first. */
export interface ClusterExemplars {
  id: number;
  a: number[];
  b: number[];
}

/** Settings of exemplar selection. */
export interface ExemplarOptions {
  /** Answers per side (default 3). */
  perSide?: number;
  /** When given, answers whose text repeats an already chosen one are skipped. */
  texts?: readonly string[];
}

/**
 * Exemplars of every distinct label in `labels` (sorted by label), with `isB[i]` = 1 for B.
 * Throws when the row counts of the inputs disagree.
 */
export function clusterExemplars(
  vectors: Matrix,
  labels: ArrayLike<number>,
  isB: Uint8Array,
  options: ExemplarOptions = {},
): ClusterExemplars[] {
  const n = vectors.rows;
  if (labels.length !== n || isB.length !== n) {
    throw new Error(`clusterExemplars: ${n} vectors, ${labels.length} labels, ${isB.length} sides`);
  }
  const perSide = options.perSide ?? 3;
  const { data, dims } = vectors;
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    const list = members.get(l);
    if (list) list.push(i);
    else members.set(l, [i]);
  }
  const ids = [...members.keys()].sort((x, y) => x - y);
  const centroid = new Float64Array(dims);
  return ids.map((id) => {
    const idx = members.get(id)!;
    centroid.fill(0);
    for (const i of idx) for (let k = 0; k < dims; k++) centroid[k]! += data[i * dims + k]!;
    const score = (i: number): number => {
      let dot = 0;
      let norm = 0;
      for (let k = 0; k < dims; k++) {
        const v = data[i * dims + k]!;
        dot += v * centroid[k]!;
        norm += v * v;
      }
      return norm > 0 ? dot / Math.sqrt(norm) : -Infinity; // centroid norm is common: skipped
    };
    const ranked = idx.map((i) => ({ i, s: score(i) })).sort((x, y) => y.s - x.s || x.i - y.i);
    const pick = (side: number): number[] => {
      const out: number[] = [];
      const seen = new Set<string>();
      for (const { i } of ranked) {
        if (out.length >= perSide) break;
        if (isB[i] !== side) continue;
        const text = options.texts?.[i];
        if (text !== undefined) {
          if (seen.has(text)) continue;
          seen.add(text);
        }
        out.push(i);
      }
      return out;
    };
    return { id, a: pick(0), b: pick(1) };
  });
}
