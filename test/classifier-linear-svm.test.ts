import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denseRows } from '../src/classifier/dense.ts';
import { classBounds } from '../src/classifier/ovr.ts';
import { Rng } from '../src/classifier/rng.ts';
import { linearDecision, primalObjective, trainLinearSvm } from './support/linear-svm.ts';

/** A small non-separable problem, reproducible in Python for the liblinear reference values. */
function sineProblem(): { x: number[][]; y: number[] } {
  const x = Array.from({ length: 40 }, (_, i) =>
    Array.from({ length: 4 }, (_, j) => Math.sin(1.3 * i + 0.7 * j + 0.1 * i * j)),
  );
  const y = x.map((v, i) => (v[0]! + 0.5 * v[1]! - 0.3 * v[2]! + 0.2 + 0.4 * Math.sin(5 * i) > 0 ? 1 : -1));
  return { x, y };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('trainLinearSvm', () => {
  it('finds the hard-margin solution of two points', () => {
    const m = trainLinearSvm(
      [
        [1, 0],
        [-1, 0],
      ],
      [1, -1],
      { eps: 1e-9 },
    );
    assertClose(m.w, [1, 0], 1e-9);
    assert.ok(Math.abs(m.b) < 1e-9);
    assertClose(m.alpha, [0.5, 0.5], 1e-9);
    assert.ok(Math.abs(linearDecision(m, [1, 0]) - 1) < 1e-9);
  });

  it("matches liblinear's L2-regularised hinge-loss solution (sklearn LinearSVC, loss='hinge')", () => {
    const { x, y } = sineProblem();
    // From /usr/bin/python3: LinearSVC(loss='hinge', C=C, intercept_scaling=1, tol=1e-12).fit(x, y)
    const expected = [
      {
        C: 1,
        w: [1.7029951762084194, 1.1696119587268874, -0.9431837487922844, 0.73132481897689],
        b: 0.5446890257574658,
      },
      {
        C: 0.1,
        w: [0.7413009322159764, 0.34584971482293186, -0.7121803043797199, 0.37229971036494486],
        b: 0.35481920752116713,
      },
    ];
    for (const { C, w, b } of expected) {
      const m = trainLinearSvm(x, y, { C, eps: 1e-6, maxIter: 100000 });
      assertClose(m.w, w, 1e-5);
      assert.ok(Math.abs(m.b - b) < 1e-5, `b ${m.b} vs ${b}`);
    }
  });

  it('satisfies the KKT conditions at its solution', () => {
    const rng = new Rng(3);
    const x = Array.from({ length: 120 }, () => Array.from({ length: 6 }, () => rng.next() - 0.5));
    const y = x.map((v) => (v[0]! + v[1]! + 0.3 * (rng.next() - 0.5) > 0 ? 1 : -1));
    const C = 2;
    const m = trainLinearSvm(x, y, { C, eps: 1e-5, maxIter: 100000 });
    let bounded = 0;
    for (let i = 0; i < x.length; i++) {
      const margin = y[i]! * linearDecision(m, x[i]!);
      const a = m.alpha[i]!;
      if (a === 0) assert.ok(margin >= 1 - 1e-4, `free row ${i} violates: ${margin}`);
      else if (a === C) {
        bounded++;
        assert.ok(margin <= 1 + 1e-4, `bounded row ${i} beyond the margin: ${margin}`);
      } else assert.ok(Math.abs(margin - 1) < 1e-4, `support vector ${i} off the margin: ${margin}`);
    }
    assert.ok(bounded > 0, 'the noisy labels should leave some margin violators');
  });

  it('lowers the primal objective as the tolerance tightens', () => {
    const { x, y } = sineProblem();
    const data = denseRows(x);
    const upper = y.map(() => 1);
    const loose = primalObjective(data, y, upper, trainLinearSvm(data, y, { eps: 0.5 }));
    const tight = primalObjective(data, y, upper, trainLinearSvm(data, y, { eps: 1e-6, maxIter: 100000 }));
    assert.ok(tight <= loose + 1e-12);
  });

  it('is deterministic for a seed', () => {
    const { x, y } = sineProblem();
    const a = trainLinearSvm(x, y, { seed: 5, eps: 0.1 });
    const b = trainLinearSvm(x, y, { seed: 5, eps: 0.1 });
    assert.deepEqual(Array.from(a.w), Array.from(b.w));
    assert.equal(a.b, b.b);
  });

  it('weights classes by their size when balanced', () => {
    assert.deepEqual(classBounds(1, 'none', 10, 100), [1, 1]);
    assert.deepEqual(classBounds(1, 'balanced', 10, 100), [5, 100 / 180]);
    const { x, y } = sineProblem();
    const none = trainLinearSvm(x, y);
    const balanced = trainLinearSvm(x, y, { classWeight: 'balanced' });
    // 25 of 40 rows are positive: balancing favours the 15 negatives, so the bias drops.
    assert.ok(balanced.b < none.b, `${balanced.b} should be below ${none.b}`);
  });

  it('rejects bad input', () => {
    assert.throws(() => trainLinearSvm([[1], [2]], [1]), /2 samples but 1 labels/);
    assert.throws(() => trainLinearSvm([[1], [2]], [1, -1], { C: 0 }), /C must be a positive number/);
    assert.throws(() => trainLinearSvm([[1], [2, 3]], [1, -1]), /vector 1 has 2 dimensions/);
    assert.throws(() => trainLinearSvm([[1], [Number.NaN]], [1, -1]), /non-finite/);
    assert.throws(() => linearDecision({ w: new Float64Array(2), b: 0 }, [1]), /expected 2 dimensions/);
  });
});
