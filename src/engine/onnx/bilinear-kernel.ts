import { add, F64, get, I32, i32, instantiate, loop, memoryOf, set, tee, vec } from '../../util/wasm-asm.ts';

/**
 * The inner loop of tf-image.ts's resizes and crops, in WebAssembly. In JavaScript the same loop
 * runs in V8's interpreter until it is optimised: a one-shot `lookalike infer` paid about 40 ms for
 * the detector input, the face crop and faceres's input, against 1–2 ms compiled, and in a warm pool
 * worker the loops stayed polymorphic (bytes and floats through one function). The arithmetic is
 * the JavaScript's, in f64 with the same roundings, so the samples are identical bit for bit.
 *
 * Callers give, per output row and column, the two source offsets to blend and the fraction between
 * them (tables of 16-byte records: i32 first, i32 second, f64 fraction; a first offset of -1 skips
 * the row or column, which then stays 0). Each sample is `v = t + (b - t) * rowFrac`, with `t` and
 * `b` the column blends of the two rows; what is stored is `(round ? fround(v) : v) * mul + add` as
 * float32.
 */

// Locals: the twelve parameters, then nine i32 (c…po) and six f64 (rowFrac…tmp). The row and
// column pointers (`rows`, `c`) walk their tables 16 bytes at a time.
const [rows, rowsEnd, cols, colsEnd, chBytes, out, dStride, rStride, cStride, mul, plus, round] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
];
const [c, dOff, top, bottom, left, right, rowOut, px, po, rowFrac, colFrac, t, b, v, tmp] = [
  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
];
// Opcodes: loads and stores with their alignment and offset, f64 arithmetic, conversions, `if` / `end`.
const [loadI32, loadF64] = [(o: number) => [0x28, 2, o], (o: number) => [0x2b, 3, o]];
const storeF32 = [0x38, 2, 0];
const [fAdd, fSub, fMul, demote, promote] = [0xa0, 0xa1, 0xa2, 0xb6, 0xbb];
const [ifThen, end] = [[0x04, 0x40], 0x0b];
const geZero = [...i32(0), 0x4e];
/** A source sample as f64: a byte (`i32.load8_u`, then unsigned to f64) or a float (`f32.load`, promoted). */
const [byteSample, floatSample] = [
  [0x2d, 0, 0, 0xb8],
  [0x2a, 2, 0, promote],
];

/** The kernel for one source type: `sample` loads one element, `step` bytes apart. */
function kernel(sample: number[], step: number): number[] {
  const at = (row: number, col: number) => [
    ...get(row),
    ...get(col),
    ...add,
    ...get(dOff),
    ...add,
    ...sample,
  ];
  const blend = (row: number, into: number) => [
    ...at(row, left),
    ...tee(tmp),
    ...at(row, right),
    ...get(tmp),
    fSub,
    ...get(colFrac),
    fMul,
    fAdd,
    ...set(into),
  ];
  // biome-ignore format: an instruction listing
  const channel = [
    ...blend(top, t), ...blend(bottom, b),
    ...get(t), ...get(b), ...get(t), fSub, ...get(rowFrac), fMul, fAdd, ...set(v),
    ...get(round), ...ifThen, ...get(v), demote, promote, ...set(v), end,
    ...get(po), ...get(v), ...get(mul), fMul, ...get(plus), fAdd, demote, ...storeF32,
    ...get(po), ...get(dStride), ...add, ...set(po),
  ];
  // biome-ignore format: an instruction listing
  const column = [
    ...get(c), ...loadI32(0), ...tee(left), ...geZero, ...ifThen,
    ...get(c), ...loadI32(4), ...set(right), ...get(c), ...loadF64(8), ...set(colFrac),
    ...i32(0), ...set(dOff), ...get(px), ...set(po),
    ...loop(dOff, chBytes, step, channel),
    end,
    ...get(px), ...get(cStride), ...add, ...set(px),
  ];
  // biome-ignore format: an instruction listing
  const row = [
    ...get(rows), ...loadI32(0), ...tee(top), ...geZero, ...ifThen,
    ...get(rows), ...loadI32(4), ...set(bottom), ...get(rows), ...loadF64(8), ...set(rowFrac),
    ...get(cols), ...set(c), ...get(rowOut), ...set(px),
    ...loop(c, colsEnd, 16, column),
    end,
    ...get(rowOut), ...get(rStride), ...add, ...set(rowOut),
  ];
  return [
    ...vec([
      [9, I32],
      [6, F64],
    ]),
    ...get(out),
    ...set(rowOut),
    ...loop(rows, rowsEnd, 16, row),
    end,
  ];
}

const params = [I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, I32];
type Kernel = (...args: number[]) => void;
const wasm = instantiate<{ bytes: Kernel; floats: Kernel }>([
  { name: 'bytes', params, results: [], code: kernel(byteSample, 1) },
  { name: 'floats', params, results: [], code: kernel(floatSample, 4) },
]);

/** Where each float of the output goes, in floats: per channel, per row and per column. */
export interface OutputLayout {
  channel: number;
  row: number;
  column: number;
}

/** Fills a table's 16-byte records; `first` -1 marks a skipped row or column. */
export type TableFill = (set: (k: number, first: number, second: number, frac: number) => void) => void;

// The last source copied in, so that the several cuts of one photo copy it once. Held weakly: a
// source is never written after decoding, and one that was collected cannot come back.
let loaded: WeakRef<Uint8Array | Float32Array> | undefined;

/**
 * Runs the kernel on `image` (`channels` interleaved) into width × height × channels floats of `dest`
 * at `offset`. Table offsets are in source elements, counted from the start of `image.data`.
 */
export function bilinear(
  image: { data: Uint8Array | Float32Array; channels: number },
  [width, height]: [number, number],
  fillRows: TableFill,
  fillCols: TableFill,
  layout: OutputLayout,
  dest: Float32Array,
  offset: number,
  scale: { mul: number; add: number; round: boolean },
): void {
  const { data: src, channels } = image;
  const floats = src instanceof Float32Array;
  const size = floats ? 4 : 1;
  const srcBytes = Math.ceil((src.length * size) / 16) * 16;
  const rowsAt = srcBytes;
  const colsAt = rowsAt + height * 16;
  const outAt = colsAt + width * 16;
  const count = width * height * channels;
  const memory = memoryOf(wasm.memory, outAt + count * 4);
  if (loaded?.deref() !== src) {
    if (floats) new Float32Array(memory, 0, src.length).set(src);
    else new Uint8Array(memory, 0, src.length).set(src);
    loaded = new WeakRef(src);
  }
  const ints = new Int32Array(memory);
  const fracs = new Float64Array(memory);
  // A skipped row or column leaves its samples as they are: zeroed first only where one is skipped.
  let skips = false;
  const table = (at: number, fill: TableFill) =>
    fill((k, first, second, frac) => {
      const i = at / 4 + k * 4;
      if (first < 0) skips = true;
      ints[i] = first < 0 ? -1 : first * size;
      ints[i + 1] = second * size;
      fracs[i / 2 + 1] = frac;
    });
  table(rowsAt, fillRows);
  table(colsAt, fillCols);
  const output = new Float32Array(memory, outAt, count);
  if (skips) output.fill(0);
  const run = floats ? wasm.floats : wasm.bytes;
  run(
    rowsAt,
    colsAt,
    colsAt,
    outAt,
    channels * size,
    outAt,
    layout.channel * 4,
    layout.row * 4,
    layout.column * 4,
    scale.mul,
    scale.add,
    scale.round ? 1 : 0,
  );
  dest.set(output, offset);
}
