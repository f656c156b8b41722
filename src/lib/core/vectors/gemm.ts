/**
 * Blocked dot products between the rows of two matrices (C = A B^T), on the WASM SIMD kernel
 * when available and plain JS otherwise. Work is cut into tiles of at most CHUNK_ROWS rows of A
 * by COL_BLOCK rows of B: the B block stays in cache while A streams past it, and many short
 * kernel calls (rather than one long one) let V8 move the kernel to its optimising tier.
 */
import { matrix, type Matrix } from './matrix';
import { dotAt, rowSquaredNorms } from './ops';
import { WasmKernel } from './wasm';

const CHUNK_ROWS = 16;
const COL_BLOCK = 256;

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** A matrix copied into a kernel's memory with dims padded to 4 and rows padded to 4. */
export interface PackedRows {
  kernel: WasmKernel;
  /** Byte offset of row 0. */
  offset: number;
  rows: number;
  /** Row stride in floats (dims rounded up to 4). */
  stride: number;
}

/** Copies `m` into the kernel's memory, zero-padded for gemmAbt's shape rules. */
export function packRows(kernel: WasmKernel, m: Matrix): PackedRows {
  const stride = roundUp(Math.max(m.dims, 1), 4);
  const padded = roundUp(Math.max(m.rows, 1), 4);
  const offset = kernel.alloc(padded * stride);
  const view = kernel.view(offset, padded * stride);
  // Fresh memory from alloc may be reused later, so padding is written explicitly.
  view.fill(0);
  if (stride === m.dims) view.set(m.data);
  else
    for (let i = 0; i < m.rows; i++)
      view.set(m.data.subarray(i * m.dims, (i + 1) * m.dims), i * stride);
  return { kernel, offset, rows: m.rows, stride };
}

/**
 * Computes tiles of A B^T on demand: `tile(rs, re, cs, ce)` fills a scratch block with
 * block[(i - rs) * ld + (j - cs)] = dot(a_i, b_j) for rs <= i < re, cs <= j < ce, where
 * re - rs <= tileRows and ce - cs <= COL_BLOCK. Owns one kernel instance (or none: plain JS).
 */
export class DotTiler {
  /** Row stride of the blocks `tile` returns. */
  readonly ld = COL_BLOCK;
  /** Maximum rows of A per tile. */
  readonly tileRows: number;
  /** Maximum rows of B per tile. */
  readonly tileCols = COL_BLOCK;
  private readonly kernel: WasmKernel | null;
  private readonly pa: PackedRows | null = null;
  private readonly pb: PackedRows | null = null;
  private readonly cOff: number = 0;
  private readonly jsBlock: Float32Array | null = null;

  constructor(
    private a: Matrix,
    private readonly b: Matrix,
    tileRows = CHUNK_ROWS,
  ) {
    if (a.dims !== b.dims) throw new Error(`DotTiler: dims ${a.dims} and ${b.dims} differ`);
    this.tileRows = roundUp(tileRows, 4);
    this.kernel = WasmKernel.lease();
    if (this.kernel) {
      this.pa = packRows(this.kernel, a);
      this.pb = a === b ? this.pa : packRows(this.kernel, b);
      this.cOff = this.kernel.alloc(this.tileRows * COL_BLOCK);
    } else {
      this.jsBlock = new Float32Array(this.tileRows * COL_BLOCK);
    }
  }

  /** Returns the kernel to the pool; the tiler must not be used afterwards. */
  dispose(): void {
    this.kernel?.release();
  }

  /**
   * Replaces A by another matrix of the same shape (repacked into the same kernel memory), so
   * repeated products with a fixed B, as in power iterations, pack B and set up the kernel once.
   */
  setA(a: Matrix): void {
    if (a.rows !== this.a.rows || a.dims !== this.a.dims || this.a === this.b) {
      throw new Error('DotTiler.setA: A must keep its shape and differ from B');
    }
    this.a = a;
    if (this.kernel && this.pa) {
      const view = this.kernel.view(this.pa.offset, a.rows * this.pa.stride);
      if (this.pa.stride === a.dims) view.set(a.data);
      else
        for (let i = 0; i < a.rows; i++)
          view.set(a.data.subarray(i * a.dims, (i + 1) * a.dims), i * this.pa.stride);
    }
  }

  /** The whole product A B^T as an a.rows x b.rows matrix. */
  product(): Matrix {
    const { a, b } = this;
    const out = matrix(a.rows, b.rows);
    for (let cs = 0; cs < b.rows; cs += this.tileCols) {
      const ce = Math.min(cs + this.tileCols, b.rows);
      for (let rs = 0; rs < a.rows; rs += this.tileRows) {
        const re = Math.min(rs + this.tileRows, a.rows);
        const block = this.tile(rs, re, cs, ce);
        for (let i = rs; i < re; i++) {
          const src = (i - rs) * this.ld;
          out.data.set(block.subarray(src, src + (ce - cs)), i * b.rows + cs);
        }
      }
    }
    return out;
  }

  /** Fills and returns the scratch block for rows [rs, re) of A and rows [cs, ce) of B. */
  tile(rs: number, re: number, cs: number, ce: number): Float32Array {
    const { kernel, pa, pb } = this;
    if (kernel && pa && pb) {
      const k = pa.stride;
      const m = roundUp(re - rs, 4);
      const n = roundUp(ce - cs, 2);
      kernel.gemmAbt(
        pa.offset + rs * k * 4,
        pb.offset + cs * k * 4,
        this.cOff,
        m,
        n,
        k,
        k,
        COL_BLOCK,
      );
      return kernel.view(this.cOff, this.tileRows * COL_BLOCK);
    }
    const block = this.jsBlock!;
    const { a, b } = this;
    const d = a.dims;
    for (let i = rs; i < re; i++) {
      for (let j = cs; j < ce; j++) {
        block[(i - rs) * COL_BLOCK + (j - cs)] = dotAt(a.data, i * d, b.data, j * d, d);
      }
    }
    return block;
  }
}

/**
 * Streaming dot products: calls `visit(rs, re, cs, ce, block, ld)` for tiles covering A x B
 * (see DotTiler.tile for the block layout; it is scratch, valid only during the call). With
 * `upper` (A and B the same matrix) only tiles with ce > rs are visited: the upper triangle
 * plus the diagonal tiles, for symmetric uses.
 */
export function forEachDotTile(
  a: Matrix,
  b: Matrix,
  visit: (rs: number, re: number, cs: number, ce: number, block: Float32Array, ld: number) => void,
  options: { upper?: boolean; tileRows?: number } = {},
): void {
  const tiler = new DotTiler(a, b, options.tileRows);
  try {
    for (let cs = 0; cs < b.rows; cs += tiler.tileCols) {
      const ce = Math.min(cs + tiler.tileCols, b.rows);
      const rowLimit = options.upper ? Math.min(a.rows, ce) : a.rows;
      for (let rs = 0; rs < rowLimit; rs += tiler.tileRows) {
        const re = Math.min(rs + tiler.tileRows, a.rows);
        visit(rs, re, cs, ce, tiler.tile(rs, re, cs, ce), tiler.ld);
      }
    }
  } finally {
    tiler.dispose();
  }
}

/** All dot products between rows of a and rows of b: an a.rows x b.rows matrix (A B^T). */
export function dotProducts(a: Matrix, b: Matrix): Matrix {
  const tiler = new DotTiler(a, b);
  try {
    return tiler.product();
  } finally {
    tiler.dispose();
  }
}

/** The symmetric gram matrix M M^T (rows x rows); computes one triangle and mirrors it. */
export function gramMatrix(m: Matrix): Matrix {
  const n = m.rows;
  const out = matrix(n, n);
  forEachDotTile(
    m,
    m,
    (rs, re, cs, ce, block, ld) => {
      for (let i = rs; i < re; i++) {
        for (let j = Math.max(cs, i); j < ce; j++) {
          const v = block[(i - rs) * ld + (j - cs)]!;
          out.data[i * n + j] = v;
          out.data[j * n + i] = v;
        }
      }
    },
    { upper: true },
  );
  return out;
}

/**
 * Squared Euclidean distances between rows of a and rows of b (a.rows x b.rows), from
 * |x|^2 + |y|^2 - 2 x.y clamped at 0. Float32 cancellation makes tiny distances inexact
 * (absolute error ~1e-7 |x|^2): fine for ranking and clustering, recompute exactly if needed.
 */
export function pairwiseSquaredDistances(a: Matrix, b: Matrix): Matrix {
  const na = rowSquaredNorms(a);
  const nb = a === b ? na : rowSquaredNorms(b);
  const out = dotProducts(a, b);
  const n = b.rows;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < n; j++) {
      const v = na[i]! + nb[j]! - 2 * out.data[i * n + j]!;
      out.data[i * n + j] = v > 0 ? v : 0;
    }
  }
  if (a === b) for (let i = 0; i < n; i++) out.data[i * n + i] = 0;
  return out;
}

/** Rows of X per block of scatterMatrix: the transposed block (dims x 256) stays in L2. */
const SCATTER_BLOCK = 256;
/** Narrow column tiles so the computed upper triangle is close to half the matrix. */
const SCATTER_COLS = 32;

/**
 * The scatter matrix (X - mean)^T (X - mean), dims x dims (divide by n - 1 for the
 * covariance). Blocks of rows are centred and transposed straight into kernel memory, and
 * their gram matrices are accumulated there, upper triangle only, then mirrored.
 */
export function scatterMatrix(m: Matrix, mean: Float32Array): Matrix {
  const d = m.dims;
  const out = matrix(d, d);
  const kernel = WasmKernel.lease();
  if (!kernel) {
    scatterJs(m, mean, out);
    return out;
  }
  try {
    scatterWasm(kernel, m, mean, out);
  } finally {
    kernel.release();
  }
  return out;
}

function scatterWasm(kernel: WasmKernel, m: Matrix, mean: Float32Array, out: Matrix): void {
  const { rows: n, dims: d } = m;
  const dp = roundUp(Math.max(d, 1), 4);
  const R = SCATTER_BLOCK;
  const blkOff = kernel.alloc(dp * R);
  const cOff = kernel.alloc(dp * dp);
  kernel.view(blkOff, dp * R).fill(0);
  kernel.view(cOff, dp * dp).fill(0);
  for (let r0 = 0; r0 < n; r0 += R) {
    const rr = Math.min(R, n - r0);
    const blk = kernel.view(blkOff, dp * R);
    if (rr < R) blk.fill(0);
    for (let i = 0; i < rr; i++) {
      const o = (r0 + i) * d;
      for (let a = 0; a < d; a++) blk[a * R + i] = m.data[o + a]! - mean[a]!;
    }
    const kp = roundUp(rr, 4);
    for (let cs = 0; cs < dp; cs += SCATTER_COLS) {
      const ce = Math.min(cs + SCATTER_COLS, dp);
      for (let rs = 0; rs < ce; rs += CHUNK_ROWS) {
        const re = Math.min(rs + CHUNK_ROWS, ce);
        const a = blkOff + rs * R * 4;
        const b = blkOff + cs * R * 4;
        kernel.gemmAbt(a, b, cOff + (rs * dp + cs) * 4, re - rs, ce - cs, kp, R, dp, true);
      }
    }
  }
  const c = kernel.view(cOff, dp * dp);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      // Tiles cover j >= start of i's tile row: read the upper entry, mirror it.
      const v = c[i * dp + j]!;
      out.data[i * d + j] = v;
      out.data[j * d + i] = v;
    }
  }
}

function scatterJs(m: Matrix, mean: Float32Array, out: Matrix): void {
  const { rows: n, dims: d } = m;
  const acc = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) x[a] = m.data[i * d + a]! - mean[a]!;
    for (let a = 0; a < d; a++) {
      const xa = x[a]!;
      for (let b = a; b < d; b++) acc[a * d + b]! += xa * x[b]!;
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      out.data[a * d + b] = acc[a * d + b]!;
      out.data[b * d + a] = acc[a * d + b]!;
    }
  }
}
