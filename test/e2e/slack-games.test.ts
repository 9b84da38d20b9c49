// A game of Who's that celebrity? end to end on Slack in http mode: the real app (startApp) with Bolt's
// HTTP receiver on loopback, the real face engine and commands, against the Slack stand-in. People are
// enrolled as an admin would (photos shared in the channel, then `/enroll`); `/game guess 1` posts a round
// with four Block Kit buttons; signed `block_actions` payloads press a wrong name, then the right one.
// E2E_LOG=1 prints the bot's log while it runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { RunningApp } from '../../src/main.ts';
import { blockActionPayload } from '../fixtures/slack-payloads.ts';
import type { RecordedCall } from '../fixtures/slack-standin.ts';
import { BOT_TOKEN, SlackAppHarness } from '../support/slack-app.ts';

const SECRET = 'games-signing-secret-0123456789abcdef';
const GENERAL = 'C0GENERAL';
const ADMIN = 'U0ADMIN';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const PEOPLE = [
  ['Penny', ['penny/penny1.png', 'penny/penny2.png']],
  ['Sheldon', ['sheldon/sheldon1.png']],
  ['Amy', ['amy/amy1.png']],
  ['Raj', ['raj/raj1.png']],
] as const;

type Block = {
  type: string;
  elements?: { type: string; text?: unknown; value?: string; action_id?: string }[];
};
type SlackButton = { action_id: string; value: string; label: string };

function blocksOf(call: RecordedCall): Block[] {
  return (call.args.blocks ?? []) as Block[];
}

function blocksText(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks ?? []);
}

/** The buttons of a message's `actions` blocks. */
function buttonsOf(call: RecordedCall): SlackButton[] {
  return blocksOf(call)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === 'button')
    .map((e) => ({
      action_id: String(e.action_id),
      value: String(e.value),
      label: String((e.text as { text?: string } | undefined)?.text),
    }));
}

describe('Slack guess game end to end (http mode, stand-in Slack)', { timeout: 240_000 }, () => {
  const harness = new SlackAppHarness(SECRET);
  const { standin } = harness;
  const post = harness.post.bind(harness);
  const command = (userId: string, name: string, text = '') => harness.command(userId, name, text, GENERAL);
  const share = (userId: string, files: readonly string[]) => harness.share(userId, GENERAL, files);
  let app: RunningApp | undefined;

  /** Presses a button as Slack does: a signed, form-encoded `payload` holding a `block_actions` JSON. */
  async function press(userId: string, messageTs: string, button: SlackButton) {
    const from = standin.calls.length;
    const payload = blockActionPayload({
      teamId: standin.teamId,
      channelId: GENERAL,
      userId,
      messageTs,
      actionId: button.action_id,
      value: button.value,
      responseUrl: standin.responseUrl(),
    });
    const sent = performance.now();
    const res = await post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
    assert.equal(res.status, 200, 'the press is acknowledged');
    assert.ok(performance.now() - sent < 3_000, "the press is acknowledged within Slack's deadline");
    return from;
  }

  const inGeneral = (method: string) => (c: RecordedCall) =>
    c.method === method && c.args.channel === GENERAL;
  const ephemeralTo = (userId: string) => (c: RecordedCall) =>
    c.method === 'chat.postEphemeral' && c.args.user === userId;

  before(async () => {
    app = await harness.start(
      [
        { id: ADMIN, name: 'admin', admin: true },
        { id: ALICE, name: 'alice' },
        { id: BOB, name: 'bob' },
        { id: CAROL, name: 'carol' },
      ],
      // A reveal step far slower than the test, so the round stays open while it presses; a short pause after.
      { gameTiming: { revealMs: 120_000, pauseMs: 300 } },
    );
  });

  after(() => harness.stop());

  it('refuses /game guess while the gallery has fewer than four people', async () => {
    const from = await command(ALICE, '/game', 'guess 1');
    const refusal = await standin.waitFor(ephemeralTo(ALICE), { from });
    assert.match(String(refusal.args.text), /needs at least 4 people/);
    assert.ok(!standin.calls.slice(from).some((c) => c.method === 'files.completeUploadExternal'));
    assert.equal(app?.games.current(`slack:${standin.teamId}`, GENERAL), undefined);
  });

  it('enrols four people with /enroll after an admin shares their photos', async () => {
    for (const [name, files] of PEOPLE) {
      await share(ADMIN, files);
      const from = await command(ADMIN, '/enroll', name);
      const answer = await standin.waitFor(inGeneral('chat.postMessage'), { from, timeoutMs: 90_000 });
      const photos = files.length === 1 ? '1 photo' : `${files.length} photos`;
      assert.match(blocksText(answer), new RegExp(`Added ${photos} of \\*${name}\\*`));
    }
  });

  it('plays one round: buttons, a wrong press, the right press, the final scores and the leaderboard', async () => {
    const scope = `slack:${standin.teamId}`;
    const start = await command(ALICE, '/game', 'guess 1');

    // The round: a picture shared with the blocks as one message, four name buttons.
    const round = await standin.waitFor(
      (c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === GENERAL,
      { from: start, timeoutMs: 30_000 },
    );
    const intro = await standin.waitFor(inGeneral('chat.postMessage'), { from: start });
    assert.match(String(intro.args.text), /1 round, started by alice/);
    assert.match(blocksText(round), /Who's that celebrity\? — Round 1 of 1/);
    const buttons = buttonsOf(round);
    assert.deepEqual(buttons.map((b) => b.label).sort(), ['Amy', 'Penny', 'Raj', 'Sheldon']);
    assert.ok(buttons.every((b) => b.action_id.startsWith('lookalike:') && b.value.startsWith('game:')));
    const fileId = (round.args.files as { id: string }[])[0]?.id ?? '';
    const picture = await sharp(standin.uploaded(fileId)).metadata();
    assert.equal(picture.format, 'png');

    // The message's ts, as Slack knows it (from the file share); the game kept the same one.
    const info = await fetch(`${standin.apiUrl}files.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ file: fileId }),
    });
    const shared = (await info.json()) as {
      file?: { shares?: { public?: Record<string, { ts: string }[]> } };
    };
    const ts = shared.file?.shares?.public?.[GENERAL]?.[0]?.ts ?? '';
    assert.ok(ts !== '', 'the round message was shared in the channel');
    await app?.games.settled();
    const state = app?.games.current(scope, GENERAL);
    assert.ok(state?.kind === 'guess', 'a guess game runs in the channel');
    assert.equal(state.messages.round?.id, ts);
    const answer = state.plan[0]!.answer;
    const right = buttons.find((b) => b.label === answer.name);
    const wrong = buttons.find((b) => b.label !== answer.name);
    assert.ok(right && wrong);
    assert.equal(right.value, `game:${state.id}:0:${answer.slug}`);

    // A wrong press: told privately, listed in the message, and the buttons stay.
    let from = await press(BOB, ts, wrong);
    const missed = await standin.waitFor(ephemeralTo(BOB), { from });
    assert.equal(missed.args.channel, GENERAL);
    assert.match(String(missed.args.text), new RegExp(`Not ${wrong.label}`));
    const missUpdate = await standin.waitFor(inGeneral('chat.update'), { from });
    assert.equal(missUpdate.args.ts, ts);
    assert.match(blocksText(missUpdate), new RegExp(`bob guessed ${wrong.label} ✗`));
    assert.equal(buttonsOf(missUpdate).length, 4, 'the round is still open');
    assert.ok(!standin.calls.slice(from).some(inGeneral('chat.postMessage')), 'the press posted nothing');

    // The right press: 5 points while the face is fully hidden; the message shows the answer and scorer.
    from = await press(CAROL, ts, right);
    const scored = await standin.waitFor(ephemeralTo(CAROL), { from });
    assert.match(String(scored.args.text), new RegExp(`✓ Right, it's ${answer.name}! \\+5 points`));
    const closed = await standin.waitFor((c) => inGeneral('chat.update')(c) && /got it/.test(blocksText(c)), {
      from,
    });
    assert.equal(closed.args.ts, ts);
    const closedText = blocksText(closed);
    assert.match(closedText, new RegExp(`It was ${answer.name}! — Round 1 of 1`));
    assert.match(closedText, /\*carol\* got it: \+5 points/);
    assert.match(closedText, new RegExp(`bob guessed ${wrong.label} ✗`));
    assert.match(closedText, new RegExp(`✅ ${answer.name}`));
    assert.equal(buttonsOf(closed).length, 0, 'an answered round has no buttons left to press');
    const swapped = closed.args.file_ids as string[] | undefined;
    assert.equal(swapped?.length, 1, 'the clear face is swapped in');
    assert.equal((await sharp(standin.uploaded(swapped?.[0] ?? '')).metadata()).format, 'png');

    // After the pause: the final scores, and the game is over.
    const final = await standin.waitFor(
      (c) => inGeneral('chat.postMessage')(c) && /final scores/.test(blocksText(c)),
      { from, timeoutMs: 10_000 },
    );
    assert.match(blocksText(final), /🥇 \*carol\* — 5 points/);
    assert.doesNotMatch(blocksText(final), /bob/);
    await app?.games.settled();
    assert.equal(app?.games.current(scope, GENERAL), undefined);

    // A late press is told the game is over, privately.
    from = await press(ALICE, ts, wrong);
    assert.match(String((await standin.waitFor(ephemeralTo(ALICE), { from })).args.text), /over/);

    from = await command(BOB, '/leaderboard');
    const board = await standin.waitFor(inGeneral('chat.postMessage'), { from });
    assert.match(blocksText(board), /Leaderboard/);
    assert.match(blocksText(board), /🥇 \*carol\* — 5 points · 1 win/);
    assert.doesNotMatch(blocksText(board), /bob/);
  });
});
