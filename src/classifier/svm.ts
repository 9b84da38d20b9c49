import { denseRows, dot } from './dense.ts';
import { type ClassWeight, type OvrStats, trainOneVsRest } from './ovr.ts';
import { sigmoidLogProbability } from './platt.ts';

/** One training sample: an identity label and its face embedding. */
export interface LabeledEmbedding {
  label: string;
  embedding: ArrayLike<number>;
}

/** A trained multi-class linear SVM with Platt-scaled probabilities, as plain JSON. */
export interface SvmModel {
  kind: 'linear-svm-ovr';
  version: 1;
  dim: number;
  /** Class labels, sorted; every per-class array follows this order. */
  labels: string[];
  weights: number[][];
  bias: number[];
  /** P(label | x) before normalisation = 1 / (1 + exp(a * decision + b)). */
  platt: { a: number; b: number }[];
}

/** Options of `trainSvm`; the defaults follow sklearn's `SVC(kernel='linear', probability=True)`. */
export interface TrainSvmOptions {
  /** Inverse regularisation strength (default 1, as sklearn). */
  C?: number;
  /** Cross-validation folds for Platt scaling (default 5, as libsvm). */
  folds?: number;
  /** Seed of coordinate orders and fold assignment (default 1). */
  seed?: number;
  /** 'balanced' weights each one-vs-rest problem's two sides equally (default 'none', as OpenFace). */
  classWeight?: ClassWeight;
  /** Dual solver tolerance (default 0.01). */
  eps?: number;
  /** Receives training counters, for benchmarks. */
  onStats?: (stats: OvrStats) => void;
}

/**
 * Trains a linear SVM per label, one-vs-rest, each with its own Platt sigmoid fitted on 5-fold
 * cross-validated decision values as libsvm does for probability=True.
 *
 * One-vs-rest rather than libsvm's one-vs-one: a gallery may hold hundreds of identities, and
 * one-vs-one needs N(N-1)/2 models, each trained again per cross-validation fold, then pairwise
 * coupling per prediction; one-vs-rest needs N models (each on all data), and since every model
 * sees the same rows they share one Gram matrix (see `trainOneVsRest`).
 */
export function trainSvm(samples: readonly LabeledEmbedding[], options: TrainSvmOptions = {}): SvmModel {
  const labels = [...new Set(samples.map((s) => s.label))].sort();
  if (labels.length < 2) {
    throw new Error(`an SVM needs samples of at least 2 distinct labels, got ${labels.length}`);
  }
  const index = new Map(labels.map((label, i) => [label, i]));
  const data = denseRows(samples.map((s) => s.embedding));
  const classOf = Int32Array.from(samples, (s) => index.get(s.label)!);
  const C = options.C ?? 1;
  if (!(C > 0) || !Number.isFinite(C)) throw new Error(`C must be a positive number, got ${C}`);
  const result = trainOneVsRest(data, classOf, labels.length, {
    C,
    classWeight: options.classWeight ?? 'none',
    folds: options.folds ?? 5,
    seed: options.seed ?? 1,
    eps: options.eps ?? 0.01,
    maxIter: 1000,
    biasFeature: 1,
    initialRows: 150,
    maxAdd: 100,
  });
  options.onStats?.(result.stats);
  const { dim } = data;
  return {
    kind: 'linear-svm-ovr',
    version: 1,
    dim,
    labels,
    weights: labels.map((_, c) => Array.from(result.weights.subarray(c * dim, (c + 1) * dim))),
    bias: Array.from(result.bias),
    platt: result.platt.map(({ a, b }) => ({ a, b })),
  };
}

/** w_c . x + b_c for every label, in `model.labels` order. */
export function decisionValues(model: SvmModel, x: ArrayLike<number>): number[] {
  if (x.length !== model.dim)
    throw new Error(`expected an embedding of ${model.dim} values, got ${x.length}`);
  const v = Float64Array.from(x);
  return model.weights.map((w, c) => dot(v, 0, w, 0, model.dim) + model.bias[c]!);
}

/** One probability per label in `model.labels` order: each label's Platt probability, normalised to sum to 1. */
export function predictProba(model: SvmModel, x: ArrayLike<number>): number[] {
  const dec = decisionValues(model, x);
  // Normalise in log space: a far-away face can drive every sigmoid below the smallest double.
  const logp = dec.map((f, c) => sigmoidLogProbability(f, model.platt[c]!));
  const max = Math.max(...logp);
  const p = logp.map((l) => Math.exp(l - max));
  const sum = p.reduce((s, v) => s + v, 0);
  return p.map((v) => v / sum);
}

/** Checks that a parsed value is a usable `SvmModel`, so that stored models fail early and clearly. */
export function parseSvmModel(value: unknown): SvmModel {
  const m = value as Partial<SvmModel> | null;
  const fail = (why: string): never => {
    throw new Error(`not a valid SVM model: ${why}`);
  };
  if (typeof m !== 'object' || m === null) return fail('not an object');
  if (m.kind !== 'linear-svm-ovr' || m.version !== 1) return fail(`unknown kind ${m.kind}/${m.version}`);
  const { dim, labels, weights, bias, platt } = m;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) return fail('bad dim');
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string')) {
    return fail('labels must be at least 2 strings');
  }
  if (new Set(labels).size !== labels.length) return fail('duplicate labels');
  const n = labels.length;
  const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  if (!Array.isArray(weights) || weights.length !== n) return fail('weights do not match labels');
  if (!weights.every((w) => Array.isArray(w) && w.length === dim && w.every(finite))) {
    return fail(`weights must be ${n} rows of ${dim} finite numbers`);
  }
  if (!Array.isArray(bias) || bias.length !== n || !bias.every(finite)) return fail('bad bias');
  if (!Array.isArray(platt) || platt.length !== n || !platt.every((s) => finite(s?.a) && finite(s?.b))) {
    return fail('bad platt');
  }
  return { kind: 'linear-svm-ovr', version: 1, dim, labels, weights, bias, platt };
}
