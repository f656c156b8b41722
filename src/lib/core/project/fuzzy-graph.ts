/**
 * UMAP's fuzzy simplicial set: per-point smooth kNN distances, membership strengths and the
 * fuzzy union of the directed kNN graph with its transpose. Follows umap-learn 0.5
 * (umap_.smooth_knn_dist, compute_membership_strengths, fuzzy_simplicial_set) so the graphs match.
 */
import type { KnnGraph } from '../vectors/knn';

/** A symmetric weighted graph as COO lists with both (i, j) and (j, i), sorted by (row, col). */
export interface FuzzyGraph {
  n: number;
  rows: Int32Array;
  cols: Int32Array;
  weights: Float32Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;
const N_ITER = 64;

/**
 * For each point, rho (distance to the nearest non-identical neighbour, interpolated by
 * local connectivity) and sigma such that sum_j exp(-(d_ij - rho) / sigma) = log2(k) * bandwidth
 * over the neighbours after the first (binary search, as umap-learn).
 */
export function smoothKnnDistances(
  knn: KnnGraph,
  localConnectivity = 1,
  bandwidth = 1,
): { sigmas: Float32Array; rhos: Float32Array } {
  const { n, k, distances } = knn;
  const target = Math.log2(k) * bandwidth;
  const rhos = new Float32Array(n);
  const sigmas = new Float32Array(n);
  let meanAll = 0;
  for (let t = 0; t < distances.length; t++) meanAll += distances[t]!;
  meanAll /= distances.length;
  const nonZero = new Float64Array(k);
  // Stryker disable next-line EqualityOperator: row n reads past the arrays and only writes rhos[n] and sigmas[n], past the ends (ignored)
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let nz = 0;
    let rowMean = 0;
    for (let j = 0; j < k; j++) {
      const d = distances[base + j]!;
      rowMean += d;
      if (d > 0) nonZero[nz++] = d;
    }
    rowMean /= k;
    const index = Math.floor(localConnectivity);
    const interpolation = localConnectivity - index;
    let rho = 0;
    if (nz >= localConnectivity) {
      if (index > 0) {
        rho = nonZero[index - 1]!;
        if (interpolation > SMOOTH_K_TOLERANCE) {
          rho += interpolation * (nonZero[index]! - nonZero[index - 1]!);
        }
      } else {
        rho = interpolation * nonZero[0]!;
      }
    } else if (nz > 0) {
      rho = nonZero[nz - 1]!;
    }
    // Float32 like umap-learn's arrays, so the comparisons below see the same rho.
    rhos[i] = rho;
    rho = rhos[i]!;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < N_ITER; it++) {
      let psum = 0;
      for (let j = 1; j < k; j++) {
        const d = distances[base + j]! - rho;
        // Stryker disable next-line EqualityOperator: at d = 0 both branches add exp(-0) = 1
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      // Stryker disable next-line EqualityOperator: psum === target already left the loop through the tolerance check above
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    // A floor keeps sigma from collapsing where all neighbours are at the same distance.
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? rowMean : meanAll);
    sigmas[i] = Math.max(mid, floor);
  }
  return { sigmas, rhos };
}

/** Options of fuzzySimplicialSet. */
export interface FuzzySetOptions {
  /** Neighbours assumed connected at full strength (default 1). */
  localConnectivity?: number;
  /** 1 = fuzzy union (default), 0 = fuzzy intersection, between = mix. */
  setOpMixRatio?: number;
}

/** Builds the symmetric fuzzy graph from a kNN graph whose rows include each point itself. */
export function fuzzySimplicialSet(knn: KnnGraph, options: FuzzySetOptions = {}): FuzzyGraph {
  const { n, k, indices, distances } = knn;
  const mix = options.setOpMixRatio ?? 1;
  const { sigmas, rhos } = smoothKnnDistances(knn, options.localConnectivity ?? 1);
  // Directed memberships, keyed by i * n + j and sorted for binary search.
  const keys: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!;
      if (j < 0 || j === i) continue;
      const d = distances[i * k + t]!;
      // Stryker disable next-line EqualityOperator: at d = rho, exp(-0 / sigma) is 1 as well (sigma >= 2^-64, never 0)
      const w = d - rhos[i]! <= 0 || sigmas[i] === 0 ? 1 : Math.exp(-((d - rhos[i]!) / sigmas[i]!));
      // umap-learn keeps float32 memberships and drops those that underflow to 0.
      if (Math.fround(w) === 0) continue;
      keys.push(i * n + j);
      vals.push(w);
    }
  }
  const order = Array.from(keys.keys()).sort((x, y) => keys[x]! - keys[y]!);
  const dk = new Float64Array(order.length);
  const dv = new Float64Array(order.length);
  order.forEach((o, t) => {
    dk[t] = keys[o]!;
    dv[t] = vals[o]!;
  });
  const lookup = (key: number): number => {
    let lo = 0;
    // Stryker disable next-line ArithmeticOperator: dk[length] and dk[length + 1] are undefined, compare false and send the search left, as a larger key would
    let hi = dk.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = dk[mid]!;
      if (v === key) return dv[mid]!;
      // Stryker disable next-line EqualityOperator: v === key has returned on the line above
      if (v < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  };
  // Every pair present in either direction, in (row, col) order.
  const all = new Float64Array(dk.length * 2);
  // Stryker disable next-line EqualityOperator: t = length writes all[2 * length] and all[2 * length + 1], past the end (ignored)
  for (let t = 0; t < dk.length; t++) {
    const key = dk[t]!;
    const i = Math.floor(key / n);
    all[2 * t] = key;
    all[2 * t + 1] = (key - i * n) * n + i;
  }
  all.sort();
  const rows: number[] = [];
  const cols: number[] = [];
  const weights: number[] = [];
  // Stryker disable next-line EqualityOperator: key undefined looks up weight 0 both ways, so w = 0 and nothing is added
  for (let t = 0; t < all.length; t++) {
    const key = all[t]!;
    if (t > 0 && all[t - 1] === key) continue;
    const i = Math.floor(key / n);
    const j = key - i * n;
    const a = lookup(key);
    const b = lookup(j * n + i);
    const prod = a * b;
    const w = mix * (a + b - prod) + (1 - mix) * prod;
    if (w > 0) {
      rows.push(i);
      cols.push(j);
      weights.push(w);
    }
  }
  return {
    n,
    rows: Int32Array.from(rows),
    cols: Int32Array.from(cols),
    weights: Float32Array.from(weights),
  };
}
