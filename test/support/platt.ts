/** libsvm's probability helpers that only tests need: cross-validated decisions and `sigmoid_predict`. */
import {
  fitSigmoid,
  foldCount,
  type Sigmoid,
  type SigmoidFit,
  stratifiedFolds,
} from '../../src/classifier/platt.ts';
import type { Rng } from '../../src/classifier/rng.ts';

/** P(y = +1 | f) of a fitted sigmoid, as libsvm's `sigmoid_predict`. */
export function sigmoidProbability(f: number, s: Sigmoid): number {
  const z = f * s.a + s.b;
  return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
}

/**
 * Decision values of every sample from a model that did not see it, as libsvm's
 * `svm_binary_svc_probability`: k-fold cross-validation, where a fold whose training split lacks
 * one class predicts +1 or -1 for all its held-out samples.
 */
export function crossValidatedDecisions(
  positive: ArrayLike<boolean>,
  fold: ArrayLike<number>,
  folds: number,
  train: (trainRows: Int32Array) => (row: number) => number,
): Float64Array {
  const n = positive.length;
  const dec = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const trainRows: number[] = [];
    const heldOut: number[] = [];
    let pos = 0;
    for (let i = 0; i < n; i++) {
      if (fold[i] === f) heldOut.push(i);
      else {
        trainRows.push(i);
        if (positive[i]) pos++;
      }
    }
    if (heldOut.length === 0) continue;
    const neg = trainRows.length - pos;
    if (pos === 0 || neg === 0) {
      for (const i of heldOut) dec[i] = pos === 0 ? -1 : 1;
      continue;
    }
    const predict = train(Int32Array.from(trainRows));
    for (const i of heldOut) dec[i] = predict(i);
  }
  return dec;
}

/** Fits a Platt sigmoid to cross-validated decision values of a binary linear SVM or any model. */
export function plattFromCrossValidation(
  positive: ArrayLike<boolean>,
  folds: number,
  rng: Rng,
  train: (trainRows: Int32Array) => (row: number) => number,
): SigmoidFit {
  const classOf = Array.from({ length: positive.length }, (_, i) => (positive[i] ? 1 : 0));
  const k = foldCount(folds, classOf.length);
  const fold = stratifiedFolds(classOf, k, rng);
  return fitSigmoid(crossValidatedDecisions(positive, fold, k, train), positive);
}
