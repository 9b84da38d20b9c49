// Shape comparison by orthogonal Procrustes in the plane. A region's points are read as complex numbers;
// centring removes position, scaling to unit norm removes size, and the best rotation between two
// normalised shapes is the phase of their complex inner product. Multiplying by a complex number only
// rotates and scales, so a mirror image is never used to make two shapes agree (reflection excluded).

/** A region's points, centred and scaled to unit norm: [x0, y0, x1, y1, …]. */
export type Shape = Float64Array;

/**
 * The normalised shape of `points` (indices into a 68-point landmark set), or undefined when the points
 * all coincide (no shape to compare).
 */
export function normalisedShape(landmarks: ArrayLike<number>, points: readonly number[]): Shape | undefined {
  const n = points.length;
  let cx = 0;
  let cy = 0;
  for (const p of points) {
    cx += landmarks[2 * p] as number;
    cy += landmarks[2 * p + 1] as number;
  }
  cx /= n;
  cy /= n;
  const shape = new Float64Array(2 * n);
  let norm = 0;
  points.forEach((p, i) => {
    const x = (landmarks[2 * p] as number) - cx;
    const y = (landmarks[2 * p + 1] as number) - cy;
    shape[2 * i] = x;
    shape[2 * i + 1] = y;
    norm += x * x + y * y;
  });
  norm = Math.sqrt(norm);
  if (!(norm > 1e-9) || !Number.isFinite(norm)) return undefined;
  for (let i = 0; i < shape.length; i++) shape[i] = (shape[i] as number) / norm;
  return shape;
}

/**
 * The full Procrustes distance between two normalised shapes of the same points: the residual norm
 * after the best rotation and scale of one onto the other, in [0, 1] (0: the same shape).
 */
export function procrustesDistance(a: Shape, b: Shape): number {
  // The modulus of <b, a> is the cosine of the angle between the shapes' orbits.
  const [re, im] = inner(b, a);
  return Math.sqrt(Math.max(0, 1 - (re * re + im * im)));
}

// <a, b> = Σ conj(a_k) b_k of two shapes read as complex vectors: its phase is the best rotation of a onto b.
function inner(a: ArrayLike<number>, b: ArrayLike<number>): [number, number] {
  let re = 0;
  let im = 0;
  for (let i = 0; i < a.length; i += 2) {
    const ax = a[i] as number;
    const ay = a[i + 1] as number;
    const bx = b[i] as number;
    const by = b[i + 1] as number;
    re += ax * bx + ay * by;
    im += ax * by - ay * bx;
  }
  return [re, im];
}

/**
 * `shape` turned by the rotation that best fits it onto `reference` (both normalised): the orthogonal
 * Procrustes solution without reflection, so shapes of many photos share one orientation.
 */
export function alignedTo(shape: Shape, reference: ArrayLike<number>): Shape {
  const [re, im] = inner(shape, reference);
  const norm = Math.hypot(re, im) || 1;
  const cos = re / norm;
  const sin = im / norm;
  const out = new Float64Array(shape.length);
  for (let i = 0; i < shape.length; i += 2) {
    const x = shape[i] as number;
    const y = shape[i + 1] as number;
    out[i] = x * cos - y * sin;
    out[i + 1] = x * sin + y * cos;
  }
  return out;
}
