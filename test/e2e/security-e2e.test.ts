// Issue 12's attacks, through the real apps: forged, stale, future-dated and replayed Slack requests; files
// on foreign hosts (the Slack bot token must never travel there, Discord attachments only come from its CDN);
// admin commands from members without rights, on every platform; foreign Host and Origin on the playground;
// and no token, signing secret or interaction token in any log line these runs produce.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import type { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { CSRF_HEADER } from '../../src/adapters/playground/server.ts';
import { Bot } from '../../src/chat/bot.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { memoryChannelSettings } from '../../src/chat/settings.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { fakeContext, fakeService, RecordingResponder } from '../fixtures/chat-fakes.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest, type StandinOption } from '../fixtures/discord-standin.ts';
import { commandBody, messageEventBody } from '../fixtures/slack-payloads.ts';
import type { RecordedCall } from '../fixtures/slack-standin.ts';
import { RecordingHost } from '../support/recording-host.ts';
import { BOT_TOKEN, SlackAppHarness } from '../support/slack-app.ts';

const SECRET = 'security-signing-secret-0123456789abcdef';
const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GsecUr.security-token-only-for-the-stand-in-xyz';
const GENERAL = 'C0GENERAL';
const MEMBER = 'U0MEMBER';
const ADMIN = 'U0ADMIN';

/** Every admin-only command line, as a member would type it on Slack or the playground. */
const ADMIN_LINES = [
  'enroll Brad Pitt',
  'gallery remove Penny',
  'gallery rename Penny -> Not Penny',
  'watch on',
];

/** Every secret the runs below hold; none may reach a log line. */
const SECRETS = [BOT_TOKEN, SECRET, DISCORD_TOKEN];

describe('security: admin commands are checked by the bot itself', () => {
  it('refuses every admin-only command and subcommand to a member without rights, running nothing', async () => {
    const lookalike = fakeService();
    const settings = memoryChannelSettings();
    const bot = new Bot({
      commands,
      adminUserIds: [],
      rateLimit: false,
      logger: createLogger({ write: () => {} }),
      deps: { service: lookalike, settings },
    });
    const guarded = bot.commands.flatMap((c) =>
      [undefined, ...(c.data.subcommands ?? []).map((s) => s.name)]
        .filter((sub) => bot.requiresAdmin(c, sub))
        .map((sub) => ({ name: c.data.name, sub })),
    );
    assert.deepEqual(guarded.map((g) => `${g.name}${g.sub ? ` ${g.sub}` : ''}`).sort(), [
      'enroll',
      'gallery export',
      'gallery import',
      'gallery remove',
      'gallery rename',
      'watch',
      'watch off',
      'watch on',
    ]);
    for (const platform of ['discord', 'slack', 'playground'] as const) {
      for (const { name, sub } of guarded) {
        const responder = new RecordingResponder();
        const ctx = fakeContext({ platform, admin: false });
        await bot.handleCommand(
          name,
          { ctx, subcommand: sub, options: { name: 'X', from: 'A', to: 'B' } },
          responder,
        );
        assert.match(responder.only().text, /Only admins can use/, `${platform} /${name} ${sub ?? ''}`);
        assert.deepEqual(responder.events, ['send'], 'refused before deferring');
      }
    }
    assert.equal(lookalike.calls.length, 0, 'no gallery call was made');
    assert.equal(await settings.isWatched('discord:guild', 'channel'), false);
  });
});

describe('security on Slack (http mode, real Bolt, stand-in Slack)', { timeout: 180_000 }, () => {
  const harness = new SlackAppHarness(SECRET);
  const { standin } = harness;
  const evil = new RecordingHost();
  const type = 'application/x-www-form-urlencoded';
  const ephemeralTo = (userId: string) => (c: RecordedCall) =>
    c.method === 'chat.postEphemeral' && c.args.user === userId && !/Working on it/.test(String(c.args.text));
  const help = (userId: string) =>
    commandBody({
      teamId: standin.teamId,
      channelId: GENERAL,
      userId,
      command: '/help',
      responseUrl: standin.responseUrl(),
    });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  before(async () => {
    await evil.start();
    await harness.start([
      { id: MEMBER, name: 'member' },
      { id: ADMIN, name: 'admin', admin: true },
    ]);
  });
  after(async () => {
    await harness.stop();
    await evil.close();
  });

  it('refuses a bad signature, a stale and a future timestamp, and runs nothing for them', async () => {
    const body = help('U0MALLORY');
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await harness.post(body, type, { signWith: 'not-the-secret' })).status, 401);
    assert.equal((await harness.post(body, type, { timestamp: now - 6 * 60 })).status, 401);
    assert.equal((await harness.post(body, type, { timestamp: now + 10 * 60 })).status, 401);
    await settle();
    assert.ok(!standin.calls.some((c) => JSON.stringify(c.args).includes('U0MALLORY')));
  });

  it('runs a signed request once and refuses the same request replayed', async () => {
    const body = help(MEMBER);
    const timestamp = Math.floor(Date.now() / 1000);
    const from = standin.calls.length;
    assert.equal((await harness.post(body, type, { timestamp })).status, 200);
    await standin.waitFor(ephemeralTo(MEMBER), { from });
    for (let i = 0; i < 3; i++) assert.equal((await harness.post(body, type, { timestamp })).status, 401);
    await settle();
    assert.equal(standin.calls.slice(from).filter(ephemeralTo(MEMBER)).length, 1, 'answered exactly once');
    // The same command signed anew (a new timestamp) is a new request and is answered.
    const again = standin.calls.length;
    assert.equal((await harness.post(body, type, { timestamp: timestamp + 1 })).status, 200);
    await standin.waitFor(ephemeralTo(MEMBER), { from: again });
  });

  it('never sends the bot token to a file host that is not Slack', async () => {
    const file = {
      ...standin.file('penny/penny1.png'),
      url_private: `${evil.base}/files-pri/T0-F1/penny1.png`,
      url_private_download: `${evil.base}/files-pri/T0-F1/penny1.png?download=1`,
    };
    const from = standin.calls.length;
    const { body } = messageEventBody({
      teamId: standin.teamId,
      botUserId: standin.botUserId,
      channelId: GENERAL,
      userId: MEMBER,
      files: [file],
      text: `<@${standin.botUserId}> who is this?`,
    });
    assert.equal((await harness.post(JSON.stringify(body), 'application/json')).status, 200);
    const refusal = await standin.waitFor(ephemeralTo(MEMBER), { from });
    assert.match(String(refusal.args.text), /I only download files hosted by Slack/);
    assert.equal(evil.requests.length, 0, 'the foreign host was never contacted');
    // Slack's own file host (here the SLACK_API_URL stand-in) still gets the token, and only it.
    const downloads = standin.calls.filter((c) => c.method === 'download');
    assert.ok(downloads.every((d) => d.token === BOT_TOKEN));
  });

  it("refuses every admin command to a member, whatever Slack's own command settings", async () => {
    for (const line of ADMIN_LINES) {
      const [name, ...rest] = line.split(' ');
      const from = await harness.command(MEMBER, `/${name}`, rest.join(' '), GENERAL);
      const refusal = await standin.waitFor(ephemeralTo(MEMBER), { from });
      assert.match(String(refusal.args.text), /Only .*admins/, line);
    }
    // Nothing was watched: a photo posted in the channel afterwards, without a mention, gets no answer.
    const { body } = messageEventBody({
      teamId: standin.teamId,
      botUserId: standin.botUserId,
      channelId: GENERAL,
      userId: MEMBER,
      files: [standin.file('penny/penny2.png')],
    });
    const from = standin.calls.length;
    await harness.post(JSON.stringify(body), 'application/json');
    await settle();
    assert.equal(standin.calls.slice(from).filter((c) => c.method !== 'users.info').length, 0);
  });

  it('logs no token and no signing secret', () => {
    assert.ok(harness.logLines.length > 0);
    const leaks = harness.logLines.filter((l) => SECRETS.some((s) => l.includes(s)) || /xox[abp]-\d/.test(l));
    assert.deepEqual(leaks, []);
  });
});

describe('security on Discord (real discord.js, stand-in Discord)', { timeout: 180_000 }, () => {
  const standin = new DiscordStandin({ dataDir: BBT_DIR });
  const evil = new RecordingHost();
  const lines: string[] = [];
  const interactionTokens: string[] = [];
  let app: RunningApp | undefined;
  const member = { id: '500000000000000042', username: 'member' };

  async function command(spec: { name: string; subcommand?: string; options?: StandinOption[] }) {
    const from = standin.requests.length;
    const { id, token } = await standin.dispatchInteraction({ ...spec, user: member, admin: false });
    interactionTokens.push(token);
    // A refusal before deferring is the interaction's own reply (type 4); a later error is a follow-up.
    const reply = await standin.waitFor(
      (r: RecordedRequest) =>
        (r.method === 'POST' && r.path === `/webhooks/${standin.appId}/${token}`) ||
        (r.method === 'POST' && r.path === `/interactions/${id}/${token}/callback` && r.body?.type === 4),
      { from, timeoutMs: 60_000 },
    );
    const data = (reply.body?.data ?? reply.body) as { content?: unknown } | undefined;
    return String(data?.content ?? '');
  }

  before(async () => {
    await evil.start();
    standin.addFile('elsewhere.png', Buffer.alloc(16));
    standin.setFileUrl('elsewhere.png', `${evil.base}/attachments/1/2/elsewhere.png`);
    await standin.start();
    const config = loadConfig({
      DISCORD_TOKEN,
      DISCORD_APP_ID: standin.appId,
      DISCORD_API_URL: standin.apiUrl,
      LOOKALIKE_STORE: 'memory://',
    });
    app = await startApp(config, {
      rateLimit: false,
      discordMessageContent: false,
      logger: createLogger({ level: 'debug', secrets: [DISCORD_TOKEN], write: (l) => lines.push(l) }),
    });
  });
  after(async () => {
    await app?.stop();
    await standin.close();
    await evil.close();
  });

  it('downloads attachments only from Discord hosts (or DISCORD_API_URL), never from elsewhere', async () => {
    const text = await command({
      name: 'lookalike',
      options: [{ name: 'image', type: 11, file: 'elsewhere.png' }],
    });
    assert.match(text, /I only download files that Discord hosts/);
    assert.equal(evil.requests.length, 0, 'the foreign host was never contacted');
  });

  it("refuses every admin command to a member without Manage Server, whatever Discord's settings", async () => {
    const refusals = [
      await command({
        name: 'enroll',
        options: [
          { name: 'name', type: 3, value: 'Brad Pitt' },
          { name: 'image', type: 11, file: 'penny/penny1.png' },
        ],
      }),
      await command({
        name: 'gallery',
        subcommand: 'remove',
        options: [{ name: 'name', type: 3, value: 'Penny' }],
      }),
      await command({
        name: 'gallery',
        subcommand: 'rename',
        options: [
          { name: 'from', type: 3, value: 'Penny' },
          { name: 'to', type: 3, value: 'X' },
        ],
      }),
      await command({ name: 'watch', subcommand: 'on' }),
    ];
    for (const text of refusals) assert.match(text, /Only admins can use/);
    // The attachment of the refused /enroll was never downloaded.
    assert.ok(!standin.requests.some((r) => r.path.includes('penny1')));
  });

  it('logs neither the bot token nor any interaction token', () => {
    assert.ok(lines.length > 0);
    const leaks = lines.filter((l) => [DISCORD_TOKEN, ...interactionTokens].some((s) => l.includes(s)));
    assert.deepEqual(leaks, []);
  });
});

describe('security on the playground (the real server on loopback)', { timeout: 120_000 }, () => {
  let app: RunningApp | undefined;
  let url = '';

  before(async () => {
    app = await startApp(loadConfig({ LOOKALIKE_STORE: 'memory://', HOST: '127.0.0.1', PORT: '0' }), {
      logger: createLogger({ write: () => {} }),
    });
    url = (app.adapters[0] as PlaygroundAdapter).url;
  });
  after(() => app?.stop());

  const help = (headers: Record<string, string>) => {
    const form = new FormData();
    form.set('text', '/help');
    return fetch(`${url}api/command`, { method: 'POST', body: form, headers });
  };

  it('answers its own page, and refuses a foreign Host, a foreign Origin and a missing CSRF header', async () => {
    assert.equal((await help({ [CSRF_HEADER]: '1' })).status, 200);
    assert.equal((await help({ [CSRF_HEADER]: '1', origin: url.replace(/\/$/, '') })).status, 200);
    assert.equal((await help({ [CSRF_HEADER]: '1', origin: 'http://evil.example' })).status, 403);
    assert.equal((await help({ [CSRF_HEADER]: '1', origin: 'null' })).status, 403);
    assert.equal((await help({})).status, 403);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host header.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}api/info`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });
});
