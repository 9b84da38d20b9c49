import type { Rng } from './rng.ts';

/** A dual SVM problem over some rows of a shared Gram matrix; `alpha` is updated in place. */
export interface KernelProblem {
  /** Indices of the rows (into the Gram matrix). */
  rows: Int32Array;
  /** `K[rows, rows]`, `rows.length` squared, row-major (see `localGram`). */
  local: Float64Array;
  /** Label of each row: +1 or -1. */
  y: Int8Array;
  /** Box constraint of each row: C times its class weight. */
  upper: Float64Array;
  /** Dual variables, 0 <= alpha <= upper; a warm start when not all zero. */
  alpha: Float64Array;
}

/** Settings of one `solveKernelDual` run. */
export interface KernelDualSettings {
  eps: number;
  maxIter: number;
  rng: Rng;
}

/**
 * `K[rows, rows]` as a dense local matrix, reusing `from` (the local matrix of `fromRows`, whose
 * rows must be the first rows of `rows`) so that a growing working set only gathers its new entries.
 */
export function localGram(
  K: Float32Array,
  n: number,
  rows: Int32Array,
  from?: { rows: Int32Array; local: Float64Array },
): Float64Array {
  const l = rows.length;
  const local = new Float64Array(l * l);
  const kept = from?.rows.length ?? 0;
  for (let s = 0; s < l; s++) {
    const base = rows[s]! * n;
    let t = 0;
    if (s < kept) {
      local.set(from!.local.subarray(s * kept, (s + 1) * kept), s * l);
      t = kept;
    }
    for (; t < l; t++) local[s * l + t] = K[base + rows[t]!]!;
  }
  return local;
}

/** The local matrix of `rows[keep]`, taken from a parent problem's local matrix. */
export function subGram(parent: Float64Array, l: number, keep: Int32Array): Float64Array {
  const m = keep.length;
  const local = new Float64Array(m * m);
  for (let s = 0; s < m; s++) {
    const base = keep[s]! * l;
    for (let t = 0; t < m; t++) local[s * m + t] = parent[base + keep[t]!]!;
  }
  return local;
}

/**
 * The dual coordinate descent of `solveDual` (LIBLINEAR's L2R_L1LOSS_SVC_DUAL: same coordinate
 * updates, same random order, same projected-gradient stopping rule), with the gradient kept up to
 * date through the Gram matrix instead of recomputed from w. Reading a gradient then costs O(1)
 * and an update O(rows) instead of O(dim) each; that pays when one Gram matrix serves many
 * problems, as with one-vs-rest. The Gram entries must already include the bias feature's B^2.
 * Returns the number of passes.
 */
export function solveKernelDual(p: KernelProblem, settings: KernelDualSettings): number {
  const { rows, y, upper, alpha } = p;
  const { eps, maxIter, rng } = settings;
  const l = rows.length;
  // Q = diag(y) K diag(y), local so that updates stream through contiguous rows.
  const Q = new Float64Array(l * l);
  for (let s = 0; s < l; s++) {
    const ys = y[s]!;
    for (let t = 0; t < l; t++) Q[s * l + t] = ys * y[t]! * p.local[s * l + t]!;
  }
  const G = new Float64Array(l).fill(-1);
  for (let t = 0; t < l; t++) {
    const a = alpha[t]!;
    if (a === 0) continue;
    const row = t * l;
    for (let s = 0; s < l; s++) G[s]! += a * Q[row + s]!;
  }
  const index = new Int32Array(l);
  for (let s = 0; s < l; s++) index[s] = s;
  let iter = 0;
  while (iter < maxIter) {
    let pgMax = Number.NEGATIVE_INFINITY;
    let pgMin = Number.POSITIVE_INFINITY;
    rng.shuffle(index, l);
    for (let k = 0; k < l; k++) {
      const s = index[k]!;
      const g = G[s]!;
      const a = alpha[s]!;
      const c = upper[s]!;
      const pg = a === 0 ? Math.min(g, 0) : a === c ? Math.max(g, 0) : g;
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) <= 1e-12) continue;
      const next = Math.min(Math.max(a - g / Q[s * l + s]!, 0), c);
      const delta = next - a;
      alpha[s] = next;
      const row = s * l;
      for (let t = 0; t < l; t++) G[t]! += delta * Q[row + t]!;
    }
    iter++;
    if (pgMax - pgMin <= eps) break;
  }
  return iter;
}

/**
 * Decision values `sum alpha_t y_t K[rows_t][j]` of a solved problem for every row j of the Gram
 * matrix (or only `targets`), written to `out[j]`. Streams through the Gram rows of the support
 * vectors (contiguous), four at a time so that each load and store of `out` serves four of them.
 */
export function kernelDecisions(
  K: Float32Array,
  n: number,
  p: KernelProblem,
  out: Float64Array,
  targets?: Int32Array,
): void {
  const bases: number[] = [];
  const coefs: number[] = [];
  for (let t = 0; t < p.rows.length; t++) {
    const coef = p.alpha[t]! * p.y[t]!;
    if (coef === 0) continue;
    bases.push(p.rows[t]! * n);
    coefs.push(coef);
  }
  const cols = targets ?? null;
  const m = cols === null ? n : cols.length;
  for (let k = 0; k < m; k++) out[cols === null ? k : cols[k]!] = 0;
  let t = 0;
  for (; t + 3 < bases.length; t += 4) {
    const [b0, b1, b2, b3] = [bases[t]!, bases[t + 1]!, bases[t + 2]!, bases[t + 3]!];
    const [c0, c1, c2, c3] = [coefs[t]!, coefs[t + 1]!, coefs[t + 2]!, coefs[t + 3]!];
    for (let k = 0; k < m; k++) {
      const j = cols === null ? k : cols[k]!;
      out[j]! += c0 * K[b0 + j]! + c1 * K[b1 + j]! + c2 * K[b2 + j]! + c3 * K[b3 + j]!;
    }
  }
  for (; t < bases.length; t++) {
    const base = bases[t]!;
    const coef = coefs[t]!;
    for (let k = 0; k < m; k++) {
      const j = cols === null ? k : cols[k]!;
      out[j]! += coef * K[base + j]!;
    }
  }
}
