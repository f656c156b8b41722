/**
 * UMAP's layout optimisation: stochastic gradient descent over the fuzzy graph's edges, each
 * sampled in proportion to its weight, with negative sampling. A transcription of umap-learn
 * 0.5's optimize_layout_euclidean (sequential, move_other, gradients clipped to [-4, 4], alpha
 * decaying linearly) for 2-D output, run one epoch at a time so callers can report and abort.
 * The epoch runs in WASM (scripts/vectors-kernels.wat, sgd_epoch) where available: it reads
 * float bits for free where JS pays store-forwarding stalls, and has no deoptimisation risk.
 * runEpochJs is the reference and the fallback; the two give bit-identical layouts. One
 * deliberate difference from umap-learn: see the negative samples in runEpochJs.
 */
import { createRng } from '../vectors/random';
import { WasmKernel, type SgdPointers } from '../vectors/wasm';
import type { FuzzyGraph } from './fuzzy-graph';

/** Options of UmapLayout. */
export interface LayoutOptions {
  /** Kernel parameters (see umap-curve.ts). */
  a: number;
  b: number;
  /** Total epochs. */
  nEpochs: number;
  /** Negative samples per positive sample (default 5). */
  negativeSampleRate?: number;
  /** Weight of the repulsive term (default 1). */
  repulsionStrength?: number;
  /** Initial learning rate (default 1). */
  learningRate?: number;
  /** Seed for the negative samples. */
  seed: number;
}

const clip = (v: number): number => (v > 4 ? 4 : v < -4 ? -4 : v);

const POW_F64 = new Float64Array(1);
const POW_I32 = new Int32Array(POW_F64.buffer);
// Index of the high 32-bit word of a float64 (1 on little-endian machines).
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/**
 * x^b for x > 0 as 2^(b log2 x): exponent bits plus short series (relative error < 1e-8 for
 * x in [1e-100, 1e100], clamped outside). Only +, *, /, floor and bit operations, so the
 * coefficient tables, and so the layouts, are bit-identical in every JS engine (Math.pow's
 * last bits are engine-specific). Constants are the doubles of 2/ln 2, 1/3, 1/5...
 */
export function fastPow(x: number, b: number): number {
  const xc = x < 1e-100 ? 1e-100 : x > 1e100 ? 1e100 : x;
  POW_F64[0] = xc;
  const hi = POW_I32[HI]!;
  let e = (hi >>> 20) - 1023;
  // Mantissa in [1, 2), folded to [sqrt(1/2), sqrt(2)] so the series converges fast.
  POW_I32[HI] = (hi & 0x000fffff) | 0x3ff00000;
  let m = POW_F64[0]!;
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e = e + 1;
  }
  // log2(m) = 2/ln 2 * atanh(t), t = (m - 1)/(m + 1), |t| < 0.172.
  const t = (m - 1) / (m + 1);
  const t2 = t * t;
  const series =
    t *
    (1 +
      t2 *
        (0.3333333333333333 + t2 * (0.2 + t2 * (0.14285714285714285 + t2 * 0.1111111111111111))));
  const y = b * (e + 2.8853900817779268 * series);
  let k = Math.floor(y + 0.5);
  if (k < -1022) k = -1022;
  if (k > 1023) k = 1023;
  // 2^(y - k), |y - k| <= 1/2, by the Taylor series of exp.
  const z = (y - k) * 0.6931471805599453;
  const p =
    1 +
    z *
      (1 +
        z *
          (0.5 +
            z *
              (0.16666666666666666 +
                z *
                  (0.041666666666666664 +
                    z * (0.008333333333333333 + z * (0.001388888888888889 + z / 5040))))));
  POW_I32[LO] = 0;
  POW_I32[HI] = (k + 1023) << 20;
  return p * POW_F64[0]!;
}

// Gradient coefficients are read from tables indexed by the float32 bits of the squared
// distance: 64 linear pieces per octave over [2^-40, 2^40) (relative error ~1e-5, far below the
// SGD's own noise). That takes pow and two divisions off the critical path of every sample.
const TABLE_SHIFT = 17; // 23 - 6 mantissa bits
const TABLE_BASE = 87 << 6; // float32 bits of 2^-40 (biased exponent 87) >> TABLE_SHIFT
const TABLE_SIZE = 80 << 6;
const TABLE_MIN = 2 ** -40;
const TABLE_MAX = 2 ** 40 * (1 - 2 ** -20);
const FRAC_SCALE = 2 ** -TABLE_SHIFT;
const LOOK_F32 = new Float32Array(1);
const LOOK_I32 = new Int32Array(LOOK_F32.buffer);

/** Interpolated f(x) from a table made by buildTable (x > 0; clamped to the table's range). */
export function lookup(table: Float64Array, x: number): number {
  LOOK_F32[0] = x < TABLE_MIN ? TABLE_MIN : x > TABLE_MAX ? TABLE_MAX : x;
  const bits = LOOK_I32[0]!;
  const idx = (bits >>> TABLE_SHIFT) - TABLE_BASE;
  const frac = (bits & ((1 << TABLE_SHIFT) - 1)) * FRAC_SCALE;
  return table[2 * idx]! + table[2 * idx + 1]! * frac;
}

/** Pairs (f(x_i), f(x_i+1) - f(x_i)) at the float32 values that start each table piece. */
export function buildTable(f: (x: number) => number): Float64Array {
  const table = new Float64Array(2 * TABLE_SIZE);
  const at = (i: number): number => {
    LOOK_I32[0] = (i + TABLE_BASE) << TABLE_SHIFT;
    return f(LOOK_F32[0]!);
  };
  let prev = at(0);
  for (let i = 0; i < TABLE_SIZE; i++) {
    const next = at(i + 1);
    table[2 * i] = prev;
    table[2 * i + 1] = next - prev;
    prev = next;
  }
  return table;
}

/** Edge sampling schedule and state of an SGD layout; `step` runs epochs in place on `embedding`. */
export class UmapLayout {
  /** Epochs done so far. */
  epoch = 0;
  readonly nEpochs: number;
  /** Edges kept (after dropping those too light to ever be sampled). */
  readonly edges: number;
  private head: Int32Array;
  private tail: Int32Array;
  private epochsPerSample: Float64Array;
  private epochsPerNegative: Float64Array;
  private nextSample: Float64Array;
  private nextNegative: Float64Array;
  /** xoshiro128** state for the negative samples. */
  private rng: Int32Array;
  /** Coefficient tables (see buildTable): attraction -2ab d^(2(b-1)) / (1 + a d^2b), repulsion. */
  private attract: Float64Array;
  private repel: Float64Array;
  private readonly kernel: WasmKernel | null;
  private readonly ptr: SgdPointers | null = null;

  /**
   * `embedding` is n x 2 row-major and is moved in place. Edges lighter than max / nEpochs
   * are dropped first (they would never be sampled), as umap-learn does.
   */
  constructor(
    graph: FuzzyGraph,
    readonly embedding: Float32Array,
    private readonly options: LayoutOptions,
  ) {
    this.nEpochs = options.nEpochs;
    let max = 0;
    for (const w of graph.weights) if (w > max) max = w;
    const threshold = max / (this.nEpochs > 10 ? this.nEpochs : 200);
    const keep: number[] = [];
    for (let e = 0; e < graph.weights.length; e++) if (graph.weights[e]! >= threshold) keep.push(e);
    const m = keep.length;
    this.edges = m;
    this.kernel = WasmKernel.lease();
    const n = embedding.length / 2;
    const k = this.kernel;
    if (k) {
      const ptr: SgdPointers = {
        emb: k.allocBytes(8 * n),
        head: k.allocBytes(4 * m),
        tail: k.allocBytes(4 * m),
        eps: k.allocBytes(8 * m),
        epn: k.allocBytes(8 * m),
        nexts: k.allocBytes(8 * m),
        nextn: k.allocBytes(8 * m),
        rng: k.allocBytes(16),
        attract: k.allocBytes(16 * TABLE_SIZE),
        repel: k.allocBytes(16 * TABLE_SIZE),
      };
      this.ptr = ptr;
    }
    this.head = this.i32(this.ptr?.head, m);
    this.tail = this.i32(this.ptr?.tail, m);
    this.epochsPerSample = this.f64(this.ptr?.eps, m);
    this.epochsPerNegative = this.f64(this.ptr?.epn, m);
    this.nextSample = this.f64(this.ptr?.nexts, m);
    this.nextNegative = this.f64(this.ptr?.nextn, m);
    this.rng = this.i32(this.ptr?.rng, 4);
    this.attract = this.f64(this.ptr?.attract, 2 * TABLE_SIZE);
    this.repel = this.f64(this.ptr?.repel, 2 * TABLE_SIZE);
    const { a, b } = options;
    const gamma = options.repulsionStrength ?? 1;
    // pow(d2, b - 1) = pow(d2, b) / d2: one pow per value.
    this.attract.set(
      buildTable((d2) => {
        const pb = fastPow(d2, b);
        return (-2 * a * b * pb) / (d2 * (a * pb + 1));
      }),
    );
    this.repel.set(buildTable((d2) => (2 * gamma * b) / ((0.001 + d2) * (a * fastPow(d2, b) + 1))));
    const rate = options.negativeSampleRate ?? 5;
    for (let t = 0; t < m; t++) {
      const e = keep[t]!;
      this.head[t] = graph.rows[e]!;
      this.tail[t] = graph.cols[e]!;
      // make_epochs_per_sample: an edge of weight w is sampled every max / w epochs.
      const eps = max / graph.weights[e]!;
      this.epochsPerSample[t] = eps;
      this.epochsPerNegative[t] = eps / rate;
    }
    this.nextSample.set(this.epochsPerSample);
    this.nextNegative.set(this.epochsPerNegative);
    // The generator state is seeded from our standard generator's first outputs.
    const seeder = createRng(options.seed);
    for (let t = 0; t < 4; t++) this.rng[t] = seeder.nextUint32() | 0;
    if ((this.rng[0]! | this.rng[1]! | this.rng[2]! | this.rng[3]!) === 0) this.rng[0] = 1;
  }

  private i32(offset: number | undefined, count: number): Int32Array {
    return this.kernel && offset !== undefined
      ? this.kernel.viewI32(offset, count)
      : new Int32Array(count);
  }

  private f64(offset: number | undefined, count: number): Float64Array {
    return this.kernel && offset !== undefined
      ? this.kernel.viewF64(offset, count)
      : new Float64Array(count);
  }

  /** Whether all epochs have run. */
  get done(): boolean {
    return this.epoch >= this.nEpochs;
  }

  /** Runs up to `epochs` more epochs (the embedding is updated in place); true when finished. */
  step(epochs = 1): boolean {
    const stop = Math.min(this.nEpochs, this.epoch + epochs);
    const { kernel, ptr } = this;
    const n = this.embedding.length / 2;
    if (kernel && ptr) kernel.view(ptr.emb, 2 * n).set(this.embedding);
    while (this.epoch < stop) {
      const alpha = (this.options.learningRate ?? 1) * (1 - this.epoch / this.nEpochs);
      if (kernel && ptr) kernel.sgdEpoch(ptr, this.edges, n, this.epoch, alpha);
      else this.runEpochJs(this.epoch, alpha);
      this.epoch++;
    }
    if (kernel && ptr) {
      this.embedding.set(kernel.view(ptr.emb, 2 * n));
      // Finished: its scratch memory can serve the next computation.
      if (this.done) kernel.release();
    }
    return this.done;
  }

  /** One epoch in plain JS: the reference for sgd_epoch in the WASM module. */
  private runEpochJs(n: number, alpha: number): void {
    const { head, tail, epochsPerSample, epochsPerNegative, nextSample, nextNegative } = this;
    const { attract, repel } = this;
    const emb = this.embedding;
    const nVertices = emb.length / 2;
    let s0 = this.rng[0]!;
    let s1 = this.rng[1]!;
    let s2 = this.rng[2]!;
    let s3 = this.rng[3]!;
    const m = head.length;
    for (let i = 0; i < m; i++) {
      if (!(nextSample[i]! <= n)) continue;
      const j = head[i]!;
      const j2 = 2 * j;
      const k2 = 2 * tail[i]!;
      let cx = emb[j2]!;
      let cy = emb[j2 + 1]!;
      let dx = cx - emb[k2]!;
      let dy = cy - emb[k2 + 1]!;
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const coeff = lookup(attract, d2);
        const gx = clip(coeff * dx) * alpha;
        const gy = clip(coeff * dy) * alpha;
        cx = cx + gx;
        cy = cy + gy;
        emb[k2] = emb[k2]! - gx;
        emb[k2 + 1] = emb[k2 + 1]! - gy;
      }
      nextSample[i] = nextSample[i]! + epochsPerSample[i]!;
      // Negative samples are measured from where this point stands now (umap-learn re-reads
      // it after each one): the few repulsions then do not wait on each other, which lets the
      // CPU overlap them; each moves the point by at most 4 alpha per axis anyway.
      const ox = cx;
      const oy = cy;
      // Truncation, as Python's int() in umap-learn.
      const nNeg = Math.trunc((n - nextNegative[i]!) / epochsPerNegative[i]!);
      for (let p = 0; p < nNeg; p++) {
        // xoshiro128**, inlined: this loop runs hundreds of millions of times.
        const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        // floor(r * n / 2^32) exactly (r split in halves so no product passes 2^53): a
        // multiply-shift instead of umap-learn's r % n, whose integer division is slow.
        const o = Math.floor(
          ((r >>> 16) * nVertices + Math.floor(((r & 0xffff) * nVertices) / 65536)) / 65536,
        );
        // Sampling itself: umap-learn skips it (its distance is 0).
        if (o === j) continue;
        dx = ox - emb[2 * o]!;
        dy = oy - emb[2 * o + 1]!;
        d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const coeff = lookup(repel, d2);
          cx = cx + clip(coeff * dx) * alpha;
          cy = cy + clip(coeff * dy) * alpha;
        } else {
          // Coincident points: umap-learn pushes by the clip limit.
          cx = cx + 4 * alpha;
          cy = cy + 4 * alpha;
        }
      }
      emb[j2] = cx;
      emb[j2 + 1] = cy;
      nextNegative[i] = nextNegative[i]! + nNeg * epochsPerNegative[i]!;
    }
    this.rng[0] = s0;
    this.rng[1] = s1;
    this.rng[2] = s2;
    this.rng[3] = s3;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
