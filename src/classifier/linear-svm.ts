import type { Rng } from '../util/rng.ts';
import { padded, simdAxpy, simdDot, simdFloats } from '../util/simd.ts';

/** The SVM's loss: LIBLINEAR's L1-loss (hinge) or L2-loss (squared hinge, sklearn LinearSVC's default). */
export type Loss = 'hinge' | 'squared-hinge';

/** One binary problem over some rows of a gallery: which rows, their signs (±1) and costs C_i (class weights folded in). */
export interface BinaryProblem {
  x: readonly ArrayLike<number>[];
  dim: number;
  rows: Int32Array;
  y: Int8Array;
  cost: Float64Array;
  /** w₀, where w starts and what it is regularised towards (½|w − w₀|²); absent: the origin, as LIBLINEAR. */
  anchor?: ArrayLike<number>;
}

/** Settings of the dual coordinate descent. */
export interface DualSettings {
  loss: Loss;
  /** Stops when the projected gradient's spread is at most eps (LIBLINEAR's -e; sklearn's tol). */
  eps: number;
  maxIter: number;
  /** The constant feature appended to every row (sklearn's intercept_scaling): its weight is the bias. */
  bias: number;
  rng: Rng;
}

/**
 * Solves `min ½|w − w₀|² + ½b² + Σ C_i loss(y_i (w·x_i + b·B))` by dual coordinate descent (Hsieh
 * et al., ICML 2008; LIBLINEAR's solve_l2r_l1l2_svc), with its shrinking. The primal
 * w = w₀ + Σ α_i y_i x_i is kept up to date, so one coordinate step costs two O(d) passes over one
 * row and no kernel matrix is ever formed; starting w at w₀ with α = 0 is all the anchor needs (the
 * dual is unchanged but for w₀ inside w·x_i). For the squared hinge the dual has no upper bound and
 * a diagonal 1/(2C_i).
 */
export function solveBinary(
  p: BinaryProblem,
  s: DualSettings,
): { w: Float32Array; b: number; supportVectors: number } {
  const { x, dim, rows, y, cost } = p;
  const l = rows.length;
  const B = s.bias;
  const squared = s.loss === 'squared-hinge';
  const diag = Float64Array.from(cost, (c) => (squared ? 0.5 / c : 0));
  const upper = Float64Array.from(cost, (c) => (squared ? Number.POSITIVE_INFINITY : c));
  // w (float32) at byte 0 of the SIMD memory, then the problem's rows, each padded to `stride` floats.
  const stride = padded(dim);
  const bytes = stride * 4;
  const mem = simdFloats((l + 1) * stride).fill(0, 0, (l + 1) * stride);
  if (p.anchor) mem.set(p.anchor, 0);
  const qd = new Float64Array(l);
  for (let t = 0; t < l; t++) {
    mem.set(x[rows[t]!]!, (t + 1) * stride);
    qd[t] = diag[t]! + B * B + simdDot((t + 1) * bytes, (t + 1) * bytes, bytes);
  }
  const alpha = new Float64Array(l);
  let b = 0;
  const index = Int32Array.from({ length: l }, (_, t) => t);
  let active = l;
  let pgMaxOld = Number.POSITIVE_INFINITY;
  let pgMinOld = Number.NEGATIVE_INFINITY;
  for (let iter = 0; iter < s.maxIter; iter++) {
    let pgMax = Number.NEGATIVE_INFINITY;
    let pgMin = Number.POSITIVE_INFINITY;
    s.rng.shuffle(index, active);
    for (let k = 0; k < active; k++) {
      const t = index[k]!;
      const at = (t + 1) * bytes;
      const yi = y[t]!;
      const G = yi * (simdDot(0, at, bytes) + b * B) - 1 + diag[t]! * alpha[t]!;
      const lower = alpha[t] === 0;
      const top = alpha[t] === upper[t];
      // Shrinking: a row at its bound whose gradient points outwards past the last spread stays there.
      if (lower ? G > pgMaxOld : top && G < pgMinOld) {
        active--;
        index[k] = index[active]!;
        index[active] = t;
        k--;
        continue;
      }
      const pg = lower ? Math.min(G, 0) : top ? Math.max(G, 0) : G;
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[t]!;
        alpha[t] = Math.min(Math.max(old - G / qd[t]!, 0), upper[t]!);
        const d = (alpha[t]! - old) * yi;
        simdAxpy(d, at, 0, bytes);
        b += d * B;
      }
    }
    if (pgMax - pgMin <= s.eps || active === 0) {
      if (active === l) break;
      // Converged on the shrunk set: check every row once more before stopping.
      active = l;
      pgMaxOld = Number.POSITIVE_INFINITY;
      pgMinOld = Number.NEGATIVE_INFINITY;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Number.POSITIVE_INFINITY : pgMax;
    pgMinOld = pgMin >= 0 ? Number.NEGATIVE_INFINITY : pgMin;
  }
  let supportVectors = 0;
  for (const a of alpha) if (a > 0) supportVectors++;
  return { w: mem.slice(0, dim), b: b * B, supportVectors };
}
