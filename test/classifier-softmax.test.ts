import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFloat16, encodeFloat16, roundFloat16 } from '../src/classifier/embedding-codec.ts';
import { Rng } from '../src/classifier/rng.ts';
import { nearestClasses, Sketch, topK } from '../src/classifier/shortlist.ts';
import {
  type SoftmaxModel,
  type SoftmaxStats,
  scaledLogits,
  softmaxFromJSON,
  softmaxInPlace,
  softmaxToJSON,
  trainSoftmax,
  unitMeans,
} from '../src/classifier/softmax.ts';
import { fitTemperature, membersOf } from '../src/classifier/softmax-train.ts';
import { syntheticGallery } from './support/synthetic.ts';

interface Data {
  rows: Float32Array[];
  classOf: Int32Array;
  labels: string[];
  probes: { c: number; e: Float32Array }[];
}

function data(identities: number, per: number, dim: number, photoSpread: number, probesPer = 2): Data {
  const g = syntheticGallery({ identities, perIdentity: per, dim, photoSpread, seed: identities + dim });
  return {
    rows: g.identities.flatMap((i) => i.embeddings),
    classOf: Int32Array.from(g.identities.flatMap((i, c) => i.embeddings.map(() => c))),
    labels: g.identities.map((i) => i.slug),
    probes: g.identities.flatMap((_, c) => g.photos(c, probesPer).map((e) => ({ c, e }))),
  };
}

/** Probabilities over every class, for a few classes' tests. */
function proba(m: SoftmaxModel, x: Float32Array): Float64Array {
  return softmaxInPlace(
    scaledLogits(
      m,
      x,
      Int32Array.from(m.labels, (_, i) => i),
    ),
  );
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

function accuracy(m: SoftmaxModel, probes: Data['probes']): number {
  return probes.filter((p) => argmax(proba(m, p.e)) === p.c).length / probes.length;
}

describe('trainSoftmax', () => {
  it('classifies separable 128-d clusters perfectly, with probabilities that sum to 1', () => {
    const d = data(8, 10, 128, 0.5);
    const m = trainSoftmax(d.rows, d.classOf, d.labels);
    assert.equal(accuracy(m, d.probes), 1);
    for (const p of d.probes) {
      const q = proba(m, p.e);
      assert.ok(Math.abs(q.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.ok(q[p.c]! > 0.5, `p = ${q[p.c]}`);
    }
  });

  it('calibrates: on overlapping identities its confidence matches its accuracy', () => {
    // About 85 % top-1: a confidence of 1.0 everywhere would be 15 points off.
    const d = data(20, 8, 256, 1.9, 10);
    const m = trainSoftmax(d.rows, d.classOf, d.labels);
    const acc = accuracy(m, d.probes);
    const confidence = d.probes.reduce((s, p) => s + Math.max(...proba(m, p.e)), 0) / d.probes.length;
    assert.ok(acc > 0.6 && acc < 0.98, `accuracy ${acc}`);
    assert.ok(Math.abs(confidence - acc) < 0.08, `mean confidence ${confidence} vs accuracy ${acc}`);
    assert.ok(m.temperature > 0 && Number.isFinite(m.temperature));
  });

  it('keeps classes comparable when each trains against a few candidates only', () => {
    // 300 identities, 8 candidates each: faces are answered over their nearest centroids, so a
    // class whose bias drifted up would win faces it never trained against.
    const d = data(300, 6, 64, 0.6, 1);
    const m = trainSoftmax(d.rows, d.classOf, d.labels, { k: 8 });
    const dirs = unitMeans(d.rows, membersOf(d.classOf, 300), 64, m.offset);
    let right = 0;
    for (const p of d.probes) {
      const x = Float64Array.from(p.e, (v, j) => v - m.offset[j]!);
      const scores = Array.from({ length: 300 }, (_, c) =>
        dirs.subarray(c * 64, (c + 1) * 64).reduce((s, v, j) => s + v * x[j]!, 0),
      );
      const near = topK(scores, 300, 8);
      const q = softmaxInPlace(scaledLogits(m, p.e, near));
      if (near[argmax(q)] === p.c) right++;
    }
    assert.ok(right / d.probes.length > 0.97, `top-1 ${right / d.probes.length}`);
  });

  it('retrains only the changed classes after an enrolment, agreeing with a full retrain', () => {
    const d = data(60, 6, 64, 0.6, 2);
    // A fixed offset, as the app's prior mean face: a warm start needs the same centring.
    const all = [Int32Array.from(d.rows, (_, i) => i)];
    const offset = unitMeans(d.rows, all, 64, new Float64Array(64)).map((v) => v * 0.9);
    const options = { k: 8, offset };
    const first = trainSoftmax(d.rows.slice(0, 354), d.classOf.slice(0, 354), d.labels.slice(0, 59), options);
    let stats: SoftmaxStats | undefined;
    const warm = trainSoftmax(d.rows, d.classOf, d.labels, {
      ...options,
      previous: first,
      onStats: (s) => (stats = s),
    });
    const full = trainSoftmax(d.rows, d.classOf, d.labels, options);
    assert.ok(stats?.warm, `warm start: ${JSON.stringify(stats)}`);
    assert.equal(stats.changedClasses, 1);
    assert.ok(stats.trainedClasses < 30, `trained ${stats.trainedClasses} of 60 classes`);
    // Classes outside the block keep their weights exactly.
    let kept = 0;
    for (let c = 0; c < 59; c++) {
      const same = warm.weights
        .subarray(c * 64, (c + 1) * 64)
        .every((v, j) => v === first.weights[c * 64 + j]);
      if (same) kept++;
    }
    assert.ok(kept >= 59 - stats.trainedClasses, `${kept} classes kept their weights`);
    let agree = 0;
    for (const p of d.probes) if (argmax(proba(warm, p.e)) === argmax(proba(full, p.e))) agree++;
    assert.ok(
      agree / d.probes.length >= 0.95,
      `agreement ${agree / d.probes.length}, accuracy ${accuracy(full, d.probes)}`,
    );
    assert.ok(Math.abs(accuracy(warm, d.probes) - accuracy(full, d.probes)) <= 0.03);
    assert.ok(
      d.probes.filter((p) => p.c === 59).every((p) => argmax(proba(warm, p.e)) === 59),
      'the newcomer is named',
    );
  });

  it('trains from scratch when too much changed or the settings differ', () => {
    const d = data(10, 4, 32, 0.8);
    const first = trainSoftmax(d.rows, d.classOf, d.labels);
    let stats: SoftmaxStats | undefined;
    const shuffled = d.labels.map((l, i) => (i < 5 ? `${l}-renamed` : l));
    trainSoftmax(d.rows, d.classOf, shuffled, { previous: first, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, false);
    trainSoftmax(d.rows, d.classOf, d.labels, { previous: first, C: 3, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, false);
    trainSoftmax(d.rows, d.classOf, d.labels, { previous: first, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, true, 'nothing changed: a warm start with nothing to train');
    assert.equal(stats.trainedClasses, 0);
  });

  it('round-trips through JSON with float16 weights, identical answers and no embeddings', () => {
    const d = data(6, 5, 96, 1.0);
    const m = trainSoftmax(d.rows, d.classOf, d.labels);
    const json = softmaxToJSON(m);
    const text = JSON.stringify(json);
    // 6 x 96 weights at 2 bytes, in base64, plus small arrays: less than the 30 embeddings at 4 bytes.
    assert.ok(text.length < (30 * 96 * 4 * 4) / 3, `${text.length} characters`);
    const restored = softmaxFromJSON(JSON.parse(text));
    assert.deepEqual(restored, m);
    assert.throws(() => softmaxFromJSON({ ...json, kind: 'svm' }), /unknown kind/);
    assert.throws(() => softmaxFromJSON({ ...json, temperature: 0 }), /bad temperature/);
    assert.throws(() => softmaxFromJSON({ ...json, candidates: json.fingerprints }), /int32s/);
  });

  it('refuses fewer than 2 classes and bad options', () => {
    const d = data(2, 3, 16, 0.5);
    assert.throws(
      () => trainSoftmax(d.rows.slice(0, 3), d.classOf.slice(0, 3), ['only']),
      /at least 2 classes/,
    );
    assert.throws(() => trainSoftmax(d.rows, d.classOf, d.labels, { C: 0 }), /C must be a positive number/);
  });
});

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    const rng = new Rng(4);
    const k = 5;
    const truth = 0.5;
    const logits: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = Array.from({ length: k }, () => 3 * (rng.next() - 0.5));
      const p = softmaxInPlace(Float64Array.from(z, (v) => v / truth));
      let u = rng.next();
      let y = 0;
      while (y < k - 1 && u > p[y]!) u -= p[y++]!;
      // The true class goes first, as fitTemperature expects.
      logits.push(z[y]!, ...z.filter((_, t) => t !== y));
    }
    const t = fitTemperature(Float64Array.from(logits), k);
    assert.ok(Math.abs(t - truth) < 0.05, `temperature ${t}`);
  });
});

describe('float16 codec', () => {
  it('round-trips values to 3 significant digits, and rounding is idempotent', () => {
    const values = Float32Array.of(0, -0, 1, -2.5, 1e-3, Math.PI, 65504, 1e-6, -1234.5678);
    const decoded = decodeFloat16(encodeFloat16(values), values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      assert.ok(Math.abs(decoded[i]! - v) <= Math.max(Math.abs(v) * 1e-3, 6e-8), `${v} -> ${decoded[i]}`);
    }
    const rounded = roundFloat16(Float32Array.from(values));
    assert.deepEqual(rounded, decoded);
    assert.deepEqual(roundFloat16(Float32Array.from(rounded)), rounded);
    assert.equal(decodeFloat16(encodeFloat16([1e6]), 1)[0], Number.POSITIVE_INFINITY);
    assert.throws(() => decodeFloat16(encodeFloat16([1, 2]), 3), /expected 3 float16s/);
  });
});

describe('shortlist', () => {
  it('sketches preserve dot products of unit vectors to about 1/sqrt(size)', () => {
    const rng = new Rng(2);
    const dim = 1024;
    const unit = () => {
      const v = Float32Array.from({ length: dim }, () => rng.next() - 0.5);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const sketch = new Sketch(dim, 128);
    let worst = 0;
    for (let t = 0; t < 50; t++) {
      const a = unit();
      // From the same vector (cosine 1) to nearly unrelated ones.
      const b = a.map((v) => v + (t / 50) * (rng.next() - 0.5) * 0.06);
      const nb = Math.hypot(...b);
      const bn = b.map((v) => v / nb);
      const sa = new Float32Array(128);
      const sb = new Float32Array(128);
      sketch.apply(a, sa, 0);
      sketch.apply(bn, sb, 0);
      const exact = a.reduce((s, v, j) => s + v * bn[j]!, 0);
      const approx = sa.reduce((s, v, j) => s + v * sb[j]!, 0);
      worst = Math.max(worst, Math.abs(exact - approx));
    }
    assert.ok(worst < 0.35, `worst error ${worst}`);
  });

  it('finds the nearest classes through a sketch as exactly', () => {
    // 12 families of 10 classes in 256 dimensions (sketched to 128): every class's 5 nearest are
    // family members, and the sketch then a shortlist of 30 of the 120 must find them too.
    const rng = new Rng(8);
    const dim = 256;
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const families = Array.from({ length: 12 }, () => Float64Array.from({ length: dim }, gauss));
    const dirs = new Float32Array(120 * dim);
    for (let c = 0; c < 120; c++) {
      const v = Float64Array.from(families[c % 12]!, (g) => g + 0.7 * gauss());
      const n = Math.hypot(...v);
      for (let j = 0; j < dim; j++) dirs[c * dim + j] = v[j]! / n;
    }
    const exact = nearestClasses(dirs, 120, dim, 6);
    const sketched = nearestClasses(dirs, 120, dim, 6, 10, 30);
    let same = 0;
    for (let c = 0; c < 120; c++) {
      assert.equal(exact[c * 6], c);
      assert.equal(sketched[c * 6], c);
      const want = new Set(exact.subarray(c * 6, (c + 1) * 6));
      for (const j of sketched.subarray(c * 6, (c + 1) * 6)) {
        assert.equal(j % 12, c % 12, `class ${c}: neighbour ${j} is of another family`);
        if (want.has(j)) same++;
      }
    }
    assert.ok(same / (120 * 6) > 0.95, `overlap ${same / (120 * 6)}`);
  });

  it('topK returns the largest values best first, skipping one index', () => {
    assert.deepEqual([...topK([3, 9, 1, 9, 5], 5, 3)], [1, 3, 4]);
    assert.deepEqual([...topK([3, 9, 1, 9, 5], 5, 2, 1)], [3, 4]);
    assert.deepEqual([...topK([1, 2], 2, 5)], [1, 0]);
  });
});
