// Issue 21, item 11 and the lock: a SQLite file deleted or replaced under a running process is detected
// before the next write, which is refused with a clear message and logged; a lock held by another
// program fails with a message that says so, and is logged at every level.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sqlite3 from 'sqlite3';
import { openStore } from '../../src/store/index.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-hostile-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function warnings(): { codes: string[]; stop: () => void } {
  const codes: string[] = [];
  const listener = (w: Error & { code?: string }) => codes.push(w.code ?? w.message);
  process.on('warning', listener);
  return { codes, stop: () => process.off('warning', listener) };
}

describe('a SQLite store file deleted or replaced while open', () => {
  for (const how of ['deleted', 'replaced'] as const) {
    it(`refuses writes once the file is ${how}, says why, and logs it once`, async () => {
      const file = path.join(tmp, `${how}.sqlite`);
      const errors: unknown[] = [];
      const store = await openStore(`sqlite://${file}`, { onError: (e) => errors.push(e) });
      const gallery = store.namespace<string>('gallery');
      await gallery.set('a', 'before');
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      if (how === 'replaced') writeFileSync(file, '');
      const logged = warnings();
      for (let i = 0; i < 2; i++) {
        await assert.rejects(gallery.set('b', 'after'), (err: Error & { code?: string }) => {
          assert.equal(err.code, 'store_moved');
          assert.match(err.message, /deleted or replaced while I was running.*restart/);
          return true;
        });
      }
      await assert.rejects(gallery.delete('a'), { code: 'store_moved' });
      await new Promise((resolve) => setImmediate(resolve));
      logged.stop();
      assert.deepEqual(logged.codes, ['LOOKALIKE_STORE_MOVED'], 'logged once');
      // keyv re-emits each failed write as well; the guard's own report comes once.
      const reports = errors.filter(
        (e) => e instanceof Error && /was deleted or replaced while open/.test(e.message),
      );
      assert.equal(reports.length, 1);
      await store.close();
    });
  }
});

describe('a SQLite lock held by another program', () => {
  it('fails with a message that names the lock, and logs it', async () => {
    const file = path.join(tmp, 'locked.sqlite');
    const store = await openStore(`sqlite://${file}`, { busyTimeoutMs: 100, timeoutMs: 3000 });
    await store.namespace<string>('gallery').set('a', '1');
    const other = new sqlite3.Database(file);
    await new Promise<void>((resolve, reject) =>
      other.exec('BEGIN EXCLUSIVE', (e) => (e ? reject(e) : resolve())),
    );
    const logged = warnings();
    try {
      await assert.rejects(
        store.namespace<string>('gallery').set('b', '2'),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'store_unavailable');
          assert.match(err.message, /locked by another program/);
          return true;
        },
      );
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(logged.codes.includes('LOOKALIKE_STORE_LOCKED'), logged.codes.join());
    } finally {
      logged.stop();
      await new Promise<void>((resolve) => other.exec('ROLLBACK', () => other.close(() => resolve())));
      await store.close();
    }
  });
});
