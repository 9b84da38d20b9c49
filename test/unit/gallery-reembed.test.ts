import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { byHash, stalePhotos } from '../../src/core/reembed.ts';
import { CoreService } from '../../src/core/service.ts';
import { embeddingDim } from '../../src/domain/tuning.ts';
import { engineFingerprint } from '../../src/engine/fingerprint.ts';
import { OnnxEngine } from '../../src/engine/onnx/onnx-engine.ts';
import { GALLERY_NAMESPACES, Gallery } from '../../src/gallery/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { dataDir, people } from '../fixtures/data.ts';

// Real photos on the real ONNX engine: a gallery enrolled by faceres alone (the engine before this
// change) is opened by the fused engine, which must re-embed it rather than mix the two.
const celebs = people(path.join(dataDir(), 'celebs')).slice(0, 4);
const SCOPE = 'guild:reembed';

describe('a gallery enrolled by another engine is re-embedded, never mixed', () => {
  let store: Store;
  let oldEngine: OnnxEngine;
  let newEngine: OnnxEngine;
  before(async () => {
    store = await openStore('memory://');
    oldEngine = await OnnxEngine.create({ tuning: { descriptor: 'faceres' }, threads: 1 });
    newEngine = await OnnxEngine.create({ threads: 1 });
  });
  after(async () => {
    await oldEngine.close();
    await newEngine.close();
    await store.close();
  });

  const service = (engine: OnnxEngine) =>
    new CoreService(engine, new Gallery(store, { embeddingDim: embeddingDim(engine.tuning) }));

  it('re-embeds from thumbnails on first use, stamps every photo and names new photos right', async () => {
    const before = service(oldEngine);
    for (const p of celebs)
      await before.enroll(
        SCOPE,
        p.name,
        p.files.slice(0, 5).map((f) => ({ name: f, data: readFileSync(f) })),
        'cli',
      );
    const oldId = engineFingerprint(oldEngine.tuning).sha256;
    const snapshot = await before.gallery.snapshot(SCOPE);
    assert.equal(stalePhotos(snapshot, { id: oldId, dim: 1024 }).length, 0);
    assert.equal(snapshot.identities[0]?.photos[0]?.embedding.length, 1024);

    const now = service(newEngine);
    const newId = now.fingerprint().sha256;
    assert.notEqual(newId, oldId);
    assert.equal(stalePhotos(await now.gallery.snapshot(SCOPE), { id: newId, dim: 1152 }).length, 20);
    // The first answer re-embeds the gallery before training on it.
    for (const p of celebs) {
      const answer = await now.identify(SCOPE, readFileSync(p.files[12] as string));
      assert.equal(answer.faces[0]?.match?.name, p.name);
    }
    const after = await now.gallery.snapshot(SCOPE);
    assert.equal(stalePhotos(after, { id: newId, dim: 1152 }).length, 0);
    for (const photo of after.identities.flatMap((i) => i.photos)) {
      assert.equal(photo.embedding.length, 1152);
      assert.equal(photo.descriptors?.dlib?.length, 128);
      assert.equal(photo.engine, newId);
      assert.equal(photo.landmarks?.length, 136, 're-embedding fills the landmarks that explain resemblance');
    }
  });

  it('reports a photo whose thumbnail shows no face, leaves it out, and re-embeds it from its original', async () => {
    const legacy = service(oldEngine);
    const file = celebs[0]?.files[7] as string;
    // Written straight to the gallery: the old engine's service would re-embed the rest its own way.
    const { accepted } = await legacy.prepare([{ name: file, data: readFileSync(file) }]);
    await legacy.gallery.enroll(SCOPE, celebs[0]?.name as string, legacy.toPhotos(accepted, 'cli'));
    const hash = (await legacy.gallery.snapshot(SCOPE)).identities
      .flatMap((i) => i.photos)
      .find((p) => p.engine !== engineFingerprint(newEngine.tuning).sha256)?.hash as string;
    // A thumbnail too small to find the face again: 8×8 pixels.
    const photos = store.namespace<Record<string, unknown>>(GALLERY_NAMESPACES.photos);
    const blob = (await photos.get(`${SCOPE}/${hash}`)) as Record<string, unknown>;
    const tiny = await sharp(blob.thumbnail as Uint8Array)
      .resize(8, 8)
      .png()
      .toBuffer();
    await photos.set(`${SCOPE}/${hash}`, { ...blob, thumbnail: new Uint8Array(tiny) });

    const now = service(newEngine);
    const report = await now.reembed(SCOPE);
    assert.equal(report.reembedded, 0);
    assert.deepEqual(
      report.failed.map((f) => f.hash),
      [hash],
    );
    // Still answers, from the photos this engine embedded only.
    const { matcher } = await now.matcher(SCOPE);
    assert.equal(matcher.size, 4);
    const fixed = await now.reembed(SCOPE, byHash([readFileSync(file)]));
    assert.deepEqual(fixed.failed, []);
    assert.equal(fixed.reembedded, 1);
    assert.equal(stalePhotos(await now.gallery.snapshot(SCOPE), now.currentEngine()!).length, 0);
  });
});
