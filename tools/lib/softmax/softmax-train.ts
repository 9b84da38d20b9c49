import { membersOf } from '../../../src/classifier/shortlist.ts';
import type { Rng } from '../../../src/util/rng.ts';
import { dot } from '../../../src/util/vectors.ts';

export { membersOf, symmetric } from '../../../src/classifier/shortlist.ts';

/**
 * A multinomial logistic regression whose softmax runs over a few candidate classes per sample
 * instead of all of them. With 10,000 identities a full softmax costs 10,000 dot products per
 * photo and step; but a face's probability mass sits on the identities that look like it, so each
 * class c is trained against `candidates(c)`, itself plus its nearest classes by centroid (the
 * hard negatives), and a classes's weights only move when a class near it is trained.
 *
 * Objective (sklearn's convention, so that C means the same): 1/2 |W|^2 + C sum_i -log p_i(y_i),
 * p_i = softmax over candidates(y_i) of w_k . (x_i - offset) + b_k; biases are not regularised.
 */
export interface SoftmaxProblem {
  /** Training embeddings. */
  rows: readonly ArrayLike<number>[];
  /** Class of each row. */
  classOf: Int32Array;
  classes: number;
  dim: number;
  /** Subtracted from every embedding (the prior mean face): centred rows condition SGD far better. */
  offset: Float64Array;
  /** Class c's candidates are `lists[offsets[c]..offsets[c + 1])`, c itself first (see `symmetric`). */
  offsets: Int32Array;
  lists: Int32Array;
}

/** Weights being trained; updated in place. */
export interface SoftmaxParams {
  /** `classes * dim`, class c at offset `c * dim`. */
  weights: Float32Array;
  bias: Float64Array;
}

/** Settings of `sgdEpochs`. */
export interface SgdSettings {
  C: number;
  epochs: number;
  /** First step size; epoch e uses rate / sqrt(1 + e), which converged best on the celebrities. */
  rate: number;
  rng: Rng;
  /** Only these classes' rows are trained (a warm-start block); default all. */
  block?: Uint8Array;
  /** Rows of the training split; default all. */
  include?: Uint8Array;
  /** Epochs already run, to continue the step-size schedule of a warm start (default 0). */
  startEpoch?: number;
}

/**
 * Initial weights from the nearest-class-mean rule: w_c = scale * (mean_c - offset) and
 * b_c = -scale * |mean_c - offset|^2 / 2 make the logits -scale/2 * |x - mean_c|^2 + const, so
 * SGD starts from the centroid classifier (96.5 % top-1 on the celebrities) instead of from zero.
 */
export function initFromMeans(
  problem: SoftmaxProblem,
  members: Int32Array[],
  scale: number,
  into?: SoftmaxParams,
  only?: Uint8Array,
): SoftmaxParams {
  const { dim, classes, rows, offset } = problem;
  const weights = into?.weights ?? new Float32Array(classes * dim);
  const bias = into?.bias ?? new Float64Array(classes);
  const mean = new Float64Array(dim);
  for (let c = 0; c < classes; c++) {
    if (only && !only[c]) continue;
    const own = members[c]!;
    if (own.length === 0) {
      // No training row (a one-photo class held out): never the answer in this split.
      bias[c] = -1e4;
      continue;
    }
    mean.fill(0);
    for (const i of own) {
      const x = rows[i]!;
      for (let j = 0; j < dim; j++) mean[j]! += x[j]!;
    }
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const v = mean[j]! / own.length - offset[j]!;
      weights[c * dim + j] = scale * v;
      sq += v * v;
    }
    bias[c] = (-scale * sq) / 2;
  }
  return { weights, bias };
}

/**
 * Minibatch stochastic gradient descent on the objective above, one class's photos per batch in a
 * shuffled order of classes: a batch shares its candidates, so its logits and updates run four
 * photos at a time through each weight row (one load and store of the row per four photos).
 * The regulariser is applied once per epoch as an exact proximal shrink of each trained row
 * (w <- w / (1 + rate / C)): cheap, and stable whatever the step size. With `block`, only those
 * classes' rows move and only the classes whose candidates meet the block are visited: that is
 * block-coordinate descent, exact for the block, which is how a retrain after one enrolment
 * touches a few hundred classes instead of ten thousand. Returns the photos visited.
 */
export function sgdEpochs(problem: SoftmaxProblem, params: SoftmaxParams, settings: SgdSettings): number {
  const { rows, classOf, dim, offset, offsets, lists, classes } = problem;
  const { weights, bias } = params;
  const { C, epochs, rate, rng, block } = settings;
  const start = settings.startEpoch ?? 0;
  const members = membersOf(classOf, classes, settings.include);
  const visit: number[] = [];
  for (let c = 0; c < classes; c++) {
    if (members[c]!.length > 0 && (!block || meets(lists, offsets, c, block))) visit.push(c);
  }
  const order = Int32Array.from(visit);
  const maxBatch = Math.max(4, ...members.map((m) => m.length));
  const xm = new Float64Array(maxBatch * dim);
  let widest = 0;
  for (let c = 0; c < classes; c++) widest = Math.max(widest, offsets[c + 1]! - offsets[c]!);
  const z = new Float64Array(maxBatch * widest);
  let visited = 0;
  for (let e = 0; e < epochs; e++) {
    const eta = rate / Math.sqrt(1 + start + e);
    rng.shuffle(order, order.length);
    for (let s = 0; s < order.length; s++) {
      const y = order[s]!;
      const own = members[y]!;
      const b = own.length;
      for (let r = 0; r < b; r++) {
        const x = rows[own[r]!]!;
        for (let j = 0; j < dim; j++) xm[r * dim + j] = x[j]! - offset[j]!;
      }
      const cands = lists.subarray(offsets[y]!, offsets[y + 1]!);
      const k = cands.length;
      batchLogits(weights, bias, dim, xm, b, cands, z);
      for (let r = 0; r < b; r++) {
        const base = r * k;
        let max = Number.NEGATIVE_INFINITY;
        for (let t = 0; t < k; t++) max = Math.max(max, z[base + t]!);
        let sum = 0;
        for (let t = 0; t < k; t++) {
          z[base + t] = Math.exp(z[base + t]! - max);
          sum += z[base + t]!;
        }
        // d(-log p_y)/dz_c = p_c - [c = y], scaled by the step; cands[0] is y itself.
        for (let t = 0; t < k; t++) z[base + t] = eta * (z[base + t]! / sum - (t === 0 ? 1 : 0));
      }
      for (let t = 0; t < k; t++) {
        const c = cands[t]!;
        if (block && !block[c]) continue;
        let db = 0;
        for (let r = 0; r < b; r++) db += z[r * k + t]!;
        bias[c]! -= db;
        axpyBatch(weights, c * dim, dim, xm, b, z, k, t);
      }
      visited += b;
    }
    const shrink = 1 / (1 + eta / C);
    for (let c = 0; c < classes; c++) {
      if (block && !block[c]) continue;
      const off = c * dim;
      for (let j = 0; j < dim; j++) weights[off + j]! *= shrink;
    }
  }
  return visited;
}

/** `z[r * k + t] = w[cands[t]] . xm[r] + bias` for a batch of `b` centred rows. */
function batchLogits(
  w: Float32Array,
  bias: Float64Array,
  dim: number,
  xm: Float64Array,
  b: number,
  cands: Int32Array,
  z: Float64Array,
): void {
  const k = cands.length;
  for (let r = 0; r < b; r++) {
    const row = z.subarray(r * k, (r + 1) * k);
    for (let t = 0; t < k; t++) row[t] = dot(w, xm, dim, cands[t]! * dim, r * dim) + bias[cands[t]!]!;
  }
}

/** `w[off..] -= sum_r g[r * k + t] * xm[r]`, four rows per pass over w. */
function axpyBatch(
  w: Float32Array,
  off: number,
  dim: number,
  xm: Float64Array,
  b: number,
  g: Float64Array,
  k: number,
  t: number,
): void {
  let r = 0;
  for (; r + 3 < b; r += 4) {
    const g0 = g[r * k + t]!;
    const g1 = g[(r + 1) * k + t]!;
    const g2 = g[(r + 2) * k + t]!;
    const g3 = g[(r + 3) * k + t]!;
    const x0 = r * dim;
    const x1 = x0 + dim;
    const x2 = x1 + dim;
    const x3 = x2 + dim;
    for (let j = 0; j < dim; j++) {
      w[off + j]! -= g0 * xm[x0 + j]! + g1 * xm[x1 + j]! + g2 * xm[x2 + j]! + g3 * xm[x3 + j]!;
    }
  }
  for (; r < b; r++) {
    const gr = g[r * k + t]!;
    const x0 = r * dim;
    for (let j = 0; j < dim; j++) w[off + j]! -= gr * xm[x0 + j]!;
  }
}

/** Whether any candidate of class y is in the block. */
function meets(lists: Int32Array, offsets: Int32Array, y: number, block: Uint8Array): boolean {
  for (let t = offsets[y]!; t < offsets[y + 1]!; t++) if (block[lists[t]!]) return true;
  return false;
}

/** Logits of a centred row `xm` for the candidates `cands`, written to `out`. */
export function candidateLogits(
  params: SoftmaxParams,
  dim: number,
  xm: Float64Array,
  cands: ArrayLike<number>,
  out: Float64Array,
): void {
  for (let t = 0; t < cands.length; t++)
    out[t] = dot(params.weights, xm, dim, cands[t]! * dim) + params.bias[cands[t]!]!;
}

/**
 * The temperature T minimising the held-out negative log-likelihood of softmax(z / T) (Guo et
 * al. 2017). The NLL is convex in 1/T, so a bisection on the sign of its derivative finds it.
 * `logits` holds `k` values per sample with the true class first.
 */
export function fitTemperature(logits: Float64Array, k: number): number {
  const m = logits.length / k;
  if (m === 0) return 1;
  // d NLL / d beta = sum_i (E_p[z] - z_y): increasing in beta.
  const slope = (beta: number): number => {
    let g = 0;
    for (let i = 0; i < m; i++) {
      const base = i * k;
      let max = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < k; t++) max = Math.max(max, logits[base + t]!);
      let sum = 0;
      let ez = 0;
      for (let t = 0; t < k; t++) {
        const e = Math.exp(beta * (logits[base + t]! - max));
        sum += e;
        ez += e * logits[base + t]!;
      }
      g += ez / sum - logits[base]!;
    }
    return g;
  };
  let lo = Math.log(1e-3);
  let hi = Math.log(1e3);
  if (slope(Math.exp(hi)) < 0) return Math.exp(-hi);
  if (slope(Math.exp(lo)) > 0) return Math.exp(-lo);
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (slope(Math.exp(mid)) > 0) hi = mid;
    else lo = mid;
  }
  return Math.exp(-(lo + hi) / 2);
}
