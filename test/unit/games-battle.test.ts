// Lookalike battle: the pure rules, then a battle through the Bot with posted selfies and a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  type BattleState,
  battleSelfie,
  battleTimer,
  battleView,
  createBattle,
  standings,
} from '../../src/games/battle/rules.ts';
import { fakeAttachment, fakeContext, RecordingResponder, solidPng } from '../fixtures/chat-fakes.ts';
import { fakeFaces } from '../fixtures/game-fakes.ts';
import { gameRig } from '../fixtures/games.ts';

const alice = { id: 'discord:1', name: 'Alice' };
const bob = { id: 'discord:2', name: 'Bob' };
const carol = { id: 'discord:3', name: 'Carol' };
const dave = { id: 'discord:4', name: 'Dave' };

function newBattle(): BattleState {
  return createBattle({
    id: 'b1',
    platform: 'discord',
    scope: 'discord:guild',
    channelId: 'c1',
    startedBy: alice,
    now: 0,
    minutes: 2,
    celebrity: { slug: 'penny', name: 'Penny', gallery: 'discord:guild' },
  }).state;
}

describe('lookalike battle: rules', () => {
  it('keeps each member’s best score and a live top 3, earlier first on a tie', () => {
    let state = newBattle();
    assert.equal(state.deadline, 120_000);
    const selfie = (player: typeof alice, score: number, now: number) => {
      const outcome = battleSelfie(state, { player, score, now });
      state = outcome.state;
      return outcome;
    };
    assert.equal(selfie(alice, 0.6, 1_000).notice, '📸 **Alice**: 60% like Penny — 1st of 1 so far.');
    assert.deepEqual(selfie(bob, 0.7, 2_000).effects, [{ type: 'edit', slot: 'board' }]);
    const worse = selfie(bob, 0.5, 3_000);
    assert.equal(worse.notice, '📸 **Bob**: 50% like Penny; your best is still 70% (1st of 2).');
    assert.deepEqual(worse.effects, [], 'nothing to redraw');
    selfie(carol, 0.6, 4_000);
    selfie(dave, 0.2, 5_000);
    assert.deepEqual(
      standings(state).map((e) => e.name),
      ['Bob', 'Alice', 'Carol', 'Dave'],
    );
    const board = battleView(state, 'board').text;
    assert.match(board, /🥇 \*\*Bob\*\* — 70%\n🥈 \*\*Alice\*\* — 60%\n🥉 \*\*Carol\*\* — 60%$/);
    assert.equal(selfie(alice, 0.9, 120_000).notice, 'The battle is over.');
  });

  it('announces the winner with a side-by-side picture and gives 5, 3 and 1 points', () => {
    let state = newBattle();
    for (const [player, score] of [
      [alice, 0.5],
      [bob, 0.8],
      [carol, 0.3],
      [dave, 0.1],
    ] as const) {
      state = battleSelfie(state, { player, score, now: 10 }).state;
    }
    const end = battleTimer(state);
    assert.equal(end.state.done, true);
    assert.deepEqual(end.effects, [
      { type: 'edit', slot: 'board' },
      { type: 'post', slot: 'result' },
      {
        type: 'award',
        awards: [
          { player: bob, points: 5, win: true },
          { player: alice, points: 3, win: false },
          { player: carol, points: 1, win: false },
        ],
      },
    ]);
    const result = battleView(end.state, 'result');
    assert.equal(result.title, '🏆 Bob wins the Penny battle!');
    assert.deepEqual(result.image, {
      kind: 'winner',
      gameId: 'b1',
      gallery: 'discord:guild',
      slug: 'penny',
      name: 'Penny',
      player: 'Bob',
      caption: '80% similar',
    });
    assert.equal(
      battleView(battleTimer(newBattle()).state, 'result').title,
      'Lookalike battle: nobody entered',
    );
  });
});

describe('lookalike battle: through the bot', () => {
  it('scores posted selfies, keeps a live board, announces the winner, and stores no photo', async () => {
    const green = await solidPng(40, 40, [10, 200, 10]);
    const faces = fakeFaces({
      alice: { embedding: [0.55, 0.8], thumbnail: await solidPng(40) },
      bob: { embedding: [0.81, 0.5], thumbnail: green },
    });
    const rig = await gameRig({ faces });
    const a = fakeContext({ userId: '1' });
    const b = fakeContext({ userId: '2' });
    const intro = await rig.command(a, 'game', 'battle', { celebrity: 'Penny', minutes: 2 });
    assert.match(intro.text, /Who looks most like \*\*Penny\*\*\?/);
    assert.equal(intro.image?.name, 'celebrity.png');
    const board = rig.poster.posts[0]!;
    assert.match(board.reply.text, /No selfies yet/);

    const post = async (ctx: typeof a, text: string) => {
      const responder = new RecordingResponder();
      const photo = fakeAttachment('selfie.png', new TextEncoder().encode(text));
      const answered = await rig.bot.handleImageMessage(ctx, [photo], { mentioned: false }, responder);
      await rig.games.settled();
      return { answered, reply: responder.replies[0] };
    };
    const first = await post(a, 'alice');
    assert.equal(first.answered, true, 'a battle channel takes photos without /watch or a mention');
    assert.equal(first.reply?.text, '📸 **User 1**: 55% like Penny — 1st of 1 so far.');
    assert.match((await post(b, 'bob')).reply?.text ?? '', /81% like Penny — 1st of 2/);
    assert.match((await post(b, 'nobody')).reply?.text ?? '', /couldn't find a face/);
    assert.match(
      rig.poster.latest(board.ref.id)?.text ?? '',
      /🥇 \*\*User 2\*\* — 81%\n🥈 \*\*User 1\*\* — 55%/,
    );

    const elsewhere = fakeContext({ userId: '1', channelId: 'channel-2' });
    assert.equal((await post(elsewhere, 'alice')).answered, false, 'other channels are not in the battle');

    const submitted = await rig.command(a, 'game', 'submit', {
      image: fakeAttachment('me.png', new TextEncoder().encode('alice')),
    });
    assert.match(submitted.text, /your best is still 55%/);

    const stored = JSON.stringify(await rig.store.namespace('games').get(`${a.scope}:${a.channelId}`));
    assert.doesNotMatch(stored, /thumbnail|"data"|base64/i, 'no picture in the stored state');

    await rig.tick(2 * 60_000);
    const result = rig.poster.posts.at(-1)!.reply;
    assert.equal(result.title, '🏆 User 2 wins the Penny battle!');
    const picture = await sharp(result.image?.data).metadata();
    assert.equal(picture.width, 560, 'the side-by-side picture of the winner and the celebrity');
    assert.match(rig.poster.latest(board.ref.id)?.text ?? '', /The battle is over/);
    assert.match(
      (await rig.command(a, 'leaderboard')).text,
      /🥇 \*\*User 2\*\* — 5 points.*\n🥈 \*\*User 1\*\* — 3 points/,
    );
    assert.equal((await post(a, 'alice')).answered, false, 'photos after the battle are left alone');
  });

  it('announces the winner with the celebrity alone after a restart: the selfie was only in memory', async () => {
    const faces = fakeFaces({ alice: { embedding: [0.7, 0.7], thumbnail: await solidPng(40) } });
    const first = await gameRig({ faces });
    const a = fakeContext({ userId: '1' });
    await first.command(a, 'game', 'battle', { celebrity: 'Amy', minutes: 1 });
    await first.command(a, 'game', 'submit', {
      image: fakeAttachment('me.png', new TextEncoder().encode('alice')),
    });
    await first.games.stop();

    const second = await gameRig({ faces, store: first.store, clock: first.clock });
    await second.tick(60_000);
    const result = second.poster.posts.at(-1)!.reply;
    assert.equal(result.title, '🏆 User 1 wins the Amy battle!');
    assert.equal((await sharp(result.image?.data).metadata()).width, 48, "the celebrity's own thumbnail");
  });

  it('refuses a celebrity who is not in the gallery', async () => {
    const rig = await gameRig();
    const reply = await rig.command(fakeContext(), 'game', 'battle', { celebrity: 'Nobody Known' });
    assert.match(reply.text, /\*\*Nobody Known\*\* isn't in the gallery/);
    assert.equal(rig.poster.posts.length, 0);
  });
});
