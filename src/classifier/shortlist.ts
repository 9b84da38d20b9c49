import { dot, scoreRows } from './dense.ts';
import { Rng } from './rng.ts';

/**
 * Below this many classes every class is scored exactly: 2,048 x 1,024 multiply-adds take about
 * 2 ms. Above it a sketch shortlists candidates first (see `Sketch`).
 */
export const EXACT_CLASSES = 2048;

/** Classes a sketch keeps for exact rescoring. */
export const SHORTLIST = 256;

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

/** Indices of the `k` largest of `scores[0..n)`, best first; ties go to the lower index. */
export function topK(scores: ArrayLike<number>, n: number, k: number, skip = -1): Int32Array {
  const take = Math.max(0, Math.min(k, n - (skip >= 0 && skip < n ? 1 : 0)));
  const idx = new Int32Array(take);
  const val = new Float64Array(take).fill(Number.NEGATIVE_INFINITY);
  let filled = 0;
  for (let i = 0; i < n; i++) {
    if (i === skip) continue;
    const v = scores[i]!;
    if (filled === take && !(v > val[take - 1]!)) continue;
    let p = filled < take ? filled++ : take - 1;
    while (p > 0 && v > val[p - 1]!) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = v;
    idx[p] = i;
  }
  return idx;
}

/**
 * For each class, itself followed by its `k - 1` nearest classes by the cosine of their unit
 * `dirs`: exactly for small galleries, and for large ones by sketch followed by exact rescoring
 * of a shortlist (an all-pairs product of 10,000 classes in 1,024 dimensions would take minutes).
 */
export function nearestClasses(
  dirs: Float32Array,
  n: number,
  dim: number,
  k: number,
  exactLimit = EXACT_CLASSES,
  shortlist = SHORTLIST,
): Int32Array {
  const kk = Math.min(k, n);
  const out = new Int32Array(n * kk);
  const exact = n <= exactLimit;
  const sketch = exact ? null : new Sketch(dim);
  const width = sketch ? sketch.size : dim;
  const rowsData = sketch ? sketch.rows(dirs, n) : dirs;
  const row = new Float64Array(n);
  const shortScores = new Float64Array(shortlist);
  for (let c = 0; c < n; c++) {
    scoreRows(rowsData, width, null, rowsData.subarray(c * width, (c + 1) * width), row, n);
    out[c * kk] = c;
    let best: Int32Array;
    if (exact) best = topK(row, n, kk - 1, c);
    else {
      const short = topK(row, n, shortlist, c);
      const own = dirs.subarray(c * dim, (c + 1) * dim);
      for (let t = 0; t < short.length; t++) shortScores[t] = dot(dirs, short[t]! * dim, own, 0, dim);
      best = Int32Array.from(topK(shortScores, short.length, kk - 1), (t) => short[t]!);
    }
    out.set(best, c * kk + 1);
  }
  return out;
}

/** Rows of each class, in row order. */
export function membersOf(classOf: Int32Array, classes: number, include?: Uint8Array): Int32Array[] {
  const lists: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < classOf.length; i++) if (!include || include[i]) lists[classOf[i]!]!.push(i);
  return lists.map((l) => Int32Array.from(l));
}

/**
 * Candidate lists made symmetric: c competes with k whenever k listed c or c listed k. With
 * one-way lists a class that no other lists is never pushed down by anyone's photos, and its bias
 * climbs until it wins faces it has never been trained against; symmetric lists balance every
 * push up by a class's own photos with pushes down by its rivals'. `directed` holds `k` per class.
 */
export function symmetric(
  directed: Int32Array,
  classes: number,
  k: number,
): { offsets: Int32Array; lists: Int32Array } {
  const sets = Array.from({ length: classes }, (_, c) => new Set<number>([c]));
  for (let c = 0; c < classes; c++) {
    for (let t = 0; t < k; t++) {
      const j = directed[c * k + t]!;
      sets[c]!.add(j);
      sets[j]!.add(c);
    }
  }
  const offsets = new Int32Array(classes + 1);
  for (let c = 0; c < classes; c++) offsets[c + 1] = offsets[c]! + sets[c]!.size;
  const lists = new Int32Array(offsets[classes]!);
  for (const [c, set] of sets.entries()) lists.set([...set], offsets[c]!);
  return { offsets, lists };
}
