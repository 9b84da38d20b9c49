// Twin finder: the pure rules, then games through the Bot with consented selfies, their release, and /forget.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { bestPair, createTwins, twinsJoin, twinsTimer, twinsView } from '../../src/games/twins/rules.ts';
import type { OptIn } from '../../src/games/types.ts';
import { fakeAttachment, fakeContext, solidPng } from '../fixtures/chat-fakes.ts';
import { fakeFaces } from '../fixtures/game-fakes.ts';
import { gameRig } from '../fixtures/games.ts';

const alice = { id: 'discord:1', name: 'Alice' };
const bob = { id: 'discord:2', name: 'Bob' };

const selfie = (key: string) => fakeAttachment(`${key}.png`, new TextEncoder().encode(key));

describe('twin finder: rules', () => {
  it('finds the pair with the highest cosine', () => {
    const pair = bestPair([
      { id: 'a', embedding: [1, 0, 0] },
      { id: 'b', embedding: [0.8, 0.6, 0] },
      { id: 'c', embedding: [0, 0.6, 0.8] },
    ]);
    assert.deepEqual(pair && { a: pair.a, b: pair.b }, { a: 'a', b: 'b' });
    assert.ok(Math.abs((pair?.similarity ?? 0) - 0.8) < 1e-9);
    assert.equal(bestPair([{ id: 'a', embedding: [1, 0] }]), null);
  });

  it('takes players until time is up, then reveals the pair and releases every selfie', () => {
    let state = createTwins({
      id: 't1',
      platform: 'discord',
      scope: 'discord:guild',
      channelId: 'c1',
      startedBy: alice,
      now: 0,
      minutes: 3,
    }).state;
    assert.equal(state.deadline, 180_000);
    const joined = twinsJoin(state, { player: alice, now: 1 });
    assert.equal(joined.notice, "You're in! 1 player so far.");
    state = twinsJoin(joined.state, { player: bob, now: 2 }).state;
    assert.match(twinsJoin(state, { player: bob, now: 3 }).notice ?? '', /already in/);
    assert.match(twinsView(state, 'lobby').text, /\*\*Players \(2\)\*\*\nAlice, Bob/);
    assert.equal(twinsJoin(state, { player: alice, now: 180_000 }).notice, 'The twin finder is over.');

    const end = twinsTimer(state, {
      pair: { a: alice, b: bob, similarity: 0.8 },
      lookalikes: { [alice.id]: { name: 'Penny', similarity: 0.6 }, [bob.id]: null },
    });
    assert.deepEqual(end.effects.at(-1), { type: 'release', userIds: [alice.id, bob.id] });
    const result = twinsView(end.state, 'result');
    assert.equal(result.title, '👯 Twins: Alice & Bob!');
    assert.match(result.text, /80% similar/);
    assert.match(
      result.text,
      /• \*\*Alice\*\* — Penny \(60% similar\)\n• \*\*Bob\*\* — nobody in the gallery/,
    );
  });
});

describe('twin finder: through the bot', () => {
  async function rig() {
    return gameRig({
      faces: fakeFaces({
        a: { embedding: [1, 0, 0], thumbnail: await solidPng(32, 32, [200, 0, 0]) },
        b: { embedding: [0.8, 0.6, 0], thumbnail: await solidPng(32, 32, [0, 200, 0]) },
        c: { embedding: [0, 0, 1], thumbnail: await solidPng(32, 32, [0, 0, 200]) },
      }),
    });
  }
  const [a, b, c] = ['1', '2', '3'].map((userId) => fakeContext({ userId }));

  it('reveals the most alike pair and their lookalikes, keeping only the selfies members chose to keep', async () => {
    const r = await rig();
    const optIns = r.store.namespace<OptIn>('optin');
    assert.match(
      (await r.command(a!, 'game', 'join', { image: selfie('a') })).text,
      /No twin finder is running/,
    );
    assert.equal(await optIns.has(a!.user.id), false, 'nothing is stored without a game');

    await r.command(a!, 'game', 'twins', { minutes: 2 });
    const joined = await r.command(a!, 'game', 'join', { image: selfie('a'), keep: true });
    assert.equal(
      joined.text,
      "You're in! 1 player so far. Your selfie is kept for later games until you `/forget`.",
    );
    assert.equal(joined.ephemeral, true);
    await r.command(b!, 'game', 'join', { image: selfie('b') });
    await r.command(c!, 'game', 'join', { image: selfie('c') });
    assert.match(
      (await r.command(c!, 'game', 'join', { image: selfie('nobody') })).text,
      /couldn't find a face/,
    );
    assert.deepEqual((await optIns.keys()).sort(), ['discord:1', 'discord:2', 'discord:3']);
    assert.ok((await optIns.get('discord:2'))?.embedding instanceof Float32Array);
    assert.match(
      r.poster.latest(r.poster.posts[0]!.ref.id)?.text ?? '',
      /Players \(3\)\*\*\nUser 1, User 2, User 3/,
    );

    await r.tick(2 * 60_000);
    const result = r.poster.posts.at(-1)!.reply;
    assert.equal(result.title, '👯 Twins: User 1 & User 2!');
    assert.match(result.text, /80% similar/);
    assert.match(result.text, /• \*\*User 3\*\* — Brad Pitt \(60% similar\)/);
    assert.equal((await sharp(result.image?.data).metadata()).width, 560);
    assert.deepEqual(await optIns.keys(), ['discord:1'], 'selfies are deleted at the end unless kept');

    // The kept selfie joins the next game without a new photo.
    await r.command(b!, 'game', 'twins');
    assert.match((await r.command(a!, 'game', 'join')).text, /^You're in!/);
    assert.match((await r.command(c!, 'game', 'join')).text, /Attach a selfie/);
  });

  it('says when too few joined, and still deletes the selfies', async () => {
    const r = await rig();
    await r.command(a!, 'game', 'twins', { minutes: 1 });
    await r.command(b!, 'game', 'join', { image: selfie('b') });
    await r.tick(60_000);
    const result = r.poster.posts.at(-1)!.reply;
    assert.equal(result.title, 'Twin finder: not enough players');
    assert.match(result.text, /at least 2 players, and only 1 joined/);
    assert.deepEqual(await r.store.namespace('optin').keys(), []);
    assert.equal(r.games.current(a!.scope, a!.channelId), undefined);
  });

  it('/forget deletes a kept selfie, leaderboard points and the place in a running game', async () => {
    const r = await rig();
    await r.games.leaderboards.award(`${a!.scope}:${a!.channelId}`, [
      { player: { id: a!.user.id, name: 'User 1' }, points: 4, win: true },
      { player: { id: b!.user.id, name: 'User 2' }, points: 1, win: false },
    ]);
    await r.command(b!, 'game', 'twins');
    await r.command(a!, 'game', 'join', { image: selfie('a'), keep: true });

    const forgot = await r.command(a!, 'forget');
    assert.match(forgot.text, /• your twin-finder selfie/);
    assert.match(forgot.text, /• your points on 1 leaderboard/);
    assert.match(forgot.text, /• your part in 1 game in progress/);
    assert.equal(await r.store.namespace('optin').has(a!.user.id), false);
    assert.match(r.poster.latest(r.poster.posts[0]!.ref.id)?.text ?? '', /Players \(0\)/);
    const board = await r.command(b!, 'leaderboard');
    assert.doesNotMatch(board.text, /User 1/);
    assert.match(board.text, /User 2/);
  });
});
