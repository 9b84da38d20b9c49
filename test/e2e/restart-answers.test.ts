// A bot that is stopping (a restart) still answers: a command that reaches it while it lets running work
// finish is told to try again, in one request, and the work it had started is answered. Through the real
// discord.js and Bolt against the stand-ins, with a face service the test holds back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { DiscordAdapter } from '../../src/adapters/discord/adapter.ts';
import { SlackAdapter } from '../../src/adapters/slack/adapter.ts';
import { Bot } from '../../src/chat/bot.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import { fakeService, identification, solidPng, withPhotoAnswers } from '../fixtures/chat-fakes.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { DiscordStandin } from '../fixtures/discord-standin.ts';
import { mentionPhoto, slashCommand } from '../fixtures/slack-payloads.ts';
import { SlackStandin } from '../fixtures/slack-standin.ts';

const RESTARTING = /restarting right now: please try again in a few seconds/;

/** A bot whose face service answers only once `open()` is called. */
async function heldBot() {
  let open = () => {};
  const held = new Promise<void>((resolve) => {
    open = resolve;
  });
  const thumbnail = await solidPng(16);
  const lookalike = fakeService({
    identify: async (scope) => {
      await held;
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
  return { bot, open };
}

describe('a stopping bot', { timeout: 60_000 }, () => {
  it('on Discord: refuses a new command in its callback and finishes the one it deferred', async () => {
    const standin = new DiscordStandin({ dataDir: BBT_DIR });
    await standin.start();
    const { bot, open } = await heldBot();
    const adapter = new DiscordAdapter({
      config: {
        token: 'MTAwMDAwMDAwMDAwMDAwMDAy.GrEsTa.restart-token-only-for-the-stand-in-xyz',
        appId: standin.appId,
        apiUrl: standin.apiUrl,
      },
      logger: silentLogger,
      messageContent: false,
    });
    try {
      await adapter.start(bot);
      const user = { id: '520000000000000001', username: 'alice' };
      const running = await standin.dispatchInteraction({
        name: 'lookalike',
        user,
        options: [{ name: 'image', type: 11, file: 'penny/penny1.png' }],
      });
      await standin.waitFor((r) => r.path.includes(running.token) && r.body?.type === 5);
      const stopping = adapter.stop();

      const from = standin.requests.length;
      const late = await standin.dispatchInteraction({ name: 'help', user });
      const refusal = await standin.waitFor((r) => r.path.includes(late.token), { from });
      assert.equal(refusal.body?.type, 4, 'answered in the callback itself');
      assert.ok(DiscordStandin.isEphemeral(refusal));
      assert.match(JSON.stringify(refusal.body), RESTARTING);

      open();
      const answer = await standin.waitFor((r) => r.method === 'PATCH' && r.path.includes(running.token));
      assert.match(JSON.stringify(answer.body?.embeds), /You look like Penny/);
      await stopping;
    } finally {
      open();
      await adapter.stop();
      await standin.close();
    }
  });

  it('on Slack: tells a slash command privately and answers the photo it was working on', async () => {
    const botToken = 'xoxb-1313131313-2424242424-restartrestart';
    const appToken = 'xapp-1-A0STANDIN-3535353535-restartrestart';
    const standin = new SlackStandin({ dataDir: BBT_DIR, botToken, appToken });
    await standin.start();
    const { bot, open } = await heldBot();
    const adapter = new SlackAdapter({
      config: { mode: 'socket', botToken, appToken, apiUrl: standin.apiUrl },
      logger: silentLogger,
    });
    try {
      await adapter.start(bot);
      const { ts, envelope } = mentionPhoto(standin, { userId: 'U0ALICE', file: 'penny/penny1.png' });
      await standin.waitForAck(envelope);
      await standin.waitFor((c) => c.method === 'download');
      const stopping = adapter.stop();

      const from = standin.calls.length;
      await standin.waitForAck(slashCommand(standin, { userId: 'U0BOB', command: '/gallery', text: 'list' }));
      const told = await standin.waitFor((c) => c.method === 'chat.postEphemeral', { from });
      assert.equal(told.args.user, 'U0BOB');
      assert.match(String(told.args.text), RESTARTING);

      open();
      const share = await standin.waitFor(
        (c) => c.method === 'files.completeUploadExternal' && c.args.thread_ts === ts,
      );
      assert.match(JSON.stringify(share.args.blocks), /You look like Penny/);
      await stopping;
    } finally {
      open();
      await adapter.stop();
      await standin.close();
    }
  });
});
