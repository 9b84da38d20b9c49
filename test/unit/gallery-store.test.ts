import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sqlite3 from 'sqlite3';
import { ConfigError, UserError } from '../../src/errors.ts';
import { EMBEDDING_DIM, Gallery, migrateIndex, type NewPhoto } from '../../src/gallery/index.ts';
import { type Namespace, openStore, type Store, storeUnavailable } from '../../src/store/index.ts';

const TMP = mkdtempSync(path.join(tmpdir(), 'lookalike-gallery-store-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

let files = 0;
function freshFile(): string {
  files += 1;
  return path.join(TMP, `g${files}.sqlite`);
}

function photo(seed: string, addedBy = 'cli'): NewPhoto {
  const hash = createHash('sha256').update(`image:${seed}`).digest('hex');
  const embedding = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.cos(i + seed.charCodeAt(0)));
  return {
    hash,
    embedding,
    thumbnail: new Uint8Array(Buffer.from(`png ${seed}`)),
    addedBy,
    source: `${seed}.png`,
  };
}

/** A Store whose Nth `set` (counted across namespaces) fails, like a store that dies mid-write. */
function failOnSet(inner: Store, failAt: number): Store {
  let sets = 0;
  const wrap = <T>(ns: Namespace<T>): Namespace<T> => ({
    name: ns.name,
    get: (key) => ns.get(key),
    getMany: (keys) => ns.getMany(keys),
    delete: (key) => ns.delete(key),
    has: (key) => ns.has(key),
    keys: (prefix) => ns.keys(prefix),
    entries: (prefix) => ns.entries(prefix),
    clear: () => ns.clear(),
    set: async (key, value) => {
      sets += 1;
      if (sets === failAt) throw storeUnavailable(new Error(`injected failure on set #${sets}`));
      return ns.set(key, value);
    },
  });
  return {
    kind: inner.kind,
    url: inner.url,
    namespace: <T>(name: string) => wrap(inner.namespace<T>(name)),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

const BULK = [
  { name: 'Ada Lovelace', photos: [photo('ada1'), photo('ada2')] },
  { name: 'Grace Hopper', photos: [photo('grace1'), photo('grace2')] },
  { name: 'Alan Turing', photos: [photo('alan1'), photo('alan2')] },
];

async function summary(gallery: Gallery, scope: string): Promise<[string, number][]> {
  const snapshot = await gallery.snapshot(scope);
  return snapshot.identities.map((identity) => [identity.slug, identity.photos.length]);
}

describe('Gallery on SQLite', () => {
  it('keeps everything across closing and reopening the file', async () => {
    const url = `sqlite://${freshFile()}`;
    const first = await openStore(url);
    const gallery = new Gallery(first);
    await gallery.enroll('discord:1', 'Beyoncé', [photo('b1'), photo('b2', 'discord:99')]);
    await gallery.setModel('discord:1', 1, { labels: ['beyonce'] });
    await first.close();

    const second = await openStore(url);
    const reopened = new Gallery(second);
    assert.deepEqual(await reopened.scopes(), ['discord:1']);
    assert.equal(await reopened.version('discord:1'), 1);
    const snapshot = await reopened.snapshot('discord:1');
    assert.equal(snapshot.identities[0]?.name, 'Beyoncé');
    assert.deepEqual([...(snapshot.identities[0]?.photos[1]?.embedding ?? [])], [...photo('b2').embedding]);
    assert.equal(snapshot.identities[0]?.photos[1]?.addedBy, 'discord:99');
    assert.deepEqual(await reopened.getModel('discord:1'), { labels: ['beyonce'] });
    await second.close();
  });

  for (const failAt of [2, 4, 7]) {
    it(`leaves no half-made identity when a bulk enrolment dies at write #${failAt} of 7`, async () => {
      const url = `sqlite://${freshFile()}`;
      const setup = await openStore(url);
      await new Gallery(setup).enroll('global', 'Existing', [photo('existing')]);
      await setup.close();

      // Six photo blobs and then the index: `failAt` 7 is the commit itself.
      const failing = failOnSet(await openStore(url), failAt);
      await assert.rejects(new Gallery(failing).enrollMany('global', BULK), (err) => {
        assert.ok(err instanceof UserError && err.code === 'store_unavailable');
        return true;
      });
      await failing.close();

      const reopened = await openStore(url);
      const gallery = new Gallery(reopened);
      assert.deepEqual(await summary(gallery, 'global'), [['existing', 1]]);
      assert.equal(await gallery.version('global'), 1);
      const orphans = failAt - 1;
      assert.equal((await reopened.namespace('photos').keys()).length, 1 + orphans);
      // Young orphans may belong to another process's enrolment, so GC leaves them until the grace period.
      assert.equal(await gallery.collectGarbage(), 0);
      assert.equal(await new Gallery(reopened, { gcGraceMs: 0 }).collectGarbage(), orphans);
      assert.equal((await reopened.namespace('photos').keys()).length, 1);

      // Running the import again completes it, in one new version.
      const done = await gallery.enrollMany('global', BULK);
      assert.equal(done.version, 2);
      assert.deepEqual(
        done.results.map((r) => [r.identity?.slug, r.added.length, r.duplicates.length]),
        [
          ['ada-lovelace', 2, 0],
          ['grace-hopper', 2, 0],
          ['alan-turing', 2, 0],
        ],
      );
      assert.deepEqual(await summary(gallery, 'global'), [
        ['existing', 1],
        ['ada-lovelace', 2],
        ['grace-hopper', 2],
        ['alan-turing', 2],
      ]);
      await reopened.close();
    });
  }

  it('leaves an existing identity as it was when adding to it fails', async () => {
    const url = `sqlite://${freshFile()}`;
    const store = await openStore(url);
    const gallery = new Gallery(store);
    await gallery.enroll('global', 'Ada Lovelace', [photo('ada1')]);
    await store.close();

    const failing = failOnSet(await openStore(url), 3);
    await assert.rejects(
      new Gallery(failing).enroll('global', 'Ada Lovelace', [photo('ada2'), photo('ada3')]),
    );
    await failing.close();

    const reopened = await openStore(url);
    assert.deepEqual(await summary(new Gallery(reopened), 'global'), [['ada-lovelace', 1]]);
    assert.equal(await new Gallery(reopened).version('global'), 1);
    await reopened.close();
  });

  it('merges batches that name the same identity and reports all-duplicate new identities', async () => {
    const store = await openStore(`sqlite://${freshFile()}`);
    const gallery = new Gallery(store);
    const outcome = await gallery.enrollMany('global', [
      { name: 'Ada Lovelace', photos: [photo('ada1')] },
      { name: 'ADA LOVELACE', photos: [photo('ada2'), photo('ada1')] },
      { name: 'Copycat', photos: [photo('ada2')] },
    ]);
    assert.equal(outcome.version, 1);
    assert.deepEqual(
      outcome.results.map((r) => [
        r.name,
        r.identity?.photos.length ?? null,
        r.added.length,
        r.duplicates.length,
      ]),
      [
        ['Ada Lovelace', 2, 1, 0],
        ['ADA LOVELACE', 2, 1, 1],
        ['Copycat', null, 0, 1],
      ],
    );
    assert.deepEqual(
      (await gallery.list('global')).map((i) => i.name),
      ['Ada Lovelace'],
    );
    await store.close();
  });
});

/** Writes rows straight into the keyv table, the way a store written by this version looks on disk. */
async function writeRawRows(file: string, rows: Record<string, unknown>): Promise<void> {
  const db = new sqlite3.Database(file);
  const run = (sql: string, ...params: unknown[]) =>
    new Promise<void>((resolve, reject) =>
      db.run(sql, params, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  await run('CREATE TABLE IF NOT EXISTS keyv(key VARCHAR(255) PRIMARY KEY, value TEXT)');
  for (const [key, value] of Object.entries(rows)) {
    await run('INSERT INTO keyv (key, value) VALUES (?, ?)', key, JSON.stringify({ value }));
  }
  await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}

describe('stored schema 1 records', () => {
  const hash = createHash('sha256').update('raw photo').digest('hex');
  const embedding = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => i / EMBEDDING_DIM);
  const at = '2024-05-01T12:00:00.000Z';
  const index = {
    schema: 1,
    scope: 'slack:T9',
    version: 7,
    updatedAt: at,
    identities: [
      {
        slug: 'brad-pitt',
        name: 'Brad Pitt',
        createdAt: at,
        photos: [{ hash, addedBy: 'slack:U1', addedAt: at, source: 'brad.jpg' }],
      },
    ],
  };

  it('reads a v1 gallery, photo and model written as raw JSON', async () => {
    const file = freshFile();
    await writeRawRows(file, {
      'gallery:slack:T9': index,
      [`photos:slack:T9/${hash}`]: {
        schema: 1,
        hash,
        embedding: { $bin: 'f32', base64: Buffer.from(embedding.buffer).toString('base64') },
        thumbnail: { $bin: 'u8', base64: Buffer.from('PNG!').toString('base64') },
        addedBy: 'slack:U1',
        storedAt: at,
      },
      'models:slack:T9': { schema: 1, scope: 'slack:T9', version: 7, savedAt: at, model: { kind: 'svm' } },
    });

    const store = await openStore(`sqlite://${file}`);
    const gallery = new Gallery(store);
    assert.equal(await gallery.version('slack:T9'), 7);
    const snapshot = await gallery.snapshot('slack:T9');
    const stored = snapshot.identities[0]?.photos[0];
    assert.deepEqual(
      {
        name: snapshot.identities[0]?.name,
        hash: stored?.hash,
        addedBy: stored?.addedBy,
        source: stored?.source,
      },
      { name: 'Brad Pitt', hash, addedBy: 'slack:U1', source: 'brad.jpg' },
    );
    assert.deepEqual([...(stored?.embedding ?? [])], [...embedding]);
    assert.equal(Buffer.from(stored?.thumbnail ?? []).toString(), 'PNG!');
    assert.deepEqual(await gallery.getModel('slack:T9'), { kind: 'svm' });

    // And it stays writable: the next change is version 8.
    const next = await gallery.enroll('slack:T9', 'brad pitt', [photo('new')]);
    assert.equal(next.version, 8);
    assert.equal(next.identity.photos.length, 2);
    await store.close();
  });

  it('refuses records from a newer schema instead of misreading them', async () => {
    const file = freshFile();
    await writeRawRows(file, { 'gallery:global': { ...index, scope: 'global', schema: 2 } });
    const store = await openStore(`sqlite://${file}`);
    await assert.rejects(new Gallery(store).list('global'), (err) => {
      assert.ok(err instanceof ConfigError && err.code === 'config');
      assert.match(err.message, /newer/);
      return true;
    });
    await store.close();
    assert.throws(() => migrateIndex({ scope: 'x' }), /schema/);
    assert.equal(migrateIndex(index).identities[0]?.photos[0]?.source, 'brad.jpg');
  });
});
