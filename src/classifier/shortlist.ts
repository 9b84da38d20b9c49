import { padded, simdDot, simdFloats, simdScores } from '../util/simd.ts';
import { Sketch } from '../util/sketch.ts';
import { topK } from '../util/top-k.ts';

/**
 * Below this many classes every class is scored exactly: 2,048 x 1,024 multiply-adds take about
 * 2 ms. Above it a sketch shortlists candidates first (see `Sketch`).
 */
export const EXACT_CLASSES = 2048;

/** Classes a sketch keeps for exact rescoring. */
export const SHORTLIST = 256;

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
