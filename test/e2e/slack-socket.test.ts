// Socket Mode end to end, with a fake face service: the real Bolt app and Socket Mode client get their
// WebSocket URL from apps.connections.open on the stand-in (through SLACK_API_URL's setting), receive
// `hello`, then envelopes, and must acknowledge each with its envelope_id before answering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { SlackAdapter } from '../../src/adapters/slack/adapter.ts';
import { actionId } from '../../src/adapters/slack/blocks.ts';
import { Bot } from '../../src/chat/bot.ts';
import { createLogger, silentLogger } from '../../src/chat/logger.ts';
import { isConfigError } from '../../src/errors.ts';
import { fakeService, identification, solidPng, withPhotoAnswers } from '../fixtures/chat-fakes.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { blockActionPayload, messageEventBody, slashCommand } from '../fixtures/slack-payloads.ts';
import { SlackStandin } from '../fixtures/slack-standin.ts';

const BOT_TOKEN = 'xoxb-1111111111-2222222222-standinstandinstandin';
const APP_TOKEN = 'xapp-1-A0STANDIN-3333333333-standinstandinstandin';

describe('Slack in Socket Mode (stand-in WebSocket, fake face service)', { timeout: 60_000 }, () => {
  const standin = new SlackStandin({ dataDir: BBT_DIR, botToken: BOT_TOKEN, appToken: APP_TOKEN });
  const lines: string[] = [];
  let adapter: SlackAdapter;
  let pressed: string | undefined;

  before(async () => {
    await standin.start();
    standin.addMember({ id: 'U0ALICE', name: 'alice' });
    const thumbnail = await solidPng(32);
    const lookalike = fakeService({
      identify: async (scope) => ({ ...identification('Penny', { thumbnail }), scope }),
    });
    const logger = createLogger({
      level: 'debug',
      secrets: [BOT_TOKEN, APP_TOKEN],
      write: (l) => lines.push(l),
    });
    const bot = withPhotoAnswers(
      new Bot({ deps: { service: lookalike }, commands, adminUserIds: [], logger, rateLimit: false }),
    );
    bot.onButton('test:', async (_ctx, id, responder) => {
      pressed = id;
      await responder.send({ text: `You pressed **${id}**` });
    });
    adapter = new SlackAdapter({
      config: { mode: 'socket', botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: standin.apiUrl },
      logger,
    });
    await adapter.start(bot);
  });

  after(async () => {
    await adapter.stop();
    await standin.close();
  });

  it('connects through apps.connections.open with the app-level token', () => {
    const open = standin.calls.find((c) => c.method === 'apps.connections.open');
    assert.equal(open?.token, APP_TOKEN);
    assert.ok(standin.calls.some((c) => c.method === 'auth.test' && c.token === BOT_TOKEN));
    assert.ok(standin.socketOpen);
    assert.equal(standin.socketConnections, 1);
  });

  it('acknowledges an events_api envelope, then answers the mentioned photo in its thread', async () => {
    const from = standin.calls.length;
    const { body, ts } = messageEventBody({
      teamId: standin.teamId,
      botUserId: standin.botUserId,
      channelId: 'C0GENERAL',
      userId: 'U0ALICE',
      text: `<@${standin.botUserId}> who is this?`,
      files: [standin.file('penny/penny4.png')],
    });
    const envelope = standin.sendEnvelope('events_api', body);
    const ack = await standin.waitForAck(envelope);
    assert.equal(ack.envelope_id, envelope);

    const share = await standin.waitFor((c) => c.method === 'files.completeUploadExternal', { from });
    assert.equal(share.args.channel_id, 'C0GENERAL');
    assert.equal(share.args.thread_ts, ts);
    assert.match(JSON.stringify(share.args.blocks), /You look like Penny/);
    const download = standin.calls.slice(from).find((c) => c.method === 'download');
    assert.equal(download?.token, BOT_TOKEN, 'url_private is fetched with the bot token');
  });

  it('acknowledges a slash command envelope and answers it', async () => {
    const from = standin.calls.length;
    const envelope = slashCommand(standin, { userId: 'U0ALICE', command: '/gallery', text: 'list' });
    assert.equal((await standin.waitForAck(envelope)).envelope_id, envelope);
    const post = await standin.waitFor((c) => c.method === 'chat.postMessage', { from });
    assert.match(String(post.args.text), /gallery is empty/);
  });

  it('acknowledges a button press and routes it to the bot', async () => {
    const from = standin.calls.length;
    const envelope = standin.sendEnvelope(
      'interactive',
      blockActionPayload({
        teamId: standin.teamId,
        channelId: 'C0GENERAL',
        userId: 'U0ALICE',
        messageTs: '1700000000.000100',
        actionId: actionId(0, 'test:42'),
        value: 'test:42',
        responseUrl: standin.responseUrl(),
      }),
    );
    assert.equal((await standin.waitForAck(envelope)).envelope_id, envelope);
    const post = await standin.waitFor((c) => c.method === 'chat.postMessage', { from });
    assert.equal(pressed, 'test:42');
    assert.match(String(post.args.text), /You pressed test:42/);
  });

  it('posts a message with a picture and buttons, and edits it (game rounds)', async () => {
    const from = standin.calls.length;
    const first = await solidPng(16, 16, [10, 20, 30]);
    const ref = await adapter.post('C0GAMES', {
      text: "**Who's that celebrity?**",
      image: { name: 'round.png', data: first },
      buttons: [
        { id: 'test:a', label: 'Penny' },
        { id: 'test:b', label: 'Amy' },
      ],
    });
    assert.equal(ref.platform, 'slack');
    assert.equal(ref.channelId, 'C0GAMES');
    assert.match(ref.id, /^\d+\.\d+$/, 'the ts of the file share, read from files.info');
    const share = standin.calls.slice(from).find((c) => c.method === 'files.completeUploadExternal');
    assert.equal(share?.args.channel_id, 'C0GAMES');
    assert.match(JSON.stringify(share?.args.blocks), /"value":"test:a".*"value":"test:b"/);
    assert.ok(standin.calls.slice(from).some((c) => c.method === 'files.info'));

    await adapter.edit(ref, {
      text: 'It was **Penny**',
      image: { name: 'round.png', data: first },
      buttons: [{ id: 'test:a', label: 'Penny', style: 'success', disabled: true }],
    });
    const same = standin.calls.filter((c) => c.method === 'chat.update').at(-1);
    assert.equal(same?.args.ts, ref.id);
    assert.equal(same?.args.file_ids, undefined, 'an unchanged picture is not uploaded again');
    assert.match(String(same?.args.text), /It was Penny/);

    const uploadsBefore = standin.calls.filter((c) => c.method === 'upload').length;
    await adapter.edit(ref, { text: 'Round 2', image: { name: 'round.png', data: await solidPng(16) } });
    const swapped = standin.calls.filter((c) => c.method === 'chat.update').at(-1);
    assert.equal(swapped?.args.ts, ref.id);
    assert.equal((swapped?.args.file_ids as string[] | undefined)?.length, 1);
    assert.equal(standin.calls.filter((c) => c.method === 'upload').length, uploadsBefore + 1);
  });

  it('fails to start with a clear configuration error when Slack refuses a token', async () => {
    const start = (botToken: string, appToken: string) =>
      new SlackAdapter({
        config: { mode: 'socket', botToken, appToken, apiUrl: standin.apiUrl },
        logger: silentLogger,
      }).start(
        new Bot({ deps: { service: fakeService() }, commands, adminUserIds: [], logger: silentLogger }),
      );
    await assert.rejects(
      start('xoxb-wrong-wrong-wrong', APP_TOKEN),
      (err) =>
        isConfigError(err) && err.code === 'config' && /SLACK_BOT_TOKEN \(invalid_auth\)/.test(err.message),
    );
    await assert.rejects(
      start(BOT_TOKEN, 'xapp-1-A0STANDIN-revoked'),
      (err) => isConfigError(err) && /SLACK_APP_TOKEN \(invalid_auth\)/.test(err.message),
    );
    await assert.rejects(
      start(BOT_TOKEN, BOT_TOKEN),
      (err) => isConfigError(err) && /SLACK_APP_TOKEN must be an app-level token/.test(err.message),
    );
  });

  it('never logs the tokens', () => {
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => !l.includes(BOT_TOKEN) && !l.includes(APP_TOKEN)));
  });
});
