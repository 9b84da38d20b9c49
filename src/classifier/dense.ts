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
