import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/errors.ts';
import { EMBEDDING_DIM, Gallery, type NewPhoto, slugify } from '../../src/gallery/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const TMP = mkdtempSync(path.join(tmpdir(), 'lookalike-gallery-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

let files = 0;
function sqliteUrl(): string {
  files += 1;
  return `sqlite://${path.join(TMP, `gallery-${files}.sqlite`)}`;
}

function photo(seed: string, addedBy = 'cli'): NewPhoto {
  const hash = createHash('sha256').update(`image:${seed}`).digest('hex');
  const phase = Number.parseInt(hash.slice(0, 6), 16);
  const embedding = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.sin(i * 0.01 + phase));
  const thumbnail = new Uint8Array(Buffer.from(`\x89PNG thumbnail of ${seed}`));
  return { hash, embedding, thumbnail, addedBy, source: `${seed}.jpg` };
}

function hashOf(seed: string): string {
  return photo(seed).hash;
}

function code(expected: string, message?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(err.code, expected);
    if (message) assert.match(err.message, message);
    return true;
  };
}

async function withGallery(run: (gallery: Gallery, store: Store) => Promise<void>, url = 'memory://') {
  const store = await openStore(url);
  try {
    await run(new Gallery(store), store);
  } finally {
    await store.close();
  }
}

describe('slugs', () => {
  it('lowercases, strips accents and joins words with -', () => {
    assert.equal(slugify('Brad Pitt'), 'brad-pitt');
    assert.equal(slugify('Beyoncé'), 'beyonce');
    assert.equal(slugify('  Zoë  Saldaña-Nazario! '), 'zoe-saldana-nazario');
    assert.equal(slugify('Søren Straße'), 'soren-strasse');
    assert.equal(slugify("Conan O'Brien"), 'conan-o-brien');
    assert.match(slugify('李小龍'), /^id-[0-9a-f]{10}$/);
    assert.equal(slugify('李小龍'), slugify(' 李小龍 '));
  });
});

describe('Gallery', () => {
  it('enrolls, creating the identity, and never enrolls a photo twice in a scope', async () => {
    await withGallery(async (gallery) => {
      assert.equal(await gallery.version('global'), 0);
      const first = await gallery.enroll('global', 'Brad Pitt', [photo('a'), photo('b'), photo('a')]);
      assert.equal(first.identity.slug, 'brad-pitt');
      assert.equal(first.identity.name, 'Brad Pitt');
      assert.deepEqual(
        first.added.map((p) => p.hash),
        [hashOf('a'), hashOf('b')],
      );
      assert.deepEqual(first.duplicates, [
        { hash: hashOf('a'), source: 'a.jpg', slug: 'brad-pitt', name: 'Brad Pitt' },
      ]);
      assert.equal(first.version, 1);

      // Same name in other case and accents: same identity; a known photo is a duplicate.
      const second = await gallery.enroll('global', 'BRAD pitt', [photo('b'), photo('c', 'discord:9')]);
      assert.equal(second.identity.name, 'Brad Pitt');
      assert.deepEqual(
        second.identity.photos.map((p) => [p.hash, p.addedBy, p.source]),
        [
          [hashOf('a'), 'cli', 'a.jpg'],
          [hashOf('b'), 'cli', 'b.jpg'],
          [hashOf('c'), 'discord:9', 'c.jpg'],
        ],
      );
      assert.equal(second.version, 2);

      // A photo already enrolled under someone else is reported with its owner.
      const other = await gallery.enroll('global', 'Angelina Jolie', [photo('c'), photo('d')]);
      assert.deepEqual(
        other.duplicates.map((d) => d.slug),
        ['brad-pitt'],
      );
      assert.equal(other.identity.photos.length, 1);

      // Nothing new for a new identity: refused, and nothing changes.
      await assert.rejects(gallery.enroll('global', 'Nobody', [photo('a')]), code('duplicate'));
      await assert.rejects(gallery.enroll('global', 'Nobody', []), code('no_photos'));
      // Nothing new for an existing identity: fine, and no version bump.
      const none = await gallery.enroll('global', 'brad-pitt', [photo('a')]);
      assert.deepEqual(none.added, []);
      assert.equal(none.version, 3);
      assert.equal(await gallery.version('global'), 3);
      assert.deepEqual(
        (await gallery.list('global')).map((i) => i.name),
        ['Angelina Jolie', 'Brad Pitt'],
      );
    });
  });

  it('validates what it stores', async () => {
    await withGallery(async (gallery) => {
      const bad = (change: Partial<NewPhoto>) => ({ ...photo('x'), ...change });
      await assert.rejects(gallery.enroll('global', 'X', [bad({ hash: 'abc' })]), code('bad_photo'));
      await assert.rejects(
        gallery.enroll('global', 'X', [bad({ embedding: new Float32Array(3) })]),
        code('bad_photo', new RegExp(String(EMBEDDING_DIM))),
      );
      await assert.rejects(
        gallery.enroll('global', 'X', [bad({ thumbnail: new Uint8Array() })]),
        code('bad_photo'),
      );
      await assert.rejects(gallery.enroll('global', 'X', [bad({ addedBy: '' })]), code('bad_photo'));
      await assert.rejects(gallery.enroll('global', '   ', [photo('x')]), code('bad_name'));
      await assert.rejects(gallery.enroll('global', 'x'.repeat(101), [photo('x')]), code('bad_name'));
      await assert.rejects(gallery.enroll('bad scope/with slash', 'X', [photo('x')]), TypeError);
      // Upper-case hashes are normalised.
      const ok = await gallery.enroll('global', 'X', [bad({ hash: hashOf('x').toUpperCase() })]);
      assert.equal(ok.added[0]?.hash, hashOf('x'));
      assert.equal(await gallery.version('global'), 1);
    });
  });

  it('finds identities by name or slug, case-insensitively, and reports unknown ones', async () => {
    await withGallery(async (gallery) => {
      await gallery.enroll('global', 'Beyoncé', [photo('b')]);
      for (const query of ['Beyoncé', 'beyoncé', 'BEYONCE', 'beyonce', ' Beyonce ']) {
        assert.equal((await gallery.get('global', query)).slug, 'beyonce', query);
      }
      await assert.rejects(
        gallery.get('global', 'Rihanna'),
        code('not_found', /^No one called "Rihanna" in this gallery\.$/),
      );
      const thumb = await gallery.photoThumbnail('global', 'beyonce');
      assert.deepEqual(thumb, photo('b').thumbnail);
      assert.equal(await gallery.photoThumbnail('global', 'Rihanna'), null);
    });
  });

  it('renames, refusing to rename onto another identity', async () => {
    await withGallery(async (gallery) => {
      await gallery.enroll('global', 'brad pitt', [photo('a')]);
      await gallery.enroll('global', 'Tom Hanks', [photo('t')]);
      // Fixing the case keeps the slug.
      assert.deepEqual((await gallery.rename('global', 'brad-pitt', 'Brad Pitt')).slug, 'brad-pitt');
      assert.equal(await gallery.version('global'), 3);
      // Renaming to the same name changes nothing.
      await gallery.rename('global', 'Brad Pitt', 'Brad Pitt');
      assert.equal(await gallery.version('global'), 3);

      await assert.rejects(
        gallery.rename('global', 'Brad Pitt', 'TOM HANKS'),
        code('duplicate', /"Tom Hanks" is already/),
      );
      await assert.rejects(gallery.rename('global', 'Nobody', 'Somebody'), code('not_found'));

      const renamed = await gallery.rename('global', 'Brad Pitt', 'William Bradley Pitt');
      assert.equal(renamed.slug, 'william-bradley-pitt');
      assert.equal(renamed.photos.length, 1);
      await assert.rejects(gallery.get('global', 'Brad Pitt'), code('not_found'));
      assert.equal(await gallery.version('global'), 4);
    });
  });

  it('removes identities and photos; the last photo takes its identity with it', async () => {
    await withGallery(async (gallery, store) => {
      await gallery.enroll('global', 'A', [photo('a1'), photo('a2')]);
      await gallery.enroll('global', 'B', [photo('b1')]);
      const blobs = store.namespace('photos');
      assert.equal((await blobs.keys()).length, 3);

      const removed = await gallery.removePhoto('global', hashOf('a1').slice(0, 10));
      assert.equal(removed.hash, hashOf('a1'));
      assert.equal(removed.identityRemoved, false);
      assert.deepEqual(
        removed.identity.photos.map((p) => p.hash),
        [hashOf('a2')],
      );
      assert.equal(removed.version, 3);
      await assert.rejects(gallery.removePhoto('global', hashOf('a1')), code('not_found'));

      const last = await gallery.removePhoto('global', hashOf('b1'));
      assert.equal(last.identityRemoved, true);
      await assert.rejects(gallery.get('global', 'B'), code('not_found'));

      const gone = await gallery.removeIdentity('global', 'a');
      assert.equal(gone.name, 'A');
      assert.deepEqual(await gallery.list('global'), []);
      await assert.rejects(gallery.removeIdentity('global', 'a'), code('not_found'));
      // The blobs went too, and the version keeps counting although the gallery is empty.
      assert.deepEqual(await blobs.keys(), []);
      assert.equal(await gallery.version('global'), 5);
      assert.deepEqual(await gallery.scopes(), ['global']);
    });
  });

  it('keeps scopes apart', async () => {
    await withGallery(async (gallery) => {
      await gallery.enroll('discord:1', 'Brad Pitt', [photo('a')]);
      // The same photo may be enrolled in another scope.
      await gallery.enroll('slack:T1', 'Brad Pitt', [photo('a'), photo('b')]);
      await gallery.enroll('slack:T1', 'Other', [photo('c')]);
      assert.deepEqual(await gallery.scopes(), ['discord:1', 'slack:T1']);
      assert.equal(await gallery.version('discord:1'), 1);
      assert.equal(await gallery.version('slack:T1'), 2);
      assert.equal(await gallery.version('global'), 0);
      await gallery.removeIdentity('slack:T1', 'Brad Pitt');
      assert.equal((await gallery.get('discord:1', 'Brad Pitt')).photos.length, 1);
      const snapshot = await gallery.snapshot('discord:1');
      assert.equal(snapshot.identities[0]?.photos[0]?.thumbnail.length, photo('a').thumbnail.length);
      assert.deepEqual((await gallery.list('global')).length, 0);
    });
  });

  it('takes a snapshot with embeddings for training', async () => {
    await withGallery(async (gallery) => {
      await gallery.enrollMany('global', [
        { name: 'A', photos: [photo('a1'), photo('a2', 'discord:5')] },
        { name: 'B', photos: [photo('b1')] },
      ]);
      const snapshot = await gallery.snapshot('global');
      assert.equal(snapshot.scope, 'global');
      assert.equal(snapshot.version, 1);
      assert.deepEqual(
        snapshot.identities.map((i) => [i.slug, i.name, i.photos.map((p) => p.source)]),
        [
          ['a', 'A', ['a1.jpg', 'a2.jpg']],
          ['b', 'B', ['b1.jpg']],
        ],
      );
      const stored = snapshot.identities[0]?.photos[1];
      assert.ok(stored?.embedding instanceof Float32Array);
      assert.deepEqual([...stored.embedding], [...photo('a2').embedding]);
      assert.equal(stored.addedBy, 'discord:5');
      assert.ok(!Number.isNaN(Date.parse(stored.addedAt)));
      assert.ok(!Number.isNaN(Date.parse(snapshot.identities[0]?.createdAt ?? '')));
    });
  });

  it('forgets a user across scopes, with the models trained on their photos', async () => {
    await withGallery(async (gallery, store) => {
      await gallery.enroll('global', 'A', [photo('a1', 'discord:7'), photo('a2')]);
      await gallery.enroll('discord:1', 'B', [photo('b1', 'discord:7')]);
      await gallery.enroll('discord:1', 'C', [photo('c1')]);
      await gallery.enroll('slack:T1', 'D', [photo('d1')]);
      assert.equal(await gallery.setModel('discord:1', 2, { weights: [1] }), true);
      // An orphan blob the user left behind (e.g. an interrupted enrolment) goes too.
      await store.namespace('photos').set(`slack:T1/${hashOf('orphan')}`, {
        schema: 1,
        hash: hashOf('orphan'),
        embedding: photo('orphan').embedding,
        thumbnail: new Uint8Array([1]),
        addedBy: 'discord:7',
        storedAt: new Date().toISOString(),
      });

      assert.equal(await gallery.forgetUser('discord:7'), 2);
      assert.deepEqual(
        (await gallery.get('global', 'A')).photos.map((p) => p.addedBy),
        ['cli'],
      );
      await assert.rejects(gallery.get('discord:1', 'B'), code('not_found'));
      assert.deepEqual(
        [
          await gallery.version('global'),
          await gallery.version('discord:1'),
          await gallery.version('slack:T1'),
        ],
        [2, 3, 1],
      );
      assert.equal(await store.namespace('models').get('discord:1'), undefined);
      assert.equal(await store.namespace('photos').has(`slack:T1/${hashOf('orphan')}`), false);
      assert.equal((await store.namespace('photos').keys()).length, 3);
      assert.equal(await gallery.forgetUser('discord:7'), 0);
    });
  });

  it('caches a model only for the gallery version it was trained on', async () => {
    await withGallery(async (gallery) => {
      assert.equal(await gallery.setModel('global', 0, { w: 0 }), false);
      await gallery.enroll('global', 'A', [photo('a')]);
      assert.equal(await gallery.getModel('global'), null);
      const model = { labels: ['a'], weights: new Float32Array([0.5, 1.5]) };
      assert.equal(await gallery.setModel('global', 1, model), true);
      const cached = await gallery.getModel<typeof model>('global');
      assert.deepEqual(cached?.labels, ['a']);
      assert.deepEqual([...(cached?.weights ?? [])], [0.5, 1.5]);

      await gallery.enroll('global', 'B', [photo('b')]);
      assert.equal(await gallery.getModel('global'), null, 'a change invalidates the model');
      assert.equal(await gallery.setModel('global', 1, model), false, 'a stale model is not stored');
      assert.equal(await gallery.setModel('global', 2, { labels: ['a', 'b'] }), true);
      assert.deepEqual(await gallery.getModel('global'), { labels: ['a', 'b'] });
      await gallery.rename('global', 'B', 'Bee');
      assert.equal(await gallery.getModel('global'), null, 'a rename invalidates the model');
      // A retrain may start from the last model, and a reader may ask for the version it snapshotted.
      assert.deepEqual(await gallery.storedModel('global'), { version: 2, model: { labels: ['a', 'b'] } });
      assert.deepEqual(await gallery.getModel('global', 2), { labels: ['a', 'b'] });
      assert.equal(await gallery.getModel('global', 3), null);
    });
  });

  it('serialises concurrent writers to one scope, also through separate Gallery objects', async () => {
    await withGallery(async (gallery, store) => {
      const galleries = [gallery, new Gallery(store)];
      const seeds = Array.from({ length: 12 }, (_, i) => `p${i}`);
      await Promise.all(
        seeds.map((seed, i) => galleries[i % 2]?.enroll('global', `Person ${i % 4}`, [photo(seed)])),
      );
      const list = await gallery.list('global');
      assert.equal(list.length, 4);
      assert.equal(
        list.reduce((n, identity) => n + identity.photos.length, 0),
        12,
      );
      assert.equal(await gallery.version('global'), 12);
    }, sqliteUrl());
  });
});
