// State that several bot processes share through one real Redis (src/coordination): rate limits, the
// lock and fenced state of each channel's game, BullMQ game timers taken over when their process dies,
// and the trained classifier another process retrained. Two coordination instances (each with its own
// connections) stand for two bot processes; the timer take-overs use real processes killed with SIGKILL.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/chat/logger.ts';
import { RateLimiter } from '../../src/chat/rate-limit.ts';
import { loadConfig, sharedStateUrl } from '../../src/config/index.ts';
import { type Coordination, LockLostError, openCoordination } from '../../src/coordination/index.ts';
import { CoreService } from '../../src/core/service.ts';
import type { FaceEngine } from '../../src/domain/face.ts';
import { Gallery } from '../../src/gallery/index.ts';
import type { GuessState } from '../../src/games/guess/rules.ts';
import { channelKey } from '../../src/games/types.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { openStore } from '../../src/store/index.ts';
import { askGame, QueueCluster } from '../../tools/lib/queue-cluster.ts';
import { fakeContext, RecordingResponder } from '../fixtures/chat-fakes.ts';
import type { Child } from '../fixtures/child.ts';
import { gameRig } from '../fixtures/games.ts';
import { startRedis, stopRedis } from '../fixtures/redis-server.ts';
import { syntheticGallery } from '../support/synthetic.ts';

/** Gallery photos for synthetic embeddings, with distinct hashes per identity `k`. */
function photosOf(embeddings: Float32Array[], k: number) {
  return embeddings.map((embedding, i) => ({
    hash: createHash('sha256').update(`${k}/${i}`).digest('hex'),
    embedding,
    thumbnail: new Uint8Array([1]),
    addedBy: 'test',
  }));
}

let redis: { port: number; child: ChildProcess };
let url: string;
const opened: Coordination[] = [];

async function coordination(): Promise<Coordination> {
  const c = openCoordination(url, { ttlMs: 2_000, timerLockMs: 2_000 });
  opened.push(c);
  return c;
}

before(async () => {
  redis = await startRedis();
  url = `redis://127.0.0.1:${redis.port}`;
});

after(async () => {
  for (const c of opened) await c.close();
  await stopRedis(redis.child);
});

describe('which Redis holds the shared state', () => {
  it("is the store's when it is Redis, else the queue's, and none on one machine", () => {
    const of = (env: Record<string, string>) => sharedStateUrl(loadConfig(env));
    assert.equal(of({}), undefined, 'the SQLite default: one process, nothing shared');
    assert.equal(of({ LOOKALIKE_STORE: 'memory://' }), undefined);
    assert.equal(of({ LOOKALIKE_STORE: 'redis://store:6379' }), 'redis://store:6379');
    assert.equal(of({ LOOKALIKE_QUEUE: 'redis://queue:6379' }), 'redis://queue:6379');
    assert.equal(
      of({ LOOKALIKE_STORE: 'rediss://store:6380', LOOKALIKE_QUEUE: 'redis://queue:6379' }),
      'rediss://store:6380',
    );
  });
});

describe('shared rate limits', () => {
  it('lets a member through as often over two processes as one process would, and no more', async () => {
    const limit = { capacity: 3, refillMs: 60_000 };
    const [a, b] = [(await coordination()).rateLimiter(limit), (await coordination()).rateLimiter(limit)];
    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).take('discord:42')),
    );
    const local = new RateLimiter(limit, () => 0);
    const alone = Array.from({ length: 10 }, () => local.take('discord:42'));
    assert.equal(decisions.filter((d) => d.ok).length, alone.filter((d) => d.ok).length);
    assert.equal(decisions.filter((d) => d.ok).length, 3);
    for (const d of decisions) if (!d.ok) assert.ok(d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 60);
    // Another member has a bucket of their own.
    assert.deepEqual(await b.take('discord:43'), { ok: true });
  });
});

describe('shared games', () => {
  it('starts one game per channel and scores exactly one of many right answers from two processes', async () => {
    const alice = fakeContext({ userId: '1', channelId: 'race' });
    const bob = fakeContext({ userId: '2', channelId: 'race' });
    const stores = [await openStore(url), await openStore(url)];
    const rigs = [
      await gameRig({ store: stores[0], sync: (await coordination()).games, seed: 1 }),
      await gameRig({ store: stores[1], sync: (await coordination()).games, seed: 2 }),
    ];
    try {
      const starts = await Promise.all([
        rigs[0]!.command(alice, 'game', 'guess', { rounds: 1 }),
        rigs[1]!.command(bob, 'game', 'guess', { rounds: 1 }),
      ]);
      const started = starts.filter((r) => /Who's that celebrity/.test(r.title ?? ''));
      assert.equal(started.length, 1, starts.map((r) => r.text).join(' | '));
      assert.equal(starts.filter((r) => /already running in this channel/.test(r.text)).length, 1);
      assert.equal(rigs[0]!.poster.posts.length + rigs[1]!.poster.posts.length, 1, 'one round posted');

      // The process that did not start the game answers from the shared state, as does the one that did.
      const loser = rigs.find((r) => r.poster.posts.length === 0)!;
      const sync = (await coordination()).games;
      const state = (await sync.states.get(channelKey(alice.scope, alice.channelId))) as GuessState;
      const right = `game:${state.id}:0:${state.plan[0]!.answer.slug}`;
      const players = Array.from({ length: 16 }, (_, i) =>
        fakeContext({ userId: String(100 + i), channelId: 'race' }),
      );
      const answers = await Promise.all(players.map((p, i) => rigs[i % 2]!.press(p, right)));
      const texts = answers.map((a) => a.text);
      assert.equal(texts.filter((t) => t.startsWith('✓')).length, 1, texts.join(' | '));
      assert.equal(texts.filter((t) => /^Too late: User 1\d\d got it first\.$/.test(t)).length, 15);
      const after = (await sync.states.get(channelKey(alice.scope, alice.channelId))) as GuessState;
      assert.equal(Object.keys(after.scores).length, 1, 'one player scored');
      assert.equal(loser.games.current(alice.scope, alice.channelId)?.id, state.id);
      assert.match((await loser.command(alice, 'game', 'twins')).text, /already running in this channel/);

      // `/forget` in either process takes the member out of the game the other one started.
      const [scorer] = Object.keys(after.scores);
      assert.deepEqual(await loser.games.forget(scorer!), ['your part in 1 game in progress']);
      const forgotten = (await sync.states.get(channelKey(alice.scope, alice.channelId))) as GuessState;
      assert.deepEqual(forgotten.scores, {});
    } finally {
      for (const rig of rigs) await rig.games.stop();
      for (const store of stores) await store.close();
    }
  });

  it('refuses the state write of a process whose lock expired once another took the channel', async () => {
    const [a, b] = [await coordination(), await coordination()];
    const key = 'discord:guild:fenced';
    const state = { id: 'g1', kind: 'twins', done: false } as never;
    // A's lease, no longer the newest once released or expired: as held by a process that froze past its lock.
    let stale = { fence: 0 };
    const frozen = a.games.locks.run(key, async (lease) => {
      stale = lease;
    });
    await frozen;
    await b.games.locks.run(key, async (lease) => {
      assert.ok(lease.fence > stale.fence, 'fencing tokens only grow');
      await assert.rejects(a.games.states.set(key, state, stale), LockLostError);
      await b.games.states.set(key, { ...(state as object), id: 'g2' } as never, lease);
    });
    await assert.rejects(a.games.states.set(key, state, stale), LockLostError);
    assert.equal((await b.games.states.get(key))?.id, 'g2');
  });
});

describe('two apps (startApp) on one Redis store', { timeout: 180_000 }, () => {
  it('share rate limits and games, with nothing to configure beyond LOOKALIKE_STORE', async () => {
    const config = loadConfig({ LOOKALIKE_STORE: url, LOOKALIKE_WORKERS: '1', HOST: '127.0.0.1', PORT: '0' });
    const rateLimit = { capacity: 2, refillMs: 60_000 };
    const apps: RunningApp[] = [];
    try {
      for (let i = 0; i < 2; i++) apps.push(await startApp(config, { logger: silentLogger, rateLimit }));
      const member = fakeContext({
        userId: '7',
        platform: 'playground',
        scope: 'playground',
        channelId: 'app',
      });
      const run = async (app: RunningApp, subcommand: string) => {
        const responder = new RecordingResponder();
        await app.bot.handleCommand('game', { ctx: member, subcommand, options: {} }, responder);
        return responder.only();
      };
      const starts = await Promise.all(apps.map((app) => run(app, 'twins')));
      assert.equal(
        starts.filter((r) => /Twin finder/.test(r.title ?? '')).length,
        1,
        starts.map((r) => r.text).join(' | '),
      );
      assert.equal(starts.filter((r) => /already running in this channel/.test(r.text)).length, 1);
      // Two commands so far over both apps: the member's burst of 2 is used up everywhere.
      assert.match((await run(apps[1]!, 'stop')).text, /going a bit fast/);
      assert.match((await run(apps[0]!, 'stop')).text, /going a bit fast/);
    } finally {
      for (const app of apps) await app.stop();
    }
  });
});

describe('a bot whose shared Redis went away', { timeout: 120_000 }, () => {
  it('stops all the same, and its timers let go of the process', async () => {
    const own = await startRedis();
    const config = loadConfig({
      LOOKALIKE_STORE: `redis://127.0.0.1:${own.port}`,
      LOOKALIKE_WORKERS: '1',
      PORT: '0',
    });
    const app = await startApp(config, { logger: silentLogger });
    await stopRedis(own.child, 'SIGKILL');
    await app.stop();
  });
});

describe('gallery writes across processes', () => {
  it('take turns per scope: eight enrolments at once through two processes all land', async () => {
    const faces = syntheticGallery({ identities: 8, perIdentity: 2, dim: 1024, photoSpread: 0.8, seed: 9 });
    const [storeA, storeB] = [await openStore(url), await openStore(url)];
    const galleries = [
      new Gallery(storeA, { locks: (await coordination()).galleryLocks, embeddingDim: 1024 }),
      new Gallery(storeB, { locks: (await coordination()).galleryLocks, embeddingDim: 1024 }),
    ];
    try {
      await Promise.all(
        faces.identities.map((identity, k) =>
          galleries[k % 2]!.enroll('discord:busy', identity.name, photosOf(identity.embeddings, k)),
        ),
      );
      const names = (await galleries[0]!.list('discord:busy')).map((i) => i.name).sort();
      assert.deepEqual(names, faces.identities.map((i) => i.name).sort(), 'no enrolment lost');
      assert.equal(await galleries[1]!.version('discord:busy'), 8, 'one version per enrolment');
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});

describe('the trained classifier across processes', () => {
  it('is retrained once: another process with a cached classifier sees the new gallery version and reuses it', async () => {
    const engine: FaceEngine = {
      backend: 'none',
      analyze: async () => Promise.reject(new Error('unused')),
      close: async () => {},
    };
    const faces = syntheticGallery({ identities: 5, perIdentity: 3, dim: 1024, photoSpread: 0.8, seed: 3 });
    const photos = (k: number) => photosOf(faces.identities[k]!.embeddings, k);
    const [storeA, storeB] = [await openStore(url), await openStore(url)];
    const saves: string[] = [];
    const recording = (name: string, store: typeof storeA): Gallery => {
      const gallery = new Gallery(store, { embeddingDim: 1024 });
      const setModel = gallery.setModel.bind(gallery);
      gallery.setModel = async (scope, version, model) => {
        saves.push(`${name}@${version}`);
        return setModel(scope, version, model);
      };
      return gallery;
    };
    const [galleryA, galleryB] = [recording('a', storeA), recording('b', storeB)];
    try {
      await galleryA.enrollMany(
        'global',
        [0, 1, 2, 3].map((k) => ({ name: faces.identities[k]!.name, photos: photos(k) })),
      );
      const [a, b] = [new CoreService(engine, galleryA), new CoreService(engine, galleryB)];
      const first = await a.matcher('global');
      assert.equal((await b.matcher('global')).matcher.size, 4, "b restores a's model");
      await galleryA.enroll('global', faces.identities[4]!.name, photos(4));
      const retrained = await a.train('global');
      const seen = await b.matcher('global');
      assert.equal(seen.version, retrained.version);
      assert.equal(seen.matcher.size, 5);
      assert.equal(seen.matcher.identify(faces.photos(4, 1)[0]!).match?.name, faces.identities[4]!.name);
      assert.deepEqual(saves, [`a@${first.version}`, `a@${retrained.version}`], 'only a trained');
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});

/** What game bots print while a game runs, from every process: posts, edits and deadlines taken. */
class GameLog {
  readonly lines: Record<string, unknown>[] = [];

  watch(child: Child): void {
    child.onLine((line) => {
      if (/^\{"(post|edit|firing)"/.test(line)) this.lines.push(JSON.parse(line));
    });
  }

  /** The reveal steps shown, as their picture names, in order (`guess-1-1.png`…). */
  images(): string[] {
    return this.lines.flatMap((l) => {
      const image = (l.edit as { image?: string } | undefined)?.image;
      return image ? [image] : [];
    });
  }

  finals(): Record<string, unknown>[] {
    return this.lines.filter((l) => /final scores/.test(String((l.post as { title?: string })?.title)));
  }
}

/** Waits until `child` prints the final scoreboard of a game. */
function finalOf(child: Child): Promise<string> {
  return child.waitFor((line) => line.startsWith('{"post"') && line.includes('final scores'), 120_000);
}

describe('shared game timers', () => {
  let cluster: QueueCluster;
  const timing = { revealMs: 1_500, pauseMs: 500 };

  before(async () => {
    cluster = await QueueCluster.start();
  });

  after(async () => {
    await cluster?.stop();
  });

  it('fires each deadline exactly once in the other process when the one that armed them is killed', async () => {
    const [a, b] = await Promise.all([
      cluster.addProducer(10, 60_000, timing),
      cluster.addProducer(10, 60_000, timing),
    ]);
    const log = new GameLog();
    log.watch(b);
    const started = await askGame(a, { op: 'guess', channel: 'armed', rounds: 1 });
    assert.match(started.title ?? '', /Who's that celebrity/);
    a.process.kill('SIGKILL');
    await finalOf(b);
    const images = log.images();
    assert.ok(images.length >= 1, 'b revealed the face');
    assert.deepEqual(images, [...new Set(images)], 'no reveal step twice');
    assert.deepEqual(images, [...images].sort(), 'reveal steps in order');
    assert.equal(log.finals().length, 1, 'one final scoreboard');
    assert.equal((await askGame(b, { op: 'state', channel: 'armed' })).state, null, 'the game is over');
    await b.stop('SIGKILL');
  });

  it('hands a deadline to another process when the one that took it dies before acting', async () => {
    const frozen = await cluster.addProducer(10, 60_000, { ...timing, hang: true });
    const started = await askGame(frozen, { op: 'guess', channel: 'taken', rounds: 1 });
    assert.match(started.title ?? '', /Who's that celebrity/);
    // It takes the first reveal and freezes holding it; then it is killed.
    const firing = JSON.parse(await frozen.waitFor((line) => line.startsWith('{"firing"'))) as { at: number };
    frozen.process.kill('SIGKILL');
    const heir = await cluster.addProducer(10, 60_000, timing);
    const log = new GameLog();
    log.watch(heir);
    await finalOf(heir);
    const images = log.images();
    assert.equal(images[0], 'guess-1-1.png', 'the taken deadline was fired by the heir');
    assert.deepEqual(images, [...new Set(images)], 'each reveal step once');
    assert.equal(log.finals().length, 1, 'one final scoreboard');
    assert.ok(firing.at > 0);
  });
});
