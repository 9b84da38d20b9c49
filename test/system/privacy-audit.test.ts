// Issue 12's privacy audit: several members run every command and every game through the real app (real
// engine, SQLite store), then the whole store is dumped row by row, around the store layer. It must hold no
// selfie bytes and no member embedding except the twin-finder opt-in a member chose to keep; after each
// member's /forget, nothing of theirs at all.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SlackAdapter } from '../../src/adapters/slack/adapter.ts';
import { createLogger } from '../../src/chat/logger.ts';
import type { ChatContext, ChatUser, OptionValue } from '../../src/chat/types.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { CoreService } from '../../src/core/service.ts';
import type { GameState } from '../../src/games/registry.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { BINARY_TAG } from '../../src/store/codec.ts';
import { RecordingResponder } from '../fixtures/chat-fakes.ts';
import type { RecordedCall } from '../fixtures/slack-standin.ts';
import { photo } from '../support/bbt-photo.ts';
import { SlackAppHarness } from '../support/slack-app.ts';
import { dumpSqliteStore } from '../support/store-dump.ts';

const SCOPE = 'playground';
const CHANNEL = 'playground';

function member(name: string, admin = false): ChatUser {
  return { id: `playground:${name}`, platformId: name, displayName: name, isPlatformAdmin: admin };
}

/** Every binary array in a dump, decoded, with the row it sits in. */
function blobs(dump: Map<string, string>): { key: string; kind: string; bytes: Buffer }[] {
  const found: { key: string; kind: string; bytes: Buffer }[] = [];
  for (const [key, text] of dump) {
    JSON.parse(text, (_k, value: unknown) => {
      const v = value as Record<string, unknown> | null;
      if (v && typeof v === 'object' && typeof v[BINARY_TAG] === 'string' && typeof v.base64 === 'string') {
        found.push({ key, kind: String(v[BINARY_TAG]), bytes: Buffer.from(v.base64, 'base64') });
      }
      return value;
    });
  }
  return found;
}

function floats(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/**
 * Whether a stored float array is, or packs row after row (the gallery's packed embeddings), a vector
 * like one of `vectors`.
 */
function holds(stored: Float32Array, vectors: readonly Float32Array[], min: number): boolean {
  return vectors.some((m) => {
    if (stored.length % m.length !== 0) return false;
    for (let at = 0; at < stored.length; at += m.length) {
      if (cosine(m, stored.subarray(at, at + m.length)) > min) return true;
    }
    return false;
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe('privacy audit: what the store keeps about members', { timeout: 300_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'lookalike-privacy-'));
  const storeFile = path.join(tmp, 'store.sqlite');
  const workers = process.env.LOOKALIKE_WORKERS;
  let app: RunningApp | undefined;
  const admin = member('admin', true);
  // Members post photos of people who are not in the gallery, so their embeddings are told apart from it.
  const members = [
    { user: member('alice'), person: 'amy' },
    { user: member('bob'), person: 'bernadette' },
    { user: member('carol'), person: 'raj' },
  ];
  const selfies = members.flatMap((m) => [photo(m.person, 1), photo(m.person, 2), photo(m.person, 3)]);
  /** Each member's selfie embeddings and descriptors, to recognise them wherever they might have been stored. */
  const embeddings = new Map<string, Float32Array[]>();

  const ctx = (user: ChatUser): ChatContext => ({
    platform: 'playground',
    scope: SCOPE,
    channelId: CHANNEL,
    user,
  });
  async function run(user: ChatUser, line: string, options: Record<string, OptionValue | undefined> = {}) {
    const [name = '', subcommand] = line.split(' ');
    const responder = new RecordingResponder();
    await app!.bot.handleCommand(name, { ctx: ctx(user), subcommand, options }, responder);
    const reply = responder.only();
    return reply;
  }
  async function gameState(): Promise<GameState | undefined> {
    const row = (await dumpSqliteStore(storeFile)).get(`games:${SCOPE}:${CHANNEL}`);
    return row ? ((JSON.parse(row) as { value: GameState }).value as GameState) : undefined;
  }
  async function untilGameOver(): Promise<void> {
    const until = Date.now() + 60_000;
    for (;;) {
      const state = await gameState();
      if (!state || state.done) return;
      assert.ok(Date.now() < until, 'the game ended in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** What of `who` (ids and embeddings) the store holds now, row by row. */
  async function traces(who: { user: ChatUser; person: string }[]) {
    const dump = await dumpSqliteStore(storeFile);
    const found: string[] = [];
    for (const [key, text] of dump) {
      for (const { user } of who) {
        if (key.includes(user.id) || text.includes(user.id)) found.push(`${user.displayName}'s id in ${key}`);
      }
    }
    for (const blob of blobs(dump)) {
      for (const { user, person } of who) {
        // Any float vector the length of an embedding or of one of its descriptors (1152, 1024, 128).
        if (blob.kind === 'f32' && holds(floats(blob.bytes), embeddings.get(person) ?? [], 0.95)) {
          found.push(`${user.displayName}'s embedding in ${blob.key}`);
        }
      }
    }
    return { dump, found };
  }

  before(async () => {
    process.env.LOOKALIKE_WORKERS = '1';
    app = await startApp(
      loadConfig({ LOOKALIKE_STORE: `sqlite://${storeFile}`, HOST: '127.0.0.1', PORT: '0' }),
      {
        logger: createLogger({ write: () => {} }),
        gameTiming: { revealMs: 200, pauseMs: 100 },
      },
    );
    const engine = (app.bot.deps.service as CoreService).engine;
    for (const m of members) {
      const list: Float32Array[] = [];
      for (const n of [1, 2, 3]) {
        const face = (await engine.analyze(await photo(m.person, n).fetch())).faces[0];
        assert.ok(face, `a face in ${m.person}${n}`);
        list.push(face.embedding, ...Object.values(face.descriptors ?? {}));
      }
      embeddings.set(m.person, list);
    }
  });

  after(async () => {
    await app?.stop();
    rmSync(tmp, { recursive: true, force: true });
    if (workers === undefined) delete process.env.LOOKALIKE_WORKERS;
    else process.env.LOOKALIKE_WORKERS = workers;
  });

  it('runs every command and game as several members', async () => {
    for (const person of ['penny', 'sheldon', 'leonard', 'howard']) {
      const name = person[0]!.toUpperCase() + person.slice(1);
      const reply = await run(admin, 'enroll', { name, image: photo(person, 1), image2: photo(person, 2) });
      assert.match(reply.text, /Added 2 photos|added/i, reply.text);
    }
    for (const { user, person } of members) {
      assert.ok(
        (await run(user, 'lookalike', { image: photo(person, 1) })).matches?.length,
        'a lookalike answer',
      );
      assert.match(
        (await run(user, 'compare', { image1: photo(person, 1), image2: photo(person, 2) })).text,
        /similar/i,
      );
      await run(user, 'gallery list');
      await run(user, 'help');
      await run(user, 'leaderboard');
    }
    // A watched channel answers a posted photo like /lookalike.
    await run(admin, 'watch on');
    const posted = new RecordingResponder();
    const [alice, bob, carol] = members.map((m) => m.user) as [ChatUser, ChatUser, ChatUser];
    assert.ok(await app!.bot.handleImageMessage(ctx(alice), [photo('amy', 2)], { mentioned: false }, posted));
    await run(admin, 'watch off');

    // Who's that celebrity: bob answers right, carol wrong.
    await run(alice, 'game guess', { rounds: 1 });
    const guess = await gameState();
    assert.equal(guess?.kind, 'guess');
    if (guess?.kind !== 'guess') return;
    const round = guess.plan[0]!;
    const wrong = round.options.find((o) => o.slug !== round.answer.slug)!;
    await app!.bot.handleButton(ctx(carol), `game:${guess.id}:0:${wrong.slug}`, new RecordingResponder());
    await app!.bot.handleButton(
      ctx(bob),
      `game:${guess.id}:0:${round.answer.slug}`,
      new RecordingResponder(),
    );
    await untilGameOver();

    // A battle: selfies by /game submit and posted in the channel; they are scored, never kept.
    await run(alice, 'game battle', { celebrity: 'Penny' });
    await run(bob, 'game submit', { image: photo('bernadette', 3) });
    assert.ok(await app!.bot.handleImageMessage(ctx(carol), [photo('raj', 3)], { mentioned: false }, posted));
    await run(alice, 'game submit', { image: photo('amy', 3) });
    await run(alice, 'game stop');
    await untilGameOver();

    // Twin finder: alice keeps her selfie, bob and carol do not.
    await run(alice, 'game twins');
    assert.match((await run(alice, 'game join', { image: photo('amy', 1), keep: true })).text, /kept/);
    await run(bob, 'game join', { image: photo('bernadette', 1) });
    await run(carol, 'game join', { image: photo('raj', 1) });
    await run(alice, 'game stop');
    await untilGameOver();
  });

  it('keeps no selfie bytes and no member embedding, except the opt-in alice chose to keep', async () => {
    const { dump, found } = await traces(members);
    assert.ok(dump.size > 0);
    // Any 64 bytes from the middle of a selfie file would show that the file itself was stored.
    for (const selfie of selfies) {
      const bytes = Buffer.from(await selfie.fetch());
      const probe = bytes.subarray(bytes.length / 2, bytes.length / 2 + 64);
      const holders = blobs(dump).filter((b) => b.bytes.includes(probe));
      assert.deepEqual(
        holders.map((h) => h.key),
        [],
        `${selfie.name} is stored`,
      );
      assert.ok(![...dump.values()].some((v) => v.includes(bytes.toString('base64').slice(100, 200))));
    }
    const embeddingRows = found.filter((f) => f.includes('embedding'));
    assert.deepEqual(embeddingRows, ["alice's embedding in optin:playground:alice"]);
    // Ids only where the README says: alice's kept opt-in, and the leaderboard (scores, per channel).
    const idRows = found.filter((f) => f.includes(' id in '));
    for (const row of idRows) assert.match(row, /in (optin:playground:alice|leaderboards:)/, row);
    assert.ok(
      idRows.some((r) => r.startsWith("bob's id in leaderboards:")),
      'the guess and the battle scored bob',
    );
  });

  it('/forget leaves nothing of a member: opt-in, scores or embeddings', async () => {
    for (const { user } of members) {
      const reply = await run(user, 'forget');
      assert.equal(reply.ephemeral, true);
    }
    const { found } = await traces(members);
    assert.deepEqual(found, []);
    // The admin's enrolled celebrity photos go too, as the README promises: their blobs, and their
    // embeddings packed for answering.
    const service = app!.bot.deps.service;
    const before = (await service.list(SCOPE)).length;
    assert.equal(before, 4);
    const stored = await dumpSqliteStore(storeFile);
    const enrolled = blobs(stored)
      .filter((b) => b.key.startsWith('photos:') && b.kind === 'f32' && b.bytes.length === 1152 * 4)
      .map((b) => floats(b.bytes));
    assert.equal(enrolled.length, 8);
    assert.ok(
      [...stored.keys()].some((k) => k.startsWith('embeddings:')),
      'answers packed them',
    );
    assert.match((await run(admin, 'forget')).text, /8 photos you enrolled/);
    const { dump } = await traces([]);
    assert.ok(
      ![...dump.entries()].some(([k, v]) => k.includes(admin.id) || v.includes(admin.id)),
      'nothing of admin',
    );
    const left = blobs(dump).filter((b) => b.kind === 'f32' && holds(floats(b.bytes), enrolled, 0.999));
    assert.deepEqual(
      left.map((b) => b.key),
      [],
    );
  });
});

describe("privacy audit: Slack's recent-photo index forgets a member on /forget", {
  timeout: 120_000,
}, () => {
  const harness = new SlackAppHarness('privacy-signing-secret-0123456789');
  const { standin } = harness;
  const DAVE = 'U0DAVE';
  const ERIN = 'U0ERIN';

  before(() =>
    harness.start(
      [
        { id: DAVE, name: 'dave' },
        { id: ERIN, name: 'erin' },
      ],
      { rateLimit: false },
    ),
  );
  after(() => harness.stop());

  it('drops the photos a member shared, in every channel, and only theirs', async () => {
    const adapter = harness.app?.adapters.find((a) => a.platform === 'slack') as SlackAdapter;
    const recent = adapter.recentImages;
    await harness.share(DAVE, 'C0ONE', ['amy/amy1.png']);
    await harness.share(DAVE, 'C0TWO', ['amy/amy2.png']);
    await harness.share(ERIN, 'C0ONE', ['raj/raj1.png']);
    const until = Date.now() + 10_000;
    while (recent.recent(standin.teamId, 'C0TWO', DAVE).length === 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(recent.recent(standin.teamId, 'C0ONE', DAVE).length, 1);
    const from = await harness.command(DAVE, '/forget', '', 'C0ONE');
    await standin.waitFor((c: RecordedCall) => c.method === 'chat.postEphemeral' && c.args.user === DAVE, {
      from,
    });
    assert.equal(recent.recent(standin.teamId, 'C0ONE', DAVE).length, 0);
    assert.equal(recent.recent(standin.teamId, 'C0TWO', DAVE).length, 0);
    assert.equal(recent.recent(standin.teamId, 'C0ONE', ERIN).length, 1, "erin's photo stays");
    // A /lookalike right after no longer reaches for the forgotten photo.
    const downloads = standin.calls.filter((c) => c.method === 'download').length;
    const asked = await harness.command(DAVE, '/lookalike', '', 'C0TWO');
    await standin.waitFor(
      (c: RecordedCall) =>
        c.method === 'chat.postEphemeral' &&
        c.args.user === DAVE &&
        !/Working on it/.test(String(c.args.text)),
      { from: asked },
    );
    assert.equal(
      standin.calls.filter((c) => c.method === 'download').length,
      downloads,
      'nothing downloaded',
    );
  });
});
