/**
 * A workspace for squared Euclidean distances between blocks of points: one linear memory (a
 * WASM memory when WASM SIMD is available, else a plain buffer) holding zero-padded rows, their
 * squared norms and output tables, plus the `sqdist` kernel of scripts/cluster-kernels.wat and
 * a plain-JS twin of it. Every clustering algorithm here spends its time in this kernel.
 */
import type { Matrix } from '../vectors/matrix';
import { enabledWasmModule, lazyWasmModule, type KernelBackend } from '../vectors/wasm-module';
import { CLUSTER_WASM_BASE64 } from './wasm-bytes';

/** Rows copied into an arena: `rowsPad` (a multiple of 4) rows of `dp` floats from `offset`. */
export interface PointBlock {
  /** Float index of row 0. */
  offset: number;
  /** Real rows; rows up to `rowsPad` are zeros. */
  rows: number;
  rowsPad: number;
  /** Floats per row: the dimensions rounded up to a multiple of 4 (zero padded). */
  dp: number;
  /** Float index of the `rowsPad` squared norms. */
  norms: number;
}

interface KernelExports {
  sqdist(
    a: number,
    aRows: number,
    b: number,
    bRows: number,
    dp: number,
    na: number,
    nb: number,
    out: number,
    stride: number,
    mirror: number,
    tout: number,
  ): void;
  prim_step(
    row: number,
    core: number,
    best: number,
    from: number,
    n: number,
    cc: number,
    current: number,
  ): number;
  first_below(row: number, from: number, n: number, t: number): number;
  argmin_masked(row: number, penalty: number, n: number): number;
  ward_update(
    rowX: number,
    rowY: number,
    sizes: number,
    n: number,
    nx: number,
    ny: number,
    dxy: number,
  ): void;
}

const PAGE = 65536;
/** A wasm32 memory tops out at 65536 pages (4 GiB). */
const MAX_BYTES = 65536 * PAGE;
/** Rows of A per kernel call: many short calls let V8 tier the kernel up from its baseline. */
const A_CHUNK = 16;
/** Rows of B per panel: 128 rows of 384 floats (192 KB) stay in L2 while A chunks sweep them. */
const B_PANEL = 128;

const clusterModule = lazyWasmModule(CLUSTER_WASM_BASE64);

/** Whether the WASM SIMD distance kernel can run here. */
export function wasmDistanceAvailable(): boolean {
  return clusterModule() !== null;
}

/** Rounds up to a multiple of 4. */
export function roundUp4(x: number): number {
  return (x + 3) & ~3;
}

/** A fixed-size distance workspace; sized once, so views into `f32` never go stale. */
export class DistanceArena {
  /** The whole memory as floats; allocations are float indices into it. */
  readonly f32: Float32Array;
  /** The implementation in use. */
  readonly backend: KernelBackend;
  private readonly kernel: KernelExports | null;
  private top = 0;

  private constructor(f32: Float32Array, backend: KernelBackend, kernel: KernelExports | null) {
    this.f32 = f32;
    this.backend = backend;
    this.kernel = kernel;
  }

  /**
   * An arena of at least `floats` floats, on WASM where available and not disabled
   * (setWasmDisabled), else plain JS.
   * Throws RangeError when the size exceeds the 4 GiB a wasm32 memory can hold.
   */
  static create(floats: number): DistanceArena {
    const bytes = Math.ceil((floats * 4 + 64) / PAGE) * PAGE;
    if (bytes > MAX_BYTES) {
      throw new RangeError(
        `clustering needs ${(bytes / 2 ** 30).toFixed(1)} GiB of working memory (max 4 GiB): ` +
          'use fewer points or k-means',
      );
    }
    const mod = enabledWasmModule(clusterModule);
    if (!mod) return new DistanceArena(new Float32Array(bytes / 4), 'js', null);
    const pages = bytes / PAGE;
    let mem: WebAssembly.Memory;
    try {
      mem = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch (error) {
      // Browsers may refuse large memories (e.g. on 32-bit devices or under memory pressure).
      throw new RangeError(
        `could not reserve ${(bytes / 2 ** 30).toFixed(1)} GiB for clustering: ${String(error)}`,
        { cause: error },
      );
    }
    const instance = new WebAssembly.Instance(mod, { env: { mem } });
    const kernel = instance.exports as unknown as KernelExports;
    return new DistanceArena(new Float32Array(mem.buffer), 'wasm', kernel);
  }

  /** Floats needed to hold a block of `rows` points of `dims` dimensions (rows and norms). */
  static blockFloats(rows: number, dims: number): number {
    return roundUp4(rows) * (roundUp4(dims) + 1) + 8;
  }

  /** Reserves `floats` zeroed floats (16-byte aligned) and returns their float index. */
  alloc(floats: number): number {
    const offset = roundUp4(this.top);
    if (offset + floats > this.f32.length) throw new RangeError('distance arena overflow');
    this.top = offset + floats;
    return offset;
  }

  /** Reserves room for `rows` points of `dims` dimensions, all zero. */
  allocBlock(rows: number, dims: number): PointBlock {
    const dp = roundUp4(dims);
    const rowsPad = roundUp4(rows);
    return { offset: this.alloc(rowsPad * dp), rows, rowsPad, dp, norms: this.alloc(rowsPad) };
  }

  /** Copies rows of `m` (all, or those listed in `indices`) into a new block, with norms. */
  putRows(m: Matrix, indices?: ArrayLike<number>): PointBlock {
    const rows = indices ? indices.length : m.rows;
    const block = this.allocBlock(rows, m.dims);
    for (let r = 0; r < rows; r++) {
      const src = (indices ? indices[r]! : r) * m.dims;
      this.f32.set(m.data.subarray(src, src + m.dims), block.offset + r * block.dp);
    }
    this.updateNorms(block, 0, rows);
    return block;
  }

  /** Recomputes the squared norms of rows [from, to) of `block` after its rows changed. */
  updateNorms(block: PointBlock, from: number, to: number): void {
    const f = this.f32;
    for (let r = from; r < to; r++) {
      const o = block.offset + r * block.dp;
      let s = 0;
      for (let d = 0; d < block.dp; d++) s += f[o + d]! * f[o + d]!;
      f[block.norms + r] = s;
    }
  }

  /**
   * Writes squared distances between rows [aFrom, aTo) of `a` and [bFrom, bTo) of `b` into the
   * table at float index `out` (row stride `stride`): distance (i, j) lands at
   * out + (i - aFrom) * stride + (j - bFrom), and with `mirror` also at
   * out + (j - bFrom) * stride + (i - aFrom). Starts must be multiples of 4; ends are rounded up
   * to multiples of 4 (padding rows give junk the caller ignores), so the table needs
   * roundUp4(aTo - aFrom) rows and stride >= roundUp4(bTo - bFrom) (and the transposed shape
   * with `mirror`).
   */
  sqdist(
    a: PointBlock,
    aFrom: number,
    aTo: number,
    b: PointBlock,
    bFrom: number,
    bTo: number,
    out: number,
    stride: number,
    mirror = false,
  ): void {
    if ((aFrom | bFrom) & 3) throw new Error('sqdist: block starts must be multiples of 4');
    if (a.dp !== b.dp) throw new Error(`sqdist: ${a.dp} vs ${b.dp} dimensions`);
    const aEnd = Math.min(roundUp4(aTo), a.rowsPad);
    const bEnd = Math.min(roundUp4(bTo), b.rowsPad);
    for (let j0 = bFrom; j0 < bEnd; j0 += B_PANEL) {
      const j1 = Math.min(j0 + B_PANEL, bEnd);
      for (let i0 = aFrom; i0 < aEnd; i0 += A_CHUNK) {
        const i1 = Math.min(i0 + A_CHUNK, aEnd);
        const di = i0 - aFrom;
        const dj = j0 - bFrom;
        const tout = mirror ? out + dj * stride + di : -1;
        this.tile(a, i0, i1 - i0, b, j0, j1 - j0, out + di * stride + dj, stride, tout);
      }
    }
  }

  /** One kernel call: rows [i0, i0+ni) of a against [j0, j0+nj) of b (ni even, nj % 4 == 0);
   * `tout` < 0 means no transposed copy. */
  private tile(
    a: PointBlock,
    i0: number,
    ni: number,
    b: PointBlock,
    j0: number,
    nj: number,
    out: number,
    stride: number,
    tout: number,
  ): void {
    const dp = a.dp;
    if (this.kernel) {
      this.kernel.sqdist(
        (a.offset + i0 * dp) * 4,
        ni,
        (b.offset + j0 * dp) * 4,
        nj,
        dp,
        (a.norms + i0) * 4,
        (b.norms + j0) * 4,
        out * 4,
        stride,
        tout >= 0 ? 1 : 0,
        Math.max(tout, 0) * 4,
      );
      return;
    }
    const f = this.f32;
    for (let i = 0; i < ni; i++) {
      const ao = a.offset + (i0 + i) * dp;
      const na = f[a.norms + i0 + i]!;
      for (let j = 0; j < nj; j++) {
        const bo = b.offset + (j0 + j) * dp;
        let s = 0;
        for (let d = 0; d < dp; d++) s += f[ao + d]! * f[bo + d]!;
        const v = na + f[b.norms + j0 + j]! - 2 * s;
        f[out + i * stride + j] = v > 0 ? v : 0;
        if (tout >= 0) f[tout + j * stride + i] = v > 0 ? v : 0;
      }
    }
  }

  /**
   * One step of Prim's algorithm over `n` (a multiple of 4) vertices at float indices: for
   * each u, mr = max(f[row+u], f[core+u], cc); where mr < f[best+u], best takes mr and the
   * Int32 view's from[u] takes `current`. Returns the first u with the smallest best.
   */
  primStep(
    row: number,
    core: number,
    best: number,
    from: number,
    n: number,
    cc: number,
    current: number,
  ): number {
    if (this.kernel)
      return this.kernel.prim_step(row * 4, core * 4, best * 4, from * 4, n, cc, current);
    const f = this.f32;
    const ints = new Int32Array(f.buffer, f.byteOffset, f.length);
    let minValue = Infinity;
    let minAt = -1;
    for (let u = 0; u < n; u++) {
      let mr = f[row + u]!;
      if (mr < f[core + u]!) mr = f[core + u]!;
      if (mr < cc) mr = cc;
      let b = f[best + u]!;
      if (mr < b) {
        b = mr;
        f[best + u] = mr;
        ints[from + u] = current;
      }
      if (b < minValue) {
        minValue = b;
        minAt = u;
      }
    }
    return minAt;
  }

  /** The first j in [from, n) with f[row + j] < t, or n. */
  firstBelow(row: number, from: number, n: number, t: number): number {
    if (this.kernel) return this.kernel.first_below(row * 4, from, n, t);
    const f = this.f32;
    for (let j = from; j < n; j++) if (f[row + j]! < t) return j;
    return n;
  }

  /** The first u < n (a multiple of 4) with the smallest f[row+u] + f[penalty+u], or -1. */
  argminMasked(row: number, penalty: number, n: number): number {
    if (this.kernel) return this.kernel.argmin_masked(row * 4, penalty * 4, n);
    const f = this.f32;
    let minValue = Infinity;
    let minAt = -1;
    for (let u = 0; u < n; u++) {
      const v = f[row + u]! + f[penalty + u]!;
      if (v < minValue) {
        minValue = v;
        minAt = u;
      }
    }
    return minAt;
  }

  /**
   * Ward's Lance-Williams update of row y after merging x into y, for u < n (a multiple of 4):
   * f[rowY+u] = ((nx + s) f[rowX+u] + (ny + s) f[rowY+u] - s dxy) / (nx + ny + s), s = f[sizes+u].
   */
  wardUpdate(
    rowX: number,
    rowY: number,
    sizes: number,
    n: number,
    nx: number,
    ny: number,
    dxy: number,
  ): void {
    if (this.kernel) {
      this.kernel.ward_update(rowX * 4, rowY * 4, sizes * 4, n, nx, ny, dxy);
      return;
    }
    const f = this.f32;
    for (let u = 0; u < n; u++) {
      const s = f[sizes + u]!;
      f[rowY + u] = ((nx + s) * f[rowX + u]! + (ny + s) * f[rowY + u]! - s * dxy) / (nx + ny + s);
    }
  }
}
