/**
 * Exemplars that represent a cluster: for each side, the medoids of that side's answers in the
 * cluster, i.e. the answers with the smallest summed cosine distance to the side's other
 * answers there (best first). Degenerate answers (text/degenerate-answer.ts) are neither
 * candidates nor counted in the sums; answers whose text repeats a chosen one are skipped. Every
 * cluster with (non-degenerate) answers from a side gets that side's exemplars, however
 * one-sided it is; noise (label < 0) gets none.
 *
 * With unit vectors u_i = v_i / |v_i|, the summed distance of i to the m candidates is
 *   sum_j (1 - u_i . u_j) = m - u_i . S,   S = sum_j u_j,
 * so the medoids are found in O(m * dims) instead of O(m^2 * dims).
 */
import type { Matrix } from '../vectors/matrix';

/** Answer indices that stand for one cluster, per side, best first. */
export interface ClusterExemplars {
  id: number;
  a: number[];
  b: number[];
}

/** Settings of medoid exemplars. */
export interface MedoidOptions {
  /** Answers per side (default 3). */
  perSide?: number;
  /** When given, answers whose text repeats an already chosen one are skipped. */
  texts?: readonly string[];
  /** Answers never chosen nor counted (e.g. degenerate ones): `excluded[i]` true. */
  excluded?: ArrayLike<boolean>;
}

/**
 * Medoid exemplars of every distinct label in `labels` (sorted by label), with `isB[i]` = 1
 * for B. Throws when the row counts of the inputs disagree.
 */
export function medoidExemplars(
  vectors: Matrix,
  labels: ArrayLike<number>,
  isB: ArrayLike<number>,
  options: MedoidOptions = {},
): ClusterExemplars[] {
  const n = vectors.rows;
  if (labels.length !== n || isB.length !== n) {
    throw new Error(`medoidExemplars: ${n} vectors, ${labels.length} labels, ${isB.length} sides`);
  }
  const perSide = options.perSide ?? 3;
  const { data, dims } = vectors;
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dims; k++) s += data[i * dims + k]! ** 2;
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    const list = members.get(l);
    if (list) list.push(i);
    else members.set(l, [i]);
  }
  const sum = new Float64Array(dims);
  const pick = (candidates: number[]): number[] => {
    sum.fill(0);
    for (const i of candidates)
      for (let k = 0; k < dims; k++) sum[k]! += data[i * dims + k]! * inv[i]!;
    const ranked = candidates.map((i) => {
      let dot = 0;
      for (let k = 0; k < dims; k++) dot += data[i * dims + k]! * sum[k]!;
      return { i, distance: candidates.length - dot * inv[i]! };
    });
    ranked.sort((x, y) => x.distance - y.distance || x.i - y.i);
    const out: number[] = [];
    const seen = new Set<string>();
    for (const { i } of ranked) {
      if (out.length >= perSide) break;
      const text = options.texts?.[i];
      if (text !== undefined) {
        if (seen.has(text)) continue;
        seen.add(text);
      }
      out.push(i);
    }
    return out;
  };
  const ids = [...members.keys()].sort((x, y) => x - y);
  return ids.map((id) => {
    if (id < 0) return { id, a: [], b: [] };
    const usable = members.get(id)!.filter((i) => !options.excluded?.[i]);
    return {
      id,
      a: pick(usable.filter((i) => isB[i] !== 1)),
      b: pick(usable.filter((i) => isB[i] === 1)),
    };
  });
}
