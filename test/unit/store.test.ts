import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, UserError } from '../../src/errors.ts';
import { openStore, parseStoreUrl, redactUrl } from '../../src/store/index.ts';

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

// The contract every backend meets is test/contract/store.test.ts; these are each backend's own behaviour.
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
  it('gives each open an empty, private store', async () => {
    const a = await openStore('memory://');
    const b = await openStore('memory://');
    await a.namespace<number>('settings').set('x', 1);
    assert.equal(await b.namespace<number>('settings').get('x'), undefined);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('SQLite store', () => {
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
});
