import { Rng } from './rng.ts';

/**
 * A subsampled randomised Hadamard transform (Ailon & Chazelle's fast Johnson-Lindenstrauss
 * transform): random signs, a Walsh-Hadamard transform, then `size` coordinates kept. Dot products
 * of sketches estimate those of the unit vectors within about 1/sqrt(size), at O(d log d) per
 * vector instead of the O(d size) of a dense random projection. With 10,000 identities it scores
 * a face against every centroid 8x faster than exactly, so that a shortlist of 256 can be
 * rescored exactly within the 10 ms answer budget.
 */
export class Sketch {
  readonly size: number;
  private readonly padded: number;
  private readonly signs: Float64Array;
  private readonly keep: Int32Array;
  private readonly scratch: Float64Array;

  constructor(
    readonly dim: number,
    size = 128,
    seed = 1,
  ) {
    let padded = 1;
    while (padded < dim) padded *= 2;
    this.padded = padded;
    this.size = Math.min(size, padded);
    const rng = new Rng(seed);
    this.signs = Float64Array.from({ length: dim }, () => (rng.next() < 0.5 ? -1 : 1));
    const all = Int32Array.from({ length: padded }, (_, i) => i);
    rng.shuffle(all, padded);
    this.keep = all.slice(0, this.size).sort();
    this.scratch = new Float64Array(padded);
  }

  /** The sketch of `x` (`size` values) written to `out` at `off`. */
  apply(x: ArrayLike<number>, out: Float32Array, off: number): void {
    const h = this.scratch;
    h.fill(0);
    for (let j = 0; j < this.dim; j++) h[j] = this.signs[j]! * x[j]!;
    for (let len = 1; len < this.padded; len *= 2) {
      for (let i = 0; i < this.padded; i += 2 * len) {
        for (let j = i; j < i + len; j++) {
          const a = h[j]!;
          const b = h[j + len]!;
          h[j] = a + b;
          h[j + len] = a - b;
        }
      }
    }
    // H has rows of norm sqrt(padded); keeping `size` of them scales dot products by `size`.
    const scale = 1 / Math.sqrt(this.size);
    for (let t = 0; t < this.size; t++) out[off + t] = h[this.keep[t]!]! * scale;
  }

  /** Sketches of `count` rows of `x` (row-major, `dim` each). */
  rows(x: Float32Array, count: number): Float32Array {
    const out = new Float32Array(count * this.size);
    for (let i = 0; i < count; i++)
      this.apply(x.subarray(i * this.dim, (i + 1) * this.dim), out, i * this.size);
    return out;
  }
}
