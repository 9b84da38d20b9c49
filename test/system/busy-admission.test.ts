// Issue 12's "busy only when the wait is really long, and cheap refusals": photo commands are admitted
// by the engine's load before anything is deferred. A refusal is one reply (on Discord the interaction's
// own callback, ephemeral) and downloads nothing; a member who waits long is told their place, in the
// deferred reply that the answer then replaces. Through the real discord.js and Bolt, against the stand-ins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { DiscordAdapter } from '../../src/adapters/discord/adapter.ts';
import { SlackAdapter } from '../../src/adapters/slack/adapter.ts';
import { Bot } from '../../src/chat/bot.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import type { EngineLoad } from '../../src/domain/face.ts';
import {
  fakeAttachment,
  fakeContext,
  fakeService,
  identification,
  RecordingResponder,
  solidPng,
  withPhotoAnswers,
} from '../fixtures/chat-fakes.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest } from '../fixtures/discord-standin.ts';
import { mentionPhoto } from '../fixtures/slack-payloads.ts';
import { SlackStandin } from '../fixtures/slack-standin.ts';

const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GbUsYy.admission-token-only-for-the-stand-in-x';
const BOT_TOKEN = 'xoxb-1111111111-2222222222-admissionadmission';
const APP_TOKEN = 'xapp-1-A0STANDIN-3333333333-admissionadmission';
const BUSY = /busy looking at a lot of faces/;
const IDLE: EngineLoad = { ahead: 0, expectedWaitMs: 0, accepting: true };
const FULL: EngineLoad = { ahead: 200, expectedWaitMs: 31_000, accepting: false };
const LONG: EngineLoad = { ahead: 12, expectedWaitMs: 8_000, accepting: true };

/** A promise and the function that settles it, to hold an answer until the test has looked. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('admission by the engine load, in the Bot', () => {
  it('counts photos still downloading as queued, so a burst checked at once is not let in whole', async () => {
    // An engine of one worker and two queue places: it refuses a fourth photo.
    let inEngine = 0;
    const downloads = gate();
    const answers = gate();
    const thumbnail = await solidPng(16);
    const lookalike = fakeService({
      load: (extra = 0) => {
        const ahead = inEngine + extra;
        return { ahead, expectedWaitMs: Math.max(0, ahead) * 1_000, accepting: ahead < 3 };
      },
      identify: async (scope) => {
        inEngine++;
        await answers.wait;
        inEngine--;
        return { ...identification('Penny', { thumbnail }), scope };
      },
    });
    const bot = new Bot({
      deps: { service: lookalike },
      commands,
      adminUserIds: [],
      logger: silentLogger,
      queueNoteMs: 1_500,
    });
    const photos = Array.from({ length: 5 }, (_, i) =>
      fakeAttachment(`selfie${i}.png`, async () => {
        await downloads.wait;
        return solidPng(8);
      }),
    );
    const responders = photos.map(() => new RecordingResponder());
    const runs = photos.map((image, i) =>
      bot.handleCommand(
        'lookalike',
        { ctx: fakeContext({ userId: `10${i}` }), options: { image } },
        responders[i]!,
      ),
    );
    // Every command has been admitted or refused before any photo arrived.
    await new Promise((resolve) => setImmediate(resolve));
    downloads.open();
    answers.open();
    await Promise.all(runs);

    const refused = responders.filter((r) => BUSY.test(r.replies[0]?.text ?? ''));
    assert.equal(refused.length, 2, 'the two photos past the queue are refused');
    for (const r of refused) {
      assert.deepEqual(r.events, ['send'], 'refused before deferring: one reply');
      assert.equal(r.replies[0]?.ephemeral, true);
    }
    assert.equal(
      photos.slice(3).reduce((n, p) => n + p.fetches, 0),
      0,
      'refused photos are not downloaded',
    );
    const taken = responders.slice(0, 3);
    assert.ok(taken.every((r) => r.events.join() === 'defer,send' && /Penny/.test(r.only().text)));
    assert.equal(taken[0]!.note, undefined, 'the first one waits for nobody');
    assert.match(taken[2]!.note ?? '', /in the queue: 2 ahead of you, about 2 seconds/);
  });

  it('takes commands that do not analyse photos whatever the load', async () => {
    const bot = new Bot({
      deps: { service: fakeService({ load: () => FULL }) },
      commands,
      adminUserIds: [],
      logger: silentLogger,
    });
    const responder = new RecordingResponder();
    await bot.handleCommand('gallery', { ctx: fakeContext(), subcommand: 'list', options: {} }, responder);
    assert.doesNotMatch(responder.only().text, BUSY);
  });
});

describe('admission on Discord (real discord.js, stand-in)', { timeout: 60_000 }, () => {
  const standin = new DiscordStandin({ dataDir: BBT_DIR });
  let adapter: DiscordAdapter;
  let load: EngineLoad = IDLE;
  let answers = gate();
  const member = (n: number) => ({ id: `5000000000000001${String(n).padStart(2, '0')}`, username: `m${n}` });
  const forToken = (token: string) => (r: RecordedRequest) => r.path.includes(token);
  const original = (token: string) => (r: RecordedRequest) =>
    r.method === 'PATCH' && r.path === `/webhooks/${standin.appId}/${token}/messages/@original`;

  before(async () => {
    await standin.start();
    const thumbnail = await solidPng(16);
    const lookalike = fakeService({
      load: () => load,
      identify: async (scope) => {
        await answers.wait;
        return { ...identification('Penny', { thumbnail }), scope };
      },
    });
    const bot = withPhotoAnswers(
      new Bot({
        deps: { service: lookalike },
        commands,
        adminUserIds: [],
        logger: silentLogger,
        rateLimit: false,
      }),
    );
    adapter = new DiscordAdapter({
      config: { token: DISCORD_TOKEN, appId: standin.appId, apiUrl: standin.apiUrl },
      logger: silentLogger,
      messageContent: false,
    });
    await adapter.start(bot);
  });
  after(async () => {
    answers.open();
    await adapter.stop();
    await standin.close();
  });

  /** Dispatches `/help` and waits for its answer: everything the bot did before has been sent by then. */
  async function settle(): Promise<void> {
    const from = standin.requests.length;
    const { token } = await standin.dispatchInteraction({ name: 'help', user: member(99) });
    await standin.waitFor((r) => forToken(token)(r) && r.method === 'PATCH', { from });
  }

  const lookalike = (n: number) =>
    standin.dispatchInteraction({
      name: 'lookalike',
      user: member(n),
      options: [{ name: 'image', type: 11, file: 'penny/penny1.png' }],
    });

  it('refuses a photo with one ephemeral callback and no download when the wait would be too long', async () => {
    load = FULL;
    const from = standin.requests.length;
    const downloads = standin.downloads.length;
    const { token, at } = await lookalike(1);
    const callback = await standin.waitFor(forToken(token), { from });
    await settle();
    const cost = standin.requests.slice(from).filter(forToken(token));
    assert.equal(cost.length, 1, `one request, got ${cost.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    assert.equal(callback.method, 'POST');
    assert.equal(callback.body?.type, 4, 'the initial response itself, not a deferral');
    assert.ok(DiscordStandin.isEphemeral(callback));
    assert.match(JSON.stringify(callback.body), BUSY);
    assert.ok(callback.at - at < 3_000, "within Discord's 3 s");
    assert.equal(standin.downloads.length, downloads, 'the photo was not downloaded');
  });

  it('tells a member their place in the deferred reply, then the answer replaces it', async () => {
    load = LONG;
    answers = gate();
    const from = standin.requests.length;
    const { token } = await lookalike(2);
    const note = await standin.waitFor(original(token), { from });
    assert.match(String(note.body?.content), /in the queue: 12 ahead of you, about 8 seconds/);
    answers.open();
    const answer = await standin.waitFor((r) => original(token)(r) && r !== note, { from });
    assert.match(JSON.stringify(answer.body?.embeds), /You look like Penny/);
    assert.equal(answer.body?.content, '', 'the note is gone');
    await settle();
    const cost = standin.requests.slice(from).filter(forToken(token));
    assert.deepEqual(
      cost.map((r) => `${r.method} ${r.body?.type ?? ''}`),
      ['POST 5', 'PATCH ', 'PATCH '],
      'deferral, note, answer: no follow-up, no delete',
    );
  });

  it('answers with the deferral and one edit when nobody is ahead', async () => {
    load = IDLE;
    answers.open();
    const from = standin.requests.length;
    const { token } = await lookalike(3);
    const answer = await standin.waitFor(original(token), { from });
    assert.match(JSON.stringify(answer.body?.embeds), /You look like Penny/);
    await settle();
    assert.equal(standin.requests.slice(from).filter(forToken(token)).length, 2);
  });
});

describe('admission on Slack (real Bolt in Socket Mode, stand-in)', { timeout: 60_000 }, () => {
  const standin = new SlackStandin({ dataDir: BBT_DIR, botToken: BOT_TOKEN, appToken: APP_TOKEN });
  let adapter: SlackAdapter;
  let load: EngineLoad = IDLE;

  before(async () => {
    await standin.start();
    const thumbnail = await solidPng(16);
    const lookalike = fakeService({
      load: () => load,
      identify: async (scope) => ({ ...identification('Penny', { thumbnail }), scope }),
    });
    const bot = withPhotoAnswers(
      new Bot({
        deps: { service: lookalike },
        commands,
        adminUserIds: [],
        logger: silentLogger,
        rateLimit: false,
      }),
    );
    adapter = new SlackAdapter({
      config: { mode: 'socket', botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: standin.apiUrl },
      logger: silentLogger,
    });
    await adapter.start(bot);
  });
  after(async () => {
    await adapter.stop();
    await standin.close();
  });

  const mention = (userId: string) => mentionPhoto(standin, { userId, file: 'penny/penny1.png' });

  it('acknowledges, then refuses a mentioned photo with one private message and no download', async () => {
    load = FULL;
    const from = standin.calls.length;
    const { envelope, ts } = mention('U0BUSY');
    await standin.waitForAck(envelope);
    const refusal = await standin.waitFor((c) => c.method === 'chat.postEphemeral', { from });
    assert.equal(refusal.args.user, 'U0BUSY');
    assert.equal(refusal.args.thread_ts, ts);
    assert.match(String(refusal.args.text), BUSY);
    // Then a photo that is answered: once its answer is out, the refusal has sent all it ever will.
    load = IDLE;
    const next = standin.calls.length;
    mention('U0NEXT');
    await standin.waitFor((c) => c.method === 'files.completeUploadExternal', { from: next });
    const cost = standin.calls.slice(from, next);
    assert.deepEqual(
      cost.map((c) => c.method),
      ['chat.postEphemeral'],
      'one Web API call, no download',
    );
  });

  it('tells a waiting member their place privately, then answers in the thread', async () => {
    load = LONG;
    const from = standin.calls.length;
    const { ts } = mention('U0WAIT');
    const note = await standin.waitFor((c) => c.method === 'chat.postEphemeral', { from });
    assert.match(String(note.args.text), /12 ahead of you/);
    const share = await standin.waitFor((c) => c.method === 'files.completeUploadExternal', { from });
    assert.equal(share.args.thread_ts, ts);
    assert.match(JSON.stringify(share.args.blocks), /You look like Penny/);
  });
});
