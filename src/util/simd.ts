/**
 * Dot products and axpy in WebAssembly SIMD (f32x4), for the SVM solver and the nearest-class
 * search. V8 runs the same loops in scalar JavaScript at about 0.7 G multiply-adds a second on
 * this project's machine; four f32x4 accumulators run several times faster, and training 10,000
 * identities is nothing but these loops. The module is written out here as bytes (a few dozen
 * instructions; no toolchain needed) and works on its own memory: callers copy vectors in, padded
 * with zeros to a multiple of 16 floats (`padded`).
 */

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Buffer.from(s)];
const [I32, F32, V128] = [0x7f, 0x7d, 0x7b];
// Instructions: locals, i32 arithmetic, control, and the SIMD ones (prefix 0xfd; 16-byte aligned memargs).
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32 = (v: number) => [0x41, ...(v < 64 ? [v] : [(v & 0x7f) | 0x80, v >> 7])];
const add = [0x6a];
const load = (offset: number) => [0xfd, 0x00, 4, offset];
const store = (offset: number) => [0xfd, 0x0b, 4, offset];
const [fadd, fmul, splat] = [
  [0xfd, 0xe4, 0x01],
  [0xfd, 0xe6, 0x01],
  [0xfd, 0x13],
];
const lane = (l: number) => [0xfd, 0x1f, l];
/** `loop { if (i >= end) break; body; i += step }` over locals i and end. */
const loop = (i: number, end: number, step: number, body: number[]) => [
  ...[0x02, 0x40, 0x03, 0x40],
  ...[...get(i), ...get(end), 0x4f, 0x0d, 1],
  ...body,
  ...[...get(i), ...i32(step), ...add, ...set(i), 0x0c, 0, 0x0b, 0x0b],
];
const at = (base: number, i: number) => [...get(base), ...get(i), ...add];

// dot(a, b, bytes) -> f32: locals 3..6 are four f32x4 sums, 7 the end of a; a and b advance.
const sum4 = (o: number, k: number) => [
  ...get(3 + k),
  ...get(0),
  ...load(o),
  ...get(1),
  ...load(o),
  ...fmul,
  ...fadd,
  ...set(3 + k),
];
// biome-ignore format: an instruction listing
const dot = [
  ...vec([[4, V128], [1, I32]]), ...get(0), ...get(2), ...add, ...set(7),
  ...loop(0, 7, 64, [...[0, 16, 32, 48].flatMap(sum4), ...get(1), ...i32(64), ...add, ...set(1)]),
  ...get(3), ...get(4), ...fadd, ...get(5), ...fadd, ...get(6), ...fadd, ...tee(3),
  ...lane(0), ...get(3), ...lane(1), 0x92, ...get(3), ...lane(2), 0x92, ...get(3), ...lane(3), 0x92, 0x0b,
];
// axpy(s, x, y, bytes): y += s x; local 4 is s splatted, 5 the byte offset.
const axpy4 = (o: number) => [
  ...at(2, 5),
  ...at(2, 5),
  ...load(o),
  ...get(4),
  ...at(1, 5),
  ...load(o),
  ...fmul,
  ...fadd,
  ...store(o),
];
// biome-ignore format: an instruction listing
const axpy = [
  ...vec([[1, V128], [1, I32]]), ...get(0), ...splat, ...set(4),
  ...loop(5, 3, 64, [0, 16, 32, 48].flatMap(axpy4)), 0x0b,
];
// scores(m, rows, x, bytes, out): out[r] = dot(m + r bytes, x) as f32s (call 0, f32.store); local 5 is r.
// biome-ignore format: an instruction listing
const scores = [
  ...vec([[1, I32]]),
  ...loop(5, 1, 1, [
    ...get(4), ...get(0), ...get(2), ...get(3), 0x10, 0, 0x38, 2, 0,
    ...get(0), ...get(3), ...add, ...set(0), ...get(4), ...i32(4), ...add, ...set(4),
  ]),
  0x0b,
];
// biome-ignore format: the module's sections: types, functions, memory, exports, code
const bytes = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, vec([[0x60, 3, I32, I32, I32, 1, F32], [0x60, 4, F32, I32, I32, I32, 0], [0x60, 5, I32, I32, I32, I32, I32, 0]])),
  ...section(3, vec([[0], [1], [2]])),
  ...section(5, vec([[0x00, 1]])),
  ...section(7, vec([[...name('memory'), 2, 0], [...name('dot'), 0, 0], [...name('axpy'), 0, 1], [...name('scores'), 0, 2]])),
  ...section(10, vec([dot, axpy, scores].map((body) => [...leb(body.length), ...body]))),
]);

const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as {
  memory: WebAssembly.Memory;
  dot: (a: number, b: number, bytes: number) => number;
  axpy: (s: number, x: number, y: number, bytes: number) => void;
  scores: (m: number, rows: number, x: number, bytes: number, out: number) => void;
};
export const { dot: simdDot, axpy: simdAxpy, scores: simdScores } = exports;

/** Floats per padded row: `dim` rounded up to a multiple of 16 (one loop turn of four f32x4). */
export function padded(dim: number): number {
  return Math.ceil(dim / 16) * 16;
}

/** The module's memory as floats, at least `floats` long (grown as needed; views die on growth). */
export function simdFloats(floats: number): Float32Array {
  const { memory } = exports;
  const need = floats * 4 - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / 65536));
  return new Float32Array(memory.buffer);
}
