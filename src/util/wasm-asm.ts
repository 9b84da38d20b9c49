/**
 * Just enough of a WebAssembly assembler to write small numeric kernels as instruction lists in
 * TypeScript (simd.ts, the image resampler): no toolchain, no binary files to keep in step with
 * their source. A kernel is compiled when its module loads; V8's baseline compiler (Liftoff) makes
 * it fast from the first call, where the same loop in JavaScript starts in the interpreter.
 */

/** Unsigned LEB128: sizes, counts and indices. */
export const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};

/** Signed LEB128, as `i32.const` wants it. */
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};

export const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Buffer.from(s)];

export const [I32, F32, F64, V128] = [0x7f, 0x7d, 0x7c, 0x7b];
export const get = (i: number) => [0x20, i];
export const set = (i: number) => [0x21, i];
export const tee = (i: number) => [0x22, i];
export const i32 = (v: number) => [0x41, ...sleb(v)];
/** `f64.const`: the value's eight bytes, little-endian. */
export const f64 = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
export const add = [0x6a];
export const mul = [0x6c];

/** `loop { if (i >= end) break; body; i += step }` over locals i and end (unsigned compare). */
export const loop = (i: number, end: number, step: number, body: number[]) => [
  ...[0x02, 0x40, 0x03, 0x40],
  ...[...get(i), ...get(end), 0x4f, 0x0d, 1],
  ...body,
  ...[...get(i), ...i32(step), ...add, ...set(i), 0x0c, 0, 0x0b, 0x0b],
];

/** One exported function: its type, its locals (`vec` of [count, type]) and its body. */
export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** The body, locals first; it must end with `end` (0x0b). */
  code: number[];
}

/**
 * Compiles and instantiates a module of `functions` (one type each) and one memory of `pages`
 * 64 KiB pages, exported as `memory`.
 */
export function instantiate<T>(functions: WasmFunction[], pages = 1): T & { memory: WebAssembly.Memory } {
  const types = functions.map((f) => [
    0x60,
    ...vec(f.params.map((p) => [p])),
    ...vec(f.results.map((r) => [r])),
  ]);
  const exported = functions.map((f, i) => [...name(f.name), 0, ...leb(i)]);
  const bytes = Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((_, i) => leb(i)))),
    ...section(5, vec([[0x00, ...leb(pages)]])),
    ...section(7, vec([[...name('memory'), 2, 0], ...exported])),
    ...section(10, vec(functions.map((f) => [...leb(f.code.length), ...f.code]))),
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as T & {
    memory: WebAssembly.Memory;
  };
}

/** The memory's bytes, grown to at least `bytes` first (views of the old buffer die on growth). */
export function memoryOf(memory: WebAssembly.Memory, bytes: number): ArrayBuffer {
  const need = bytes - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / 65536));
  return memory.buffer;
}
