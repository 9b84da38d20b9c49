import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitSigmoid, foldCount, sigmoidLogProbability, stratifiedFolds } from '../src/classifier/platt.ts';
import { Rng } from '../src/classifier/rng.ts';
import { linearDecision, trainLinearSvm } from './support/linear-svm.ts';
import { crossValidatedDecisions, plattFromCrossValidation, sigmoidProbability } from './support/platt.ts';

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

describe('fitSigmoid', () => {
  it("matches sklearn's sigmoid calibration, which minimises the same regularised objective", () => {
    const f = Array.from({ length: 30 }, (_, i) => Math.sin(0.9 * i) * 2 + 0.3);
    const positive = f.map((_, i) => Math.sin(0.9 * i) + 0.5 * Math.cos(3.1 * i) > 0);
    // From /usr/bin/python3: sklearn.calibration._sigmoid_calibration(f, positive)
    const s = fitSigmoid(f, positive);
    assert.ok(s.converged);
    assert.ok(Math.abs(s.a - -1.4603195007028664) < 1e-4, `a = ${s.a}`);
    assert.ok(Math.abs(s.b - 0.29656996075519176) < 1e-4, `b = ${s.b}`);
  });

  it('recovers the sigmoid that generated the labels', () => {
    const rng = new Rng(11);
    const truth = { a: -2, b: 0.5 };
    const f = Array.from({ length: 20000 }, () => 3 * (rng.next() * 2 - 1));
    const positive = f.map((v) => rng.next() < sigmoidProbability(v, truth));
    const s = fitSigmoid(f, positive);
    assert.ok(Math.abs(s.a - truth.a) < 0.1, `a = ${s.a}`);
    assert.ok(Math.abs(s.b - truth.b) < 0.1, `b = ${s.b}`);
  });

  it('stays finite on separable values, thanks to the regularised targets', () => {
    const s = fitSigmoid([-3, -2, -1, 1, 2, 3], [false, false, false, true, true, true]);
    assert.ok(Number.isFinite(s.a) && Number.isFinite(s.b) && s.a < 0);
    assert.ok(sigmoidProbability(3, s) > 0.7 && sigmoidProbability(-3, s) < 0.3);
  });

  it('rejects mismatched input', () => {
    assert.throws(() => fitSigmoid([1, 2], [true]), /2 decision values but 1 labels/);
  });
});

describe('sigmoidProbability', () => {
  it('is a probability that rises with the decision value when a < 0, without overflow', () => {
    const s = { a: -3, b: 0.2 };
    let previous = 0;
    for (const f of [-1e6, -400, -10, -1, 0, 1, 10, 400, 1e6]) {
      const p = sigmoidProbability(f, s);
      assert.ok(p >= 0 && p <= 1 && p >= previous, `p(${f}) = ${p}`);
      previous = p;
    }
    assert.equal(sigmoidProbability(1e6, s), 1);
  });

  it('has a log that stays finite where the probability underflows', () => {
    const s = { a: -3, b: 0.2 };
    assert.ok(Math.abs(sigmoidLogProbability(1, s) - Math.log(sigmoidProbability(1, s))) < 1e-12);
    assert.equal(sigmoidProbability(-1e4, s), 0);
    assert.ok(Math.abs(sigmoidLogProbability(-1e4, s) - (-3e4 - 0.2)) < 1e-6);
  });
});

describe('cross-validation', () => {
  it('spreads every class over the folds and keeps fold sizes even', () => {
    const classOf = [...Array(7).fill(0), ...Array(3).fill(1), ...Array(11).fill(2)];
    const fold = stratifiedFolds(classOf, 5, new Rng(1));
    const sizes = [0, 0, 0, 0, 0];
    for (const f of fold) sizes[f]!++;
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
    for (const [c, count] of [
      [0, 7],
      [1, 3],
      [2, 11],
    ] as const) {
      const perFold = [0, 0, 0, 0, 0];
      classOf.forEach((k, i) => {
        if (k === c) perFold[fold[i]!]!++;
      });
      assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${c}: ${perFold}`);
      assert.equal(
        perFold.reduce((s, v) => s + v, 0),
        count,
      );
    }
    assert.deepEqual(stratifiedFolds(classOf, 5, new Rng(1)), fold);
  });

  it('uses fewer folds only when there are fewer samples', () => {
    assert.equal(foldCount(5, 100), 5);
    assert.equal(foldCount(5, 3), 3);
    assert.equal(foldCount(5, 1), 2);
    assert.throws(() => foldCount(1, 10), /folds must be an integer >= 2/);
  });

  it("predicts a training split's only class for its held-out rows, as libsvm", () => {
    const positive = [true, false, false, false];
    const fold = [0, 0, 1, 1];
    const trained: number[][] = [];
    const dec = crossValidatedDecisions(positive, fold, 2, (rows) => {
      trained.push(Array.from(rows));
      return (row) => 10 + row;
    });
    // Fold 0's training split {2, 3} has no positive: its held-out rows get -1.
    assert.deepEqual(Array.from(dec), [-1, -1, 12, 13]);
    assert.deepEqual(trained, [[0, 1]]);
  });

  it('calibrates a linear SVM: probabilities match the true posterior of two Gaussians', () => {
    // Classes N(+1, 1) and N(-1, 1) with equal priors: P(+ | x) = 1 / (1 + exp(-2x)).
    const rng = new Rng(5);
    const n = 4000;
    const positive = Array.from({ length: n }, (_, i) => i % 2 === 0);
    const x = positive.map((p) => [(p ? 1 : -1) + gaussian(rng)]);
    const y = positive.map((p) => (p ? 1 : -1));
    const trainOn = (rows: Int32Array) => {
      const m = trainLinearSvm(
        Array.from(rows, (i) => x[i]!),
        Array.from(rows, (i) => y[i]!),
      );
      return (row: number) => linearDecision(m, x[row]!);
    };
    const sigmoid = plattFromCrossValidation(positive, 5, new Rng(2), trainOn);
    const model = trainLinearSvm(x, y);
    for (const v of [-2, -1, -0.5, 0, 0.5, 1, 2]) {
      const p = sigmoidProbability(linearDecision(model, [v]), sigmoid);
      const truth = 1 / (1 + Math.exp(-2 * v));
      assert.ok(Math.abs(p - truth) < 0.02, `x = ${v}: ${p.toFixed(3)} vs ${truth.toFixed(3)}`);
    }
  });
});
