/**
 * UMAP's output-space kernel 1 / (1 + a d^(2b)), with a and b fitted to the target curve
 * "1 below min_dist, exp(-(d - min_dist) / spread) above", as umap-learn's find_ab_params does
 * with scipy's curve_fit (Levenberg-Marquardt, start (1, 1), 300 points on [0, 3 spread]).
 * For spread 1, min_dist 0.1 this gives a = 1.5769434..., b = 0.8950608... (umap-learn 0.5.3).
 */

/** Fitted kernel parameters. */
export interface CurveParams {
  a: number;
  b: number;
}

/** Least-squares fit of a and b for the given spread and min_dist. */
export function findAbParams(spread: number, minDist: number): CurveParams {
  const m = 300;
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = (spread * 3 * i) / (m - 1);
    xs[i] = x;
    ys[i] = x < minDist ? 1 : Math.exp(-(x - minDist) / spread);
  }
  const cost = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const r = 1 / (1 + a * Math.pow(xs[i]!, 2 * b)) - ys[i]!;
      s += r * r;
    }
    return s;
  };
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let current = cost(a, b);
  for (let iter = 0; iter < 500; iter++) {
    // Normal equations J^T J and gradient J^T r for the 2 parameters.
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < m; i++) {
      const x = xs[i]!;
      const p = x > 0 ? Math.pow(x, 2 * b) : 0;
      const den = 1 + a * p;
      const r = 1 / den - ys[i]!;
      const da = -p / (den * den);
      const db = x > 0 ? (-a * p * 2 * Math.log(x)) / (den * den) : 0;
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    let improved = false;
    while (lambda < 1e12) {
      // Marquardt's scaling: damp each parameter by its own curvature.
      const haa = jaa * (1 + lambda);
      const hbb = jbb * (1 + lambda);
      const det = haa * hbb - jab * jab;
      const stepA = -(hbb * ga - jab * gb) / det;
      const stepB = -(haa * gb - jab * ga) / det;
      const next = cost(a + stepA, b + stepB);
      if (Number.isFinite(next) && next <= current) {
        const small =
          Math.abs(stepA) < 1e-13 * (1 + Math.abs(a)) &&
          Math.abs(stepB) < 1e-13 * (1 + Math.abs(b));
        a += stepA;
        b += stepB;
        const gain = current - next;
        current = next;
        lambda = Math.max(lambda / 10, 1e-15);
        improved = !small && gain > 1e-18 * current;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { a, b };
}
