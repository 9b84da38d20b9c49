// The one contract every store backend meets (after keyv's test-suite): run by test/contract/store.test.ts
// against memory, SQLite and Redis with the same assertions, so no backend is held to less.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { UserError } from '../../src/errors.ts';
import { EMBEDDING_DIM, Gallery, type NewPhoto } from '../../src/gallery/index.ts';
import type { Store } from '../../src/store/index.ts';

/** How the contract opens a backend: `open()` gives a fresh store; `reopen` the same data again, if it persists. */
export interface StoreUnderTest {
  kind: Store['kind'];
  open(): Promise<Store>;
  /** A second store on the same data, for backends that keep data across close (not memory). */
  persistent: boolean;
}

export function isStoreUnavailable(err: unknown): boolean {
  assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
  assert.equal(err.code, 'store_unavailable');
  return true;
}

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

/** Registers the contract's tests for one backend (call inside a `describe`). */
export function storeContract(backend: StoreUnderTest): void {
  it('round-trips typed values: typed arrays, buffers, nested values, leading colons', async () => {
    const store = await backend.open();
    assert.equal(store.kind, backend.kind);
    const ns = store.namespace<Record<string, unknown>>('gallery');
    const value = {
      embedding: new Float32Array([0.25, -1.5, 3e-8]),
      thumbnail: new Uint8Array([0, 1, 254, 255]),
      buffer: Buffer.from('abc'),
      nested: { list: [1, 'two', null], f64: new Float64Array([Math.PI]) },
      text: ':starts with a colon',
    };
    await ns.set('discord:1/abc', value);
    const back = await ns.get('discord:1/abc');
    assert.ok(back?.embedding instanceof Float32Array);
    assert.deepEqual([...back.embedding], [...value.embedding]);
    assert.ok(back.thumbnail instanceof Uint8Array);
    assert.deepEqual([...back.thumbnail], [0, 1, 254, 255]);
    assert.deepEqual([...(back.buffer as Uint8Array)], [97, 98, 99]);
    assert.deepEqual((back.nested as { list: unknown[] }).list, [1, 'two', null]);
    assert.equal((back.nested as { f64: Float64Array }).f64[0], Math.PI);
    assert.equal(back.text, ':starts with a colon');
    // Megabytes of embeddings come back without a copy (their decoded bytes are theirs alone); small
    // arrays come from a shared pool and are copied out of it: no decoded array shares memory.
    const large = Float32Array.from({ length: 300_000 }, (_, i) => Math.sin(i));
    await ns.set('large', { large, small: new Float32Array([1, 2]), also: new Uint8Array([3]) });
    const read = (await ns.get('large')) as { large: Float32Array; small: Float32Array; also: Uint8Array };
    assert.ok(Buffer.from(read.large.buffer).equals(Buffer.from(large.buffer)));
    for (const view of [read.large, read.small, read.also])
      assert.equal(view.buffer.byteLength, view.byteLength, 'a decoded array owns all of its buffer');
    await ns.clear();
    await store.close();
  });

  it('keeps namespaces apart: keys, prefixes, entries, getMany, has, delete, clear', async () => {
    const store = await backend.open();
    const gallery = store.namespace<Record<string, unknown>>('gallery');
    const models = store.namespace<string>('models');
    await models.set('discord:1/abc', 'model');
    await gallery.set('discord:1/abc', { n: 0 });
    await gallery.set('global', { n: 1 });
    await gallery.set('slack:T1', { n: 2 });
    assert.equal(await models.get('discord:1/abc'), 'model');
    assert.deepEqual((await gallery.keys()).sort(), ['discord:1/abc', 'global', 'slack:T1']);
    assert.deepEqual(await gallery.keys('slack:'), ['slack:T1']);
    assert.deepEqual(await models.keys(), ['discord:1/abc']);
    const seen: string[] = [];
    for await (const [key, entry] of gallery.entries('g')) seen.push(`${key}=${JSON.stringify(entry)}`);
    assert.deepEqual(seen, ['global={"n":1}']);
    assert.deepEqual(await gallery.getMany(['slack:T1', 'nope', 'global']), [{ n: 2 }, undefined, { n: 1 }]);
    assert.deepEqual(await gallery.getMany([]), []);
    assert.equal(await gallery.has('global'), true);
    assert.equal(await gallery.has('nope'), false);
    assert.equal(await gallery.get('nope'), undefined);
    assert.equal(await gallery.delete('global'), true);
    assert.equal(await gallery.delete('global'), false);
    assert.equal(await gallery.has('global'), false);
    // clear() empties one namespace only.
    await gallery.clear();
    assert.deepEqual(await gallery.keys(), []);
    assert.equal(await models.get('discord:1/abc'), 'model');
    await models.clear();
    // The same name gives the same view.
    assert.equal(store.namespace('gallery'), gallery);
    await store.ping();
    await store.close();
  });

  it('refuses values it cannot round-trip and keys that would alias', async () => {
    const store = await backend.open();
    const ns = store.namespace<unknown>('settings');
    await assert.rejects(ns.set('a', new Int16Array(2)), TypeError);
    await assert.rejects(ns.set('a', { $bin: 'u8', base64: '' }), TypeError);
    await assert.rejects(ns.get('settings:a'), TypeError);
    assert.throws(() => store.namespace('Bad:Name'), TypeError);
    await store.close();
  });

  it('lists many keys (more than one iteration page)', async () => {
    const store = await backend.open();
    const ns = store.namespace<number>('optin');
    await Promise.all(Array.from({ length: 1200 }, (_, i) => ns.set(`user:${i}`, i)));
    assert.equal((await ns.keys('user:')).length, 1200);
    await ns.clear();
    assert.deepEqual(await ns.keys(), []);
    await store.close();
  });

  it('keeps a gallery across reopening (persistent backends), private to each store otherwise', async () => {
    const scope = `discord:${Date.now()}`;
    const first = await backend.open();
    const gallery = new Gallery(first);
    await gallery.enroll(scope, 'Beyoncé', [photo('b1'), photo('b2', 'discord:7')]);
    await first.close();
    const second = await backend.open();
    const reopened = new Gallery(second);
    if (!backend.persistent) {
      assert.equal(await reopened.version(scope), 0);
      await second.close();
      return;
    }
    assert.equal(await reopened.version(scope), 1);
    const snapshot = await reopened.snapshot(scope);
    assert.deepEqual(
      snapshot.identities.map((i) => [i.slug, i.photos.length]),
      [['beyonce', 2]],
    );
    assert.equal(snapshot.identities[0]?.photos[0]?.embedding.length, EMBEDDING_DIM);
    assert.equal(await reopened.forgetUser('discord:7'), 1);
    await reopened.removeIdentity(scope, 'beyonce');
    await second.close();
  });

  it('gives store_unavailable once closed', async () => {
    const store = await backend.open();
    const ns = store.namespace<number>('settings');
    await store.close();
    await assert.rejects(ns.set('x', 1), isStoreUnavailable);
    await assert.rejects(ns.get('x'), isStoreUnavailable);
  });
}
