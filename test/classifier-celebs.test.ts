import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { celebEmbeddings } from '../scripts/lib/celebs.ts';
import { decodeFloat32 } from '../src/classifier/embedding-codec.ts';
import { Matcher } from '../src/classifier/matcher.ts';
import { predictProba, trainSvm } from '../src/classifier/svm.ts';
import { DEFAULT_TUNING, embeddingDim } from '../src/domain/tuning.ts';
import { readCalibration } from '../src/engine/calibration.ts';

// Real faces: ../shared/data/celebs (20 people x 20 crops), embedded by the engine (about 30 s);
// celebEmbeddings fails with where it looked when the photos are missing.
describe('classifier on the real celebrities', () => {
  it('names at least 97 % of new photos, no fewer than the one-vs-rest SVM did', async () => {
    const { people } = await celebEmbeddings();
    const split = people.map((p) => ({
      slug: p.name,
      name: p.name,
      embeddings: p.embeddings.slice(0, 10).filter((e): e is Float32Array => !!e),
      probes: p.embeddings.slice(10),
    }));
    const prior = decodeFloat32(readCalibration().prior, embeddingDim(DEFAULT_TUNING), 1)[0]!;
    const matcher = Matcher.train(split, { prior });
    const svm = trainSvm(
      split.flatMap((p) => p.embeddings.map((embedding) => ({ label: p.slug, embedding }))),
    );
    let ours = 0;
    let theirs = 0;
    let probes = 0;
    for (const p of split) {
      for (const e of p.probes) {
        probes++;
        if (!e) continue;
        if (matcher.identify(e).match?.slug === p.slug) ours++;
        const q = predictProba(svm, e);
        if (svm.labels[q.indexOf(Math.max(...q))] === p.slug) theirs++;
      }
    }
    assert.equal(probes, 200);
    assert.ok(ours >= theirs, `softmax ${ours} / 200, SVM ${theirs} / 200`);
    assert.ok(ours / probes >= 0.97, `softmax top-1 ${ours / probes}`);
  });
});
