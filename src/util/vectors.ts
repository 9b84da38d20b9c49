/**
 * Vector helpers every layer borrows: cosine and the user-facing similarity of L2-normalised
 * embeddings, dot products of many rows, and the base64 float32 / float16 codecs that galleries,
 * packs, the queue and the classifier's stored model use.
 */

/** Cosine similarity of two L2-normalised vectors: their dot product (no norms are computed). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cannot compare vectors of ${a.length} and ${b.length} values`);
  return dot(a, b, a.length);
}

/**
 * `a[aOff..aOff+n) · b[bOff..bOff+n)`, for cosines and the classifier's single dot products (its
 * bulk loops run in WebAssembly, simd.ts, or four rows at a time, `scoreRows` below). Four accumulators break the chain of dependent additions; V8 then runs about
 * twice as fast as with one.
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n: number, aOff = 0, bOff = 0): number {
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
 * The user-facing similarity of two faces in [0, 1]. Every similarity shown or thresholded goes
 * through here, so recalibrating the mapping from cosine is a change to this one line.
 */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return similarityFromCosine(cosine(a, b));
}

/** The mapping behind `similarity`, for callers that already hold the cosine. */
export function similarityFromCosine(c: number): number {
  return Math.min(1, Math.max(0, c));
}

/** Encodes vectors as one base64 string of little-endian float32s: about 5x smaller than JSON numbers. */
export function encodeFloat32(vectors: readonly ArrayLike<number>[]): string {
  let total = 0;
  for (const v of vectors) total += v.length;
  const view = new DataView(new ArrayBuffer(total * 4));
  let off = 0;
  for (const v of vectors) {
    for (let j = 0; j < v.length; j++, off += 4) view.setFloat32(off, v[j]!, true);
  }
  return Buffer.from(view.buffer).toString('base64');
}

/** Decodes `encodeFloat32` output into `count` vectors of `dim` values; throws when the sizes disagree. */
export function decodeFloat32(base64: string, dim: number, count: number): Float32Array[] {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== dim * count * 4) {
    throw new Error(`expected ${count} vectors of ${dim} float32s, got ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = view.getFloat32((i * dim + j) * 4, true);
    out.push(v);
  }
  return out;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** IEEE half-precision bits of `v`, rounded to nearest even; overflow saturates to infinity. */
function toHalf(v: number): number {
  F32[0] = v;
  const x = U32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let out = mant >>> shift;
    if (rest > half || (rest === half && out & 1)) out++;
    return sign | out;
  }
  let out = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && out & 1)) out++;
  return sign | out;
}

/** The float32 value of half-precision bits `h`. */
function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let HALF_TABLE: Float32Array | null = null;

/**
 * Encodes values as base64 little-endian float16: half the bytes of float32, for model weights,
 * whose 3 significant digits move a decision value by far less than its calibration error.
 */
export function encodeFloat16(values: ArrayLike<number>): string {
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = toHalf(values[i]!);
  return Buffer.from(halves.buffer).toString('base64');
}

/**
 * Node 24's native float16 array (V8 13.6; Node 20 and 22 have none without a flag). Converting through
 * it skips building the 65,536-entry table, which cost a one-shot `lookalike infer` 10 ms cold.
 */
const NativeFloat16 = (
  globalThis as { Float16Array?: new (b: ArrayBuffer, o: number, n: number) => ArrayLike<number> }
).Float16Array;

/** Decodes `encodeFloat16` output of `length` values; throws when the size disagrees. */
export function decodeFloat16(base64: string, length: number): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== length * 2) throw new Error(`expected ${length} float16s, got ${bytes.length} bytes`);
  if (NativeFloat16 && bytes.byteOffset % 2 === 0)
    return Float32Array.from(new NativeFloat16(bytes.buffer as ArrayBuffer, bytes.byteOffset, length));
  if (HALF_TABLE === null) HALF_TABLE = Float32Array.from({ length: 65536 }, (_, h) => fromHalf(h));
  // Typed-array reads (little-endian, as every platform Node runs on) instead of readUInt16LE:
  // 10,000 identities' weights decode in a tenth of the time.
  const halves = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Float32Array(length);
  const table = HALF_TABLE;
  for (let i = 0; i < length; i++) out[i] = table[halves[i]!]!;
  return out;
}

/** Rounds values to float16 in place, so that a model in memory answers as its stored form does. */
export function roundFloat16(values: Float32Array): Float32Array {
  if (HALF_TABLE === null) HALF_TABLE = Float32Array.from({ length: 65536 }, (_, h) => fromHalf(h));
  for (let i = 0; i < values.length; i++) values[i] = HALF_TABLE[toHalf(values[i]!)]!;
  return values;
}

/**
 * `out[t] = m[rows[t]] · x` over rows of a row-major matrix (row t when `rows` is null), four rows
 * at a time so that each load of x serves four: answers at 4,000 identities take 1.4x as long
 * row by row.
 */
export function scoreRows(
  m: Float32Array,
  dim: number,
  rows: ArrayLike<number> | null,
  x: ArrayLike<number>,
  out: Float64Array,
): void {
  const n = out.length;
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
  for (; t < n; t++) out[t] = dot(m, x, dim, (rows ? rows[t]! : t) * dim);
}
