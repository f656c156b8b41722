/**
 * Nucleus (top-p) sampling for transformers.js. Its TopPLogitsWarper has no implementation (the
 * generation code leaves it commented out, as of 4.x), so `top_p` would be silently ignored; this
 * processor is passed as `logits_processor` and runs after the temperature warper.
 */
import { LogitsProcessor, type Tensor } from '@huggingface/transformers';

/** Keeps, per row, the smallest set of most likely tokens whose probability reaches `topP`. */
export class TopPLogitsProcessor extends LogitsProcessor {
  constructor(readonly topP: number) {
    super();
  }

  /** Masks the logits of tokens outside the nucleus with -Infinity, in place. */
  override _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    const data = logits.data as Float32Array;
    const vocab = logits.dims.at(-1) ?? data.length;
    for (let start = 0; start < data.length; start += vocab) {
      applyTopP(data.subarray(start, start + vocab), this.topP);
    }
    return logits;
  }
}

/** Top-p on one row of logits, in place; exported for tests. */
export function applyTopP(row: Float32Array, topP: number): void {
  if (topP >= 1 || row.length === 0) return;
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  const probs = new Float64Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const p = Math.exp((row[i] ?? -Infinity) - max);
    probs[i] = p;
    sum += p;
  }
  // Sorting a 150k vocabulary every token is slow; the nucleus almost always lies among the
  // tokens within a factor 1e-4 of the top one, so sort those first and the rest only if needed.
  const keep = nucleus(probs, sum * topP, 1e-4) ?? nucleus(probs, sum * topP, 0);
  if (!keep) return;
  for (let i = 0; i < row.length; i++) if (!keep.has(i)) row[i] = -Infinity;
}

/** Indices of the most likely tokens reaching `mass`, among those above `relative` x top. */
function nucleus(probs: Float64Array, mass: number, relative: number): Set<number> | undefined {
  const candidates: number[] = [];
  for (let i = 0; i < probs.length; i++) if ((probs[i] ?? 0) >= relative) candidates.push(i);
  candidates.sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0));
  const keep = new Set<number>();
  let cumulative = 0;
  // Always keep at least one token, then stop once the nucleus holds the mass.
  for (const i of candidates) {
    keep.add(i);
    cumulative += probs[i] ?? 0;
    if (cumulative >= mass) return keep;
  }
  return relative === 0 ? keep : undefined;
}
