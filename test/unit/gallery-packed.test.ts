import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type EmbeddingSnapshot, Gallery, type NewPhoto } from '../../src/gallery/index.ts';
import { CHUNK_PHOTOS, dropPacked, packFor, readPacked } from '../../src/gallery/packed-embeddings.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const TMP = mkdtempSync(path.join(tmpdir(), 'lookalike-packed-'));
after(() => rmSync(TMP, { recursive: true, force: true }));
const DIM = 16;

function photo(seed: string, addedBy = 'cli', dim = DIM): NewPhoto {
  const hash = createHash('sha256').update(`image:${seed}`).digest('hex');
  const phase = Number.parseInt(hash.slice(0, 6), 16);
  const embedding = Float32Array.from({ length: dim }, (_, i) => Math.sin(i + phase) / 4);
  return { hash, embedding, thumbnail: Uint8Array.of(0x89, 1, 2), addedBy, engine: 'e'.repeat(64) };
}

/** What answering reads of a full snapshot: names, hashes, embeddings, engines. */
function answerView(snapshot: EmbeddingSnapshot) {
  return {
    version: snapshot.version,
    identities: snapshot.identities.map((i) => ({
      slug: i.slug,
      photos: i.photos.map((p) => ({ hash: p.hash, embedding: [...p.embedding], engine: p.engine })),
    })),
  };
}

async function withStore(url: string, run: (gallery: Gallery, store: Store) => Promise<void>) {
  const store = await openStore(url);
  try {
    await run(new Gallery(store, { embeddingDim: DIM }), store);
  } finally {
    await store.close();
  }
}

for (const [kind, url] of [
  ['memory', () => 'memory://'],
  ['SQLite', () => `sqlite://${path.join(TMP, `${Math.random().toString(36).slice(2)}.sqlite`)}`],
] as const) {
  describe(`packed embeddings (${kind})`, () => {
    it('answers with the same embeddings as the blobs, and then without reading them', async () => {
      await withStore(url(), async (gallery, store) => {
        await gallery.enroll('s', 'Penny', [photo('p1'), photo('p2')]);
        await gallery.enroll('s', 'Amy', [photo('a1')]);
        const full = answerView(await gallery.snapshot('s'));
        assert.deepEqual(answerView(await gallery.embeddingSnapshot('s')), full);
        assert.deepEqual((await store.namespace('embeddings').keys()).sort(), ['s', 's/0']);
        // With the blobs gone the packed record alone answers: nothing was read from them.
        await store.namespace('photos').clear();
        assert.deepEqual(answerView(await gallery.embeddingSnapshot('s')), full);
      });
    });

    it('is deleted by every commit, so a removed photo does not outlive its blob', async () => {
      await withStore(url(), async (gallery, store) => {
        await gallery.enroll('s', 'Penny', [photo('p1'), photo('p2')]);
        await gallery.enroll('s', 'Amy', [photo('a1')]);
        await gallery.embeddingSnapshot('s');
        await gallery.removePhoto('s', photo('p2').hash);
        assert.deepEqual(await store.namespace('embeddings').keys(), []);
        const after = await gallery.embeddingSnapshot('s');
        assert.deepEqual(
          after.identities.map((i) => [i.slug, i.photos.map((p) => p.hash)]),
          [
            ['penny', [photo('p1').hash]],
            ['amy', [photo('a1').hash]],
          ],
        );
        assert.deepEqual(answerView(after), answerView(await gallery.snapshot('s')));
      });
    });

    it('gives an explanation one identity’s photos, thumbnails included', async () => {
      await withStore(url(), async (gallery) => {
        await gallery.enroll('s', 'Penny', [photo('p1'), photo('p2')]);
        await gallery.enroll('s', 'Amy', [photo('a1')]);
        const penny = await gallery.identityPhotos('s', 'penny');
        assert.deepEqual(
          penny.map((p) => p.hash),
          [photo('p1').hash, photo('p2').hash],
        );
        assert.deepEqual([...penny[0]!.thumbnail], [0x89, 1, 2]);
        assert.deepEqual([...penny[1]!.embedding], [...photo('p2').embedding]);
        assert.deepEqual(await gallery.identityPhotos('s', 'nobody'), []);
        assert.deepEqual(await gallery.identityPhotos('t', 'penny'), []);
      });
    });

    it('/forget leaves none of the member’s embeddings in any scope', async () => {
      await withStore(url(), async (gallery, store) => {
        await gallery.enroll('s', 'Penny', [photo('p1', 'discord:7'), photo('p2')]);
        await gallery.enroll('t', 'Penny', [photo('p1', 'discord:7')]);
        await gallery.enroll('t', 'Amy', [photo('a1')]);
        await gallery.embeddingSnapshot('s');
        await gallery.embeddingSnapshot('t');
        assert.equal(await gallery.forgetUser('discord:7'), 2);
        assert.deepEqual(await store.namespace('embeddings').keys(), []);
        for (const scope of ['s', 't']) {
          const hashes = (await gallery.embeddingSnapshot(scope)).identities.flatMap((i) =>
            i.photos.map((p) => p.hash),
          );
          assert.ok(!hashes.includes(photo('p1').hash), scope);
        }
        const packed = await store.namespace<{ hashes?: string[] }>('embeddings').getMany(['s/0', 't/0']);
        assert.ok(packed.every((c) => c !== undefined && !c.hashes?.includes(photo('p1').hash)));
      });
    });
  });
}

describe('packed embeddings: the records', () => {
  const ns = async () => (await openStore('memory://')).namespace<unknown>('embeddings');
  const photos = (n: number, dim = 2) =>
    Array.from({ length: n }, (_, i) => ({
      hash: `h${i}`,
      embedding: Float32Array.of(i, -i, ...Array(dim - 2).fill(0.5)),
      ...(i % 2 ? { engine: 'x' } : {}),
    }));

  it('splits past CHUNK_PHOTOS and reads every chunk back', async () => {
    const store = await ns();
    const all = photos(CHUNK_PHOTOS + 3);
    await packFor(store, { scope: 's', version: 4 }, new Map(all.map((p) => [p.hash, p])), async () => 4);
    assert.deepEqual((await store.keys()).sort(), ['s', 's/0', 's/1']);
    const read = await readPacked(store, 's');
    assert.equal(read?.version, 4);
    const back = read?.byHash;
    assert.equal(back?.size, all.length);
    const last = back?.get(`h${CHUNK_PHOTOS + 2}`);
    assert.deepEqual([...(last?.embedding ?? [])], [CHUNK_PHOTOS + 2, -(CHUNK_PHOTOS + 2)]);
    assert.equal(back?.get('h1')?.engine, 'x');
    assert.equal(back?.get('h0')?.engine, undefined);
    // A chunk of another version than its header's (another process repacking meanwhile) is not read.
    await store.set('s/1', { ...((await store.get('s/1')) as object), version: 5 });
    assert.equal(await readPacked(store, 's'), null, 'a chunk of another version');
  });

  it('ignores a write cut short, and deletes every chunk whatever the header says', async () => {
    const store = await ns();
    const all = photos(CHUNK_PHOTOS + 1);
    await packFor(store, { scope: 's', version: 1 }, new Map(all.map((p) => [p.hash, p])), async () => 1);
    await store.delete('s/1');
    assert.equal(await readPacked(store, 's'), null);
    await store.set('s', { schema: 1, version: 1, chunks: 'garbage' });
    await dropPacked(store, 's');
    assert.deepEqual(await store.keys(), []);
  });

  it('stores nothing for mixed embedding lengths, and drops what another process outdated', async () => {
    const store = await ns();
    const mixed = [...photos(2), ...photos(1, 4).map((p) => ({ ...p, hash: 'long' }))];
    await packFor(store, { scope: 's', version: 1 }, new Map(mixed.map((p) => [p.hash, p])), async () => 1);
    assert.deepEqual(await store.keys(), []);
    const some = photos(3);
    await packFor(store, { scope: 's', version: 1 }, new Map(some.map((p) => [p.hash, p])), async () => 2);
    assert.deepEqual(await store.keys(), [], 'committed meanwhile: the record went again');
  });
});
