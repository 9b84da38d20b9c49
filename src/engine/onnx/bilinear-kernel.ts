import {
  add,
  F64,
  f64,
  get,
  I32,
  i32,
  instantiate,
  loop,
  memoryOf,
  set,
  tee,
  vec,
} from '../../util/wasm-asm.ts';

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

/**
 * align.ts's warp of an RGB photo into a planar model input (the dlib chip), per output pixel: a k×k
 * grid of bilinear samples through the similarity x = a·u − b·v + tx, y = b·u + a·v + ty, black
 * outside, each channel's sum then written as `(fround(sum · weight) − mean[c]) / div`. Same order of
 * operations as the JavaScript it replaced, so the same float32s.
 */
function warpKernel(sample: number[], size: number): number[] {
  // Parameters 0–13, then i32 locals 14–25 and f64 locals 26–42.
  const [srcW, srcH, side, k, a, b, tx, ty, weight, out, m0, m1, m2, div] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
  ];
  const [u, v, sy, sx, p, dx, dy, o, x0, y0, plane, rowBytes] = [
    14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
  ];
  const [c0, c1, c2, vv, uu, x, y, fx, fy, xf, yf, top, tl, bl, kf, wMax, hMax] = [
    26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
  ];
  const [fDiv, fLt, fGt, floor, toF64, iMul, or, ltS, select, truncSat, storeF32At] = [
    0xa3,
    0x63,
    0x64,
    0x9c,
    0xb7,
    0x6c,
    0x72,
    0x48,
    0x1b,
    [0xfc, 0x02],
    (offset: number) => [0x38, 2, offset],
  ];
  const load = (at: number[], channel: number) => {
    const [op, align] = sample;
    return [...at, op!, align!, channel * size, ...sample.slice(3)];
  };
  // (i + (s + 0.5) / k) − 0.5: the sub-sample's position, as align.ts's offsets table gave it.
  const position = (i: number, s: number, into: number) => [
    ...get(i),
    toF64,
    ...get(s),
    toF64,
    ...f64(0.5),
    fAdd,
    ...get(kf),
    fDiv,
    fAdd,
    ...f64(0.5),
    fSub,
    ...set(into),
  ];
  // biome-ignore format: an instruction listing
  const channel = (c: number, acc: number) => [
    ...load(get(p), c), ...set(tl),
    ...load([...get(p), ...get(dy), ...add], c), ...set(bl),
    ...get(tl), ...load([...get(p), ...get(dx), ...add], c), ...get(tl), fSub, ...get(fx), fMul, fAdd, ...set(top),
    ...get(acc), ...get(top), fAdd,
    ...get(bl), ...load([...get(p), ...get(dy), ...add, ...get(dx), ...add], c), ...get(bl), fSub, ...get(fx), fMul, fAdd,
    ...get(top), fSub, ...get(fy), fMul, fAdd, ...set(acc),
  ];
  // biome-ignore format: an instruction listing
  const subSample = [
    0x02, 0x40,
    ...position(u, sx, uu),
    ...get(a), ...get(uu), fMul, ...get(b), ...get(vv), fMul, fSub, ...get(tx), fAdd, ...set(x),
    ...get(b), ...get(uu), fMul, ...get(a), ...get(vv), fMul, fAdd, ...get(ty), fAdd, ...set(y),
    // Outside the photo: this sub-sample adds nothing.
    ...get(x), ...f64(0), fLt, ...get(y), ...f64(0), fLt, or, ...get(x), ...get(wMax), fGt, or,
    ...get(y), ...get(hMax), fGt, or, 0x0d, 0,
    ...get(x), ...get(x), floor, ...tee(xf), fSub, ...set(fx),
    ...get(y), ...get(y), floor, ...tee(yf), fSub, ...set(fy),
    ...get(xf), ...truncSat, ...set(x0), ...get(yf), ...truncSat, ...set(y0),
    ...get(y0), ...get(srcW), iMul, ...get(x0), ...add, ...i32(3 * size), iMul, ...set(p),
    ...i32(3 * size), ...i32(0), ...get(x0), ...i32(1), ...add, ...get(srcW), ltS, select, ...set(dx),
    ...get(rowBytes), ...i32(0), ...get(y0), ...i32(1), ...add, ...get(srcH), ltS, select, ...set(dy),
    ...channel(0, c0), ...channel(1, c1), ...channel(2, c2),
    end,
  ];
  const write = (acc: number, mean: number, at: number[]) => [
    ...at,
    ...get(acc),
    ...get(weight),
    fMul,
    demote,
    promote,
    ...get(mean),
    fSub,
    ...get(div),
    fDiv,
    demote,
    ...storeF32At(0),
  ];
  // biome-ignore format: an instruction listing
  const pixel = [
    ...f64(0), ...set(c0), ...f64(0), ...set(c1), ...f64(0), ...set(c2),
    ...i32(0), ...set(sy),
    ...loop(sy, k, 1, [...position(v, sy, vv), ...i32(0), ...set(sx), ...loop(sx, k, 1, subSample)]),
    ...get(out), ...get(v), ...get(side), iMul, ...get(u), ...add, ...i32(4), iMul, ...add, ...set(o),
    ...write(c0, m0, get(o)),
    ...write(c1, m1, [...get(o), ...get(plane), ...add]),
    ...write(c2, m2, [...get(o), ...get(plane), ...add, ...get(plane), ...add]),
  ];
  // biome-ignore format: an instruction listing
  return [
    ...vec([[12, I32], [17, F64]]),
    ...get(k), toF64, ...set(kf),
    ...get(srcW), ...i32(1), 0x6b, toF64, ...set(wMax), ...get(srcH), ...i32(1), 0x6b, toF64, ...set(hMax),
    ...get(srcW), ...i32(3 * size), iMul, ...set(rowBytes),
    ...get(side), ...get(side), iMul, ...i32(4), iMul, ...set(plane),
    ...i32(0), ...set(v),
    ...loop(v, side, 1, [...i32(0), ...set(u), ...loop(u, side, 1, pixel)]),
    end,
  ];
}

const params = [I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, I32];
const warpParams = [I32, I32, I32, I32, F64, F64, F64, F64, F64, I32, F64, F64, F64, F64];
type Kernel = (...args: number[]) => void;
const wasm = instantiate<{ bytes: Kernel; floats: Kernel; warpBytes: Kernel; warpFloats: Kernel }>([
  { name: 'bytes', params, results: [], code: kernel(byteSample, 1) },
  { name: 'floats', params, results: [], code: kernel(floatSample, 4) },
  { name: 'warpBytes', params: warpParams, results: [], code: warpKernel(byteSample, 1) },
  { name: 'warpFloats', params: warpParams, results: [], code: warpKernel(floatSample, 4) },
]);

/** Where each float of the output goes, in floats: per channel, per row and per column. */
export interface OutputLayout {
  channel: number;
  row: number;
  column: number;
}

/** Fills a table's 16-byte records; `first` -1 marks a skipped row or column. */
export type TableFill = (set: (k: number, first: number, second: number, frac: number) => void) => void;

// The last source copied in, so that the several cuts of one photo (and its faces' chips) copy it once.
// Held weakly: a source is never written after decoding, and one that was collected cannot come back.
let loaded: WeakRef<Uint8Array | Float32Array> | undefined;

/** A source's element size and the bytes it takes at the start of the memory (16-byte aligned). */
function sourceLayout(src: Uint8Array | Float32Array) {
  const floats = src instanceof Float32Array;
  const size = floats ? 4 : 1;
  return { floats, size, srcBytes: Math.ceil((src.length * size) / 16) * 16 };
}

/** The memory, at least `bytes` long, with `src` at its start (copied unless it is there already). */
function memoryWithSource(src: Uint8Array | Float32Array, bytes: number): ArrayBuffer {
  const memory = memoryOf(wasm.memory, bytes);
  if (loaded?.deref() !== src) {
    if (src instanceof Float32Array) new Float32Array(memory, 0, src.length).set(src);
    else new Uint8Array(memory, 0, src.length).set(src);
    loaded = new WeakRef(src);
  }
  return memory;
}

/**
 * Runs the kernel on `image` (`channels` interleaved) into width × height × channels floats, and
 * returns them as a view of the kernel's memory: read or copy it before the next call, which
 * overwrites it. Table offsets are in source elements, counted from the start of `image.data`.
 */
export function bilinear(
  image: { data: Uint8Array | Float32Array; channels: number },
  [width, height]: [number, number],
  fillRows: TableFill,
  fillCols: TableFill,
  layout: OutputLayout,
  scale: { mul: number; add: number; round: boolean },
): Float32Array {
  const { data: src, channels } = image;
  const { floats, size, srcBytes } = sourceLayout(src);
  const rowsAt = srcBytes;
  const colsAt = rowsAt + height * 16;
  const outAt = colsAt + width * 16;
  const count = width * height * channels;
  const memory = memoryWithSource(src, outAt + count * 4);
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
  return output;
}

/**
 * Warps an RGB `image` (width × height, interleaved) through a similarity onto a side × side planar
 * chip at `offset` of `dest`: k×k sub-samples per pixel, averaged by `weight` (align.ts's warpToPlanar).
 * A transform that is not finite gives NaN everywhere, as the plain loops did.
 */
export function warpPlanar(
  image: { data: Uint8Array | Float32Array; width: number; height: number },
  t: { a: number; b: number; tx: number; ty: number },
  side: number,
  k: number,
  weight: number,
  sink: { dest: Float32Array; offset: number; mean: readonly [number, number, number]; div: number },
): void {
  const count = 3 * side * side;
  if (![t.a, t.b, t.tx, t.ty].every(Number.isFinite)) {
    sink.dest.fill(Number.NaN, sink.offset, sink.offset + count);
    return;
  }
  const { data: src, width, height } = image;
  const { floats, srcBytes } = sourceLayout(src);
  const memory = memoryWithSource(src, srcBytes + count * 4);
  const [m0, m1, m2] = sink.mean;
  const run = floats ? wasm.warpFloats : wasm.warpBytes;
  run(width, height, side, k, t.a, t.b, t.tx, t.ty, weight, srcBytes, m0, m1, m2, sink.div);
  sink.dest.set(new Float32Array(memory, srcBytes, count), sink.offset);
}
