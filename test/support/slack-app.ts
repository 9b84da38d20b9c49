import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { SlackAdapter } from '../../src/adapters/slack/adapter.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, type StartOptions, startApp } from '../../src/main.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { commandBody, messageEventBody, type SignOptions, signedPost } from '../fixtures/slack-payloads.ts';
import { SlackStandin, type StandinMember } from '../fixtures/slack-standin.ts';

/** A bot token that only the stand-in accepts; tests check it never reaches the log. */
export const BOT_TOKEN = 'xoxb-4444444444-5555555555-notarealtokenonlyforthestandin';

/**
 * The real app (`startApp`, as `npm start` runs it) in Slack http mode, Bolt's receiver on loopback and
 * Slack's Web API a local stand-in, with requests signed as Slack signs them: what every Slack
 * end-to-end test starts from.
 */
export class SlackAppHarness {
  readonly standin = new SlackStandin({ dataDir: BBT_DIR, botToken: BOT_TOKEN });
  readonly logLines: string[] = [];
  readonly secret: string;
  app: RunningApp | undefined;
  endpoint = '';

  constructor(secret: string) {
    this.secret = secret;
  }

  /** Starts the stand-in with these members, then the app (one inference worker unless set); `env` adds settings. */
  async start(
    members: StandinMember[],
    options: StartOptions = {},
    env: Record<string, string> = {},
  ): Promise<RunningApp> {
    assert.ok(existsSync(BBT_DIR), `test photos not found at ${BBT_DIR} (set LOOKALIKE_BBT_DIR)`);
    await this.standin.start();
    for (const member of members) this.standin.addMember(member);
    const config = loadConfig({
      SLACK_MODE: 'http',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: this.secret,
      SLACK_API_URL: this.standin.apiUrl,
      LOOKALIKE_STORE: 'memory://',
      LOOKALIKE_WORKERS: process.env.LOOKALIKE_WORKERS ?? '1',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    });
    const app = await startApp(config, {
      ...options,
      logger: createLogger({
        level: 'debug',
        secrets: [BOT_TOKEN, this.secret],
        write: (line) => {
          this.logLines.push(line);
          if (process.env.E2E_LOG) process.stderr.write(`${line}\n`);
        },
      }),
    });
    this.app = app;
    const adapter = app.adapters.find((a) => a.platform === 'slack') as SlackAdapter | undefined;
    assert.ok(adapter?.address, 'the HTTP receiver listens');
    this.endpoint = `http://127.0.0.1:${adapter.address.port}/slack/events`;
    return app;
  }

  /** Posts a body to the app's events endpoint, signed (or mis-signed, through `sign`). */
  post(body: string, type: string, sign: Omit<SignOptions, 'secret'> = {}): ReturnType<typeof signedPost> {
    return signedPost(this.endpoint, body, type, { secret: this.secret, ...sign });
  }

  /** Runs a slash command; returns where its Web API calls start in the stand-in's record. */
  async command(userId: string, name: string, text: string, channelId: string): Promise<number> {
    const from = this.standin.calls.length;
    const body = commandBody({
      teamId: this.standin.teamId,
      channelId,
      userId,
      command: name,
      text,
      responseUrl: this.standin.responseUrl(),
    });
    const sent = performance.now();
    const res = await this.post(body, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200, `${name} acknowledged`);
    // Slack shows "dispatch_failed" for a command not acknowledged within 3 seconds.
    assert.ok(performance.now() - sent < 3_000, `${name} acknowledged within Slack's deadline`);
    return from;
  }

  /** Shares files in a channel as a message event; returns the event and where its calls start. */
  async share(userId: string, channelId: string, files: readonly string[], extra: { text?: string } = {}) {
    const from = this.standin.calls.length;
    const at = performance.now();
    const { body, ts } = messageEventBody({
      teamId: this.standin.teamId,
      botUserId: this.standin.botUserId,
      channelId,
      userId,
      files: files.map((f) => this.standin.file(f)),
      text: extra.text,
    });
    const res = await this.post(JSON.stringify(body), 'application/json');
    assert.equal(res.status, 200);
    return { from, ts, body, at };
  }

  /** Stops the app and the stand-in. */
  async stop(): Promise<void> {
    await this.app?.stop();
    await this.standin.close();
  }
}
