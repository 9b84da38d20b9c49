import { dot } from '../util/vectors.ts';
import { Rng } from './rng.ts';
import { padded, simdDot, simdFloats, simdScores } from './simd.ts';

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

/** Indices of the `k` largest of `scores[0..n)`, best first; ties go to the lower index. */
export function topK(scores: ArrayLike<number>, n: number, k: number, skip = -1): Int32Array {
  const take = Math.max(0, Math.min(k, n - (skip >= 0 && skip < n ? 1 : 0)));
  // A min-heap of the best so far, its root the one to beat: O(n + insertions · log k).
  const heap = new Int32Array(take);
  if (take === 0) return heap;
  const below = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  let size = 0;
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    // A later index loses ties, so only a strictly larger score displaces the root.
    if (i === skip || (size === take && !(scores[i]! > worst))) continue;
    let p = size < take ? size++ : 0;
    if (p > 0) {
      for (let up = (p - 1) >> 1; p > 0 && below(i, heap[up]!); p = up, up = (p - 1) >> 1)
        heap[p] = heap[up]!;
    } else {
      for (let c = 1; c < size; p = c, c = 2 * p + 1) {
        if (c + 1 < size && below(heap[c + 1]!, heap[c]!)) c++;
        if (!below(heap[c]!, i)) break;
        heap[p] = heap[c]!;
      }
    }
    heap[p] = i;
    if (size === take) worst = scores[heap[0]!]!;
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}

/**
 * For each class, itself followed by its `k - 1` nearest classes by the cosine of their unit
 * `dirs`: exactly for small galleries, and for large ones by sketch followed by exact rescoring
 * of a shortlist (an all-pairs product of 10,000 classes in 1,152 dimensions is 115 G
 * multiply-adds; of their 128-value sketches, 13 G).
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
  const sketch = n <= exactLimit ? null : new Sketch(dim);
  // SIMD memory: the padded dirs, then the sketches (when sketching), then one row of scores.
  const stride = padded(dim);
  const width = sketch ? padded(sketch.size) : stride;
  const scoredAt = sketch ? n * stride : 0;
  const scoresAt = n * stride + (sketch ? n * width : 0);
  const mem = simdFloats(scoresAt + n).fill(0, 0, scoresAt);
  for (let c = 0; c < n; c++) mem.set(dirs.subarray(c * dim, (c + 1) * dim), c * stride);
  if (sketch) {
    const sk = sketch.rows(dirs, n);
    for (let c = 0; c < n; c++)
      mem.set(sk.subarray(c * sketch.size, (c + 1) * sketch.size), scoredAt + c * width);
  }
  const scores = mem.subarray(scoresAt, scoresAt + n);
  const short = new Float64Array(shortlist);
  for (let c = 0; c < n; c++) {
    simdScores(scoredAt * 4, n, (scoredAt + c * width) * 4, width * 4, scoresAt * 4);
    out[c * kk] = c;
    let best: Int32Array;
    if (!sketch) best = topK(scores, n, kk - 1, c);
    else {
      const pool = topK(scores, n, shortlist, c);
      for (let t = 0; t < pool.length; t++)
        short[t] = simdDot(pool[t]! * stride * 4, c * stride * 4, stride * 4);
      best = Int32Array.from(topK(short, pool.length, kk - 1), (t) => pool[t]!);
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
