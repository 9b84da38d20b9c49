import { stratifiedFolds } from '../../../src/classifier/calibration.ts';
import { nearestClasses } from '../../../src/classifier/shortlist.ts';
import { fingerprint, unitMeans } from '../../../src/classifier/svm.ts';
import { Rng } from '../../../src/util/rng.ts';
import { roundFloat16 } from '../../../src/util/vectors.ts';
import type { SoftmaxModel } from './softmax-model.ts';
import {
  candidateLogits,
  fitTemperature,
  initFromMeans,
  membersOf,
  type SoftmaxParams,
  type SoftmaxProblem,
  sgdEpochs,
  symmetric,
} from './softmax-train.ts';
import { warmStart } from './softmax-warm.ts';

export type { SoftmaxModel } from './softmax-model.ts';

/** Options of `trainSoftmax`. */
export interface TrainSoftmaxOptions {
  /** Inverse regularisation strength, as sklearn's LogisticRegression C (default 10). */
  C?: number;
  /** Candidate classes per class, itself included (default 32). */
  k?: number;
  /** SGD epochs of a full training (default 20; fewer for large galleries, see `epochsFor`). */
  epochs?: number;
  seed?: number;
  /** Subtracted from embeddings before training (the prior mean face); default the gallery mean. */
  offset?: ArrayLike<number> | null;
  /** A model of an earlier version of this gallery: only the classes that changed are retrained. */
  previous?: SoftmaxModel | null;
  /** Receives what training did, for benchmarks and tests. */
  onStats?: (stats: SoftmaxStats) => void;
}

/** What `trainSoftmax` did. */
export interface SoftmaxStats {
  warm: boolean;
  /** Classes whose weights were trained. */
  trainedClasses: number;
  /** Classes whose photos changed since `previous` (all, for a full training). */
  changedClasses: number;
  heldOut: number;
  epochs: number;
  steps: number;
}

/** Initial weight scale: logits of -8 |x - mean_c|^2 + const, about the trained models' scale. */
const INIT_SCALE = 16;
/** Photos above which a single held-out fold (of 3) calibrates, rather than all 3. */
const FULL_CV_ROWS = 4000;
const WARM_EPOCHS = 4;

/** Epochs of a full training: SGD needs fewer passes over more photos. */
export function epochsFor(rows: number): number {
  return rows <= 2000 ? 20 : rows <= 20000 ? 6 : 4;
}

/**
 * Trains the candidate softmax on labelled embeddings (`rows[i]` of class `classOf[i]`), with its
 * temperature fitted on held-out photos: 5-fold for small galleries, one fold of 5 for large ones,
 * the final model continuing from the last fold's. With `previous`, a retrain after a small change
 * starts from the previous weights and trains only the changed classes and their neighbours.
 */
export function trainSoftmax(
  rows: readonly Float32Array[],
  classOf: Int32Array,
  labels: readonly string[],
  options: TrainSoftmaxOptions = {},
): SoftmaxModel {
  const classes = labels.length;
  const dim = rows[0]?.length ?? 0;
  if (classes < 2) throw new Error(`a softmax needs at least 2 classes, got ${classes}`);
  const C = options.C ?? 10;
  if (!(C > 0) || !Number.isFinite(C)) throw new Error(`C must be a positive number, got ${C}`);
  const k = Math.min(options.k ?? 32, classes);
  const rng = new Rng(options.seed ?? 1);
  // At float32 precision from the start, as it is stored, so that a warm start finds it equal.
  const offset = Float64Array.from(Float32Array.from(options.offset ?? meanOf(rows, dim)));
  const members = membersOf(classOf, classes);
  const fingerprints = Uint32Array.from(members, (own) => fingerprint(rows, own));
  const dirs = unitMeans(rows, members, dim, offset);
  const warm = warmStart(options.previous ?? null, labels, fingerprints, dim, C, k, offset, dirs);
  const candidates = warm?.candidates ?? nearestClasses(dirs, classes, dim, k);
  const problem: SoftmaxProblem = {
    rows,
    classOf,
    classes,
    dim,
    offset,
    ...symmetric(candidates, classes, k),
  };
  const model = (params: SoftmaxParams, temperature: number): SoftmaxModel =>
    stored({ dim, labels: [...labels], k, C, temperature, offset, ...params, candidates, fingerprints });
  if (warm !== null) {
    // Retrain the changed classes and their rivals, with everything else held fixed.
    const block = Uint8Array.from(warm.changed);
    for (let c = 0; c < classes; c++) {
      if (!warm.changed[c]) continue;
      for (let t = problem.offsets[c]!; t < problem.offsets[c + 1]!; t++) block[problem.lists[t]!] = 1;
    }
    initFromMeans(problem, members, INIT_SCALE, warm.params, warm.fresh);
    const steps = sgdEpochs(problem, warm.params, {
      C,
      epochs: WARM_EPOCHS,
      rate: 0.5,
      rng,
      block,
      startEpoch: 4,
    });
    options.onStats?.({
      warm: true,
      trainedClasses: count(block),
      changedClasses: warm.changes,
      heldOut: 0,
      epochs: WARM_EPOCHS,
      steps,
    });
    return model(warm.params, options.previous!.temperature);
  }
  const stats: SoftmaxStats = {
    warm: false,
    trainedClasses: classes,
    changedClasses: classes,
    heldOut: 0,
    epochs: 0,
    steps: 0,
  };
  const epochs = options.epochs ?? epochsFor(rows.length);
  const fold = stratifiedFolds(classOf, 3, rng);
  const folds = rows.length <= FULL_CV_ROWS ? 3 : 1;
  const heldOut: number[] = [];
  const xm = new Float64Array(dim);
  const z = new Float64Array(k);
  let params: SoftmaxParams | null = null;
  for (let f = 0; f < folds; f++) {
    const include = Uint8Array.from(fold, (v) => (v === f ? 0 : 1));
    const foldMembers = membersOf(classOf, classes, include);
    params = initFromMeans(problem, foldMembers, INIT_SCALE);
    stats.steps += sgdEpochs(problem, params, { C, epochs, rate: 0.5, rng, include });
    for (let i = 0; i < rows.length; i++) {
      const y = classOf[i]!;
      // A held-out photo whose class had no training photo says nothing about calibration.
      if (include[i] || foldMembers[y]!.length === 0) continue;
      const x = rows[i]!;
      for (let j = 0; j < dim; j++) xm[j] = x[j]! - offset[j]!;
      // Calibrated over the nearest classes, as a face is answered (see Matcher.identify).
      candidateLogits(params, dim, xm, candidates.subarray(y * k, (y + 1) * k), z);
      heldOut.push(...z);
    }
  }
  stats.heldOut = heldOut.length / k;
  const temperature = fitTemperature(Float64Array.from(heldOut), k);
  // The final model continues from the last fold's, now with its held-out photos.
  const final = params!;
  const lastSplit = Uint8Array.from(fold, (v) => (v === folds - 1 ? 0 : 1));
  const lacking = Uint8Array.from(membersOf(classOf, classes, lastSplit), (m) => (m.length === 0 ? 1 : 0));
  initFromMeans(problem, members, INIT_SCALE, final, lacking);
  const finalEpochs = Math.max(2, Math.ceil(epochs / 2));
  stats.steps += sgdEpochs(problem, final, {
    C,
    epochs: finalEpochs,
    rate: 0.5,
    rng,
    startEpoch: epochs,
  });
  stats.epochs = folds * epochs + finalEpochs;
  options.onStats?.(stats);
  return model(final, temperature);
}

/** The model at the precision it is stored in (float16 weights, float32 biases and offset). */
function stored(m: SoftmaxModel): SoftmaxModel {
  roundFloat16(m.weights);
  return {
    ...m,
    bias: Float64Array.from(Float32Array.from(m.bias)),
    offset: Float64Array.from(Float32Array.from(m.offset)),
  };
}

/**
 * Logits of a face for some classes, divided by the temperature: softmax of these is the
 * calibrated probability among those classes.
 */
export function scaledLogits(
  model: SoftmaxModel,
  x: ArrayLike<number>,
  classes: ArrayLike<number>,
): Float64Array {
  const { dim, offset } = model;
  const xm = new Float64Array(dim);
  for (let j = 0; j < dim; j++) xm[j] = x[j]! - offset[j]!;
  const z = new Float64Array(classes.length);
  candidateLogits(model, dim, xm, classes, z);
  for (let t = 0; t < z.length; t++) z[t] = z[t]! / model.temperature;
  return z;
}

/** Softmax of some logits, in place, without overflow. */
export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let t = 0; t < z.length; t++) {
    z[t] = Math.exp(z[t]! - max);
    sum += z[t]!;
  }
  for (let t = 0; t < z.length; t++) z[t] = z[t]! / sum;
  return z;
}

function meanOf(rows: readonly ArrayLike<number>[], dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (const x of rows) for (let j = 0; j < dim; j++) mean[j]! += x[j]! / rows.length;
  return mean;
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}
