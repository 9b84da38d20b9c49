import { type DenseRows, gram } from './dense.ts';
import {
  type KernelDualSettings,
  type KernelProblem,
  kernelDecisions,
  localGram,
  solveKernelDual,
  subGram,
} from './kernel-dual.ts';
import { fitSigmoid, foldCount, type SigmoidFit, stratifiedFolds } from './platt.ts';
import { Rng } from './rng.ts';

/** How the hinge-loss weight C is split between the classes. */
export type ClassWeight = 'none' | 'balanced';

/** Per-class box constraints [C+, C-] for `positives` of `total` rows. */
export function classBounds(
  C: number,
  classWeight: ClassWeight,
  positives: number,
  total: number,
): [number, number] {
  if (!(C > 0) || !Number.isFinite(C)) throw new Error(`C must be a positive number, got ${C}`);
  if (classWeight === 'none' || positives === 0 || positives === total) return [C, C];
  return [(C * total) / (2 * positives), (C * total) / (2 * (total - positives))];
}

/** Fully resolved settings of the one-vs-rest trainer. */
export interface OvrSettings {
  C: number;
  classWeight: ClassWeight;
  folds: number;
  seed: number;
  eps: number;
  maxIter: number;
  biasFeature: number;
  /** Rows besides the class that seed each working set; only speed depends on it. */
  initialRows: number;
  /** At most this many margin violators join a working set per round (the worst first). */
  maxAdd: number;
}

/** Counters that show how much work the working sets saved. */
export interface OvrStats {
  rows: number;
  folds: number;
  /** Most verification rounds a class needed (1: its first working set was already exact). */
  maxRounds: number;
  /** Classes that stopped at the round cap with violators left (0 means every model is exact). */
  unverified: number;
  meanWorkingSet: number;
  meanSupportVectors: number;
  /** Total passes of all dual solves. */
  solverPasses: number;
  /** Classes whose sigmoid was fitted on training decision values (see `trainOneVsRest`). */
  plattFallbacks: number;
}

/** The trained one-vs-rest model in flat arrays. */
export interface OvrResult {
  /** `classes * dim` weights, class c at offset `c * dim`. */
  weights: Float64Array;
  bias: Float64Array;
  platt: SigmoidFit[];
  stats: OvrStats;
}

/** The Gram matrix is float32 n x n: 16384 rows take 1 GiB, the most we allow ourselves. */
export const MAX_TRAINING_ROWS = 16384;
const MAX_ROUNDS = 50;

interface Shared {
  data: DenseRows;
  classOf: Int32Array;
  K: Float32Array;
  settings: OvrSettings;
  solver: KernelDualSettings;
  fold: Int32Array;
  heldOut: Int32Array[];
  stats: OvrStats;
}

/**
 * Trains one binary linear SVM per class on all rows, plus its Platt sigmoid fitted on k-fold
 * cross-validated decision values as libsvm does.
 *
 * All problems share one Gram matrix, computed once with blocked products: the dominant cost, and
 * cheaper than the dot products the problems would otherwise recompute, since in 1024 dimensions
 * a one-vs-rest problem has hundreds of support vectors spread over all classes. Each problem is
 * solved on a working set (the class and the rows likeliest to be support vectors), then verified
 * against every row: the dual optimum has alpha = 0 exactly for the rows with margin >= 1, so the
 * worst violators join the set and it is re-solved until none remain, which makes it the solution
 * of the full problem. Fold models start from the full solution and keep its support vectors.
 *
 * Where cross-validation cannot inform a sigmoid (a class with one sample, whose only positive is
 * always held out, or a fit where probability falls as the decision value rises) the sigmoid is
 * fitted on the full model's training decision values instead; libsvm's constants there would
 * rank a one-photo identity below all others.
 */
export function trainOneVsRest(
  data: DenseRows,
  classOf: Int32Array,
  classes: number,
  settings: OvrSettings,
): OvrResult {
  const { dim, count: n } = data;
  if (n > MAX_TRAINING_ROWS) {
    throw new Error(`cannot train on ${n} samples: at most ${MAX_TRAINING_ROWS} fit in memory`);
  }
  const rng = new Rng(settings.seed);
  const K = gram(data, settings.biasFeature ** 2);
  const members = Array.from({ length: classes }, () => [] as number[]);
  for (let i = 0; i < n; i++) members[classOf[i]!]!.push(i);
  const folds = foldCount(settings.folds, n);
  const fold = stratifiedFolds(classOf, folds, rng);
  const heldOut = Array.from({ length: folds }, (_, f) =>
    Int32Array.from(range(n).filter((i) => fold[i] === f)),
  );
  const stats: OvrStats = {
    rows: n,
    folds,
    maxRounds: 0,
    unverified: 0,
    meanWorkingSet: 0,
    meanSupportVectors: 0,
    solverPasses: 0,
    plattFallbacks: 0,
  };
  const shared: Shared = {
    data,
    classOf,
    K,
    settings,
    solver: { eps: settings.eps, maxIter: settings.maxIter, rng },
    fold,
    heldOut,
    stats,
  };
  const initial = initialWorkingSets(K, n, members, settings.initialRows);
  const weights = new Float64Array(classes * dim);
  const bias = new Float64Array(classes);
  const platt: SigmoidFit[] = [];
  for (let c = 0; c < classes; c++) {
    const result = trainClass(shared, c, members[c]!.length, initial[c]!);
    weights.set(result.w, c * dim);
    bias[c] = result.b;
    platt.push(result.platt);
  }
  stats.meanWorkingSet /= classes;
  stats.meanSupportVectors /= classes;
  return { weights, bias, platt, stats };
}

function trainClass(
  shared: Shared,
  c: number,
  positives: number,
  start: Int32Array,
): { w: Float64Array; b: number; platt: SigmoidFit } {
  const { data, classOf, K, settings, solver, fold, heldOut, stats } = shared;
  const { dim, count: n } = data;
  const [cPos, cNeg] = classBounds(settings.C, settings.classWeight, positives, n);
  const problem = (rows: Int32Array, alpha: Float64Array, local: Float64Array): KernelProblem => {
    const y = new Int8Array(rows.length);
    const upper = new Float64Array(rows.length);
    for (let s = 0; s < rows.length; s++) {
      const own = classOf[rows[s]!] === c;
      y[s] = own ? 1 : -1;
      upper[s] = own ? cPos : cNeg;
    }
    return { rows, local, y, upper, alpha };
  };

  // Full problem: solve on the working set, add the worst violators, repeat until none.
  const dec = new Float64Array(n);
  const scratch = new Uint8Array(n);
  let full = problem(start, new Float64Array(start.length), localGram(K, n, start));
  let rounds = 0;
  for (;;) {
    stats.solverPasses += solveKernelDual(full, solver);
    rounds++;
    kernelDecisions(K, n, full, dec);
    const added = worstViolators(full.rows, dec, classOf, c, 1 - settings.eps, settings.maxAdd, scratch);
    if (added.length === 0) break;
    if (rounds >= MAX_ROUNDS) {
      stats.unverified++;
      break;
    }
    const rows = new Int32Array(full.rows.length + added.length);
    rows.set(full.rows);
    rows.set(added, full.rows.length);
    const alpha = new Float64Array(rows.length);
    alpha.set(full.alpha);
    full = problem(rows, alpha, localGram(K, n, rows, full));
  }
  stats.maxRounds = Math.max(stats.maxRounds, rounds);
  stats.meanWorkingSet += full.rows.length;

  // The primal model: w = sum alpha_i y_i x_i and, with the constant feature B, b = B^2 sum alpha_i y_i.
  const w = new Float64Array(dim);
  const sv: number[] = [];
  let yAlpha = 0;
  for (let s = 0; s < full.rows.length; s++) {
    const coef = full.alpha[s]! * full.y[s]!;
    if (coef === 0) continue;
    sv.push(s);
    yAlpha += coef;
    const off = full.rows[s]! * dim;
    for (let j = 0; j < dim; j++) w[j]! += coef * data.x[off + j]!;
  }
  stats.meanSupportVectors += sv.length;

  // k-fold decision values; a split that lacks a class predicts that split's only class (libsvm).
  // A class of one sample always lacks its positive somewhere, so it skips straight to the fallback.
  const positive = Array.from(classOf, (k) => k === c);
  let platt: SigmoidFit | null = null;
  if (positives >= 2) {
    const cv = new Float64Array(n);
    for (let f = 0; f < heldOut.length; f++) {
      const out = heldOut[f]!;
      let posOut = 0;
      for (let k = 0; k < out.length; k++) if (classOf[out[k]!] === c) posOut++;
      const posTrain = positives - posOut;
      const negTrain = n - out.length - posTrain;
      if (posTrain === 0 || negTrain === 0) {
        for (let k = 0; k < out.length; k++) cv[out[k]!] = posTrain === 0 ? -1 : 1;
        continue;
      }
      const keep = Int32Array.from(sv.filter((s) => fold[full.rows[s]!] !== f));
      const sub = problem(
        Int32Array.from(keep, (s) => full.rows[s]!),
        Float64Array.from(keep, (s) => full.alpha[s]!),
        subGram(full.local, full.rows.length, keep),
      );
      stats.solverPasses += solveKernelDual(sub, solver);
      kernelDecisions(K, n, sub, cv, out);
    }
    platt = fitSigmoid(cv, positive);
  }
  if (platt === null || !(platt.a < 0)) {
    stats.plattFallbacks++;
    platt = fitSigmoid(dec, positive);
  }
  return { w, b: settings.biasFeature ** 2 * yAlpha, platt };
}

/**
 * Each class plus the `m` other rows likeliest to be support vectors: those scoring highest on
 * the kernel estimate of w = mean(positives) - mean(all rows), i.e. near the class and away from
 * the crowd. A good start saves verification rounds; a poor one only costs more of them.
 */
function initialWorkingSets(K: Float32Array, n: number, members: number[][], m: number): Int32Array[] {
  const columnMean = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) columnMean[j]! += K[base + j]!;
  }
  for (let j = 0; j < n; j++) columnMean[j]! /= n;
  const score = new Float64Array(n);
  return members.map((own) => {
    score.fill(0);
    for (const p of own) {
      const base = p * n;
      for (let j = 0; j < n; j++) score[j]! += K[base + j]!;
    }
    for (let j = 0; j < n; j++) score[j] = score[j]! / own.length - columnMean[j]!;
    for (const p of own) score[p] = Number.NEGATIVE_INFINITY;
    const take = Math.min(m, n - own.length);
    const cut = take > 0 ? Float64Array.from(score).sort()[n - take]! : Number.POSITIVE_INFINITY;
    const rows = [...own];
    for (let j = 0; j < n && rows.length < own.length + take; j++) if (score[j]! >= cut) rows.push(j);
    return Int32Array.from(rows);
  });
}

/**
 * Up to `maxAdd` rows outside `rows` whose margin for class c is below `threshold`, worst first.
 * Rows outside the working set have alpha = 0, which is optimal only when their margin is >= 1.
 */
function worstViolators(
  rows: Int32Array,
  dec: Float64Array,
  classOf: Int32Array,
  c: number,
  threshold: number,
  maxAdd: number,
  scratch: Uint8Array,
): Int32Array {
  const n = classOf.length;
  for (let s = 0; s < rows.length; s++) scratch[rows[s]!] = 1;
  const margins: number[] = [];
  const found: number[] = [];
  for (let i = 0; i < n; i++) {
    if (scratch[i] === 1) continue;
    const margin = classOf[i] === c ? dec[i]! : -dec[i]!;
    if (margin < threshold) {
      margins.push(margin);
      found.push(i);
    }
  }
  for (let s = 0; s < rows.length; s++) scratch[rows[s]!] = 0;
  if (found.length <= maxAdd) return Int32Array.from(found);
  // The maxAdd-th smallest margin, by a native numeric sort of the margins alone.
  const cut = Float64Array.from(margins).sort()[maxAdd - 1]!;
  const out: number[] = [];
  for (let k = 0; k < found.length && out.length < maxAdd; k++) if (margins[k]! <= cut) out.push(found[k]!);
  return Int32Array.from(out);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
