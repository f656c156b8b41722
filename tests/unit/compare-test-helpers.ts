/** Synthetic paired answer sets for the comparison tests: prompts, samples, unit vectors, clusters. */
import type { Side } from '../../src/lib/core/run/types';
import { matrix, type Matrix } from '../../src/lib/core/vectors/matrix';
import { createRng, type Rng } from '../../src/lib/core/vectors/random';

/** A synthetic answer set. */
export interface Synthetic {
  promptIndex: Int32Array;
  sides: Side[];
  vectors: Matrix;
  labels: Int32Array;
  nPrompts: number;
}

/** How to draw a synthetic answer set. */
export interface SyntheticOptions {
  nPrompts: number;
  /** Samples per prompt and side (a number, or per side). */
  samples: number | { A: number; B: number };
  dims: number;
  seed: number;
  /** Number of clusters (labels = nearest of k random directions). */
  k?: number;
  /** B's answers move by this much towards cluster 0's direction (0 = same distribution as A). */
  shift?: number;
  /** Weight of the prompt's own direction (prompt effect), default 2. */
  promptWeight?: number;
}

function unitGaussian(rng: Rng, dims: number): Float64Array {
  const v = new Float64Array(dims);
  let s = 0;
  for (let k = 0; k < dims; k++) {
    v[k] = rng.gaussian();
    s += v[k]! * v[k]!;
  }
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < dims; k++) v[k]! *= inv;
  return v;
}

/** Draws answers around per-prompt centres; B optionally shifted; unit rows; k-direction labels. */
export function synthetic(o: SyntheticOptions): Synthetic {
  const rng = createRng(o.seed);
  const samplesA = typeof o.samples === 'number' ? o.samples : o.samples.A;
  const samplesB = typeof o.samples === 'number' ? o.samples : o.samples.B;
  const k = o.k ?? 4;
  const promptWeight = o.promptWeight ?? 2;
  const directions = Array.from({ length: k }, () => unitGaussian(rng, o.dims));
  // B shifts towards cluster 0's direction, so cluster 0 should gain B's answers.
  const shiftDir = directions[0]!;
  const n = o.nPrompts * (samplesA + samplesB);
  const vectors = matrix(n, o.dims);
  const promptIndex = new Int32Array(n);
  const sides: Side[] = [];
  const labels = new Int32Array(n);
  let i = 0;
  for (let p = 0; p < o.nPrompts; p++) {
    const centre = unitGaussian(rng, o.dims);
    for (const side of ['A', 'B'] as const) {
      const count = side === 'A' ? samplesA : samplesB;
      for (let s = 0; s < count; s++) {
        const v = unitGaussian(rng, o.dims);
        let norm = 0;
        for (let d = 0; d < o.dims; d++) {
          v[d] =
            promptWeight * centre[d]! + v[d]! + (side === 'B' ? (o.shift ?? 0) * shiftDir[d]! : 0);
          norm += v[d]! * v[d]!;
        }
        let best = 0;
        let bestDot = -Infinity;
        for (let d = 0; d < o.dims; d++) vectors.data[i * o.dims + d] = v[d]! / Math.sqrt(norm);
        directions.forEach((dir, c) => {
          let dot = 0;
          for (let d = 0; d < o.dims; d++) dot += dir[d]! * v[d]!;
          if (dot > bestDot) {
            bestDot = dot;
            best = c;
          }
        });
        labels[i] = best;
        promptIndex[i] = p;
        sides.push(side);
        i++;
      }
    }
  }
  return { promptIndex, sides, vectors, labels, nPrompts: o.nPrompts };
}
