import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centre, centroid, shrunkMean } from '../../src/classifier/centering.ts';
import {
  DEFAULT_SAME_THRESHOLD,
  type GalleryIdentity,
  Matcher,
  type MatcherJSON,
} from '../../src/classifier/matcher.ts';
import { cosine, decodeFloat32, encodeFloat32, similarity } from '../../src/util/vectors.ts';
import { centroidClassifier, nearestNeighbour } from '../../tools/lib/baselines.ts';
import { syntheticGallery } from '../support/synthetic.ts';

function gallery(identities: number, perIdentity: number, photoSpread = 0.8, dim = 128) {
  return syntheticGallery({ identities, perIdentity, dim, photoSpread, seed: 100 + identities });
}

/** x scaled to unit length. */
function unit(x: Float32Array): Float32Array {
  const n = Math.hypot(...x);
  return x.map((v) => v / n);
}

/** Nearest-photo similarity of x to an identity, computed directly. */
function nearestSimilarity(identity: GalleryIdentity, x: Float32Array): number {
  return Math.max(...identity.embeddings.map((e) => similarity(e, x)));
}

function perturbed(x: Float32Array, amount: number, seed: number): Float32Array {
  const v = Float32Array.from(x, (value, j) => Math.max(0, value + amount * Math.sin(seed * 7.1 + j * 1.3)));
  const norm = Math.sqrt(cosine(v, v));
  return v.map((value) => value / norm);
}

describe('similarity', () => {
  it('is the dot product of normalised vectors, clamped to [0, 1]', () => {
    const a = Float32Array.of(0.6, 0.8);
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-6);
    assert.ok(Math.abs(cosine(a, [0.8, 0.6]) - 0.96) < 1e-6);
    assert.ok(Math.abs(similarity(a, [0.8, 0.6]) - 0.96) < 1e-6);
    assert.equal(similarity([1, 0], [-1, 0]), 0);
    assert.equal(similarity([1, 0], [2, 0]), 1);
    assert.throws(() => cosine([1, 0], [1]), /vectors of 2 and 1 values/);
  });
});

describe('embedding codec', () => {
  it('round-trips float32 vectors exactly through base64', () => {
    const vectors = [Float32Array.of(0.1, -2.5, 3e-8), Float32Array.of(1, 0, Number.MAX_VALUE)];
    const text = encodeFloat32(vectors);
    assert.equal(typeof text, 'string');
    assert.deepEqual(decodeFloat32(text, 3, 2), vectors);
    assert.throws(() => decodeFloat32(text, 3, 3), /expected 3 vectors of 3 float32s, got 24 bytes/);
  });
});

describe('Matcher', () => {
  it('answers none for an empty gallery, or one whose identities have no photos', () => {
    for (const identities of [[], [{ slug: 'a', name: 'A', embeddings: [] }]]) {
      const m = Matcher.train(identities);
      assert.equal(m.size, 0);
      assert.equal(m.method, 'none');
      assert.deepEqual(m.identify(Float32Array.of(1, 0)), {
        method: 'none',
        match: null,
        top: [],
        sameScore: -1,
      });
      assert.deepEqual(Matcher.fromJSON(JSON.parse(JSON.stringify(m.toJSON())), identities).identify([1]), {
        method: 'none',
        match: null,
        top: [],
        sameScore: -1,
      });
    }
  });

  it('falls back to similarity with one identity: confidence is the nearest-photo similarity', () => {
    const g = gallery(2, 4);
    const only = g.identities[0]!;
    // As in the app, a prior mean face (here: of the whole synthetic population) centres the scores.
    const m = Matcher.train([only], {
      prior: shrunkMean(
        g.identities.flatMap((i) => i.embeddings),
        null,
      ),
    });
    assert.equal(m.method, 'similarity');
    const same = perturbed(only.embeddings[1]!, 0.002, 1);
    const r = m.identify(same);
    assert.equal(r.method, 'similarity');
    assert.equal(r.top.length, 1);
    assert.equal(r.match?.slug, only.slug);
    assert.equal(r.match?.name, only.name);
    assert.ok(Math.abs(r.match!.similarity - nearestSimilarity(only, same)) < 1e-12);
    assert.equal(r.match!.confidence, r.match!.similarity);
    assert.ok(r.match!.similarity > 0.99 && r.match!.same);
    // A face of someone else is still answered (it is the only identity), but not as the same person.
    const stranger = g.identities[1]!.embeddings[0]!;
    const s = m.identify(stranger);
    assert.equal(s.match?.slug, only.slug);
    assert.ok(s.sameScore < m.sameThreshold && !s.match!.same);
  });

  it('uses the SVM from two identities on, with confidences over the candidates', () => {
    const g = gallery(2, 5);
    const m = Matcher.train(g.identities);
    assert.equal(m.method, 'svm');
    for (const [k, identity] of g.identities.entries()) {
      for (const photo of g.photos(k, 3)) {
        const r = m.identify(photo);
        assert.equal(r.method, 'svm');
        assert.equal(r.match?.slug, identity.slug);
        assert.equal(r.top.length, 2);
        assert.ok(Math.abs(r.top[0]!.confidence + r.top[1]!.confidence - 1) < 1e-9);
        assert.ok(r.top[0]!.confidence > 0.5);
      }
    }
  });

  it('returns the 3 most probable identities, best first, each with its nearest-photo similarity', () => {
    const g = gallery(8, 6, 1.2);
    const m = Matcher.train(g.identities);
    let correct = 0;
    for (const [k, identity] of g.identities.entries()) {
      const photo = g.photos(k, 1)[0]!;
      const r = m.identify(photo);
      assert.equal(r.top.length, 3);
      assert.deepEqual(r.match && { ...r.match, same: undefined }, { ...r.top[0]!, same: undefined });
      for (let i = 1; i < 3; i++) assert.ok(r.top[i - 1]!.confidence >= r.top[i]!.confidence);
      for (const candidate of r.top) {
        const enrolled = g.identities.find((x) => x.slug === candidate.slug)!;
        assert.equal(candidate.name, enrolled.name);
        assert.ok(Math.abs(candidate.similarity - nearestSimilarity(enrolled, photo)) < 1e-12);
        assert.ok(candidate.confidence > 0 && candidate.confidence < 1);
      }
      if (r.match?.slug === identity.slug) correct++;
    }
    assert.equal(correct, 8);
  });

  it('calls a face the same person only when close enough and the classifier agrees', () => {
    const g = gallery(3, 8, 0.6);
    const [a, b, c] = g.identities as [GalleryIdentity, GalleryIdentity, GalleryIdentity];
    // Close to an enrolled photo of A: same person, unless the threshold is out of reach.
    const nearA = perturbed(a.embeddings[0]!, 0.002, 2);
    assert.equal(Matcher.train(g.identities).identify(nearA).match?.same, true);
    assert.equal(Matcher.train(g.identities, { sameThreshold: 1.01 }).identify(nearA).match?.same, false);
    // A new photo of A is A, but farther than any enrolled photo: not the same person at 0.99.
    const newA = g.photos(0, 1)[0]!;
    const strict = Matcher.train(g.identities, { sameThreshold: 0.99 }).identify(newA);
    assert.equal(strict.match?.slug, a.slug);
    assert.equal(strict.match?.same, false);
    // Between two people the classifier and the centred centroids may disagree; then it is never "same",
    // however high the score, and otherwise it is "same" exactly when the score reaches the threshold.
    // Unanchored, so that the SVM strays from the centroids' ranking more often.
    const m = Matcher.train(g.identities, { sameThreshold: -1, C: 1, anchor: 0 });
    const mean = shrunkMean(
      g.identities.flatMap((i) => i.embeddings),
      null,
    );
    const centroids = g.identities.map((i) => centroid(i.embeddings.map((e) => centre(e, mean))));
    let disagreements = 0;
    for (let k = 0; k < 40; k++) {
      const mix = unit(
        a.embeddings[k % 8]!.map((v, j) => v * (k / 40) + b.embeddings[(k + 3) % 8]![j]! * (1 - k / 40)),
      );
      const r = m.identify(mix);
      const x = centre(mix, mean);
      const scores = centroids.map((cen) => cosine(cen, x));
      const byCentroid = g.identities[scores.indexOf(Math.max(...scores))]!.slug;
      if (byCentroid !== r.match?.slug) disagreements++;
      assert.equal(r.match?.same, byCentroid === r.match?.slug, `mix ${k}`);
    }
    assert.ok(disagreements > 0, 'the mixtures include cases where the two rules disagree');
    assert.ok(c.embeddings.length > 0);
  });

  it('round-trips through plain JSON with identical answers, storing no embeddings', () => {
    const g = gallery(5, 4, 1.0);
    const m = Matcher.train(g.identities, { sameThreshold: 0.8 });
    const json = m.toJSON();
    assert.equal(json.kind, 'lookalike-matcher');
    assert.deepEqual(Object.keys(json.identities[0]!).sort(), ['count', 'name', 'slug']);
    // The weights are float16: 2 bytes per weight, fewer than the 4 per value of the embeddings.
    const text = JSON.stringify(json);
    const embeddingBytes = g.identities.reduce((n, i) => n + i.embeddings.length * 128 * 4, 0);
    assert.ok(text.length < 5 * 128 * 2 * 1.4 + 4000, `${text.length} characters`);
    assert.ok(
      !text.includes(Buffer.from(g.identities[0]!.embeddings[0]!.buffer).toString('base64').slice(0, 40)),
    );
    assert.ok(embeddingBytes > 0);
    const restored = Matcher.fromJSON(JSON.parse(text), g.identities, { sameThreshold: 0.8 });
    assert.equal(restored.size, 5);
    for (let k = 0; k < 5; k++) {
      for (const photo of g.photos(k, 2)) assert.deepEqual(restored.identify(photo), m.identify(photo));
    }
    // The threshold is a runtime setting, not part of the stored model.
    assert.equal(Matcher.fromJSON(json, g.identities).sameThreshold, DEFAULT_SAME_THRESHOLD);
    const one = Matcher.train([g.identities[0]!]);
    const face = g.photos(0, 1)[0]!;
    assert.deepEqual(
      Matcher.fromJSON(JSON.parse(JSON.stringify(one)), [g.identities[0]!]).identify(face),
      one.identify(face),
    );
  });

  it('rejects stored matchers that are not valid or were trained on other photos', () => {
    const g = gallery(3, 2);
    const json = JSON.parse(JSON.stringify(Matcher.train(g.identities).toJSON())) as MatcherJSON;
    const broken = (patch: Partial<MatcherJSON>): unknown => ({ ...json, ...patch });
    const ids = g.identities;
    assert.throws(() => Matcher.fromJSON('nope', ids), /not an object/);
    assert.throws(() => Matcher.fromJSON(broken({ version: 2 as 3 }), ids), /unknown kind/);
    assert.throws(() => Matcher.fromJSON(broken({ svm: null }), ids), /not a valid SVM model/);
    const renamed = ids.map((x, i) => (i === 0 ? { ...x, slug: 'someone-else' } : x));
    assert.throws(() => Matcher.fromJSON(json, renamed), /trained on other identities/);
    const more = ids.map((x, i) => (i === 0 ? { ...x, embeddings: [...x.embeddings, x.embeddings[0]!] } : x));
    assert.throws(() => Matcher.fromJSON(json, more), /trained on other identities/);
    const weights = { ...json.svm!, weights: json.svm!.weights.slice(8) };
    assert.throws(() => Matcher.fromJSON(broken({ svm: weights }), ids), /float16s/);
    const single = { ...json, identities: json.identities.slice(0, 1) };
    assert.throws(
      () => Matcher.fromJSON(single, ids.slice(0, 1)),
      /a classifier needs at least 2 identities/,
    );
  });

  it('trains 10,000 synthetic identities through candidates and the sketch, and names their new photos', () => {
    // Low-dimensional so that the test stays short; the sizes that matter are the identity count
    // (past the 2,048 exactly scored: a sketch shortlists) and the candidate-restricted problems.
    const g = gallery(10_000, 2, 0.3, 32);
    const m = Matcher.train(g.identities);
    assert.equal(m.method, 'svm');
    assert.ok(m.summary.supportVectors > 0);
    const byCentroid = centroidClassifier(g.identities);
    let right = 0;
    let centroidRight = 0;
    for (let k = 0; k < 10_000; k += 50) {
      const photo = g.photos(k, 1)[0]!;
      if (m.identify(photo).match?.slug === g.identities[k]!.slug) right++;
      if (byCentroid(photo)?.slug === g.identities[k]!.slug) centroidRight++;
    }
    // Measured: 199 of 200, the centroid rule 198. Before the anchor (C = 1, regularised towards 0)
    // 192: one-vs-rest hyperplanes trained against ~60 crowded neighbours lost to the centroid.
    assert.ok(right >= centroidRight, `top-1 ${right} of 200, centroid ${centroidRight}`);
  });

  it('rejects bad galleries and queries', () => {
    const g = gallery(2, 2);
    const [a, b] = g.identities as [GalleryIdentity, GalleryIdentity];
    assert.throws(() => Matcher.train([a, { ...b, slug: a.slug }]), /duplicate identity slug/);
    assert.throws(
      () => Matcher.train([a, { ...b, embeddings: [new Float32Array(3)] }]),
      /embedding of 3 values, expected 128/,
    );
    const m = Matcher.train([a, b]);
    assert.throws(() => m.identify(new Float32Array(5)), /expected an embedding of 128 values, got 5/);
    assert.throws(() => m.identify(new Float32Array(128).fill(Number.NaN)), /non-finite/);
  });
});

describe('evaluation helpers', () => {
  it('name the identity of the nearest photo, and of the nearest mean embedding', () => {
    const g = gallery(6, 5, 1.0);
    const byCentroid = centroidClassifier(g.identities);
    for (const [k, identity] of g.identities.entries()) {
      const photo = g.photos(k, 1)[0]!;
      const nn = nearestNeighbour(g.identities, photo);
      assert.equal(nn?.slug, identity.slug);
      assert.ok(Math.abs(nn!.similarity - nearestSimilarity(identity, photo)) < 1e-12);
      assert.equal(byCentroid(photo)?.slug, identity.slug);
    }
    // An enrolled photo is its own nearest neighbour.
    const enrolled = g.identities[2]!.embeddings[3]!;
    assert.ok(
      Math.abs(nearestNeighbour(g.identities, enrolled)!.cosine - cosine(enrolled, enrolled)) < 1e-12,
    );
    assert.equal(nearestNeighbour([], enrolled), null);
    assert.equal(centroidClassifier([{ slug: 'x', name: 'X', embeddings: [] }])(enrolled), null);
  });

  it('renormalise the mean embedding', () => {
    const identity = { slug: 'a', name: 'A', embeddings: [Float32Array.of(1, 0), Float32Array.of(0, 1)] };
    const r = centroidClassifier([identity])(Float32Array.of(Math.SQRT1_2, Math.SQRT1_2));
    assert.ok(Math.abs(r!.cosine - 1) < 1e-6);
  });
});
