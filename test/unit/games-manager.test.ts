// The GameManager: games played through the Bot with a fake clock and poster, one game per channel,
// simultaneous answers, persistence and timers across a restart.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { silentLogger } from '../../src/chat/logger.ts';
import type { GuessState } from '../../src/games/guess/rules.ts';
import { EditQueue } from '../../src/games/poster.ts';
import { PIXELATE_LEVELS } from '../../src/image/render.ts';
import { openStore } from '../../src/store/index.ts';
import { fakeContext } from '../fixtures/chat-fakes.ts';
import { FakeClock } from '../fixtures/game-fakes.ts';
import { gameRig, type Rig, TIMING } from '../fixtures/games.ts';

const alice = fakeContext({ userId: '1' });
const bob = fakeContext({ userId: '2' });

function guess(rig: Rig, ctx = alice): GuessState {
  const state = rig.games.current(ctx.scope, ctx.channelId);
  assert.equal(state?.kind, 'guess');
  return state as GuessState;
}

function rightButton(rig: Rig, ctx = alice): string {
  const state = guess(rig, ctx);
  const id = rig.poster.posts
    .at(-1)
    ?.reply.buttons?.find((b) => b.label === state.plan[state.round]!.answer.name)?.id;
  assert.ok(id, 'the round message has the right answer as a button');
  return id;
}

describe('game manager: who is that celebrity', () => {
  it('plays through the bot: buttons, reveal edits, final scores and the leaderboard', async () => {
    const rig = await gameRig();
    const intro = await rig.command(alice, 'game', 'guess', { rounds: 2 });
    assert.match(intro.text, /2 rounds, started by User 1/);

    const round1 = rig.poster.posts[0]!;
    assert.equal(round1.ref.channelId, alice.channelId);
    assert.equal(round1.reply.buttons?.length, 4);
    assert.match(round1.reply.buttons?.[0]?.id ?? '', /^game:[a-z0-9]+:0:[a-z0-9-]+$/);
    assert.equal((await sharp(round1.reply.image?.data).metadata()).format, 'png');

    await rig.tick(TIMING.revealMs);
    assert.equal(rig.poster.edits.length, 1, 'the next level is an edit of the same message');
    assert.equal(rig.poster.edits[0]?.ref.id, round1.ref.id);
    assert.equal(rig.poster.edits[0]?.reply.image?.name, 'guess-1-1.png');

    const answered = await rig.press(alice, rightButton(rig));
    assert.match(answered.text, /^✓ Right, it's .+! \+4 points\.$/);
    assert.equal(answered.ephemeral, true);
    await rig.games.settled();
    assert.match(rig.poster.latest(round1.ref.id)?.text ?? '', /User 1\*\* got it: \+4 points/);

    await rig.tick(TIMING.pauseMs);
    assert.equal(rig.poster.posts.length, 2, 'round 2 is a new message');
    const wrong = rig.poster.posts[1]!.reply.buttons!.find(
      (b) => b.label !== guess(rig).plan[1]!.answer.name,
    )!;
    assert.match((await rig.press(bob, wrong.id)).text, /^✗ Not /);
    await rig.games.settled();
    assert.match(rig.poster.latest(rig.poster.posts[1]!.ref.id)?.text ?? '', /User 2 guessed .+ ✗/);

    for (let i = 0; i < PIXELATE_LEVELS; i++) await rig.tick(TIMING.revealMs);
    await rig.tick(TIMING.pauseMs);
    const final = rig.poster.posts.at(-1)!.reply;
    assert.match(final.title ?? '', /final scores/);
    assert.match(final.text, /🥇 \*\*User 1\*\* — 4 points/);
    assert.equal(rig.games.current(alice.scope, alice.channelId), undefined, 'the channel is free again');
    assert.deepEqual(await rig.store.namespace('games').keys(), []);

    const board = await rig.command(bob, 'leaderboard');
    assert.match(board.text, /🥇 \*\*User 1\*\* — 4 points · 1 win$/);
    assert.equal(rig.clock.pending, 0, 'no timer left behind');
  });

  it('scores exactly one of many simultaneous right answers', async () => {
    const rig = await gameRig();
    await rig.command(alice, 'game', 'guess', { rounds: 1 });
    const id = rightButton(rig);
    const players = Array.from({ length: 8 }, (_, i) => fakeContext({ userId: String(100 + i) }));
    const answers = await Promise.all(players.map((p) => rig.press(p, id)));
    const texts = answers.map((a) => a.text);
    assert.equal(texts.filter((t) => t.startsWith('✓')).length, 1, texts.join(' | '));
    assert.equal(texts.filter((t) => /^Too late: User 10\d got it first\.$/.test(t)).length, 7);
    assert.equal(Object.keys(guess(rig).scores).length, 1);
  });

  it('runs one game per channel, and only its starter or an admin can stop it', async () => {
    const rig = await gameRig();
    await rig.command(alice, 'game', 'guess');
    const again = await rig.command(bob, 'game', 'twins');
    assert.match(again.text, /A game is already running in this channel/);
    assert.equal(again.ephemeral, true);

    const elsewhere = fakeContext({ userId: '2', channelId: 'channel-2' });
    assert.match((await rig.command(elsewhere, 'game', 'twins')).title ?? '', /Twin finder/);

    assert.match((await rig.command(bob, 'game', 'stop')).text, /Only User 1, who started this game/);
    const admin = fakeContext({ userId: '9', admin: true });
    assert.equal((await rig.command(admin, 'game', 'stop')).text, 'Game ended by User 9.');
    assert.match(rig.poster.posts.at(-1)?.reply.title ?? '', /final scores/);
    assert.match((await rig.command(alice, 'game', 'guess')).title ?? '', /Who's that celebrity/);
  });

  it('says so and starts nothing when the gallery has fewer than four people', async () => {
    const rig = await gameRig({ identities: ['Penny', 'Amy', 'Sheldon'] });
    const reply = await rig.command(alice, 'game', 'guess');
    assert.match(reply.text, /needs at least 4 people in the gallery/);
    assert.equal(rig.poster.posts.length, 0);
    assert.equal(rig.games.current(alice.scope, alice.channelId), undefined);
    assert.deepEqual(await rig.store.namespace('games').keys(), []);
  });

  it('refuses games where the adapter cannot post messages', async () => {
    const rig = await gameRig();
    rig.poster.unsupported.add('slack');
    const reply = await rig.command(fakeContext({ platform: 'slack', scope: 'slack:T1' }), 'game', 'guess');
    assert.match(reply.text, /can't post game messages/);
  });
});

describe('game manager: persistence', () => {
  it('restores a round and its timer after a restart over SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lookalike-games-'));
    const url = `sqlite://${join(dir, 'games.sqlite')}`;
    try {
      const clock = new FakeClock();
      const first = await gameRig({ store: await openStore(url), clock });
      await first.command(alice, 'game', 'guess', { rounds: 2 });
      await first.tick(TIMING.revealMs);
      const before = guess(first);
      const message = first.poster.posts[0]!.ref;
      await first.games.stop();
      await first.store.close();
      assert.equal(clock.pending, 0, 'stopping clears the timers');

      clock.advance(TIMING.revealMs / 2);
      const second = await gameRig({ store: await openStore(url), clock });
      const restored = guess(second);
      assert.deepEqual(restored, before, 'the whole state came back');
      assert.equal(clock.pending, 1, 'its next deadline is scheduled again');

      await second.tick(TIMING.revealMs / 2 - 1);
      assert.equal(second.poster.edits.length, 0, 'not before the stored deadline');
      await second.tick(1);
      assert.equal(second.poster.edits[0]?.ref.id, message.id, 'the same message is edited');
      assert.equal(guess(second).level, 2);

      const hit = await second.press(alice, `game:${restored.id}:0:${restored.plan[0]!.answer.slug}`);
      assert.match(hit.text, /^✓/);
      await second.games.stop();
      await second.store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fires a deadline that passed while the bot was down as soon as it starts', async () => {
    const store = await openStore('memory://');
    const clock = new FakeClock();
    const first = await gameRig({ store, clock });
    await first.command(alice, 'game', 'battle', { celebrity: 'penny', minutes: 1 });
    await first.games.stop();

    clock.advance(10 * 60_000);
    const second = await gameRig({ store, clock });
    await second.tick(0);
    const result = second.poster.posts.at(-1)?.reply;
    assert.equal(result?.title, 'Lookalike battle: nobody entered');
    assert.equal(second.games.current(alice.scope, alice.channelId), undefined);
    assert.deepEqual(await store.namespace('games').keys(), []);
  });
});

describe('game manager: a store that is down', () => {
  it('still starts, and plays new games once the store answers', async () => {
    const store = await openStore('memory://');
    let down = true;
    const flaky = {
      ...store,
      namespace<T>(name: string) {
        const ns = store.namespace<T>(name);
        if (name !== 'games') return ns;
        const keys = async () => {
          if (down) throw new Error('the store is down');
          return ns.keys();
        };
        // A proxy, not a prototype: the namespace's #private fields live on the namespace itself.
        return new Proxy(ns, {
          get: (target, prop) => {
            if (prop === 'keys') return keys;
            const value = Reflect.get(target, prop, target);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    };
    const rig = await gameRig({ store: flaky });
    down = false;
    assert.match((await rig.command(alice, 'game', 'guess')).title ?? '', /Who's that celebrity/);
  });
});

describe('edit queue', () => {
  it('sends only the latest content while an edit is in flight', async () => {
    const sent: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = new EditQueue<string>(async (_ref, view) => {
      sent.push(view);
      await gate;
    }, silentLogger);
    const ref = { platform: 'discord' as const, channelId: 'c', id: 'm' };
    for (const view of ['v1', 'v2', 'v3', 'v4']) queue.push(ref, view);
    await Promise.resolve();
    await Promise.resolve();
    queue.push(ref, 'v5');
    release();
    await queue.idle();
    assert.deepEqual(sent, ['v4', 'v5']);
  });
});
