/**
 * The binary linear SVM of LIBLINEAR (dual coordinate descent on raw rows), kept as the reference
 * that the one-vs-rest trainer's kernel solver (src/classifier/kernel-dual.ts) is checked against.
 */
import { type DenseRows, denseRows, dot } from '../../src/classifier/dense.ts';
import { type ClassWeight, classBounds } from '../../src/classifier/ovr.ts';
import { Rng } from '../../src/classifier/rng.ts';

/** Options of the binary linear SVM. */
export interface LinearSvmOptions {
  /** Inverse regularisation strength, as sklearn's and LIBLINEAR's C (default 1). */
  C?: number;
  /** 'balanced' scales C per class by n / (2 * classCount), as sklearn's class_weight='balanced'. */
  classWeight?: ClassWeight;
  /** Value of the constant feature that carries the bias (LIBLINEAR's -B; default 1). */
  biasFeature?: number;
  /** Stopping tolerance on the projected-gradient spread (default 0.01). */
  eps?: number;
  /** Cap on outer passes (default 1000, as LIBLINEAR). */
  maxIter?: number;
  /** Seed of the coordinate order (default 1). */
  seed?: number;
}

/** A trained binary linear SVM: decision(x) = w . x + b, positive for the +1 class. */
export interface LinearSvm {
  w: Float64Array;
  b: number;
  /** Dual variables of the training rows, in input order. */
  alpha: Float64Array;
  /** Outer passes the solver ran. */
  iterations: number;
}

/**
 * One dual problem over a subset of shared rows, updated in place so that callers can warm-start it.
 * `w` has `dim + 1` values; the last is the weight of the constant bias feature, so it is regularised
 * like the others, exactly as LIBLINEAR does.
 */
export interface DualState {
  /** Indices into the shared rows. */
  rows: Int32Array;
  /** Label of each row in `rows`: +1 or -1. */
  y: Int8Array;
  /** Box constraint of each row: C times its class weight. */
  upper: Float64Array;
  /** Dual variable of each row; must satisfy 0 <= alpha <= upper and match `w`. */
  alpha: Float64Array;
  /** Primal weights `sum alpha_i y_i [x_i, B]`. */
  w: Float64Array;
}

/** Settings of one `solveDual` run. */
export interface DualSettings {
  biasFeature: number;
  eps: number;
  maxIter: number;
  rng: Rng;
}

/**
 * Dual coordinate descent for the L2-regularised hinge-loss SVM (Hsieh et al. 2008, LIBLINEAR's
 * L2R_L1LOSS_SVC_DUAL) with its shrinking heuristic. Returns the number of outer passes.
 */
export function solveDual(data: DenseRows, state: DualState, settings: DualSettings): number {
  const { x, dim, sqNorm } = data;
  const { rows, y, upper, alpha, w } = state;
  const { biasFeature: bf, eps, maxIter, rng } = settings;
  const l = rows.length;
  const qd = new Float64Array(l);
  const index = new Int32Array(l);
  for (let s = 0; s < l; s++) {
    qd[s] = sqNorm[rows[s]!]! + bf * bf;
    index[s] = s;
  }
  let activeSize = l;
  let pgMaxOld = Number.POSITIVE_INFINITY;
  let pgMinOld = Number.NEGATIVE_INFINITY;
  let iter = 0;
  while (iter < maxIter) {
    let pgMaxNew = Number.NEGATIVE_INFINITY;
    let pgMinNew = Number.POSITIVE_INFINITY;
    rng.shuffle(index, activeSize);
    for (let s = 0; s < activeSize; s++) {
      const k = index[s]!;
      const off = rows[k]! * dim;
      const yk = y[k]!;
      const g = yk * (dot(x, off, w, 0, dim) + w[dim]! * bf) - 1;
      const c = upper[k]!;
      const a = alpha[k]!;
      let pg = 0;
      if (a === 0) {
        // Shrinking: a variable stuck at a bound whose gradient points outwards beyond last pass's
        // extreme is unlikely to move, so it leaves the active set until the final full check.
        if (g > pgMaxOld) {
          activeSize--;
          index[s] = index[activeSize]!;
          index[activeSize] = k;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else if (a === c) {
        if (g < pgMinOld) {
          activeSize--;
          index[s] = index[activeSize]!;
          index[activeSize] = k;
          s--;
          continue;
        }
        if (g > 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pgMaxNew) pgMaxNew = pg;
      if (pg < pgMinNew) pgMinNew = pg;
      if (Math.abs(pg) > 1e-12) {
        const next = Math.min(Math.max(a - g / qd[k]!, 0), c);
        alpha[k] = next;
        const delta = (next - a) * yk;
        for (let j = 0; j < dim; j++) w[j]! += delta * x[off + j]!;
        w[dim]! += delta * bf;
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= eps) {
      if (activeSize === l) break;
      // Converged on the shrunk set: re-check every variable before stopping.
      activeSize = l;
      pgMaxOld = Number.POSITIVE_INFINITY;
      pgMinOld = Number.NEGATIVE_INFINITY;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Number.POSITIVE_INFINITY : pgMaxNew;
    pgMinOld = pgMinNew >= 0 ? Number.NEGATIVE_INFINITY : pgMinNew;
  }
  return iter;
}

/** Resolves defaults of the solver settings. */
export function dualSettings(options: LinearSvmOptions): DualSettings {
  const eps = options.eps ?? 0.01;
  const maxIter = options.maxIter ?? 1000;
  const biasFeature = options.biasFeature ?? 1;
  if (!(eps > 0)) throw new Error(`eps must be positive, got ${eps}`);
  if (!(maxIter >= 1)) throw new Error(`maxIter must be at least 1, got ${maxIter}`);
  if (!(biasFeature >= 0) || !Number.isFinite(biasFeature)) {
    throw new Error(`biasFeature must be a non-negative number, got ${biasFeature}`);
  }
  return { eps, maxIter, biasFeature, rng: new Rng(options.seed ?? 1) };
}

/** Trains a binary linear SVM on `x` with labels `y` (> 0 is the positive class). */
export function trainLinearSvm(
  x: readonly ArrayLike<number>[] | DenseRows,
  y: ArrayLike<number>,
  options: LinearSvmOptions = {},
): LinearSvm {
  const data = Array.isArray(x) ? denseRows(x) : (x as DenseRows);
  if (y.length !== data.count) throw new Error(`got ${data.count} samples but ${y.length} labels`);
  const settings = dualSettings(options);
  const labels = new Int8Array(data.count);
  let positives = 0;
  for (let i = 0; i < data.count; i++) {
    labels[i] = y[i]! > 0 ? 1 : -1;
    if (labels[i] === 1) positives++;
  }
  const [cPos, cNeg] = classBounds(options.C ?? 1, options.classWeight ?? 'none', positives, data.count);
  const upper = new Float64Array(data.count);
  for (let i = 0; i < data.count; i++) upper[i] = labels[i] === 1 ? cPos : cNeg;
  const state: DualState = {
    rows: Int32Array.from({ length: data.count }, (_, i) => i),
    y: labels,
    upper,
    alpha: new Float64Array(data.count),
    w: new Float64Array(data.dim + 1),
  };
  const iterations = solveDual(data, state, settings);
  return {
    w: state.w.slice(0, data.dim),
    b: state.w[data.dim]! * settings.biasFeature,
    alpha: state.alpha,
    iterations,
  };
}

/** Decision value w . x + b of a binary model. */
export function linearDecision(model: Pick<LinearSvm, 'w' | 'b'>, x: ArrayLike<number>): number {
  if (x.length !== model.w.length) throw new Error(`expected ${model.w.length} dimensions, got ${x.length}`);
  return dot(model.w, 0, x, 0, x.length) + model.b;
}

/** Primal objective 0.5 |[w, b/B]|^2 + sum upper_i * hinge_i, to check solutions against each other. */
export function primalObjective(
  data: DenseRows,
  y: ArrayLike<number>,
  upper: ArrayLike<number>,
  model: Pick<LinearSvm, 'w' | 'b'>,
  biasFeature = 1,
): number {
  const wb = biasFeature === 0 ? 0 : model.b / biasFeature;
  let obj = 0.5 * (dot(model.w, 0, model.w, 0, data.dim) + wb * wb);
  for (let i = 0; i < data.count; i++) {
    const margin = (y[i]! > 0 ? 1 : -1) * (dot(data.x, i * data.dim, model.w, 0, data.dim) + model.b);
    obj += upper[i]! * Math.max(0, 1 - margin);
  }
  return obj;
}
