import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { MatcherJSON } from '../../src/classifier/matcher.ts';
import { CoreService } from '../../src/core/service.ts';
import type { FaceEngine } from '../../src/domain/face.ts';
import { Gallery, type NewPhoto } from '../../src/gallery/index.ts';
import { openStore } from '../../src/store/index.ts';
import { syntheticGallery } from '../support/synthetic.ts';

// The service's classifier cache needs no faces found: only the gallery, so the engine never runs.
const engine: FaceEngine = {
  backend: 'none',
  analyze: async () => {
    throw new Error('not used');
  },
  close: async () => {},
};

const faces = syntheticGallery({ identities: 7, perIdentity: 4, dim: 1024, photoSpread: 0.8, seed: 5 });

function photos(k: number, embeddings: Float32Array[]): NewPhoto[] {
  return embeddings.map((embedding, i) => ({
    hash: createHash('sha256').update(`${k}/${i}/${embedding[0]}`).digest('hex'),
    embedding,
    thumbnail: new Uint8Array([1]),
    addedBy: 'test',
  }));
}

describe('the service caches the trained classifier by gallery version', () => {
  it('stores a model without embeddings, retrains after a change, and another process reuses it', async () => {
    const store = await openStore('memory://');
    const saves: number[] = [];
    // A gallery that records every model it caches, to tell training from restoring.
    const recording = (): Gallery => {
      const gallery = new Gallery(store, { embeddingDim: 1024 });
      const setModel = gallery.setModel.bind(gallery);
      gallery.setModel = async (scope, version, model) => {
        saves.push(version);
        return setModel(scope, version, model);
      };
      return gallery;
    };
    const gallery = recording();
    await gallery.enrollMany(
      'global',
      faces.identities.slice(0, 6).map((i, k) => ({ name: i.name, photos: photos(k, i.embeddings) })),
    );
    const service = new CoreService(engine, gallery);
    const first = await service.matcher('global');
    assert.equal(first.matcher.size, 6);
    assert.equal(first.matcher.method, 'svm');
    assert.deepEqual(saves, [first.version]);
    const stored = await gallery.getModel<MatcherJSON>('global');
    assert.ok(stored !== null && stored.version === 3);
    assert.ok(!JSON.stringify(stored).includes('"embeddings"'));
    // 6 x 1024 float16 weights in base64 are about 16 kB; the 24 embeddings alone would be 131 kB.
    assert.ok(JSON.stringify(stored).length < 40_000, `${JSON.stringify(stored).length} characters`);

    // The same version again: the cached matcher, no training.
    assert.equal((await service.matcher('global')).matcher, first.matcher);
    // An enrolment bumps the version: retrained (from the stored model) and stored again.
    await gallery.enroll('global', faces.identities[6]!.name, photos(6, faces.identities[6]!.embeddings));
    const second = await service.matcher('global');
    assert.equal(second.version, first.version + 1);
    assert.equal(second.matcher.size, 7);
    assert.deepEqual(saves, [first.version, second.version]);
    const newcomer = faces.photos(6, 1)[0]!;
    assert.equal(second.matcher.identify(newcomer).match?.name, faces.identities[6]!.name);

    // Another process over the same store restores the stored model instead of training.
    const other = new CoreService(engine, recording());
    const restored = await other.matcher('global');
    assert.equal(restored.version, second.version);
    assert.deepEqual(saves, [first.version, second.version]);
    for (let k = 0; k < 7; k++) {
      const face = faces.photos(k, 1)[0]!;
      assert.deepEqual(restored.matcher.identify(face), second.matcher.identify(face));
    }
    await store.close();
  });

  it('answers arriving together share one training, at the start and after a change', async () => {
    const store = await openStore('memory://');
    const gallery = new Gallery(store, { embeddingDim: 1024 });
    const saves: number[] = [];
    const setModel = gallery.setModel.bind(gallery);
    gallery.setModel = async (scope, version, model) => {
      saves.push(version);
      return setModel(scope, version, model);
    };
    const { version } = await gallery.enrollMany(
      'global',
      faces.identities.slice(0, 6).map((i, k) => ({ name: i.name, photos: photos(k, i.embeddings) })),
    );
    const service = new CoreService(engine, gallery);
    const together = () => Promise.all([1, 2, 3].map(() => service.matcher('global')));
    const first = await together();
    assert.equal(new Set(first.map((t) => t.matcher)).size, 1);
    assert.deepEqual(saves, [version]);
    await gallery.rename('global', faces.identities[0]!.name, 'Renamed');
    const after = await together();
    assert.equal(new Set(after.map((t) => t.matcher)).size, 1);
    assert.deepEqual(
      after.map((t) => t.version),
      [version + 1, version + 1, version + 1],
    );
    assert.deepEqual(saves, [version, version + 1], 'one training per version');
    await store.close();
  });

  it("reads what a first answer needs in one round of reads: a one-shot `infer` waits out each round's turn", async () => {
    const store = await openStore('memory://');
    const gallery = new Gallery(store, { embeddingDim: 1024 });
    await gallery.enrollMany(
      'global',
      faces.identities.slice(0, 6).map((i, k) => ({ name: i.name, photos: photos(k, i.embeddings) })),
    );
    // A first answer trains, stores the model and packs the embeddings for the next process.
    const trained = await new CoreService(engine, gallery).matcher('global');

    // A read's round: one more than the latest round that had finished when it was issued.
    const reads: { namespace: string; round: number }[] = [];
    let finished = 0;
    const counting: typeof store = Object.create(store);
    counting.namespace = <T>(name: string) => {
      const ns = store.namespace<T>(name);
      const track =
        <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          const round = finished + 1;
          reads.push({ namespace: name, round });
          const value = await read(...args);
          finished = Math.max(finished, round);
          return value;
        };
      return { ...ns, name: ns.name, get: track(ns.get.bind(ns)), getMany: track(ns.getMany.bind(ns)) };
    };
    const restored = await new CoreService(engine, new Gallery(counting, { embeddingDim: 1024 })).matcher(
      'global',
    );
    assert.equal(restored.version, trained.version);
    const face = faces.photos(2, 1)[0]!;
    assert.deepEqual(restored.matcher.identify(face), trained.matcher.identify(face));
    assert.deepEqual(
      reads.map((r) => r.namespace).sort(),
      ['embeddings', 'gallery', 'models'],
      'the index, the packed embeddings (header and chunk together) and the model, once each',
    );
    assert.deepEqual(
      reads.map((r) => r.round),
      [1, 1, 1],
    );
    await store.close();
  });
});
