/** Cosine similarity of two L2-normalised vectors: their dot product (no norms are computed). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cannot compare vectors of ${a.length} and ${b.length} values`);
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < a.length; j += 2) {
    s0 += a[j]! * b[j]!;
    s1 += a[j + 1]! * b[j + 1]!;
  }
  if (j < a.length) s0 += a[j]! * b[j]!;
  return s0 + s1;
}

/**
 * The user-facing similarity of two faces in [0, 1]. Every similarity shown or thresholded goes
 * through here, so recalibrating the mapping from cosine is a change to this one line.
 */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return similarityFromCosine(cosine(a, b));
}

/** The mapping behind `similarity`, for callers that already hold the cosine. */
export function similarityFromCosine(c: number): number {
  return Math.min(1, Math.max(0, c));
}
