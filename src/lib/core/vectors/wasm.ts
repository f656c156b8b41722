/**
 * Loader for the WASM SIMD kernels (scripts/vectors-kernels.wat). Each WasmKernel is its own
 * instance with its own memory, so concurrent computations (an async UMAP yielding while a PCA
 * runs) never share scratch space; compiled code is shared, so tier-up happens once. Instances
 * are leased from a small pool and released after use: a fresh WASM memory costs a large
 * address-space reservation and page faults, which dominated small products.
 */
import { VECTORS_WASM_BASE64 } from './wasm-bytes';
import { enabledWasmModule, lazyWasmModule } from './wasm-module';

interface KernelExports {
  memory: WebAssembly.Memory;
  gemm_abt(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    lda: number,
    ldc: number,
    acc: number,
  ): void;
  sgd_epoch(
    emb: number,
    head: number,
    tail: number,
    eps: number,
    epn: number,
    nexts: number,
    nextn: number,
    m: number,
    nvert: number,
    epoch: number,
    alpha: number,
    rng: number,
    attract: number,
    repel: number,
  ): void;
}

/** Byte offsets of UmapLayout's arrays in kernel memory. */
export interface SgdPointers {
  emb: number;
  head: number;
  tail: number;
  eps: number;
  epn: number;
  nexts: number;
  nextn: number;
  rng: number;
  attract: number;
  repel: number;
}

const vectorsModule = lazyWasmModule(VECTORS_WASM_BASE64);

/** Whether the WASM SIMD kernels can run here. */
export function wasmAvailable(): boolean {
  return vectorsModule() !== null;
}

const PAGE = 65536;
const POOL_SIZE = 3;
const pool: WasmKernel[] = [];

/** One kernel instance with a bump allocator over its own linear memory. */
export class WasmKernel {
  private readonly exports: KernelExports;
  private top = 0;
  private released = false;

  private constructor(exports: KernelExports) {
    this.exports = exports;
  }

  /**
   * A kernel with empty scratch space (pooled or fresh), or null when WASM SIMD is unavailable
   * or disabled (setWasmDisabled). Call release() when done with it and its memory views.
   */
  static lease(): WasmKernel | null {
    const mod = enabledWasmModule(vectorsModule);
    if (!mod) return null;
    const pooled = pool.pop();
    if (pooled) {
      pooled.top = 0;
      pooled.released = false;
      return pooled;
    }
    const instance = new WebAssembly.Instance(mod, {});
    return new WasmKernel(instance.exports as unknown as KernelExports);
  }

  /** Returns the kernel to the pool; it and views of its memory must not be used afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    // Pooled memories keep their size: only keep a few, and none past 64 MB.
    if (pool.length < POOL_SIZE && this.exports.memory.buffer.byteLength <= 64 << 20)
      pool.push(this);
  }

  /** Reserves `floats` 4-byte slots (16-byte aligned) and returns their byte offset. */
  alloc(floats: number): number {
    return this.allocBytes(floats * 4);
  }

  /** Reserves `bytes` bytes (16-byte aligned) and returns their byte offset. */
  allocBytes(bytes: number): number {
    const offset = (this.top + 15) & ~15;
    const end = offset + bytes;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    }
    this.top = end;
    return offset;
  }

  /** A Float32Array view of `floats` values at byte offset `offset` (re-take after alloc). */
  view(offset: number, floats: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, offset, floats);
  }

  /** An Int32Array view (re-take after alloc). */
  viewI32(offset: number, count: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, offset, count);
  }

  /** A Float64Array view (re-take after alloc). */
  viewF64(offset: number, count: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, offset, count);
  }

  /** One UMAP SGD epoch on arrays in kernel memory (see UmapLayout for the arguments). */
  sgdEpoch(ptr: SgdPointers, m: number, nVertices: number, epoch: number, alpha: number): void {
    this.exports.sgd_epoch(
      ptr.emb,
      ptr.head,
      ptr.tail,
      ptr.eps,
      ptr.epn,
      ptr.nexts,
      ptr.nextn,
      m,
      nVertices,
      epoch,
      alpha,
      ptr.rng,
      ptr.attract,
      ptr.repel,
    );
  }

  /**
   * C[i*ldc + j] = dot(A_i, B_j) over k values for i < m, j < n (added to C when `accumulate`),
   * on row-major blocks at byte offsets, rows of A and B `lda` floats apart. Requires m % 4 == 0,
   * n % 2 == 0, k % 4 == 0, lda % 4 == 0 (pad with zeros).
   */
  gemmAbt(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    lda: number,
    ldc: number,
    accumulate = false,
  ): void {
    this.exports.gemm_abt(a, b, c, m, n, k, lda, ldc, accumulate ? 1 : 0);
  }
}
