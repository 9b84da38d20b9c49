import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { Bot, type BotOptions } from '../../src/chat/bot.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { memoryChannelSettings } from '../../src/chat/settings.ts';
import type { Command, CommandInput, Deps } from '../../src/chat/types.ts';
import { UserError } from '../../src/errors.ts';
import { userText } from '../../src/user-texts.ts';
import {
  fakeAttachment,
  fakeContext,
  fakeService,
  identification,
  RecordingResponder,
  solidPng,
  withPhotoAnswers,
} from '../fixtures/chat-fakes.ts';

const face = await solidPng(32);

function makeBot(overrides: Omit<Partial<BotOptions>, 'deps'> & { deps?: Partial<Deps> } = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    write: (l) => lines.push(l),
    level: 'info',
    secrets: ['super-secret-token-value'],
  });
  const bot = new Bot({
    commands,
    adminUserIds: ['4242', 'slack:U999'],
    rateLimit: false,
    ...overrides,
    logger,
    deps: { service: fakeService(), ...overrides.deps },
  });
  withPhotoAnswers(bot, overrides.deps?.settings);
  return { bot, lines };
}

function run(name: string, command: (input: CommandInput) => Promise<never>): Command {
  return { data: { name, description: name }, execute: command };
}

describe('Bot: admin commands', () => {
  it('refuses non-admins privately, without deferring or running the command', async () => {
    const lookalike = fakeService();
    const { bot } = makeBot({ deps: { service: lookalike } });
    const responder = new RecordingResponder();
    await bot.handleCommand('enroll', { ctx: fakeContext(), options: { name: 'X' } }, responder);
    assert.deepEqual(responder.events, ['send']);
    const reply = responder.only();
    assert.equal(reply.ephemeral, true);
    assert.match(reply.text, /Only admins can use/);
    assert.equal(lookalike.calls.length, 0);
  });

  it('accepts platform admins and ADMIN_USER_IDS, by platform id or qualified id', () => {
    const { bot } = makeBot();
    assert.equal(bot.isAdmin(fakeContext({ admin: true }).user), true);
    assert.equal(bot.isAdmin(fakeContext({ userId: '4242' }).user), true);
    assert.equal(bot.isAdmin(fakeContext({ platform: 'slack', userId: 'U999' }).user), true);
    assert.equal(bot.isAdmin(fakeContext({ userId: 'U999' }).user), false);
  });

  it('checks admin subcommands but lets everyone list', async () => {
    const { bot } = makeBot();
    const remove = new RecordingResponder();
    await bot.handleCommand(
      'gallery',
      { ctx: fakeContext(), subcommand: 'remove', options: { name: 'X' } },
      remove,
    );
    assert.match(remove.only().text, /\/gallery remove/);
    const list = new RecordingResponder();
    await bot.handleCommand('gallery', { ctx: fakeContext(), subcommand: 'list', options: {} }, list);
    assert.deepEqual(list.events, ['defer', 'send']);
    assert.match(list.only().title ?? '', /empty/);
  });
});

describe('Bot: deferral and rate limit', () => {
  it('defers before running, privately for private commands', async () => {
    const order: string[] = [];
    const responder = new RecordingResponder();
    const slow: Command = {
      data: { name: 'slow', description: 'slow', ephemeral: true },
      execute: async () => {
        order.push(...responder.events, 'execute');
        return { text: 'done' };
      },
    };
    const { bot } = makeBot({ commands: [slow] });
    await bot.handleCommand('slow', { ctx: fakeContext(), options: {} }, responder);
    assert.deepEqual(order, ['defer', 'execute']);
    assert.equal(responder.deferredEphemeral, true);
    assert.equal(responder.only().text, 'done');
  });

  it('limits each user with a token bucket and says when to retry', async () => {
    let now = 1_000_000;
    const { bot } = makeBot({ rateLimit: { capacity: 2, refillMs: 10_000 }, deps: { now: () => now } });
    const ask = async (userId: string) => {
      const r = new RecordingResponder();
      await bot.handleCommand('help', { ctx: fakeContext({ userId }), options: {} }, r);
      return r.only();
    };
    assert.equal((await ask('1')).title, 'Lookalike');
    assert.equal((await ask('1')).title, 'Lookalike');
    const limited = await ask('1');
    assert.match(limited.text, /Try again in 10 seconds/);
    assert.equal(limited.ephemeral, true);
    assert.equal((await ask('2')).title, 'Lookalike', 'other users are not affected');
    now += 4_000;
    assert.match((await ask('1')).text, /Try again in 6 seconds/);
    now += 6_000;
    assert.equal((await ask('1')).title, 'Lookalike');
  });
});

describe('Bot: error boundary', () => {
  it('shows a UserError text privately, after deferral too', async () => {
    const { bot, lines } = makeBot({
      commands: [
        run('boom', async () => {
          throw new UserError('corrupt_image');
        }),
      ],
    });
    const responder = new RecordingResponder();
    await bot.handleCommand('boom', { ctx: fakeContext(), options: {} }, responder);
    assert.deepEqual(responder.events, ['defer', 'send']);
    assert.deepEqual(responder.only(), { text: userText('corrupt_image'), ephemeral: true });
    assert.equal(lines.length, 0, 'expected failures are not logged as errors');
  });

  it('logs an unexpected error with context and an error id, and shows the same id', async () => {
    const { bot, lines } = makeBot({
      commands: [
        run('boom', async () => {
          throw new Error('db exploded near super-secret-token-value');
        }),
      ],
    });
    const responder = new RecordingResponder();
    await bot.handleCommand('boom', { ctx: fakeContext({ userId: '77' }), options: {} }, responder);
    const reply = responder.only();
    const id = /error id ([0-9a-f]{6})\)/.exec(reply.text)?.[1];
    assert.ok(id, reply.text);
    assert.equal(reply.text, `Sorry, something went wrong (error id ${id}).`);
    assert.equal(reply.ephemeral, true);
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.match(line, /ERROR/);
    assert.ok(line.includes(id));
    assert.match(line, /"command":"boom"/);
    assert.match(line, /"platform":"discord"/);
    assert.match(line, /"userId":"discord:77"/);
    assert.match(line, /"deferred":true/);
    assert.match(line, /db exploded/);
    assert.doesNotMatch(line, /super-secret-token-value/);
  });

  it('knows when the failure came before deferral, and survives a failing error reply', async () => {
    const { bot, lines } = makeBot({ commands: [run('x', async () => ({ text: 'never' }) as never)] });
    const responder = new RecordingResponder();
    responder.defer = async () => {
      throw new Error('interaction expired');
    };
    responder.failSend = true;
    await bot.handleCommand('x', { ctx: fakeContext(), options: {} }, responder);
    assert.match(lines[0] ?? '', /"deferred":false/);
    assert.match(lines[1] ?? '', /could not send the error reply/);
  });

  it('refuses a command whose required part is missing, once, before it runs', async () => {
    const { bot } = makeBot();
    let ran = false;
    const needsGames: Command = {
      data: { name: 'play', description: 'play', requires: ['games'] },
      execute: async () => {
        ran = true;
        return { text: 'played' };
      },
    };
    const { bot: withPlay } = makeBot({ commands: [needsGames] });
    const responder = new RecordingResponder();
    await withPlay.handleCommand('play', { ctx: fakeContext(), options: {} }, responder);
    assert.equal(ran, false);
    assert.equal(responder.only().ephemeral, true);
    assert.match(responder.only().text, /Games aren't available on this bot/);
    const watch = new RecordingResponder();
    await bot.handleCommand(
      'watch',
      { ctx: fakeContext({ admin: true }), subcommand: 'on', options: {} },
      watch,
    );
    assert.match(watch.only().text, /Watching channels isn't available on this bot/);
  });

  it('answers an unknown command instead of throwing', async () => {
    const { bot } = makeBot();
    const responder = new RecordingResponder();
    await bot.handleCommand('nope', { ctx: fakeContext(), options: {} }, responder);
    assert.match(responder.only().text, /don't know the command \/nope/);
  });
});

describe('Bot: photos posted in channels', () => {
  const service = () =>
    fakeService({
      identify: async (scope) => identification('Penny', { thumbnail: face, scope }),
    });

  it('stays quiet in unwatched channels and answers mentions', async () => {
    const { bot } = makeBot({ deps: { service: service(), settings: memoryChannelSettings() } });
    const quiet = new RecordingResponder();
    const photo = fakeAttachment('me.png', face);
    assert.equal(await bot.handleImageMessage(fakeContext(), [photo], { mentioned: false }, quiet), false);
    assert.deepEqual(quiet.events, []);
    assert.equal(photo.fetches, 0);

    const mention = new RecordingResponder();
    assert.equal(await bot.handleImageMessage(fakeContext(), [photo], { mentioned: true }, mention), true);
    assert.deepEqual(mention.events, ['defer', 'send']);
    assert.equal(mention.only().title, 'You look like Penny (0.73 confidence)');
  });

  it('answers every photo in a watched channel, ignoring other files', async () => {
    const settings = memoryChannelSettings();
    const { bot } = makeBot({ deps: { service: service(), settings } });
    const admin = new RecordingResponder();
    await bot.handleCommand(
      'watch',
      { ctx: fakeContext({ admin: true }), subcommand: 'on', options: {} },
      admin,
    );
    assert.match(admin.only().text, /answer every photo/);

    const responder = new RecordingResponder();
    const files = [fakeAttachment('notes.txt', face, 'text/plain'), fakeAttachment('me.png', face)];
    assert.equal(await bot.handleImageMessage(fakeContext(), files, { mentioned: false }, responder), true);
    assert.match(responder.only().text, /Penny/);
    const other = fakeContext({ channelId: 'channel-2' });
    assert.equal(
      await bot.handleImageMessage(other, files, { mentioned: false }, new RecordingResponder()),
      false,
    );
    const textOnly = [fakeAttachment('notes.txt', face, 'text/plain')];
    assert.equal(
      await bot.handleImageMessage(fakeContext(), textOnly, { mentioned: true }, responder),
      false,
    );
  });

  it('does not answer faceless photos in watched channels, but does when mentioned', async () => {
    const settings = memoryChannelSettings();
    await settings.setWatched('discord:guild', 'channel-1', true);
    const { bot } = makeBot({ deps: { settings } });
    const photo = [fakeAttachment('sunset.png', face)];
    const quiet = new RecordingResponder();
    assert.equal(await bot.handleImageMessage(fakeContext(), photo, { mentioned: false }, quiet), false);
    assert.equal(quiet.replies.length, 0);
    const asked = new RecordingResponder();
    assert.equal(await bot.handleImageMessage(fakeContext(), photo, { mentioned: true }, asked), true);
    assert.match(asked.only().text, /couldn't find a face/);
  });
});
