import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/errors.ts';
import { Gallery } from '../../src/gallery/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { freePort, startRedis, stopRedis } from '../fixtures/redis-server.ts';

function isStoreUnavailable(err: unknown): boolean {
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  assert.equal(err.code, 'store_unavailable');
  assert.ok(err.cause, 'keeps the cause');
  return true;
}

describe('Redis store', () => {
  let redis: { port: number; child: ChildProcess } | undefined;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  before(async () => {
    redis = await startRedis();
    process.on('uncaughtException', onUncaught);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    if (redis) await stopRedis(redis.child);
    assert.deepEqual(uncaught, [], 'no store error reached the process');
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
