import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, afterEach, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/chat/logger.ts';
import { loadConfig, loadWorkerConfig } from '../../src/config/index.ts';
import type { CoreService } from '../../src/core/index.ts';
import { ConfigError, UserError } from '../../src/errors.ts';
import { startApp } from '../../src/main.ts';
import { InferenceWorker } from '../../src/queue/inference-worker.ts';
import { QueueEngine } from '../../src/queue/queue-engine.ts';
import {
  ANALYZE_QUEUE,
  encodeAnalysis,
  QUEUE_PREFIX,
  type ResultJob,
  resultsQueueName,
} from '../../src/queue/wire.ts';
import { spawnTsx } from '../fixtures/child.ts';
import { startRedis, stopRedis } from '../fixtures/redis-server.ts';
import { fakeAnalysis, fakeEngine } from '../support/queue-fakes.ts';

let redis: { port: number; child: ChildProcess };
let url: string;
let admin: Redis;
const open: { close(): Promise<void> }[] = [];

/** Closes what a test opened and empties Redis, so tests do not see each other's jobs. */
async function cleanUp(): Promise<void> {
  for (const thing of open.splice(0).reverse()) await thing.close();
  await admin.flushall();
}

/** Keys that hold a photo or an answer: job hashes of the analyze and results queues. */
async function jobKeys(): Promise<string[]> {
  const keys = await admin.keys(`${QUEUE_PREFIX}:*`);
  return keys.filter((k) => /^lookalike:(analyze|results-[^:]+):[0-9a-f-]{36}$/.test(k));
}

/** Polls `get` until it returns a non-empty list (tests wait for what happens, not for a time). */
async function until<T>(get: () => Promise<T[]>, timeoutMs = 20_000): Promise<T[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value.length > 0) return value;
    if (Date.now() > end) throw new Error('the expected state never came');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function engine(options: { limit?: number; ttlMs?: number } = {}): Promise<QueueEngine> {
  const e = await QueueEngine.open({ url, ...options });
  open.push(e);
  return e;
}

async function worker(options: Partial<Parameters<typeof InferenceWorker.start>[0]> = {}) {
  const w = await InferenceWorker.start({ url, engine: fakeEngine(), lockMs: 1_000, ...options });
  open.push(w);
  return w;
}

before(async () => {
  redis = await startRedis();
  url = `redis://127.0.0.1:${redis.port}`;
  admin = new Redis(url);
});

after(async () => {
  admin.disconnect();
  await stopRedis(redis.child);
});

describe('the Redis inference queue', () => {
  afterEach(cleanUp);

  it('sends a photo to a worker and brings back embeddings and thumbnails intact', async () => {
    const bot = await engine();
    await worker();
    const image = new Uint8Array([7, 1, 2, 3]);
    const analysis = await bot.analyze(image, { maxFaces: 3 });
    const expected = fakeAnalysis(image);
    assert.equal(analysis.width, expected.width);
    assert.deepEqual(analysis.faces[0]!.box, expected.faces[0]!.box);
    assert.ok(analysis.faces[0]!.embedding instanceof Float32Array);
    assert.deepEqual(analysis.faces[0]!.embedding, expected.faces[0]!.embedding);
    assert.ok(analysis.faces[0]!.thumbnail instanceof Uint8Array);
    assert.deepEqual([...analysis.faces[0]!.thumbnail], [...expected.faces[0]!.thumbnail]);
    // Neither the photo nor the answer stays in Redis once the member has it.
    assert.deepEqual(await jobKeys(), []);
  });

  it('brings back no thumbnails where the caller asked for none, and refuses an answer missing one', async () => {
    const bot = await engine();
    await worker();
    const image = new Uint8Array([7, 1, 2, 3]);
    const analysis = await bot.analyze(image, { thumbnails: false });
    assert.equal(Object.hasOwn(analysis.faces[0]!, 'thumbnail'), false);
    assert.deepEqual(analysis.faces[0]!.embedding, fakeAnalysis(image).faces[0]!.embedding);
    await cleanUp();
    // A worker that drops thumbnails it was asked for: the caller gets an error, never a face without one.
    const asking = await engine();
    await worker({ engine: fakeEngine(undefined, true) });
    await assert.rejects(asking.analyze(image), /without the thumbnail it was asked for/);
  });

  it("passes a member's mistake back as the same UserError", async () => {
    const bot = await engine();
    await worker();
    await assert.rejects(bot.analyze(new Uint8Array([0, 1])), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.code, 'no_face');
      return true;
    });
  });

  it('answers busy past the bound on waiting photos, and takes waiting photos off the queue on close', async () => {
    const bot = await engine({ limit: 2 });
    const waiting = [bot.analyze(new Uint8Array([1])), bot.analyze(new Uint8Array([2]))];
    for (const w of waiting) w.catch(() => {});
    await assert.rejects(bot.analyze(new Uint8Array([3])), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.code, 'busy');
      return true;
    });
    assert.equal((await jobKeys()).length, 2);
    await bot.close();
    for (const w of waiting) await assert.rejects(w, /closed/);
    assert.deepEqual(await jobKeys(), []);
  });

  it('tells the member to try again when no worker answers in time, and drops the photo', async () => {
    const bot = await engine({ ttlMs: 300 });
    await assert.rejects(bot.analyze(new Uint8Array([4])), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.equal(err.code, 'timeout');
      return true;
    });
    const queue = new Queue(ANALYZE_QUEUE, { connection: admin, prefix: QUEUE_PREFIX });
    assert.equal(await queue.getWaitingCount(), 0);
    await queue.close();
    // A worker that starts later finds nothing to analyse.
    const late = fakeEngine();
    await worker({ engine: late });
    assert.equal(late.calls, 0);
  });

  it('settles each caller once when a job is answered twice, and counts the extra answer', async () => {
    const bot = await engine();
    const asked = bot.analyze(new Uint8Array([9]));
    const analyze = new Queue(ANALYZE_QUEUE, { connection: admin, prefix: QUEUE_PREFIX });
    const [job] = await until(() => analyze.getWaiting());
    await analyze.close();
    // What a retried job looks like to the bot: two answers with the same job id, from two attempts.
    const replies = new Queue<ResultJob>(resultsQueueName(bot.producerId), {
      connection: admin,
      prefix: QUEUE_PREFIX,
    });
    const wire = encodeAnalysis(fakeAnalysis(new Uint8Array([9])));
    await replies.add('result', { jobId: job!.id!, attempt: 1, ok: true, analysis: wire });
    await replies.add('result', {
      jobId: job!.id!,
      attempt: 2,
      ok: false,
      error: { name: 'Error', message: 'late' },
    });
    await replies.close();
    assert.equal((await asked).width, fakeAnalysis(new Uint8Array([9])).width);
    await until(async () => (bot.dropped === 1 ? [true] : []));
    assert.equal(bot.waiting, 0);
  });

  it('retries the photo of a worker killed while analysing it, on another worker', async () => {
    const bot = await engine();
    const dying = spawnTsx('test/support/queue-hang-worker.ts', [url, '1000']);
    try {
      await dying.waitFor((line) => line === 'ready');
      const asked = bot.analyze(new Uint8Array([5]));
      await dying.waitFor((line) => line === 'active');
      await dying.stop('SIGKILL');
      const survivor = fakeEngine();
      await worker({ engine: survivor });
      assert.equal((await asked).width, fakeAnalysis(new Uint8Array([5])).width);
      assert.equal(survivor.calls, 1);
      assert.deepEqual(await jobKeys(), []);
    } finally {
      await dying.stop('SIGKILL');
    }
  });
});

describe('the app with LOOKALIKE_QUEUE', () => {
  afterEach(cleanUp);

  it('sends its photos through the queue instead of starting a pool', async () => {
    const app = await startApp(
      loadConfig({ LOOKALIKE_QUEUE: url, LOOKALIKE_STORE: 'memory://', PORT: '0' }),
      {
        logger: silentLogger,
      },
    );
    open.push({ close: () => app.stop() });
    const service = app.bot.deps.service as CoreService;
    assert.ok(service.engine instanceof QueueEngine);
    const fake = fakeEngine();
    await worker({ engine: fake });
    const analysis = await service.engine.analyze(new Uint8Array([3]));
    assert.equal(analysis.width, fakeAnalysis(new Uint8Array([3])).width);
    assert.equal(fake.calls, 1);
  });
});

describe('configuration', () => {
  it('reads the queue for the bot and the worker', () => {
    const config = loadConfig({ LOOKALIKE_QUEUE: 'redis://:pw@10.0.0.5:6379', LOOKALIKE_QUEUE_LIMIT: '40' });
    assert.deepEqual(config.queue, {
      url: 'redis://:pw@10.0.0.5:6379',
      limit: 40,
      ttlMs: undefined,
      lockMs: undefined,
    });
    assert.equal(loadConfig({}).queue, undefined);
    const worker = loadWorkerConfig({
      LOOKALIKE_QUEUE: 'redis://q:6379',
      LOOKALIKE_WORKERS: '2',
      LOOKALIKE_QUEUE_LOCK: '2.5',
    });
    assert.equal(worker.workers, 2);
    assert.equal(worker.queue.lockMs, 2_500);
    assert.throws(() => loadWorkerConfig({}), /LOOKALIKE_QUEUE is not set/);
    assert.throws(
      () => loadConfig({ LOOKALIKE_QUEUE: 'http://secret@x' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.doesNotMatch(err.message, /secret/);
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ LOOKALIKE_QUEUE: 'redis://x', LOOKALIKE_QUEUE_TTL: '0' }),
      /LOOKALIKE_QUEUE_TTL/,
    );
  });
});
