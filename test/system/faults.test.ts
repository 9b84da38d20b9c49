// Issue 12's faults, each induced for real: an inference worker that dies mid-photo, SQLite on a path it
// cannot use, Redis killed in the middle of commands and brought back, and a dropped Discord gateway.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createLogger } from '../../src/chat/logger.ts';
import type { ChatContext, ChatUser, OptionValue } from '../../src/chat/types.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createFaceEngine, WorkerPool } from '../../src/engine/index.ts';
import { UserError } from '../../src/errors.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { openStore } from '../../src/store/index.ts';
import { RecordingResponder } from '../fixtures/chat-fakes.ts';
import { BBT_DIR, readData } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest } from '../fixtures/discord-standin.ts';
import { startRedis, stopRedis } from '../fixtures/redis-server.ts';
import { photo } from '../support/bbt-photo.ts';
import { CLI_BIN } from '../support/cli-run.ts';
import { until } from '../support/until.ts';

const run = promisify(execFile);
const UNAVAILABLE = /store is not reachable right now/;

describe('fault: an inference worker dies in the middle of a photo', { timeout: 120_000 }, () => {
  let pool: WorkerPool | undefined;
  before(async () => {
    const engine = await createFaceEngine({ workers: 1, log: () => {} });
    assert.ok(engine instanceof WorkerPool, 'a worker pool, not an inline engine');
    pool = engine;
  });
  after(() => pool?.close());

  it('fails that photo with an error, replaces the worker, and the pool goes on', async () => {
    const image = readData('bbt', 'penny', 'penny1.png');
    assert.equal((await pool!.analyze(image)).faces.length, 1);
    const crashed = pool!.workerId(0);
    const inFlight = pool!.analyze(image);
    await pool!.crashWorker(0);
    await assert.rejects(inFlight, /inference worker exited/);
    const started = performance.now();
    assert.equal((await pool!.analyze(image)).faces.length, 1, 'answered by the replacement worker');
    console.log(`replacement worker answered ${Math.round(performance.now() - started)} ms after the crash`);
    assert.notEqual(pool!.workerId(0), crashed, 'a new worker took the slot');
    assert.equal(pool!.size, 1);
  });

  it('fails both photos a dying worker held, and serves the next from its replacement', async () => {
    const image = readData('bbt', 'penny', 'penny1.png');
    assert.equal(pool!.inFlight, 2);
    await pool!.ready();
    const held = [pool!.analyze(image), pool!.analyze(image)];
    const queued = pool!.analyze(image);
    assert.equal(pool!.load().ahead, 3, 'two in the worker, one queued');
    await pool!.crashWorker(0);
    for (const photo of held) await assert.rejects(photo, /inference worker exited/);
    assert.equal((await queued).faces.length, 1, 'the queued photo went to the replacement');
  });

  it('answers running, queued and late photos with busy when it closes (a restart), never leaves one hanging', async () => {
    const image = readData('bbt', 'penny', 'penny1.png');
    const closing = await createFaceEngine({ workers: 1, log: () => {} });
    assert.ok(closing instanceof WorkerPool);
    await closing.analyze(image);
    const unfinished = Promise.allSettled([
      closing.analyze(image),
      closing.analyze(image),
      closing.analyze(image),
    ]);
    assert.equal(closing.load().ahead, 3, 'two in the worker, one queued');
    await closing.close();
    const late = await Promise.allSettled([closing.analyze(image)]);
    for (const settled of [...(await unfinished), ...late]) {
      assert.equal(settled.status, 'rejected');
      assert.ok(
        settled.reason instanceof UserError && settled.reason.code === 'busy',
        String(settled.reason),
      );
    }
  });
});

describe('fault: SQLite on a path it cannot use', () => {
  it('fails at start-up with the path and the reason, never a hang or "try again later"', async () => {
    for (const [file, reason] of [
      ['/sys/lookalike.sqlite', /cannot be opened or created|read-only/],
      ['/etc/hostname/lookalike.sqlite', /is a file, not a folder|not a folder/],
    ] as const) {
      const err = await openStore(`sqlite://${file}`, { timeoutMs: 1_500 }).then(
        () => assert.fail(`${file} opened`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof UserError && err.code === 'store_unavailable', String(err));
      assert.match(err.message, new RegExp(`^Cannot open the SQLite store at ${file}: `));
      assert.match(err.message, reason);
      assert.match(err.message, /Set LOOKALIKE_STORE/);
    }
  });

  it('makes the command line exit 1 with that one line, also where the driver never answers', async () => {
    // Under /proc the SQLite driver hangs in a native thread, which would keep this test process alive,
    // so that case runs in the command line's own process (which exits after its one line).
    for (const [file, reason] of [
      ['/sys/lookalike.sqlite', /cannot be opened or created|read-only/],
      ['/proc/lookalike/lookalike.sqlite', /no answer within 5000 ms/],
    ] as const) {
      const failed = await run(process.execPath, [CLI_BIN, 'list', '--store', `sqlite://${file}`], {
        timeout: 30_000,
      }).then(
        () => assert.fail('lookalike list succeeded'),
        (e: { code?: number; stderr?: string }) => e,
      );
      assert.equal(failed.code, 1, file);
      assert.match(failed.stderr ?? '', new RegExp(`Cannot open the SQLite store at ${file}: `));
      assert.match(failed.stderr ?? '', reason);
      assert.equal((failed.stderr ?? '').trim().split('\n').length, 1, 'one line');
    }
  });
});

describe('fault: Redis goes away in the middle of commands and comes back', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-redis-'));
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  let app: RunningApp | undefined;
  const admin: ChatUser = {
    id: 'playground:admin',
    platformId: 'admin',
    displayName: 'admin',
    isPlatformAdmin: true,
  };
  const ctx: ChatContext = {
    platform: 'playground',
    scope: 'playground',
    channelId: 'playground',
    user: admin,
  };
  const command = async (line: string, options: Record<string, OptionValue | undefined> = {}) => {
    const [name = '', subcommand] = line.split(' ');
    const responder = new RecordingResponder();
    await app!.bot.handleCommand(name, { ctx, subcommand, options }, responder);
    return responder.only().text;
  };

  before(async () => {
    redis = await startRedis(undefined, { dir });
    app = await startApp(
      loadConfig({ LOOKALIKE_STORE: `redis://127.0.0.1:${redis.port}`, HOST: '127.0.0.1', PORT: '0' }),
      { logger: createLogger({ write: () => {} }) },
    );
  });
  after(async () => {
    await app?.stop();
    if (redis) await stopRedis(redis.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the store is unavailable while it is down, then works again and has lost nothing it acknowledged', async () => {
    assert.match(
      await command('enroll', { name: 'Penny', image: photo('penny', 1), image2: photo('penny', 2) }),
      /Penny/,
    );
    assert.match(await command('gallery list'), /Penny/);
    await stopRedis(redis!.child, 'SIGKILL');

    const started = performance.now();
    assert.match(await command('gallery list'), UNAVAILABLE);
    assert.match(await command('lookalike', { image: photo('penny', 3) }), UNAVAILABLE);
    assert.match(await command('enroll', { name: 'Sheldon', image: photo('sheldon', 1) }), UNAVAILABLE);
    console.log(
      `three commands refused while Redis was down in ${Math.round(performance.now() - started)} ms`,
    );

    redis = await startRedis(redis!.port, { dir });
    // The client reconnects on the next operation; the first one may still catch it reconnecting.
    let listed = '';
    for (let i = 0; i < 20; i++) {
      listed = await command('gallery list');
      if (!UNAVAILABLE.test(listed)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.match(listed, /Penny/, 'what was acknowledged before the kill is still there');
    assert.doesNotMatch(listed, /Sheldon/, 'the enrolment refused during the outage left nothing behind');
    assert.match(await command('lookalike', { image: photo('penny', 3) }), /Penny/);
  });
});

describe('fault: the Discord gateway drops the connection', { timeout: 120_000 }, () => {
  const standin = new DiscordStandin({ dataDir: BBT_DIR });
  let app: RunningApp | undefined;
  const member = { id: '500000000000000099', username: 'member' };
  const help = async () => {
    const from = standin.requests.length;
    const { id, token } = await standin.dispatchInteraction({ name: 'help', user: member });
    return standin.waitFor(
      (r: RecordedRequest) =>
        (r.method === 'PATCH' && r.path === `/webhooks/${standin.appId}/${token}/messages/@original`) ||
        (r.method === 'POST' && r.path === `/interactions/${id}/${token}/callback` && r.body?.type === 4),
      { from, timeoutMs: 30_000 },
    );
  };

  before(async () => {
    await standin.start();
    const config = loadConfig({
      DISCORD_TOKEN: 'MTAwMDAwMDAwMDAwMDAwMDAy.GfauLt.faults-token-only-for-the-stand-in-xyz',
      DISCORD_APP_ID: standin.appId,
      DISCORD_API_URL: standin.apiUrl,
      LOOKALIKE_STORE: 'memory://',
    });
    app = await startApp(config, {
      discordMessageContent: false,
      logger: createLogger({
        level: 'debug',
        // E2E_LOG=1 shows discord.js's reconnection steps.
        write: (l) => void (process.env.E2E_LOG && process.stderr.write(`${l}\n`)),
      }),
    });
  });
  after(async () => {
    await app?.stop();
    await standin.close();
  });

  it('reconnects by itself and answers commands again', async () => {
    await help();
    assert.equal(standin.connections, 1);
    standin.dropGateway();
    const dropped = performance.now();
    // discord.js tries to RESUME first; the stand-in refuses (invalid session), so it identifies anew.
    await until('the bot identified again', () => standin.identifies.length === 2 && standin.connected);
    assert.ok(standin.connections >= 2);
    await help();
    console.log(`gateway dropped -> command answered again ${Math.round(performance.now() - dropped)} ms`);
  });
});
