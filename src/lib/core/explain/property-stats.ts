/**
 * Counting the supervisor's per-prompt properties per model: a property reply is mapped back
 * from the blind labels (answer 1 / answer 2) to the sides, the properties are clustered by the
 * caller, and each cluster is counted per prompt (does A's answer have a member? does B's?),
 * so a model gets one vote per prompt however many similar properties were listed for it.
 */
import { bhQValues } from '../compare/fdr';
import { exactMcNemarP } from '../compare/mcnemar';
import type { Side } from '../run/types';
import type { BlindPair, PropertyCluster, PropertyObservation, RawProperty } from './types';

/** The standard normal quantile of 0.975 (scipy.stats.norm.ppf(0.975)). */
const Z95 = 1.959963984540054;
/** Member texts shown as a cluster's examples. */
const EXAMPLES = 5;

/**
 * The properties of one reply attributed to the models: answer 1 is `pair.first`, answer 2 the
 * other side. Texts are trimmed; empty ones are dropped.
 */
export function observationsFromReply(
  pair: BlindPair,
  properties: readonly RawProperty[],
): PropertyObservation[] {
  const second: Side = pair.first === 'A' ? 'B' : 'A';
  const out: PropertyObservation[] = [];
  for (const p of properties) {
    const text = p.text.trim();
    if (text === '') continue;
    out.push({ promptId: pair.promptId, text, side: p.answer === 1 ? pair.first : second });
  }
  return out;
}

/**
 * The 95% interval of shareB - shareA from the per-prompt differences d = hasB - hasA (each -1,
 * 0 or 1): mean +- 1.96 sd / sqrt(n), sd the sample standard deviation (n - 1), clipped to
 * [-1, 1]. The normal approximation ignores that d is bounded, so near +-1 it overshoots a range
 * no difference of shares can leave: the clip keeps it to possible values. With every
 * difference equal (sd = 0) the interval is that one point; with fewer than two prompts there
 * is no spread to estimate and it is [-1, 1].
 */
function pairedInterval(differences: readonly number[]): [number, number] {
  const n = differences.length;
  if (n < 2) return [-1, 1];
  const mean = differences.reduce((s, d) => s + d, 0) / n;
  const ss = differences.reduce((s, d) => s + (d - mean) * (d - mean), 0);
  const half = (Z95 * Math.sqrt(ss / (n - 1))) / Math.sqrt(n);
  return [Math.max(-1, mean - half), Math.min(1, mean + half)];
}

/** Up to EXAMPLES distinct texts, the most frequent first (ties in text order). */
function examplesOf(texts: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, EXAMPLES)
    .map(([t]) => t);
}

/**
 * Per-model statistics of property clusters over the sampled prompts. `clusterOf[i]` is the
 * cluster of `observations[i]`; a negative cluster (HDBSCAN's noise) is left out. Per cluster
 * and prompt, hasA = some member attributed to A on that prompt, hasB likewise; countA/countB =
 * prompts with hasA/hasB; shareA/shareB = count / nPrompts (the sampled prompts, also those
 * where the supervisor listed nothing); the interval is that of shareB - shareA from the paired
 * per-prompt differences (pairedInterval); pValue = exact McNemar on the prompts where only A /
 * only B has it; qValue = Benjamini-Hochberg across the clusters. Name and definition are ''
 * (the supervisor names clusters later); examples are up to 5 member texts, the most frequent
 * first. Sorted by |shareB - shareA| descending, then by cluster id.
 * @throws RangeError when the lengths differ or an observation's prompt was not sampled.
 */
export function propertyClusterStats(
  observations: readonly PropertyObservation[],
  clusterOf: readonly number[],
  sampledPromptIds: readonly string[],
): PropertyCluster[] {
  if (clusterOf.length !== observations.length) {
    throw new RangeError(
      `propertyClusterStats: ${clusterOf.length} cluster labels for ${observations.length} observations`,
    );
  }
  const prompts = [...new Set(sampledPromptIds)];
  const promptIndex = new Map(prompts.map((id, i) => [id, i]));
  const nPrompts = prompts.length;
  const members = new Map<number, { texts: string[]; hasA: Uint8Array; hasB: Uint8Array }>();
  observations.forEach((o, i) => {
    const p = promptIndex.get(o.promptId);
    if (p === undefined) {
      throw new RangeError(`propertyClusterStats: prompt ${o.promptId} is not among the sampled`);
    }
    const c = clusterOf[i]!;
    if (c < 0) return;
    let m = members.get(c);
    if (!m) {
      m = { texts: [], hasA: new Uint8Array(nPrompts), hasB: new Uint8Array(nPrompts) };
      members.set(c, m);
    }
    m.texts.push(o.text);
    (o.side === 'A' ? m.hasA : m.hasB)[p] = 1;
  });
  const clusters: PropertyCluster[] = [...members].map(([id, m]) => {
    let countA = 0;
    let countB = 0;
    let onlyA = 0;
    let onlyB = 0;
    const differences: number[] = [];
    for (let p = 0; p < nPrompts; p++) {
      const a = m.hasA[p]!;
      const b = m.hasB[p]!;
      countA += a;
      countB += b;
      if (a > b) onlyA++;
      if (b > a) onlyB++;
      differences.push(b - a);
    }
    const [ciLow, ciHigh] = pairedInterval(differences);
    return {
      id,
      name: '',
      definition: '',
      examples: examplesOf(m.texts),
      countA,
      countB,
      nPrompts,
      shareA: countA / nPrompts,
      shareB: countB / nPrompts,
      ciLow,
      ciHigh,
      pValue: exactMcNemarP(onlyA, onlyB),
      qValue: NaN,
    };
  });
  const q = bhQValues(clusters.map((c) => c.pValue));
  clusters.forEach((c, i) => (c.qValue = q[i]!));
  // Every cluster shares nPrompts, so the count gap orders like the share gap, without rounding.
  const gap = (c: PropertyCluster) => Math.abs(c.countB - c.countA);
  return clusters.sort((x, y) => gap(y) - gap(x) || x.id - y.id);
}
