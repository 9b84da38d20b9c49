/**
 * Sums of many embedding rows in WebAssembly, in float64 and in the order of the plain loops they
 * replace, so every result is bit-identical to theirs: a gallery's mean face and its identities'
 * centroid directions. A one-shot `lookalike infer` runs them once, cold: as JavaScript that cost
 * 27 ms for the 20 celebrities' 399 photos (V8's interpreter, before it optimises the loops), and
 * training 10,000 identities runs them over every photo again for each fold. Rows are copied in by
 * batches (float32, as embeddings are), so memory stays small whatever the gallery.
 */

import { add, F64, f64, get, I32, i32, instantiate, loop, memoryOf, mul, set, tee, vec } from './wasm-asm.ts';

const load = [0x2b, 3, 0];
const store = [0x39, 3, 0];
/** A row's float32, as float64. */
const loadRow = [0x2a, 2, 0, 0xbb];
const [fadd, fsub, fmul, fdiv, fsqrt, fgt, select] = [[0xa0], [0xa1], [0xa2], [0xa3], [0x9f], [0x64], [0x1b]];
/** `local += 8` (the next float64). */
const next = (local: number) => [...get(local), ...i32(8), ...add, ...set(local)];
/** `end = p + count * dim * 4`: the byte after `count` rows of `dim` float32s from p. */
const rowsEnd = (p: number, count: number, dim: number, end: number) => [
  ...get(p),
  ...get(count),
  ...get(dim),
  ...mul,
  ...i32(4),
  ...mul,
  ...add,
  ...set(end),
];

// sumRows(p, count, dim, sum): sum[j] += row[j], row after row. Locals: 4 the end, 5 the row's end, 6 q.
// biome-ignore format: an instruction listing
const sumRows = [
  ...vec([[3, I32]]), ...rowsEnd(0, 1, 2, 4),
  ...loop(0, 4, 0, [
    ...get(0), ...get(2), ...i32(4), ...mul, ...add, ...set(5),
    ...get(3), ...set(6),
    ...loop(0, 5, 4, [...get(6), ...get(6), ...load, ...get(0), ...loadRow, ...fadd, ...store, ...next(6)]),
  ]),
  0x0b,
];

// unitCentred(p, count, dim, mean, sum): per row, d = row - mean, norm = Σ d_j² in order,
// inv = norm > 0 ? 1 / √norm : 0, then sum[j] += d_j · inv. Locals: 5 the end, 6 the row's end, 7 q
// (mean), 8 s (sum), 9 the row's start; 10 norm, 11 inv, 12 d.
// biome-ignore format: an instruction listing
const unitCentred = [
  ...vec([[5, I32], [3, F64]]), ...rowsEnd(0, 1, 2, 5),
  ...loop(0, 5, 0, [
    ...get(0), ...tee(9), ...get(2), ...i32(4), ...mul, ...add, ...set(6),
    ...f64(0), ...set(10), ...get(3), ...set(7),
    ...loop(0, 6, 4, [
      ...get(0), ...loadRow, ...get(7), ...load, ...fsub, ...tee(12), ...get(12), ...fmul,
      ...get(10), ...fadd, ...set(10), ...next(7),
    ]),
    ...f64(1), ...get(10), ...fsqrt, ...fdiv, ...f64(0), ...get(10), ...f64(0), ...fgt, ...select, ...set(11),
    ...get(9), ...set(0), ...get(3), ...set(7), ...get(4), ...set(8),
    ...loop(0, 6, 4, [
      ...get(8), ...get(8), ...load, ...get(0), ...loadRow, ...get(7), ...load, ...fsub, ...get(11), ...fmul,
      ...fadd, ...store, ...next(7), ...next(8),
    ]),
  ]),
  0x0b,
];

const kernels = instantiate<{
  sumRows: (p: number, count: number, dim: number, sum: number) => void;
  unitCentred: (p: number, count: number, dim: number, mean: number, sum: number) => void;
}>([
  { name: 'sumRows', params: [I32, I32, I32, I32], results: [], code: sumRows },
  { name: 'unitCentred', params: [I32, I32, I32, I32, I32], results: [], code: unitCentred },
]);

/** Rows copied in per call: 512 KiB of float32s. */
const BATCH_BYTES = 512 * 1024;

/**
 * Memory: `sum` and `mean` as float64, then a batch of rows as float32. Each batch continues the
 * sums of the last, so the additions come in the same order as one pass over every row.
 */
function run(rows: readonly Float32Array[], sum: Float64Array, mean: ArrayLike<number> | null): void {
  const dim = sum.length;
  const batch = Math.max(1, Math.floor(BATCH_BYTES / (4 * dim)));
  const buffer = memoryOf(kernels.memory, 16 * dim + 4 * dim * Math.min(batch, rows.length));
  const sums = new Float64Array(buffer, 0, 2 * dim);
  const floats = new Float32Array(buffer, 16 * dim);
  sums.set(sum);
  if (mean) sums.set(mean, dim);
  for (let start = 0; start < rows.length; start += batch) {
    const count = Math.min(batch, rows.length - start);
    for (let r = 0; r < count; r++) {
      const row = rows[start + r]!;
      if (row.length !== dim) throw new Error(`a row of ${row.length} values among rows of ${dim}`);
      floats.set(row, r * dim);
    }
    if (mean) kernels.unitCentred(16 * dim, count, dim, 8 * dim, 0);
    else kernels.sumRows(16 * dim, count, dim, 0);
  }
  sum.set(sums.subarray(0, dim));
}

/** `sum += row` for every row (each `sum.length` long). */
export function addRows(rows: readonly Float32Array[], sum: Float64Array): void {
  run(rows, sum, null);
}

/**
 * `sum += (row − mean) / |row − mean|` for every row, a row equal to `mean` adding nothing: the
 * unnormalised centroid direction of some photos.
 */
export function addUnitCentred(
  rows: readonly Float32Array[],
  mean: ArrayLike<number>,
  sum: Float64Array,
): void {
  if (mean.length !== sum.length)
    throw new Error(`a mean of ${mean.length} values for sums of ${sum.length}`);
  run(rows, sum, mean);
}
