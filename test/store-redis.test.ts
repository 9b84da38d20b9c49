import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freePort, startRedis, stopRedis } from '../scripts/lib/redis-server.ts';
import { UserError } from '../src/errors.ts';
import { EMBEDDING_DIM, Gallery, type NewPhoto } from '../src/gallery/index.ts';
import { openStore, type Store } from '../src/store/index.ts';

function photo(seed: string, addedBy = 'cli'): NewPhoto {
  const hash = createHash('sha256').update(`image:${seed}`).digest('hex');
  const embedding = Float32Array.from({ length: EMBEDDING_DIM }, (_, i) => Math.sin(i + seed.length));
  return {
    hash,
    embedding,
    thumbnail: new Uint8Array([137, 80, 78, 71, seed.length]),
    addedBy,
    source: `${seed}.jpg`,
  };
}

function isStoreUnavailable(err: unknown): boolean {
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  assert.equal(err.code, 'store_unavailable');
  assert.ok(err.cause, 'keeps the cause');
  return true;
}

describe('Redis store', () => {
  let redis: { port: number; child: ChildProcess } | undefined;
  let url: string;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  before(async () => {
    redis = await startRedis();
    url = `redis://127.0.0.1:${redis.port}`;
    process.on('uncaughtException', onUncaught);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    if (redis) await stopRedis(redis.child);
    assert.deepEqual(uncaught, [], 'no store error reached the process');
  });

  it('stores typed values in separate namespaces, lists and clears them', async () => {
    const store = await openStore(url);
    assert.equal(store.kind, 'redis');
    const gallery = store.namespace<{ e: Float32Array; t: Uint8Array }>('gallery');
    const models = store.namespace<string>('models');
    await gallery.set('discord:1/abc', { e: new Float32Array([0.5, -2]), t: new Uint8Array([1, 255]) });
    await gallery.set('global', { e: new Float32Array([1]), t: new Uint8Array() });
    await models.set('global', 'model');
    const back = await gallery.get('discord:1/abc');
    assert.ok(back?.e instanceof Float32Array && back.t instanceof Uint8Array);
    assert.deepEqual([...back.e], [0.5, -2]);
    assert.deepEqual([...back.t], [1, 255]);
    assert.deepEqual((await gallery.keys()).sort(), ['discord:1/abc', 'global']);
    assert.deepEqual(await gallery.keys('discord:'), ['discord:1/abc']);
    assert.deepEqual(
      (await gallery.getMany(['global', 'none'])).map((v) => v?.e.length),
      [1, undefined],
    );
    assert.equal(await gallery.has('global'), true);
    assert.equal(await gallery.delete('global'), true);
    await gallery.clear();
    assert.deepEqual(await gallery.keys(), []);
    assert.equal(await models.get('global'), 'model');
    await store.ping();
    await store.close();
  });

  it('keeps a gallery across reopening', async () => {
    const first = await openStore(url);
    const gallery = new Gallery(first);
    await gallery.enroll('discord:42', 'Beyoncé', [photo('b1'), photo('b2', 'discord:7')]);
    await first.close();

    const second = await openStore(url);
    const reopened = new Gallery(second);
    assert.equal(await reopened.version('discord:42'), 1);
    const snapshot = await reopened.snapshot('discord:42');
    assert.deepEqual(
      snapshot.identities.map((i) => [i.slug, i.photos.length]),
      [['beyonce', 2]],
    );
    assert.equal(snapshot.identities[0]?.photos[0]?.embedding.length, EMBEDDING_DIM);
    assert.equal(await reopened.forgetUser('discord:7'), 1);
    await second.close();
  });

  it('fails fast with store_unavailable when Redis goes away, and recovers when it returns', async () => {
    const own = await startRedis();
    const store = await openStore(`redis://127.0.0.1:${own.port}`);
    const ns = store.namespace<number>('settings');
    await ns.set('k', 1);
    await stopRedis(own.child);
    const started = Date.now();
    await assert.rejects(ns.get('k'), isStoreUnavailable);
    await assert.rejects(ns.set('k', 2), isStoreUnavailable);
    assert.ok(Date.now() - started < 5000, `failed in ${Date.now() - started} ms`);

    const again = await startRedis(own.port);
    try {
      await ns.set('k', 3);
      assert.equal(await ns.get('k'), 3);
    } finally {
      await store.close();
      await stopRedis(again.child);
    }
  });
});

describe('unreachable Redis', () => {
  it('gives store_unavailable quickly, with credentials kept out of the URL', async () => {
    const port = await freePort(); // nothing listens there
    const errors: unknown[] = [];
    const store: Store = await openStore(`redis://user:secret@127.0.0.1:${port}`, {
      onError: (err) => errors.push(err),
    });
    assert.equal(store.url, `redis://***@127.0.0.1:${port}`);
    const started = Date.now();
    await assert.rejects(store.namespace('gallery').get('global'), (err) => {
      isStoreUnavailable(err);
      assert.doesNotMatch(String((err as UserError).message), /secret/);
      return true;
    });
    await assert.rejects(store.ping(), isStoreUnavailable);
    await assert.rejects(new Gallery(store).list('global'), isStoreUnavailable);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    assert.ok(errors.length > 0, 'connection errors reach onError instead of the process');
    await store.close();
  });
});
