import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, UserError } from '../src/errors.ts';
import { openStore, parseStoreUrl, redactUrl, type Store } from '../src/store/index.ts';

const TMP = mkdtempSync(path.join(tmpdir(), 'lookalike-store-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

function isUserError(code: string): (err: unknown) => boolean {
  return (err) => {
    // The operator's mistakes are ConfigErrors, members' are UserErrors; both carry their code.
    const Expected = code === 'config' ? ConfigError : UserError;
    assert.ok(err instanceof Expected, `expected a ${Expected.name}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

// The contract every backend must meet (store-redis.test.ts checks the same against Redis).
async function exerciseStore(store: Store): Promise<void> {
  const gallery = store.namespace<Record<string, unknown>>('gallery');
  const models = store.namespace<string>('models');
  const value = {
    embedding: new Float32Array([0.25, -1.5, 3e-8]),
    thumbnail: new Uint8Array([0, 1, 254, 255]),
    buffer: Buffer.from('abc'),
    nested: { list: [1, 'two', null], f64: new Float64Array([Math.PI]) },
    text: ':starts with a colon',
  };
  await gallery.set('discord:1/abc', value);
  const back = await gallery.get('discord:1/abc');
  assert.ok(back?.embedding instanceof Float32Array);
  assert.deepEqual([...back.embedding], [...value.embedding]);
  assert.ok(back.thumbnail instanceof Uint8Array);
  assert.deepEqual([...back.thumbnail], [0, 1, 254, 255]);
  assert.deepEqual([...(back.buffer as Uint8Array)], [97, 98, 99]);
  assert.deepEqual((back.nested as { list: unknown[] }).list, [1, 'two', null]);
  assert.equal((back.nested as { f64: Float64Array }).f64[0], Math.PI);
  assert.equal(back.text, ':starts with a colon');

  // The same key in another namespace is another value.
  await models.set('discord:1/abc', 'model');
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
  assert.equal(await gallery.has('global'), false);

  // clear() empties one namespace only.
  await gallery.clear();
  assert.deepEqual(await gallery.keys(), []);
  assert.equal(await models.get('discord:1/abc'), 'model');
  await models.clear();

  // The same name gives the same view.
  assert.equal(store.namespace('gallery'), gallery);
  await store.ping();
}

describe('store URLs', () => {
  it('parses the accepted schemes', () => {
    assert.deepEqual(parseStoreUrl('memory://'), { kind: 'memory' });
    assert.deepEqual(parseStoreUrl('sqlite:///var/lib/x.sqlite'), {
      kind: 'sqlite',
      file: '/var/lib/x.sqlite',
    });
    assert.deepEqual(parseStoreUrl('sqlite://./data/x.sqlite'), {
      kind: 'sqlite',
      file: path.resolve('data/x.sqlite'),
    });
    assert.deepEqual(parseStoreUrl('rediss://h:6380'), { kind: 'redis', url: 'rediss://h:6380' });
  });

  it('refuses an unknown scheme, naming it and the accepted ones, without leaking credentials', async () => {
    await assert.rejects(openStore('postgres://admin:s3cret@db/x'), (err) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'config');
      assert.match(err.message, /"postgres:"/);
      for (const scheme of ['sqlite://', 'redis://', 'rediss://', 'memory://'])
        assert.ok(err.message.includes(scheme));
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
    await assert.rejects(openStore('just-a-path.sqlite'), isUserError('config'));
    await assert.rejects(openStore('redis://user:s3cret@host:notaport'), (err) => {
      isUserError('config')(err);
      assert.doesNotMatch(String((err as UserError).message), /s3cret/);
      assert.equal((err as UserError).cause, undefined);
      return true;
    });
  });

  it('redacts credentials', () => {
    assert.equal(redactUrl('redis://user:pw@host:6379/0'), 'redis://***@host:6379/0');
    assert.equal(redactUrl('rediss://:pw@host'), 'rediss://***@host');
    assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379');
  });
});

describe('memory store', () => {
  it('meets the store contract', async () => {
    const store = await openStore('memory://');
    assert.equal(store.kind, 'memory');
    await exerciseStore(store);
    await store.close();
  });

  it('gives each open an empty, private store', async () => {
    const a = await openStore('memory://');
    const b = await openStore('memory://');
    await a.namespace<number>('settings').set('x', 1);
    assert.equal(await b.namespace<number>('settings').get('x'), undefined);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses values it cannot round-trip and keys that would alias', async () => {
    const store = await openStore('memory://');
    const ns = store.namespace<unknown>('settings');
    await assert.rejects(ns.set('a', new Int16Array(2)), TypeError);
    await assert.rejects(ns.set('a', { $bin: 'u8', base64: '' }), TypeError);
    await assert.rejects(ns.get('settings:a'), TypeError);
    assert.throws(() => store.namespace('Bad:Name'), TypeError);
    await store.close();
  });

  it('fails with store_unavailable once closed', async () => {
    const store = await openStore('memory://');
    await store.close();
    await assert.rejects(store.namespace('optin').get('x'), isUserError('store_unavailable'));
  });
});

describe('SQLite store', () => {
  it('meets the store contract', async () => {
    const store = await openStore(`sqlite://${path.join(TMP, 'contract.sqlite')}`);
    assert.equal(store.kind, 'sqlite');
    await exerciseStore(store);
    await store.close();
  });

  it('keeps data across close and reopen, creating missing folders', async () => {
    const file = path.join(TMP, 'nested', 'deeper', 'keep.sqlite');
    const first = await openStore(`sqlite://${file}`);
    await first.namespace<Float32Array>('models').set('global', new Float32Array([1, 2, 3]));
    await first.namespace<string>('games').set('global', 'state');
    await first.close();
    assert.ok(existsSync(file));

    const second = await openStore(`sqlite://${file}`);
    assert.deepEqual([...((await second.namespace<Float32Array>('models').get('global')) ?? [])], [1, 2, 3]);
    assert.deepEqual(await second.namespace('games').keys(), ['global']);
    await second.close();
  });

  it('defaults to ./data/lookalike.sqlite under the working directory', async () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(path.join(TMP, 'cwd-'));
    process.chdir(dir);
    try {
      const store = await openStore();
      assert.equal(store.url, `sqlite://${path.join(dir, 'data', 'lookalike.sqlite')}`);
      await store.namespace<number>('settings').set('k', 1);
      await store.close();
      assert.ok(existsSync(path.join(dir, 'data', 'lookalike.sqlite')));
    } finally {
      process.chdir(cwd);
    }
  });

  it('lists many keys (more than one iteration page)', async () => {
    const store = await openStore(`sqlite://${path.join(TMP, 'many.sqlite')}`);
    const ns = store.namespace<number>('optin');
    for (let i = 0; i < 1200; i++) await ns.set(`user:${i}`, i);
    assert.equal((await ns.keys('user:')).length, 1200);
    await ns.clear();
    assert.deepEqual(await ns.keys(), []);
    await store.close();
  });

  it('gives store_unavailable for a path that cannot be created', async () => {
    // A regular file where a folder should be fails even for root, unlike permission bits.
    const blocker = path.join(TMP, 'not-a-folder');
    writeFileSync(blocker, 'x');
    await assert.rejects(openStore(`sqlite://${path.join(blocker, 'x.sqlite')}`), (err) => {
      isUserError('store_unavailable')(err);
      assert.ok((err as UserError).cause, 'keeps the cause');
      return true;
    });
  });

  it('gives store_unavailable once closed', async () => {
    const store = await openStore(`sqlite://${path.join(TMP, 'closed.sqlite')}`);
    const ns = store.namespace<number>('settings');
    await store.close();
    await assert.rejects(ns.set('x', 1), isUserError('store_unavailable'));
  });
});
