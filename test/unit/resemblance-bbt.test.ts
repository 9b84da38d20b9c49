// Resemblance on real photos (../shared/data/bbt) with the real engine: the engine's entry for cut-out
// face images embeds a thumbnail as `analyze` embedded its face, in one batch, and a probe's match is
// explained by occlusion, region shares adding up to 1, the same on demand as inline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreService } from '../../src/core/service.ts';
import type { FaceEngine } from '../../src/domain/face.ts';
import { REGIONS } from '../../src/domain/regions.ts';
import { createFaceEngine } from '../../src/engine/index.ts';
import { Gallery, slugify } from '../../src/gallery/index.ts';
import { faceImage } from '../../src/resemblance/explainer.ts';
import { dot } from '../../src/resemblance/occlusion.ts';
import { thumbnailLandmarks } from '../../src/resemblance/thumbnail-frame.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { dataDir, people } from '../fixtures/data.ts';

const BBT = path.join(dataDir(), 'bbt');
const cast = people(BBT);

describe('resemblance on bbt (real engine)', { timeout: 600_000 }, () => {
  let engine: FaceEngine;
  let store: Store;
  let service: CoreService;
  let gallery: Gallery;

  before(async () => {
    engine = await createFaceEngine({ backend: 'onnx', inline: true, log: () => {} });
    store = await openStore('memory://');
    gallery = new Gallery(store);
    service = new CoreService(engine, gallery);
    // Four photos of each person enrolled; the fifth is the probe.
    const batches = cast.map((person) => ({
      name: person.name,
      images: person.files
        .slice(0, 4)
        .map((file) => ({ name: file, data: new Uint8Array(readFileSync(file)) })),
    }));
    await service.enrollMany('global', batches, 'cli');
  });

  after(async () => {
    await store.close();
    await engine.close();
  });

  it('stored every enrolled photo with its landmarks', async () => {
    const snapshot = await gallery.snapshot('global');
    const photos = snapshot.identities.flatMap((i) => i.photos);
    assert.equal(photos.length, cast.length * 4);
    assert.ok(photos.every((p) => p.landmarks?.length === 136));
  });

  it('embeds a thumbnail as analyze embedded its face, the same in a batch as alone', async () => {
    const analysis = await engine.analyze(new Uint8Array(readFileSync(cast[0]!.files[4]!)));
    const face = analysis.faces[0]!;
    const image = await faceImage(face.thumbnail, (await thumbnailLandmarks(face, analysis))!);
    const other = (await gallery.snapshot('global')).identities[1]!.photos[0]!;
    const second = await faceImage(other.thumbnail, other.landmarks!);
    const [alone] = await engine.embedFaceImages!([image]);
    const batch = await engine.embedFaceImages!([second, image]);
    assert.ok(
      dot(alone!, face.embedding) > 0.95,
      `cosine to the photo's own embedding: ${dot(alone!, face.embedding)}`,
    );
    assert.ok(Math.abs(dot(alone!, alone!) - 1) < 1e-4, 'unit length');
    for (let i = 0; i < alone!.length; i++) assert.ok(Math.abs(alone![i]! - batch[1]![i]!) < 1e-4);
  });

  it('explains a probe by region shares that add up to 1, the same on demand as inline', async () => {
    const person = cast[2]!;
    const probe = new Uint8Array(readFileSync(person.files[4]!));
    const result = await service.identify('global', probe);
    const answer = result.faces[0]!;
    assert.equal(answer.match?.slug, slugify(person.name));
    assert.equal(answer.match?.resemblance, undefined);
    const explained = (await service.explain(answer.explainId!))!;
    const regions = explained.match.resemblance.regions;
    assert.ok(regions.length >= 2, JSON.stringify(regions));
    for (const r of regions) assert.ok(REGIONS.includes(r.region) && r.share > 0);
    assert.ok(Math.abs(regions.reduce((a, r) => a + r.share, 0) - 1) < 1e-9);
    const shares = regions.map((r) => r.share);
    assert.deepEqual(
      shares,
      [...shares].sort((a, b) => b - a),
    );
    const inline = await service.identify('global', probe, { explain: true });
    assert.deepEqual(
      inline.faces[0]!.match!.resemblance!.regions.map((r) => r.region),
      regions.map((r) => r.region),
    );
  });
});
