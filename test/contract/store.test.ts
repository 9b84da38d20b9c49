// One store contract (test/support/store-contract.ts) against every backend: memory, SQLite and Redis.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import { startRedis, stopRedis } from '../fixtures/redis-server.ts';
import { storeContract } from '../support/store-contract.ts';

const TMP = mkdtempSync(path.join(tmpdir(), 'lookalike-contract-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

describe('memory store', () => {
  storeContract({ kind: 'memory', persistent: false, open: () => openStore('memory://') });
});

describe('SQLite store', () => {
  const file = path.join(TMP, 'contract.sqlite');
  storeContract({ kind: 'sqlite', persistent: true, open: () => openStore(`sqlite://${file}`) });
});

describe('Redis store', () => {
  let redis: { port: number; child: ChildProcess } | undefined;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    if (redis) await stopRedis(redis.child);
  });
  storeContract({
    kind: 'redis',
    persistent: true,
    open: () => openStore(`redis://127.0.0.1:${redis!.port}`),
  });
});
