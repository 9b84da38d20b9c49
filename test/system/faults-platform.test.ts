// Issue 12's platform faults, induced for real against the stand-ins: Slack's Socket Mode connection cut
// (and recycled with a `disconnect` message), and the bot restarted in the middle of a game while a burst
// of photos is being answered. The bot answers again, the game goes on, and no photo goes unanswered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { BBT_DIR, readData } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest } from '../fixtures/discord-standin.ts';
import { mentionPhoto } from '../fixtures/slack-payloads.ts';
import { SlackStandin } from '../fixtures/slack-standin.ts';
import { until } from '../support/until.ts';

const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GfAuLt.platform-faults-only-for-the-stand-in-x';
const BOT_TOKEN = 'xoxb-1212121212-3434343434-platformfaults';
const APP_TOKEN = 'xapp-1-A0STANDIN-5656565656-platformfaults';
const quiet = () =>
  createLogger({ write: (l) => void (process.env.E2E_LOG && process.stderr.write(`${l}\n`)) });

describe('fault: Slack Socket Mode loses its connection', { timeout: 120_000 }, () => {
  const standin = new SlackStandin({ dataDir: BBT_DIR, botToken: BOT_TOKEN, appToken: APP_TOKEN });
  let app: RunningApp | undefined;

  /** Posts a photo that @mentions the bot and waits for the answer in its thread. */
  async function answered(userId: string): Promise<string> {
    const from = standin.calls.length;
    const { ts, envelope } = mentionPhoto(standin, { userId, file: 'penny/penny2.png' });
    await standin.waitForAck(envelope);
    const share = await standin.waitFor(
      (c) => c.method === 'files.completeUploadExternal' && c.args.thread_ts === ts,
      { from },
    );
    return JSON.stringify(share.args.blocks);
  }

  before(async () => {
    await standin.start();
    app = await startApp(
      loadConfig({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: standin.apiUrl,
        LOOKALIKE_STORE: 'memory://',
        HOST: '127.0.0.1',
        PORT: '0',
      }),
      { logger: quiet() },
    );
    const penny = ['penny1.png', 'penny3.png'].map((f) => ({ name: f, data: readData('bbt', 'penny', f) }));
    await app.bot.deps.service.enroll('global', 'Penny', penny, 'test');
  });
  after(async () => {
    await app?.stop();
    await standin.close();
  });

  it('reconnects by itself after the connection is cut, and answers again', async () => {
    assert.match(await answered('U0ONE'), /Penny/);
    assert.equal(standin.socketConnections, 1);
    standin.dropSocket();
    const dropped = performance.now();
    // Bolt's Socket Mode client asks apps.connections.open for a new URL, connects and gets `hello`.
    await until('the bot connected again', () => standin.socketConnections === 2 && standin.socketOpen);
    assert.match(await answered('U0TWO'), /Penny/);
    console.log(`socket cut -> answered again ${Math.round(performance.now() - dropped)} ms`);
    const opens = standin.calls.filter((c) => c.method === 'apps.connections.open');
    assert.equal(opens.length, 2, 'a fresh URL for the new connection');
  });

  it('reconnects when Slack recycles the connection with a disconnect message', async () => {
    const connections = standin.socketConnections;
    standin.sendDisconnect('refresh_requested');
    await until('the bot connected again', () => standin.socketConnections === connections + 1);
    await until('the new connection is open', () => standin.socketOpen);
    assert.match(await answered('U0THREE'), /Penny/);
  });
});

describe('fault: a restart in the middle of a game, under a burst of photos', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-restart-'));
  const standin = new DiscordStandin({ dataDir: BBT_DIR });
  let app: RunningApp | undefined;
  const config = () =>
    loadConfig({
      DISCORD_TOKEN,
      DISCORD_APP_ID: standin.appId,
      DISCORD_API_URL: standin.apiUrl,
      LOOKALIKE_STORE: `sqlite://${path.join(dir, 'lookalike.sqlite')}`,
    });
  // A reveal step that outlasts the restart, so the round is still open when the new process takes over.
  const start = () =>
    startApp(config(), {
      discordMessageContent: false,
      gameTiming: { revealMs: 4_000, pauseMs: 300 },
      logger: quiet(),
    });
  const member = (n: number) => ({ id: `5100000000000000${String(n).padStart(2, '0')}`, username: `m${n}` });

  before(async () => {
    await standin.start();
    app = await start();
    for (const person of ['penny', 'sheldon', 'leonard', 'howard']) {
      const photos = [1, 2].map((n) => ({
        name: `${n}.png`,
        data: readData('bbt', person, `${person}${n}.png`),
      }));
      await app.bot.deps.service.enroll('global', person, photos, 'test');
    }
  });
  after(async () => {
    await app?.stop();
    await standin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the round in the new process and answers every photo of the burst once', async () => {
    const posted = (r: RecordedRequest) =>
      r.method === 'POST' && r.path === `/channels/${standin.channelId}/messages`;
    const from = standin.requests.length;
    await standin.dispatchInteraction({
      name: 'game',
      subcommand: 'guess',
      options: [{ name: 'rounds', type: 4, value: 2 }],
      user: member(0),
    });
    const round = await standin.waitFor(posted, { from });
    const messageId = String(round.response?.id);

    // 30 photos from 10 members (three each, under the rate limit), then the restart at once.
    const burst = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const { token } = await standin.dispatchInteraction({
        name: 'lookalike',
        user: member(1 + (i % 10)),
        options: [
          {
            name: 'image',
            type: 11,
            file: `${['penny', 'amy', 'raj'][i % 3]}/${['penny', 'amy', 'raj'][i % 3]}${1 + (i % 5)}.png`,
          },
        ],
      });
      burst.set(token, 0);
    }
    const answers = new Map<string, string[]>();
    // Answers: edits and follow-ups after a deferral, or an immediate reply in the callback itself.
    const follow = (r: RecordedRequest) => {
      const immediate = /^\/interactions\/\d+\/([^/]+)\/callback$/.exec(r.path);
      if (immediate && r.body?.type !== 4) return;
      const token = immediate?.[1] ?? /^\/webhooks\/\d+\/([^/]+)/.exec(r.path)?.[1];
      if (!token || !burst.has(token) || r.method === 'DELETE') return;
      const body = (immediate ? r.body?.data : r.body) as
        | { content?: string; embeds?: unknown[] }
        | undefined;
      const text = `${String(body?.content ?? '')}${JSON.stringify(body?.embeds ?? [])}`;
      if (/in the queue:/.test(text) || body?.content === '…') return;
      answers.set(token, [...(answers.get(token) ?? []), text]);
    };
    for (const r of standin.requests.slice(from)) follow(r);
    standin.on('request', follow);
    const restarted = performance.now();
    await app?.stop();
    app = await start();
    console.log(`restarted in ${Math.round(performance.now() - restarted)} ms`);

    // The new process restored the round: it reveals the next level on the same message.
    const reveal = await standin.waitFor(
      (r) => r.method === 'PATCH' && r.path === `/channels/${standin.channelId}/messages/${messageId}`,
      { from, timeoutMs: 30_000 },
    );
    assert.equal(reveal.files[0]?.name, 'guess-1-1.png', 'the next pixelation level of the same round');
    type Button = { custom_id: string };
    const buttons = ((round.body?.components ?? []) as { components: Button[] }[]).flatMap(
      (r) => r.components,
    );
    const said: string[] = [];
    for (const [i, button] of buttons.entries()) {
      const before = standin.requests.length;
      const press = standin.dispatchButton({ user: member(20 + i), messageId, customId: button.custom_id });
      const told = await standin.waitFor(
        (r) => r.method === 'POST' && r.path === `/webhooks/${standin.appId}/${press.token}`,
        { from: before },
      );
      said.push(String(told.body?.content));
    }
    assert.equal(said.filter((s) => s.startsWith('✓')).length, 1, said.join(' | '));

    await until('every photo of the burst was answered', () => answers.size === burst.size, 120_000);
    standin.off('request', follow);
    const kinds = [...answers.values()].map((a) =>
      a.length > 1 ? 'doubled' : /look like|in person/.test(a[0]!) ? 'result' : a[0]!.slice(0, 60),
    );
    const counts: Record<string, number> = {};
    for (const k of kinds) counts[k] = (counts[k] ?? 0) + 1;
    console.log(`burst across the restart: ${JSON.stringify(counts)}`);
    assert.ok(
      [...answers.values()].every((a) => a.length === 1),
      'each answered exactly once',
    );
  });
});
