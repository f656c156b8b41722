/**
 * The dense table of squared Euclidean distances between all points, the input of Ward and
 * HDBSCAN. Both scan whole rows many times, so rows are stored contiguously and the table is
 * kept square (n x stride floats: 400 MB at 10,000 points) rather than condensed (200 MB):
 * half of a condensed row is strided, one cache line and often one page per entry, and the
 * O(n^2) phases are row scans.
 */
import type { Matrix } from '../vectors/matrix';
import { DistanceArena, roundUp4 } from './distance-arena';

/** Squared distances: entry (i, j) is d[i * stride + j]; symmetric with a zero diagonal. */
export interface SquareDistances {
  d: Float32Array;
  n: number;
  stride: number;
  /** The arena holding `d` (at float index `offset`), for kernels that scan its rows. */
  arena: DistanceArena;
  offset: number;
}

/** Rows of A per pass: 256 rows x 384 floats (384 KB) stay in cache while B panels stream. */
const A_BLOCK = 256;

/**
 * Squared distances between all rows of `m`. Only the upper triangle is computed (half the
 * multiply-adds); the kernel writes each value to its mirror image as it goes. Throws
 * RangeError beyond ~32,000 points (the table would not fit in 4 GiB). `extraFloats` reserves
 * room in the same arena for the caller's own buffers.
 */
export function squaredDistanceMatrix(m: Matrix, extraFloats = 0): SquareDistances {
  const n = m.rows;
  const stride = roundUp4(n);
  const arena = DistanceArena.create(
    DistanceArena.blockFloats(n, m.dims) + stride * stride + extraFloats + 8,
  );
  const block = arena.putRows(m);
  const out = arena.alloc(stride * stride);
  for (let i0 = 0; i0 < n; i0 += A_BLOCK) {
    const i1 = Math.min(i0 + A_BLOCK, n);
    arena.sqdist(block, i0, i1, block, i0, n, out + i0 * stride + i0, stride, true);
  }
  const d = arena.f32.subarray(out, out + stride * stride);
  // Float rounding can leave a tiny positive self-distance; sklearn's diagonal is exactly 0.
  for (let i = 0; i < n; i++) d[i * stride + i] = 0;
  return { d, n, stride, arena, offset: out };
}
