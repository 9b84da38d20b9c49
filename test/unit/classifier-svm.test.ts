import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitConfidence } from '../../src/classifier/calibration.ts';
import { solveBinary } from '../../src/classifier/linear-svm.ts';
import { membersOf, nearestClasses } from '../../src/classifier/shortlist.ts';
import { confidences, type SvmModel, type SvmStats, trainSvm, unitMeans } from '../../src/classifier/svm.ts';
import { svmFromJSON, svmToJSON } from '../../src/classifier/svm-codec.ts';
import { Rng } from '../../src/util/rng.ts';
import { Sketch } from '../../src/util/sketch.ts';
import { topK } from '../../src/util/top-k.ts';
import { decodeFloat16, encodeFloat16, roundFloat16 } from '../../src/util/vectors.ts';
import { syntheticGallery } from '../support/synthetic.ts';

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

/** Confidences over every class, for a few classes' tests. */
function proba(m: SvmModel, x: Float32Array): Float64Array {
  return confidences(
    m,
    x,
    Int32Array.from(m.labels, (_, i) => i),
  );
}

/** Softmax in place, for generating labels. */
function softmaxInPlace(z: Float64Array): Float64Array {
  const max = Math.max(...z);
  let sum = 0;
  for (let t = 0; t < z.length; t++) sum += z[t] = Math.exp(z[t]! - max);
  for (let t = 0; t < z.length; t++) z[t] = z[t]! / sum;
  return z;
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

function accuracy(m: SvmModel, probes: Data['probes']): number {
  return probes.filter((p) => argmax(proba(m, p.e)) === p.c).length / probes.length;
}

describe('solveBinary (dual coordinate descent)', () => {
  it('finds the maximum-margin line of two points, and a point it cannot move', () => {
    const x = [Float32Array.of(1, 0), Float32Array.of(-1, 0)];
    for (const loss of ['hinge', 'squared-hinge'] as const) {
      const s = solveBinary(
        { x, dim: 2, rows: Int32Array.of(0, 1), y: Int8Array.of(1, -1), cost: Float64Array.of(100, 100) },
        { loss, eps: 1e-6, maxIter: 1000, bias: 1, rng: new Rng(1) },
      );
      // min ½|w|² subject to y(w·x) ≥ 1: w = (1, 0), b = 0 (the squared hinge is slightly inside).
      assert.ok(
        Math.abs(s.w[0]! - 1) < 0.02 && Math.abs(s.w[1]!) < 1e-9 && Math.abs(s.b) < 1e-6,
        `${s.w} ${s.b}`,
      );
      assert.equal(s.supportVectors, 2);
    }
  });

  it('treats duplicate photos as one heavier photo, without dividing by zero', () => {
    const a = Float32Array.of(0.6, 0.8);
    const b = Float32Array.of(0.8, 0.6);
    const x = [a, a, a, b];
    const s = solveBinary(
      {
        x,
        dim: 2,
        rows: Int32Array.of(0, 1, 2, 3),
        y: Int8Array.of(1, 1, 1, -1),
        cost: new Float64Array(4).fill(100),
      },
      { loss: 'squared-hinge', eps: 1e-6, maxIter: 1000, bias: 1, rng: new Rng(3) },
    );
    const f = (v: Float32Array) => s.w[0]! * v[0]! + s.w[1]! * v[1]! + s.b;
    assert.ok(f(a) > 0 && f(b) < 0, `f(a) ${f(a)}, f(b) ${f(b)}`);
    assert.ok(s.w.every(Number.isFinite));
  });

  it('with an anchor w₀, solves min ½|w − w₀|² + ½b² + Σ C_i ξ_i² (the primal gradient vanishes)', () => {
    const rng = new Rng(5);
    const dim = 16;
    const x = Array.from({ length: 40 }, () => Float32Array.from({ length: dim }, () => rng.next() - 0.5));
    const y = Int8Array.from(x, (v) => (v[0]! + 0.3 * (rng.next() - 0.5) > 0 ? 1 : -1));
    const cost = Float64Array.from(x, (_, i) => 0.5 + (i % 3));
    const anchor = Float32Array.from({ length: dim }, (_, j) => (j === 1 ? 3 : 0));
    const rows = Int32Array.from(x, (_, i) => i);
    const settings = { loss: 'squared-hinge', eps: 1e-8, maxIter: 10000, bias: 1, rng: new Rng(2) } as const;
    const s = solveBinary({ x, dim, rows, y, cost, anchor }, settings);
    const plain = solveBinary({ x, dim, rows, y, cost }, settings);
    // ∂/∂w = w − w₀ − Σ 2 C_i ξ_i y_i x_i and ∂/∂b = b − Σ 2 C_i ξ_i y_i, ξ_i = max(0, 1 − y_i f(x_i)).
    const gw = Float64Array.from(s.w, (v, j) => v - anchor[j]!);
    let gb = s.b;
    x.forEach((v, i) => {
      let f = s.b;
      for (let j = 0; j < dim; j++) f += s.w[j]! * v[j]!;
      const pull = 2 * cost[i]! * Math.max(0, 1 - y[i]! * f) * y[i]!;
      for (let j = 0; j < dim; j++) gw[j]! -= pull * v[j]!;
      gb -= pull;
    });
    const worst = Math.max(Math.abs(gb), ...Array.from(gw, Math.abs));
    assert.ok(worst < 1e-3, `primal gradient up to ${worst}`);
    // x[1] says nothing of y: the anchor keeps a weight there that the origin's solution lacks.
    assert.ok(s.w[1]! > 0.5 && Math.abs(plain.w[1]!) < 0.3, `w[1] = ${s.w[1]}, unanchored ${plain.w[1]}`);
  });
});

describe('trainSvm', () => {
  it('classifies separable 128-d clusters perfectly, with confidences that sum to at most 1', () => {
    const d = data(8, 10, 128, 0.5);
    const m = trainSvm(d.rows, d.classOf, d.labels);
    assert.equal(accuracy(m, d.probes), 1);
    assert.ok(Number.isFinite(m.none), 'strangers were held out: nobody has a level');
    for (const p of d.probes) {
      const q = proba(m, p.e);
      assert.ok(q.reduce((a, b) => a + b, 0) <= 1 + 1e-9);
      assert.ok(q[p.c]! > 0.5, `p = ${q[p.c]}`);
    }
  });

  it('trains 2 identities as one problem, mirrored, and a one-photo identity beside a pack', () => {
    const d = data(2, 6, 64, 0.8);
    const m = trainSvm(d.rows, d.classOf, d.labels);
    for (let j = 0; j < 64; j++) assert.equal(m.weights[64 + j], -m.weights[j]!);
    assert.equal(accuracy(m, d.probes), 1);
    // Identity 1 keeps one photo of 6; balanced weights still give it its own probes.
    const keep = d.rows.map((_, i) => d.classOf[i] === 0 || i === 6);
    const lop = trainSvm(
      d.rows.filter((_, i) => keep[i]),
      d.classOf.filter((_, i) => keep[i]),
      d.labels,
    );
    assert.equal(accuracy(lop, d.probes), 1);
  });

  it('names one-photo identities among many', () => {
    const d = data(30, 1, 128, 0.5, 3);
    const m = trainSvm(d.rows, d.classOf, d.labels);
    assert.ok(accuracy(m, d.probes) >= 0.95, `top-1 ${accuracy(m, d.probes)}`);
    assert.ok(m.temperature > 0 && Number.isFinite(m.none), 'only strangers could be held out');
  });

  it('calibrates: its confidence follows its accuracy on enrolled faces, and is low for strangers', () => {
    // About 85 % top-1 on 20 enrolled identities; 5 more identities are never enrolled.
    const d = data(25, 8, 256, 1.9, 10);
    const enrolled = d.rows.flatMap((_, i) => (d.classOf[i]! < 20 ? [i] : []));
    const m = trainSvm(
      enrolled.map((i) => d.rows[i]!),
      Int32Array.from(enrolled, (i) => d.classOf[i]!),
      d.labels.slice(0, 20),
    );
    const known = d.probes.filter((p) => p.c < 20);
    const acc = accuracy(m, known);
    const confidence = known.reduce((s, p) => s + Math.max(...proba(m, p.e)), 0) / known.length;
    assert.ok(acc > 0.6 && acc < 0.98, `accuracy ${acc}`);
    assert.ok(Math.abs(confidence - acc) < 0.1, `mean confidence ${confidence} vs accuracy ${acc}`);
    const strangers = d.probes.filter((p) => p.c >= 20);
    const strange = strangers.reduce((s, p) => s + Math.max(...proba(m, p.e)), 0) / strangers.length;
    assert.ok(strange < confidence - 0.2, `strangers ${strange}, enrolled ${confidence}`);
  });

  it('keeps classes comparable when each trains against its candidates only', () => {
    // 300 identities, 8 candidates each: faces are answered over their nearest centroids, so a
    // class whose bias drifted up would win faces it never trained against.
    const d = data(300, 6, 64, 0.6, 1);
    const m = trainSvm(d.rows, d.classOf, d.labels, { k: 8 });
    assert.equal(m.full, false);
    const mean = unitMeans(d.rows, [Int32Array.from(d.rows, (_, i) => i)], 64);
    const dirs = unitMeans(d.rows, membersOf(d.classOf, 300), 64, mean);
    let right = 0;
    for (const p of d.probes) {
      const scores = Array.from({ length: 300 }, (_, c) =>
        dirs.subarray(c * 64, (c + 1) * 64).reduce((s, v, j) => s + v * (p.e[j]! - mean[j]!), 0),
      );
      const near = topK(scores, 300, 8);
      if (near[argmax(confidences(m, p.e, near))] === p.c) right++;
    }
    assert.ok(right / d.probes.length > 0.97, `top-1 ${right / d.probes.length}`);
  });

  it('retrains only the changed classes and their rivals after an enrolment, agreeing with a full retrain', () => {
    const d = data(120, 6, 64, 0.6, 2);
    const options = { k: 8 };
    const first = trainSvm(d.rows.slice(0, 714), d.classOf.slice(0, 714), d.labels.slice(0, 119), options);
    let stats: SvmStats | undefined;
    const warm = trainSvm(d.rows, d.classOf, d.labels, {
      ...options,
      previous: first,
      onStats: (s) => (stats = s),
    });
    const full = trainSvm(d.rows, d.classOf, d.labels, options);
    assert.ok(stats?.warm, `warm start: ${JSON.stringify(stats)}`);
    assert.equal(stats.changedClasses, 1);
    assert.ok(stats.trainedClasses < 40, `trained ${stats.trainedClasses} of 120 classes`);
    let kept = 0;
    for (let c = 0; c < 119; c++) {
      if (warm.weights.subarray(c * 64, (c + 1) * 64).every((v, j) => v === first.weights[c * 64 + j]))
        kept++;
    }
    assert.ok(kept >= 119 - stats.trainedClasses, `${kept} classes kept their weights`);
    let agree = 0;
    for (const p of d.probes) if (argmax(proba(warm, p.e)) === argmax(proba(full, p.e))) agree++;
    assert.ok(agree / d.probes.length >= 0.97, `agreement ${agree / d.probes.length}`);
    assert.ok(
      d.probes.filter((p) => p.c === 119).every((p) => argmax(proba(warm, p.e)) === 119),
      'the newcomer is named',
    );
  });

  it('trains from scratch when too much changed, the settings differ, or the gallery is small', () => {
    const d = data(100, 3, 32, 0.8);
    const options = { k: 8 };
    const first = trainSvm(d.rows, d.classOf, d.labels, options);
    let stats: SvmStats | undefined;
    const renamed = d.labels.map((l, i) => (i < 10 ? `${l}-renamed` : l));
    trainSvm(d.rows, d.classOf, renamed, { ...options, previous: first, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, false);
    trainSvm(d.rows, d.classOf, d.labels, { ...options, previous: first, C: 3, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, false);
    trainSvm(d.rows, d.classOf, d.labels, { ...options, previous: first, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, true, 'nothing changed: a warm start with nothing to train');
    assert.equal(stats.trainedClasses, 0);
    const small = data(10, 3, 32, 0.8);
    const before = trainSvm(small.rows, small.classOf, small.labels);
    trainSvm(small.rows, small.classOf, small.labels, { previous: before, onStats: (s) => (stats = s) });
    assert.equal(stats?.warm, false, 'every problem holds every photo: nothing to keep');
  });

  it('round-trips through JSON with float16 weights, identical answers and no embeddings', () => {
    const d = data(6, 5, 96, 1.0);
    const m = trainSvm(d.rows, d.classOf, d.labels);
    const json = svmToJSON(m);
    const text = JSON.stringify(json);
    assert.ok(text.length < (30 * 96 * 4 * 4) / 3, `${text.length} characters`);
    const restored = svmFromJSON(JSON.parse(text), d.labels);
    assert.deepEqual(restored, m);
    assert.throws(() => svmFromJSON({ ...json, kind: 'linear-softmax' }, d.labels), /unknown kind/);
    assert.throws(() => svmFromJSON({ ...json, temperature: 0 }, d.labels), /bad temperature/);
    assert.throws(() => svmFromJSON({ ...json, loss: 'log' }, d.labels), /bad loss/);
    assert.throws(() => svmFromJSON({ ...json, C: -1 }, d.labels), /C must be a positive number/);
    assert.throws(() => svmFromJSON({ ...json, anchor: Number.NaN }, d.labels), /anchor must be ≥ 0/);
    assert.throws(() => svmFromJSON({ ...json, k: 7 }, d.labels), /bad k/);
    assert.throws(() => svmFromJSON({ ...json, full: 'yes' }, d.labels), /bad full/);
    assert.throws(() => svmFromJSON({ ...json, candidates: json.fingerprints }, d.labels), /int32s/);
    assert.throws(
      () => svmFromJSON({ ...json, weights: encodeFloat16(new Float32Array(6 * 96).fill(1e6)) }, d.labels),
      /non-finite/,
    );
  });

  it('answers a non-finite decision value with no support instead of NaN', () => {
    const d = data(3, 4, 16, 0.5);
    const m = trainSvm(d.rows, d.classOf, d.labels);
    const broken = {
      ...m,
      none: Number.NEGATIVE_INFINITY,
      bias: Float64Array.of(Number.NaN, m.bias[1]!, Number.POSITIVE_INFINITY),
    };
    const q = confidences(broken, d.probes[0]!.e, [0, 1, 2]);
    assert.deepEqual(Array.from(q), [0, 1, 0]);
    const all = { ...m, bias: Float64Array.of(Number.NaN, Number.NaN, Number.NaN) };
    assert.deepEqual(Array.from(confidences(all, d.probes[0]!.e, [0, 1, 2])), [1 / 3, 1 / 3, 1 / 3]);
  });

  it('refuses fewer than 2 classes and bad options', () => {
    const d = data(2, 3, 16, 0.5);
    assert.throws(() => trainSvm(d.rows.slice(0, 3), d.classOf.slice(0, 3), ['only']), /at least 2 classes/);
    assert.throws(() => trainSvm(d.rows, d.classOf, d.labels, { C: 0 }), /C must be a positive number/);
    assert.throws(() => trainSvm(d.rows, d.classOf, d.labels, { anchor: -1 }), /anchor must be ≥ 0/);
    assert.throws(() => trainSvm(d.rows, d.classOf, d.labels, { k: 0 }), /bad k/);
  });
});

describe('fitConfidence', () => {
  it('recovers the temperature and the level of nobody that generated the labels', () => {
    const rng = new Rng(4);
    const k = 5;
    const truth = { temperature: 0.5, none: 0.8 };
    const samples: { z: number[]; y: number; weight: number }[] = [];
    for (let i = 0; i < 6000; i++) {
      const z = Array.from({ length: k }, () => 3 * (rng.next() - 0.5));
      // Nobody is option k, with decision value `none`.
      const p = softmaxInPlace(Float64Array.from([...z, truth.none], (v) => v / truth.temperature));
      let u = rng.next();
      let y = 0;
      while (y < k && u > p[y]!) u -= p[y++]!;
      samples.push({ z, y: y === k ? -1 : y, weight: 1 });
    }
    const fit = fitConfidence(samples);
    assert.ok(Math.abs(fit.temperature - truth.temperature) < 0.05, `temperature ${fit.temperature}`);
    assert.ok(Math.abs(fit.none - truth.none) < 0.1, `none ${fit.none}`);
    const known = fitConfidence(samples.filter((s) => s.y >= 0));
    assert.equal(known.none, Number.NEGATIVE_INFINITY, 'no strangers: no level for nobody');
    assert.deepEqual(fitConfidence([]), { temperature: 1, none: Number.NEGATIVE_INFINITY });
    // A prior holds a fit of few faces near it, and yields to many.
    const prior = { fit: { temperature: 2, none: -1 }, weight: 1 };
    const few = fitConfidence(samples.slice(0, 5), { ...prior, weight: 100 });
    assert.ok(
      Math.abs(few.temperature - 2) < 0.1 && Math.abs(few.none + 1) < 0.1,
      `few: ${JSON.stringify(few)}`,
    );
    const many = fitConfidence(samples, prior);
    assert.ok(Math.abs(many.temperature - truth.temperature) < 0.05, `many: temperature ${many.temperature}`);
    assert.ok(Math.abs(many.none - truth.none) < 0.1, `many: none ${many.none}`);
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

  it('decodes every one of the 65,536 bit patterns to its IEEE value (natively where Node has float16 arrays)', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, h) => h);
    const decoded = decodeFloat16(Buffer.from(bits.buffer).toString('base64'), bits.length);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >>> 10) & 0x1f;
      const mant = h & 0x3ff;
      const want =
        exp === 0
          ? sign * mant * 2 ** -24
          : exp === 0x1f
            ? mant
              ? Number.NaN
              : sign * Number.POSITIVE_INFINITY
            : sign * (1 + mant / 1024) * 2 ** (exp - 15);
      assert.ok(Object.is(decoded[h], Math.fround(want)), `0x${h.toString(16)}: ${decoded[h]}, want ${want}`);
    }
    // The stored form is what a model answers with after a restart: rounding agrees with decoding.
    const finite = decoded.filter(Number.isFinite);
    assert.deepEqual(roundFloat16(Float32Array.from(finite)), finite);
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
