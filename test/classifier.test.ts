import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denseRows } from '../src/classifier/dense.ts';
import type { GalleryIdentity } from '../src/classifier/matcher.ts';
import type { OvrStats } from '../src/classifier/ovr.ts';
import {
  decisionValues,
  type LabeledEmbedding,
  parseSvmModel,
  predictProba,
  type SvmModel,
  trainSvm,
} from '../src/classifier/svm.ts';
import { primalObjective, trainLinearSvm } from './support/linear-svm.ts';
import { syntheticGallery } from './support/synthetic.ts';

interface Split {
  train: LabeledEmbedding[];
  test: LabeledEmbedding[];
}

/** Enrolled photos to train on, plus fresh photos of the same identities to test on. */
function split(
  identities: number,
  perIdentity: number,
  dim: number,
  photoSpread: number,
  testPer = 3,
): Split {
  const g = syntheticGallery({ identities, perIdentity, dim, photoSpread, seed: identities * 31 + dim });
  return {
    train: g.identities.flatMap((i) => i.embeddings.map((embedding) => ({ label: i.slug, embedding }))),
    test: g.identities.flatMap((i, k) =>
      g.photos(k, testPer).map((embedding) => ({ label: i.slug, embedding })),
    ),
  };
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function accuracy(model: SvmModel, samples: LabeledEmbedding[]): number {
  let ok = 0;
  for (const s of samples) if (model.labels[argmax(predictProba(model, s.embedding))] === s.label) ok++;
  return ok / samples.length;
}

function assertDistribution(p: number[], length: number): void {
  assert.equal(p.length, length);
  for (const v of p) assert.ok(v >= 0 && v <= 1, `probability ${v}`);
  assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-9);
}

describe('trainSvm', () => {
  it('classifies separable 128-d clusters of 8 identities perfectly, with probabilities that sum to 1', () => {
    const { train, test } = split(8, 10, 128, 0.5);
    const model = trainSvm(train);
    assert.equal(model.kind, 'linear-svm-ovr');
    assert.equal(model.dim, 128);
    assert.deepEqual(model.labels, [...new Set(train.map((s) => s.label))].sort());
    assert.equal(accuracy(model, train), 1);
    assert.equal(accuracy(model, test), 1);
    for (const s of test) {
      const p = predictProba(model, s.embedding);
      assertDistribution(p, 8);
      // The right identity is the most probable, by a clear margin on this easy data.
      const right = model.labels.indexOf(s.label);
      assert.equal(argmax(p), right);
      assert.ok(p[right]! > 0.5, `p = ${p[right]}`);
    }
  });

  it('classifies 1024-d face-like embeddings of 12 identities perfectly', () => {
    const { train, test } = split(12, 6, 1024, 1.0);
    const model = trainSvm(train);
    assert.equal(accuracy(model, train), 1);
    assert.equal(accuracy(model, test), 1);
    for (const s of test.slice(0, 5)) assertDistribution(predictProba(model, s.embedding), 12);
  });

  it('gives the right identity a higher probability than chance on hard held-out data', () => {
    // Overlapping identities: about 80% top-1, where chance is 5%.
    const { train, test } = split(20, 8, 256, 1.8);
    const model = trainSvm(train);
    let rightMass = 0;
    for (const s of test) rightMass += predictProba(model, s.embedding)[model.labels.indexOf(s.label)]!;
    assert.ok(accuracy(model, test) > 0.7, `accuracy ${accuracy(model, test)}`);
    assert.ok(
      rightMass / test.length > 0.35,
      `mean probability of the right identity ${rightMass / test.length}`,
    );
  });

  it('solves each one-vs-rest problem exactly, even when working sets must grow', () => {
    // 40 identities x 6 photos: 240 rows, more than a first working set, so verification must add rows.
    const { train } = split(40, 6, 64, 1.5);
    let stats: OvrStats | undefined;
    const model = trainSvm(train, { eps: 1e-4, onStats: (s) => (stats = s) });
    assert.ok(stats !== undefined && stats.unverified === 0);
    assert.ok(stats.maxRounds >= 2, `rounds ${stats.maxRounds}: verification never added a row`);
    assert.ok(stats.meanWorkingSet < 240);
    const data = denseRows(train.map((s) => s.embedding));
    const upper = train.map(() => 1);
    for (const c of [0, 7, 39]) {
      const y = train.map((s) => (s.label === model.labels[c] ? 1 : -1));
      const full = primalObjective(data, y, upper, trainLinearSvm(data, y, { eps: 1e-6, maxIter: 100000 }));
      const ovr = primalObjective(data, y, upper, {
        w: Float64Array.from(model.weights[c]!),
        b: model.bias[c]!,
      });
      assert.ok((ovr - full) / full < 1e-3, `class ${c}: objective ${ovr} vs ${full}`);
    }
  });

  it('trains two identities (the smallest SVM) and mirrors them', () => {
    const { train, test } = split(2, 5, 64, 1.0);
    const model = trainSvm(train);
    assert.equal(accuracy(model, test), 1);
    const d = decisionValues(model, test[0]!.embedding);
    assert.ok(d[0]! * d[1]! < 0, 'one-vs-rest of two classes are opposite problems');
  });

  it('ranks one-photo identities correctly, where cross-validation cannot calibrate them', () => {
    for (const identities of [2, 5]) {
      const { train, test } = split(identities, 1, 128, 0.8);
      let stats: OvrStats | undefined;
      const model = trainSvm(train, { onStats: (s) => (stats = s) });
      assert.equal(stats?.plattFallbacks, identities);
      assert.equal(accuracy(model, train), 1);
      assert.ok(
        accuracy(model, test) >= 0.8,
        `accuracy ${accuracy(model, test)} with ${identities} identities`,
      );
    }
  });

  it('handles a lopsided gallery: 5 photos of A, one of B', () => {
    // The fold holding B's photo leaves A's training split without negatives (libsvm predicts +1
    // there). At C = 1 sklearn's SVC calls every new photo of B "A" on this data, and so do we: the
    // identities differ by small vectors, so C = 1 buys no margin. Enrolled photos are still named.
    const g = syntheticGallery({ identities: 2, perIdentity: 5, dim: 128, photoSpread: 0.8, seed: 9 });
    const [a, b] = g.identities as [GalleryIdentity, GalleryIdentity];
    const train = [
      ...a.embeddings.map((embedding) => ({ label: a.slug, embedding })),
      { label: b.slug, embedding: b.embeddings[0]! },
    ];
    const model = trainSvm(train);
    assert.equal(accuracy(model, train), 1);
    const newA = g.photos(0, 5).map((embedding) => ({ label: a.slug, embedding }));
    assert.equal(accuracy(model, newA), 1);
    for (const s of newA) assertDistribution(predictProba(model, s.embedding), 2);
  });

  it('supports balanced class weights', () => {
    const { train, test } = split(6, 5, 64, 0.7);
    const model = trainSvm(train, { classWeight: 'balanced' });
    assert.equal(accuracy(model, test), 1);
    assert.notDeepEqual(model.weights, trainSvm(train).weights);
  });

  it('is deterministic for a seed', () => {
    const { train } = split(6, 5, 64, 1.5);
    const a = JSON.stringify(trainSvm(train, { seed: 3 }));
    assert.equal(JSON.stringify(trainSvm(train, { seed: 3 })), a);
    assert.notEqual(JSON.stringify(trainSvm(train, { seed: 4 })), a);
  });

  it('round-trips through JSON with identical predictions', () => {
    const { train, test } = split(5, 6, 96, 1.5);
    const model = trainSvm(train);
    const restored = parseSvmModel(JSON.parse(JSON.stringify(model)));
    assert.deepEqual(restored, model);
    for (const s of test)
      assert.deepEqual(predictProba(restored, s.embedding), predictProba(model, s.embedding));
  });

  it('refuses fewer than 2 labels, bad options and mismatched embeddings', () => {
    assert.throws(() => trainSvm([]), /at least 2 distinct labels, got 0/);
    const one = [
      { label: 'a', embedding: [1, 0] },
      { label: 'a', embedding: [0, 1] },
    ];
    assert.throws(() => trainSvm(one), /at least 2 distinct labels, got 1/);
    const two = [...one, { label: 'b', embedding: [1, 1] }];
    assert.throws(() => trainSvm(two, { C: -1 }), /C must be a positive number/);
    assert.throws(() => trainSvm(two, { folds: 1 }), /folds must be an integer >= 2/);
    assert.throws(
      () => trainSvm([...two, { label: 'c', embedding: [1] }]),
      /vector 3 has 1 dimensions, expected 2/,
    );
    const model = trainSvm(two);
    assert.throws(() => predictProba(model, [1, 2, 3]), /expected an embedding of 2 values, got 3/);
  });

  it('rejects stored models that are not valid', () => {
    const { train } = split(3, 4, 8, 1.0);
    const model = trainSvm(train);
    const broken = (patch: object): unknown => ({ ...JSON.parse(JSON.stringify(model)), ...patch });
    assert.throws(() => parseSvmModel(null), /not an object/);
    assert.throws(() => parseSvmModel(broken({ kind: 'rbf' })), /unknown kind/);
    assert.throws(() => parseSvmModel(broken({ labels: ['a', 'a', 'b'] })), /duplicate labels/);
    assert.throws(() => parseSvmModel(broken({ weights: model.weights.slice(1) })), /weights do not match/);
    assert.throws(() => parseSvmModel(broken({ bias: [0, 0, 'x'] })), /bad bias/);
    assert.throws(
      () => parseSvmModel(broken({ platt: [{ a: 1 }, { a: 1, b: 1 }, { a: 1, b: 1 }] })),
      /bad platt/,
    );
  });

  it('trains 100 identities x 10 photos x 1024-d (timing printed, not asserted)', () => {
    const { train, test } = split(100, 10, 1024, 2.0, 2);
    const start = performance.now();
    let stats: OvrStats | undefined;
    const model = trainSvm(train, { onStats: (s) => (stats = s) });
    const seconds = (performance.now() - start) / 1000;
    console.log(`# trainSvm: 100 x 10 x 1024 in ${seconds.toFixed(2)} s, ${JSON.stringify(stats)}`);
    assert.ok(accuracy(model, test) > 0.9, `accuracy ${accuracy(model, test)}`);
  });
});
