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
