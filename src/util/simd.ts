/**
 * Dot products and axpy in WebAssembly SIMD (f32x4), for the SVM solver and the nearest-class
 * search. V8 runs the same loops in scalar JavaScript at about 0.7 G multiply-adds a second on
 * this project's machine; four f32x4 accumulators run several times faster, and training 10,000
 * identities is nothing but these loops. The module is written out here as bytes (a few dozen
 * instructions, assembled by wasm-asm.ts) and works on its own memory: callers copy vectors in, padded
 * with zeros to a multiple of 16 floats (`padded`).
 */

import { add, F32, get, I32, i32, instantiate, loop, memoryOf, set, tee, V128, vec } from './wasm-asm.ts';

// SIMD instructions (prefix 0xfd; 16-byte aligned memargs).
const load = (offset: number) => [0xfd, 0x00, 4, offset];
const store = (offset: number) => [0xfd, 0x0b, 4, offset];
const [fadd, fmul, splat] = [
  [0xfd, 0xe4, 0x01],
  [0xfd, 0xe6, 0x01],
  [0xfd, 0x13],
];
const lane = (l: number) => [0xfd, 0x1f, l];
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
const exports = instantiate<{
  dot: (a: number, b: number, bytes: number) => number;
  axpy: (s: number, x: number, y: number, bytes: number) => void;
  scores: (m: number, rows: number, x: number, bytes: number, out: number) => void;
}>([
  { name: 'dot', params: [I32, I32, I32], results: [F32], code: dot },
  { name: 'axpy', params: [F32, I32, I32, I32], results: [], code: axpy },
  { name: 'scores', params: [I32, I32, I32, I32, I32], results: [], code: scores },
]);
export const { dot: simdDot, axpy: simdAxpy, scores: simdScores } = exports;

/** Floats per padded row: `dim` rounded up to a multiple of 16 (one loop turn of four f32x4). */
export function padded(dim: number): number {
  return Math.ceil(dim / 16) * 16;
}

/** The module's memory as floats, at least `floats` long (grown as needed; views die on growth). */
export function simdFloats(floats: number): Float32Array {
  return new Float32Array(memoryOf(exports.memory, floats * 4));
}
