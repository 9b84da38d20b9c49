/** Dot product of `a[aOff..aOff+n)` and `b[bOff..bOff+n)`. */
export function dot(
  a: Float64Array | Float32Array,
  aOff: number,
  b: ArrayLike<number>,
  bOff: number,
  n: number,
): number {
  // Four accumulators break the add dependency chain; V8 then runs about twice as fast.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[aOff + j]! * b[bOff + j]!;
    s1 += a[aOff + j + 1]! * b[bOff + j + 1]!;
    s2 += a[aOff + j + 2]! * b[bOff + j + 2]!;
    s3 += a[aOff + j + 3]! * b[bOff + j + 3]!;
  }
  for (; j < n; j++) s0 += a[aOff + j]! * b[bOff + j]!;
  return s0 + s1 + s2 + s3;
}

/**
 * All dot products between rows `rows` of `a` and rows `cols` of `b` over the first `n` values:
 * `out[outRows[r] * outStride + cols[k]] = a[rows[r]] . b[cols[k]]` (`outRows` defaults to `rows`).
 * Computed in 4x4 blocks so that each loaded value feeds four multiply-adds: the blocking doubles
 * their speed in V8, which matters for the all-pairs nearest classes of large galleries.
 */
export function crossDots(
  a: Float64Array,
  aStride: number,
  rows: Int32Array,
  b: Float64Array,
  bStride: number,
  cols: Int32Array,
  n: number,
  out: Float64Array,
  outStride: number,
  outRows: Int32Array = rows,
): void {
  const nr = rows.length;
  const nc = cols.length;
  const r4 = nr - (nr % 4);
  const c4 = nc - (nc % 4);
  for (let r = 0; r < r4; r += 4) {
    const i0 = rows[r]!;
    const i1 = rows[r + 1]!;
    const i2 = rows[r + 2]!;
    const i3 = rows[r + 3]!;
    const a0 = i0 * aStride;
    const a1 = i1 * aStride;
    const a2 = i2 * aStride;
    const a3 = i3 * aStride;
    for (let k = 0; k < c4; k += 4) {
      const c0 = cols[k]!;
      const c1 = cols[k + 1]!;
      const c2 = cols[k + 2]!;
      const c3 = cols[k + 3]!;
      const b0 = c0 * bStride;
      const b1 = c1 * bStride;
      const b2 = c2 * bStride;
      const b3 = c3 * bStride;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      for (let j = 0; j < n; j++) {
        const x0 = a[a0 + j]!;
        const x1 = a[a1 + j]!;
        const x2 = a[a2 + j]!;
        const x3 = a[a3 + j]!;
        let w = b[b0 + j]!;
        s00 += x0 * w;
        s10 += x1 * w;
        s20 += x2 * w;
        s30 += x3 * w;
        w = b[b1 + j]!;
        s01 += x0 * w;
        s11 += x1 * w;
        s21 += x2 * w;
        s31 += x3 * w;
        w = b[b2 + j]!;
        s02 += x0 * w;
        s12 += x1 * w;
        s22 += x2 * w;
        s32 += x3 * w;
        w = b[b3 + j]!;
        s03 += x0 * w;
        s13 += x1 * w;
        s23 += x2 * w;
        s33 += x3 * w;
      }
      const o0 = outRows[r]! * outStride;
      const o1 = outRows[r + 1]! * outStride;
      const o2 = outRows[r + 2]! * outStride;
      const o3 = outRows[r + 3]! * outStride;
      out[o0 + c0] = s00;
      out[o0 + c1] = s01;
      out[o0 + c2] = s02;
      out[o0 + c3] = s03;
      out[o1 + c0] = s10;
      out[o1 + c1] = s11;
      out[o1 + c2] = s12;
      out[o1 + c3] = s13;
      out[o2 + c0] = s20;
      out[o2 + c1] = s21;
      out[o2 + c2] = s22;
      out[o2 + c3] = s23;
      out[o3 + c0] = s30;
      out[o3 + c1] = s31;
      out[o3 + c2] = s32;
      out[o3 + c3] = s33;
    }
  }
  // Ragged edges: the last rows against every column, and every row against the last columns.
  for (let r = 0; r < nr; r++) {
    const i = rows[r]!;
    for (let k = r < r4 ? c4 : 0; k < nc; k++) {
      const c = cols[k]!;
      out[outRows[r]! * outStride + c] = dot(a, i * aStride, b, c * bStride, n);
    }
  }
}

/** `Int32Array [from, from + 1, ..., to - 1]`. */
export function range(to: number, from = 0): Int32Array {
  const r = new Int32Array(Math.max(0, to - from));
  for (let i = 0; i < r.length; i++) r[i] = from + i;
  return r;
}

/**
 * `out[t] = m[rows[t]] . x` for rows of a row-major float32 matrix (every row when `rows` is
 * null, then `out` needs `count` values), four rows at a time so that each load of x serves four.
 * Scoring a face against 10,000 centroids runs through here.
 */
export function scoreRows(
  m: Float32Array,
  dim: number,
  rows: ArrayLike<number> | null,
  x: ArrayLike<number>,
  out: Float64Array,
  count = rows?.length ?? 0,
): void {
  const n = rows ? rows.length : count;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    const o0 = (rows ? rows[t]! : t) * dim;
    const o1 = (rows ? rows[t + 1]! : t + 1) * dim;
    const o2 = (rows ? rows[t + 2]! : t + 2) * dim;
    const o3 = (rows ? rows[t + 3]! : t + 3) * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < dim; j++) {
      const v = x[j]!;
      s0 += m[o0 + j]! * v;
      s1 += m[o1 + j]! * v;
      s2 += m[o2 + j]! * v;
      s3 += m[o3 + j]! * v;
    }
    out[t] = s0;
    out[t + 1] = s1;
    out[t + 2] = s2;
    out[t + 3] = s3;
  }
  for (; t < n; t++) out[t] = dot(m, (rows ? rows[t]! : t) * dim, x, 0, dim);
}
