/** Row-major dense matrix of float32 values: row i is data[i*dims .. (i+1)*dims). */
export interface Matrix {
  data: Float32Array;
  rows: number;
  dims: number;
}

/** Creates a zero-filled matrix (or wraps `data` when given, checking its length). */
export function matrix(rows: number, dims: number, data?: Float32Array): Matrix {
  const d = data ?? new Float32Array(rows * dims);
  if (d.length !== rows * dims) {
    throw new Error(`matrix: data length ${d.length} != ${rows} x ${dims}`);
  }
  return { data: d, rows, dims };
}

/** Returns row i as a subarray view (no copy): writes go through to the matrix. */
export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.dims, (i + 1) * m.dims);
}

/** Builds a matrix from an array of equal-length rows (copies). */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const n = rows.length;
  const dims = rows[0]?.length ?? 0;
  const m = matrix(n, dims);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== dims) throw new Error(`fromRows: row ${i} has ${r.length} dims, not ${dims}`);
    m.data.set(r, i * dims);
  }
  return m;
}

/** Copies rows listed in `indices` into a new matrix. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = matrix(indices.length, m.dims);
  for (let k = 0; k < indices.length; k++) out.data.set(row(m, indices[k]!), k * m.dims);
  return out;
}
