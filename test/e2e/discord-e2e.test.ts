// End to end on Discord: the real discord.js client, the real face engine and commands, against a local
// stand-in for Discord's REST API and gateway, reached through DISCORD_API_URL exactly as `npm start` does.
// E2E_LOG=1 prints the bot's log (debug level, discord.js included) while it runs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFlags, GatewayIntentBits } from 'discord.js';
import sharp from 'sharp';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest, type StandinOption } from '../fixtures/discord-standin.ts';

const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GstAnd.in-not-a-real-token-only-for-the-stand-in';
const admin = { id: '500000000000000001', username: 'admin' };
const alice = { id: '500000000000000002', username: 'alice' };
const bob = { id: '500000000000000003', username: 'bob' };
const carol = { id: '500000000000000004', username: 'carol' };
// Members of the menu and DM tests, each with their own rate-limit budget.
const gina = { id: '500000000000000010', username: 'gina' };
const hank = { id: '500000000000000011', username: 'hank' };
const ivy = { id: '500000000000000012', username: 'ivy' };

type Embed = { title?: string; description?: string; image?: { url?: string } };

function embedText(r: RecordedRequest): string {
  const embeds = (r.body?.embeds ?? []) as Embed[];
  return [
    String(r.body?.content ?? ''),
    ...embeds.map((e) => `${e.title ?? ''}\n${e.description ?? ''}`),
  ].join('\n');
}

function title(r: RecordedRequest): string {
  return ((r.body?.embeds ?? []) as Embed[])[0]?.title ?? '';
}

describe('Discord bot end to end (stand-in Discord, real engine)', { timeout: 240_000 }, () => {
  const standin = new DiscordStandin({
    dataDir: BBT_DIR,
    appFlags: ApplicationFlags.GatewayMessageContentLimited,
  });
  const logLines: string[] = [];
  let app: RunningApp | undefined;

  const callback = (id: string, token: string) => (r: RecordedRequest) =>
    r.method === 'POST' && r.path === `/interactions/${id}/${token}/callback`;
  const original =
    (token: string, method = 'PATCH') =>
    (r: RecordedRequest) =>
      r.method === method && r.path === `/webhooks/${standin.appId}/${token}/messages/@original`;
  const followUp = (token: string) => (r: RecordedRequest) =>
    r.method === 'POST' && r.path === `/webhooks/${standin.appId}/${token}`;

  async function command(spec: {
    name: string;
    subcommand?: string;
    options?: StandinOption[];
    user: { id: string; username: string };
    admin?: boolean;
    channelId?: string;
    dm?: boolean;
  }) {
    const from = standin.requests.length;
    const sent = await standin.dispatchInteraction(spec);
    const ack = await standin.waitFor(callback(sent.id, sent.token), { from });
    return { ...sent, ack, from };
  }

  before(async () => {
    assert.ok(existsSync(BBT_DIR), `test photos not found at ${BBT_DIR} (set LOOKALIKE_BBT_DIR)`);
    standin.addFile('corrupt.png', Buffer.from('\x89PNG\r\n\x1a\n this is not really an image '.repeat(20)));
    await standin.start();
    const config = loadConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_APP_ID: standin.appId,
      DISCORD_API_URL: standin.apiUrl,
      DISCORD_CDN_URL: standin.cdnUrl,
      LOOKALIKE_STORE: 'memory://',
    });
    const started = performance.now();
    app = await startApp(config, {
      // A reveal step slower than the test, so the round stays open while it presses; a short pause after.
      gameTiming: { revealMs: 120_000, pauseMs: 300 },
      logger: createLogger({
        level: 'debug',
        secrets: [TOKEN],
        write: (line) => {
          logLines.push(line);
          if (process.env.E2E_LOG) process.stderr.write(`${line}\n`);
        },
      }),
    });
    console.log(`start-up (engine + gateway login): ${Math.round(performance.now() - started)} ms`);
  });

  after(async () => {
    await app?.stop();
    await standin.close();
  });

  it('logs in through DISCORD_API_URL with the intents the app allows', () => {
    assert.ok(standin.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot'));
    const intents = Number(standin.identifies[0]?.intents);
    for (const bit of [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
    ]) {
      assert.ok(intents & bit, `intent ${bit} requested`);
    }
    assert.equal(standin.identifies[0]?.token, TOKEN);
  });

  it('enrols two people through /enroll as an admin', async () => {
    // Three photos each: with two people of two photos each, the classifier currently names the wrong
    // one (see the report on src/classifier); three is what an admin is advised to give anyway.
    for (const [name, files] of [
      ['Penny', ['penny/penny1.png', 'penny/penny2.png', 'penny/penny3.png']],
      ['Sheldon', ['sheldon/sheldon1.png', 'sheldon/sheldon2.png', 'sheldon/sheldon3.png']],
    ] as const) {
      const { token, ack, from } = await command({
        name: 'enroll',
        user: admin,
        admin: true,
        options: [
          { name: 'name', type: 3, value: name },
          { name: 'image', type: 11, file: files[0] },
          { name: 'image2', type: 11, file: files[1] },
          { name: 'image3', type: 11, file: files[2] },
        ],
      });
      assert.equal(ack.body?.type, 5);
      const answer = await standin.waitFor(original(token), { from, timeoutMs: 60_000 });
      assert.match(embedText(answer), new RegExp(`Added 3 photos of \\*\\*${name}\\*\\*`));
    }
  });

  it('answers /lookalike with a deferral, then an embed and a PNG naming the right person', async () => {
    const { at, token, ack, from } = await command({
      name: 'lookalike',
      user: alice,
      options: [{ name: 'image', type: 11, file: 'penny/penny4.png' }],
    });
    assert.equal(ack.body?.type, 5, 'deferred (DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE)');
    assert.equal(DiscordStandin.isEphemeral(ack), false);
    const answer = await standin.waitFor(original(token), { from, timeoutMs: 60_000 });
    console.log(
      `one selfie: INTERACTION_CREATE -> deferral ${Math.round(ack.at - at)} ms, -> answer ${Math.round(answer.at - at)} ms`,
    );
    const embed = ((answer.body?.embeds ?? []) as Embed[])[0];
    assert.match(
      embed?.title ?? '',
      /^(You look like Penny \(\d\.\d\d confidence\)|That's Penny in person!)$/,
    );
    assert.match(embed?.description ?? '', /confidence/);
    assert.equal(embed?.image?.url, 'attachment://lookalike.png');
    const png = answer.files[0];
    assert.equal(png?.name, 'lookalike.png');
    const meta = await sharp(png?.data).metadata();
    assert.equal(meta.format, 'png');
    assert.ok((meta.width ?? 0) > 0 && (meta.height ?? 0) > 0);
  });

  it('answers photos in a watched channel, and @mentions elsewhere', async () => {
    const watch = await command({
      name: 'watch',
      subcommand: 'on',
      user: admin,
      admin: true,
      channelId: standin.watchedChannelId,
    });
    const turnedOn = await standin.waitFor(original(watch.token), { from: watch.from });
    assert.match(embedText(turnedOn), /answer every photo/);

    const post = (channelId: string) => (r: RecordedRequest) =>
      r.method === 'POST' && r.path === `/channels/${channelId}/messages`;
    let from = standin.requests.length;
    const posted = await standin.dispatchMessage({
      user: carol,
      channelId: standin.watchedChannelId,
      files: ['sheldon/sheldon4.png'],
    });
    const reply = await standin.waitFor(post(standin.watchedChannelId), { from, timeoutMs: 60_000 });
    assert.match(title(reply), /Sheldon/);
    assert.equal(
      (reply.body?.message_reference as { message_id?: string } | undefined)?.message_id,
      posted.id,
    );
    assert.equal(reply.files[0]?.name, 'lookalike.png');

    from = standin.requests.length;
    await standin.dispatchMessage({
      user: carol,
      channelId: standin.channelId,
      files: ['penny/penny5.png'],
      mention: true,
    });
    const mentionReply = await standin.waitFor(post(standin.channelId), { from, timeoutMs: 60_000 });
    assert.match(title(mentionReply), /Penny/);
  });

  it('answers "Who do they look like?" on a message with photos, for the first one, and says which', async () => {
    const from = standin.requests.length;
    const sent = await standin.dispatchMessageCommand({
      name: 'Who do they look like?',
      user: gina,
      author: bob,
      files: ['sheldon/sheldon5.png', 'penny/penny3.png'],
    });
    const ack = await standin.waitFor(callback(sent.id, sent.token), { from });
    assert.equal(ack.body?.type, 5, 'deferred');
    assert.equal(DiscordStandin.isEphemeral(ack), false);
    const answer = await standin.waitFor(original(sent.token), { from, timeoutMs: 60_000 });
    assert.match(
      title(answer),
      /^(They look like Sheldon \(\d\.\d\d confidence\)|That's Sheldon in person!)$/,
    );
    assert.match(embedText(answer), /first of its 2 images \(sheldon5\.png\)/);
    assert.match(embedText(answer), /Answered from this server's gallery/);
    assert.equal(answer.files[0]?.name, 'lookalike.png');
  });

  it('answers "Who does this member look like?" from their server avatar, else their own, and explains the default one', async () => {
    const menu = 'Who does this member look like?';
    const run = async (target: { id: string; username: string; avatar?: string }, guildAvatar?: string) => {
      const from = standin.requests.length;
      const sent = await standin.dispatchUserCommand({ name: menu, user: hank, target, guildAvatar });
      await standin.waitFor(callback(sent.id, sent.token), { from });
      return { ...sent, from };
    };
    // Their own avatar is Sheldon, their server avatar Penny: the server one wins.
    const dave = {
      id: '500000000000000005',
      username: 'dave',
      avatar: standin.avatar('sheldon/sheldon2.png'),
    };
    let sent = await run(dave, standin.avatar('penny/penny2.png'));
    let answer = await standin.waitFor(original(sent.token), { from: sent.from, timeoutMs: 60_000 });
    assert.match(title(answer), /^(dave looks like Penny|That's Penny in person!)/);
    assert.ok(
      standin.downloads.includes('avatar:penny/penny2.png'),
      'the server avatar was fetched from the CDN',
    );

    const erin = {
      id: '500000000000000006',
      username: 'erin',
      avatar: standin.avatar('sheldon/sheldon1.png'),
    };
    sent = await run(erin);
    answer = await standin.waitFor(original(sent.token), { from: sent.from, timeoutMs: 60_000 });
    assert.match(title(answer), /^(erin looks like Sheldon|That's Sheldon in person!)/);

    sent = await run({ id: '500000000000000007', username: 'frank' });
    const error = await standin.waitFor(followUp(sent.token), { from: sent.from, timeoutMs: 30_000 });
    assert.ok(DiscordStandin.isEphemeral(error));
    assert.match(String(error.body?.content), /frank uses the default profile picture/);
  });

  it('answers /lookalike from a DM with no server from the global gallery, and refuses admin commands there', async () => {
    // The global gallery holds other names than the server's, so the answer shows which one was used.
    const lookalike = app!.bot.deps.service;
    for (const [name, person] of [
      ['Global Penny', 'penny'],
      ['Global Sheldon', 'sheldon'],
    ] as const) {
      const images = await Promise.all(
        [1, 2, 3].map(async (n) => ({
          name: `${person}${n}.png`,
          data: new Uint8Array(await readFile(join(BBT_DIR, person, `${person}${n}.png`))),
        })),
      );
      await lookalike.enroll('global', name, images, 'cli');
    }
    const { token, ack, from } = await command({
      name: 'lookalike',
      user: ivy,
      dm: true,
      options: [{ name: 'image', type: 11, file: 'penny/penny4.png' }],
    });
    assert.equal(ack.body?.type, 5);
    const answer = await standin.waitFor(original(token), { from, timeoutMs: 60_000 });
    assert.match(title(answer), /^(You look like Global Penny|That's Global Penny in person!)/);
    assert.match(embedText(answer), /Answered from the global gallery\./);

    const refused = await command({
      name: 'enroll',
      user: ivy,
      dm: true,
      options: [
        { name: 'name', type: 3, value: 'Nobody' },
        { name: 'image', type: 11, file: 'penny/penny5.png' },
      ],
    });
    // Refused before any deferral: the callback itself is the private answer.
    assert.equal(refused.ack.body?.type, 4);
    assert.ok(DiscordStandin.isEphemeral(refused.ack));
    const said = (refused.ack.body?.data as { content?: string } | undefined)?.content;
    assert.match(String(said), /only works in a server that added Lookalike/);
  });

  it('answers a corrupt attachment with a private error and keeps working', async () => {
    const { token, ack, from } = await command({
      name: 'lookalike',
      user: alice,
      options: [{ name: 'image', type: 11, file: 'corrupt.png' }],
    });
    assert.equal(ack.body?.type, 5);
    const error = await standin.waitFor(followUp(token), { from, timeoutMs: 60_000 });
    assert.ok(DiscordStandin.isEphemeral(error), 'the error is ephemeral');
    assert.match(String(error.body?.content), /damaged|something went wrong|not an image/i);
    await standin.waitFor(original(token, 'DELETE'), { from });

    const later = await command({ name: 'gallery', subcommand: 'list', user: alice });
    const listed = await standin.waitFor(original(later.token), { from: later.from });
    assert.match(embedText(listed), /2 people, 6 photos/);
    assert.ok(standin.connected);
    assert.equal(standin.connections, 1, 'no reconnect');
    // The client's first heartbeat comes after a random share of the 1.5 s interval: wait for it.
    const until = Date.now() + 10_000;
    while (standin.heartbeats < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(standin.heartbeats >= 1, 'heartbeats were acknowledged');
    assert.ok(standin.connected, 'still connected after heartbeating');
  });

  it("plays a round of Who's that celebrity? with buttons, and scores the right press once", async () => {
    // A guess game needs four people: add two more, one photo each.
    for (const [name, file] of [
      ['Leonard', 'leonard/leonard1.png'],
      ['Howard', 'howard/howard1.png'],
    ] as const) {
      const { token, from } = await command({
        name: 'enroll',
        user: admin,
        admin: true,
        options: [
          { name: 'name', type: 3, value: name },
          { name: 'image', type: 11, file },
        ],
      });
      const answer = await standin.waitFor(original(token), { from, timeoutMs: 60_000 });
      assert.match(embedText(answer), /Added 1 photo/);
    }

    const posted = (r: RecordedRequest) =>
      r.method === 'POST' && r.path === `/channels/${standin.channelId}/messages`;
    const start = await command({
      name: 'game',
      subcommand: 'guess',
      options: [{ name: 'rounds', type: 4, value: 1 }],
      user: alice,
    });
    const round = await standin.waitFor(posted, { from: start.from });
    const intro = await standin.waitFor(original(start.token), { from: start.from });
    assert.match(embedText(intro), /1 round, started by alice/);
    type Button = { custom_id: string; label: string; disabled?: boolean };
    const rows = (round.body?.components ?? []) as { components: Button[] }[];
    const buttons = rows.flatMap((row) => row.components);
    assert.deepEqual(buttons.map((b) => b.label).sort(), ['Howard', 'Leonard', 'Penny', 'Sheldon']);
    assert.equal(round.files[0]?.name, 'guess-1-0.png');
    const messageId = String(round.response?.id);

    // Four members press the four names in turn; each press is acknowledged without a new message
    // (DEFERRED_UPDATE_MESSAGE) and answered privately.
    const answers: string[] = [];
    for (const [i, user] of [alice, bob, carol, admin].entries()) {
      const from = standin.requests.length;
      const press = standin.dispatchButton({ user, messageId, customId: buttons[i]!.custom_id });
      const ack = await standin.waitFor(callback(press.id, press.token), { from });
      assert.equal(ack.body?.type, 6);
      const told = await standin.waitFor(followUp(press.token), { from });
      assert.ok(DiscordStandin.isEphemeral(told));
      answers.push(String(told.body?.content));
    }
    const right = answers.findIndex((a) => a.startsWith('✓'));
    assert.ok(right >= 0, answers.join(' | '));
    assert.equal(answers.filter((a) => a.startsWith('✓')).length, 1);
    assert.ok(answers.slice(0, right).every((a) => a.startsWith('✗')));
    assert.ok(answers.slice(right + 1).every((a) => a.startsWith('Too late')));
    const scorer = [alice, bob, carol, admin][right]!.username;

    const final = await standin.waitFor((r) => posted(r) && /final scores/.test(embedText(r)), {
      from: start.from,
    });
    assert.match(embedText(final), new RegExp(`🥇 \\*\\*${scorer}\\*\\* — 5 points`));
    const closed = await standin.waitFor(
      (r) =>
        r.method === 'PATCH' &&
        r.path === `/channels/${standin.channelId}/messages/${messageId}` &&
        /got it/.test(embedText(r)),
      { from: start.from },
    );
    assert.match(embedText(closed), new RegExp(`${scorer}\\*\\* got it`));
    const closedButtons = ((closed?.body?.components ?? []) as { components: Button[] }[]).flatMap(
      (r) => r.components,
    );
    assert.ok(
      closedButtons.length === 4 && closedButtons.every((b) => b.disabled),
      'the buttons are disabled',
    );

    const board = await command({ name: 'leaderboard', user: bob });
    assert.match(
      embedText(await standin.waitFor(original(board.token), { from: board.from })),
      new RegExp(scorer),
    );
  });
});
