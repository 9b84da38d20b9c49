import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { App, type AppOptions, type LogLevel, SocketModeReceiver } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import type { Adapter } from '../../chat/adapter.ts';
import type { Bot } from '../../chat/bot.ts';
import type { Logger } from '../../chat/logger.ts';
import type { MessageRef, Reply } from '../../chat/types.ts';
import type { SlackConfig } from '../../config/index.ts';
import { ConfigError } from '../../errors.ts';
import { RunningWork } from '../../util/running-work.ts';
import { ACTION_PREFIX, buttonIdOf } from './blocks.ts';
import { toCommandInput } from './command-input.ts';
import { slackContext } from './context.ts';
import { acceptsFile, type FileAccess, type SlackWeb, toAttachment } from './files.ts';
import { SlackOutbox } from './outbox.ts';
import {
  type SlackBlockActionPayload,
  type SlackCommandPayload,
  type SlackFile,
  type SlackMessageEvent,
  type SlackMessageShortcut,
  teamOf,
} from './payloads.ts';
import { RecentImages } from './recent-images.ts';
import { guardedReceiver } from './replay-guard.ts';
import { SlackResponder, sayRestarting } from './responders.ts';
import { boltLogger, extraHostsOf, type ListenOptions, rejected, slackApiBase } from './settings.ts';
import { answerMessageShortcut } from './shortcuts.ts';
import { toChatUser, UserDirectory } from './users.ts';

/** Options for `new SlackAdapter`. */
export interface SlackAdapterOptions {
  config: SlackConfig;
  logger: Logger;
  /** http mode: where Bolt's receiver listens (default 127.0.0.1:3000; `startApp` passes HOST and PORT). */
  listen?: ListenOptions;
  /** How long a shared photo is used by a later slash command (default 5 minutes). */
  recentImageTtlMs?: number;
  attachments?: { maxBytes?: number; timeoutMs?: number };
  /** How long a command needing a photo waits for one whose event is still on its way (default 2 s). */
  photoGraceMs?: number;
  /** Private note while a photo command works; `false` for none. */
  workingText?: string | false;
  /** How long `stop()` lets running commands finish (default 10 s). */
  drainMs?: number;
  /** Level of Bolt's own log lines (default info; they go through `logger`, redacted). */
  boltLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  now?: () => number;
}

const WORKING_TEXT = '⏳ Working on it, this takes a few seconds…';
// Plain messages and file shares (also broadcast from a thread); edits, joins and deletions are not photos.
const PHOTO_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

/** Lookalike on Slack through Bolt: slash commands, photos in channels and @mentions, buttons. */
export class SlackAdapter implements Adapter {
  readonly platform = 'slack' as const;
  readonly #options: SlackAdapterOptions;
  readonly #log: Logger;
  readonly #recent: RecentImages;
  readonly #running = new RunningWork();
  // Messages already answered: Slack sends a mention with a photo twice (message and app_mention).
  readonly #seen = new LRUCache<string, true>({ max: 1000 });
  // Digests of the pictures posted by key, so an edit re-uploads only a changed one.
  readonly #postedImages = new LRUCache<string, string>({ max: 500 });
  #app: App | undefined;
  #socket: SocketModeReceiver | undefined;
  #bot: Bot | undefined;
  #outbox: SlackOutbox | undefined;
  #users: UserDirectory | undefined;
  #files: FileAccess | undefined;
  #botUserId: string | undefined;
  #address: AddressInfo | undefined;
  #stopping = false;

  constructor(options: SlackAdapterOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#recent = new RecentImages({ ttlMs: options.recentImageTtlMs, now: options.now });
  }

  /** In http mode, the address Bolt's receiver listens on once started (tests use port 0). */
  get address(): AddressInfo | undefined {
    return this.#address;
  }

  /** The recent-photo index (for diagnostics and tests). */
  get recentImages(): RecentImages {
    return this.#recent;
  }

  async start(bot: Bot): Promise<void> {
    if (this.#app) throw new Error('SlackAdapter already started');
    const { config } = this.#options;
    const appToken = config.mode === 'socket' ? (config.appToken ?? '') : undefined;
    if (appToken !== undefined && !appToken.startsWith('xapp-')) {
      // Slack answers other tokens with not_allowed_token_type, which the Socket Mode client retries forever.
      throw new ConfigError(
        'SLACK_APP_TOKEN must be an app-level token (xapp-…): Basic Information -> App-Level Tokens, with connections:write.',
      );
    }
    this.#bot = bot;
    this.#stopping = false;
    const logLevel = (this.#options.boltLogLevel ?? 'info') as LogLevel;
    const logger = boltLogger(this.#log, logLevel);
    const apiBase = slackApiBase(config);
    // Separate objects: the Socket Mode client writes its own retry policy into the options it gets.
    const clientOptions = () => (apiBase ? { slackApiUrl: apiBase } : {});
    const common: AppOptions = {
      token: config.botToken,
      logger,
      logLevel,
      clientOptions: clientOptions(),
      convoStore: false,
      // auth.test runs in init(), awaited below, so a bad token fails start() instead of every event.
      deferInitialization: true,
    };
    // Our own receiver in socket mode, to reach its client: Bolt's stop() does not wait for the
    // WebSocket to close. `apps.connections.open` goes to SLACK_API_URL through `clientOptions`.
    const socket =
      appToken !== undefined
        ? new SocketModeReceiver({
            appToken,
            logger,
            logLevel,
            installerOptions: { clientOptions: clientOptions() },
          })
        : undefined;
    const app = socket
      ? new App({ ...common, socketMode: true, receiver: socket })
      : new App({
          ...common,
          // Bolt's receiver behind a guard that refuses replayed and future-dated signed requests.
          receiver: guardedReceiver({
            signingSecret: config.signingSecret ?? '',
            logger: this.#log,
            boltLogger: logger,
            logLevel,
          }),
        });
    this.#register(app);

    const client: SlackWeb = app.client;
    const extraHosts = extraHostsOf(config);
    this.#users = new UserDirectory(client, this.#log, { now: this.#options.now });
    this.#outbox = new SlackOutbox(client, { logger: this.#log, extraHosts });
    this.#files = {
      botToken: config.botToken,
      extraHosts,
      ...this.#options.attachments,
      lookup: async (file) => (await client.files.info({ file })).file as SlackFile | undefined,
    };

    let auth: { user_id?: string; team?: string };
    try {
      await app.init();
      auth = await app.client.auth.test();
    } catch (err) {
      throw rejected('SLACK_BOT_TOKEN', 'the Bot User OAuth Token (xoxb-…)', err);
    }
    this.#botUserId = auth.user_id;
    try {
      if (config.mode === 'http') {
        const listen = this.#options.listen ?? { port: 3000, host: '127.0.0.1' };
        const server = await app.start({ port: listen.port, host: listen.host });
        this.#address = server.address() as AddressInfo;
      } else {
        // Resolves once Slack's `hello` arrived on the WebSocket from `apps.connections.open`.
        await app.start();
      }
    } catch (err) {
      await socket?.client.disconnect().catch(() => {});
      throw socket ? rejected('SLACK_APP_TOKEN', 'an app-level token with connections:write', err) : err;
    }
    this.#app = app;
    this.#socket = socket;
    this.#log.info('Slack connected', {
      mode: config.mode,
      team: auth.team,
      botUserId: auth.user_id,
      ...(this.#address ? { port: this.#address.port } : {}),
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const app = this.#app;
    if (!app) return;
    await this.#running.drain(this.#options.drainMs ?? 10_000);
    this.#app = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      // Resolves once the close handshake is done; a peer that never answers gets a few seconds.
      const closed = socket.client.disconnect();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
    } else {
      await app.stop();
    }
    this.#address = undefined;
    this.#log.info('Slack disconnected');
  }

  /** Posts to a channel (game rounds): `chat.postMessage`, or a file share with the blocks when there is a picture. */
  async post(channelId: string, reply: Reply): Promise<MessageRef> {
    const outbox = this.#requireOutbox();
    const posted = await outbox.publish({ channelId }, { ...reply, ephemeral: false });
    let ts = posted.ts;
    if (!ts && posted.fileId) ts = await outbox.findShareTs(channelId, posted.fileId);
    // Should Slack still not name the share's message, `edit` resolves it later from the file.
    const id = ts ?? `file:${posted.fileId ?? ''}`;
    if (reply.image) this.#rememberImage(channelId, id, reply.image.data);
    return { platform: 'slack', channelId, id };
  }

  /** Replaces a posted message (`chat.update`); a changed picture is uploaded anew and swapped in. */
  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const outbox = this.#requireOutbox();
    let ts: string | undefined = ref.id;
    if (ts.startsWith('file:')) ts = await outbox.findShareTs(ref.channelId, ts.slice('file:'.length));
    if (!ts) throw new Error(`cannot find the Slack message ${ref.id} to edit`);
    const key = `${ref.channelId}/${ref.id}`;
    const digest = reply.image ? sha1(reply.image.data) : undefined;
    const changed = digest !== undefined && digest !== this.#postedImages.get(key);
    await outbox.update(ref.channelId, ts, reply, changed);
    if (reply.image) this.#rememberImage(ref.channelId, ref.id, reply.image.data);
  }

  #requireOutbox(): SlackOutbox {
    if (!this.#outbox || !this.#app) throw new Error('the Slack adapter is not started');
    return this.#outbox;
  }

  #rememberImage(channelId: string, id: string, data: Uint8Array): void {
    this.#postedImages.set(`${channelId}/${id}`, sha1(data));
  }

  #register(app: App): void {
    // Every listener acknowledges first (Slack retries events, and fails commands and buttons, that are
    // not acknowledged within 3 seconds), then works in the background, tracked for a clean stop().
    app.command(/^\/.+/, async ({ ack, command }) => {
      await ack();
      void this.#running.track(this.#onCommand(command as SlackCommandPayload));
    });
    // Bolt acknowledges events itself before calling listeners.
    app.event('message', async ({ event, body }) => {
      void this.#running.track(this.#onMessage(event as unknown as SlackMessageEvent, teamOf(body), false));
    });
    app.event('app_mention', async ({ event, body }) => {
      void this.#running.track(this.#onMessage(event as unknown as SlackMessageEvent, teamOf(body), true));
    });
    app.action(new RegExp(`^${ACTION_PREFIX}`), async ({ ack, body, action }) => {
      await ack();
      void this.#running.track(
        this.#onAction(body as unknown as SlackBlockActionPayload, action as { action_id: string }),
      );
    });
    app.shortcut({ type: 'message_action' }, async ({ ack, shortcut }) => {
      await ack();
      void this.#running.track(this.#onShortcut(shortcut as unknown as SlackMessageShortcut));
    });
    app.error(async (error) => {
      this.#log.error('Slack: unhandled error in Bolt', { error });
    });
  }

  async #onCommand(payload: SlackCommandPayload): Promise<void> {
    const bot = this.#bot;
    const to = { channelId: payload.channel_id, userId: payload.user_id, responseUrl: payload.response_url };
    if (this.#stopping && this.#outbox) return sayRestarting(this.#outbox, to, this.#log);
    if (!bot || !this.#users || !this.#outbox || !this.#files) return;
    const name = payload.command.replace(/^\//, '').toLowerCase();
    try {
      const command = bot.commands.find((c) => c.data.name === name);
      const user = await this.#users.chatUser(payload.user_id, payload.user_name);
      const ctx = slackContext(payload.team_id, payload.channel_id, user, payload);
      // The Bot refuses these itself; they get no usage hints and wait for no photo.
      const refused = (sub: string | undefined) =>
        command !== undefined && bot.requiresAdmin(command, sub) && !bot.isAdmin(user);
      const { input, problem } = await toCommandInput(payload, {
        command,
        ctx,
        users: this.#users,
        recent: this.#recent,
        files: this.#files,
        graceMs: this.#options.photoGraceMs ?? 2_000,
        refused,
      });
      const photos = command?.data.options?.some((o) => o.type === 'attachment') ?? false;
      const working = this.#options.workingText ?? WORKING_TEXT;
      const responder = new SlackResponder(this.#outbox, to, this.#log, {
        workingText: photos && working !== false ? working : undefined,
      });
      if (problem && !refused(input.subcommand)) {
        await responder.send({ text: problem, ephemeral: true });
        return;
      }
      // The recent-photo index lives only in this adapter, so /forget clears it here.
      if (name === 'forget') this.#recent.forget(payload.team_id, payload.user_id);
      await bot.handleCommand(name, input, responder);
    } catch (err) {
      // handleCommand never throws; this guards the mapping and the usage hint.
      this.#log.error('Slack: could not handle a command', { command: name, error: err });
    }
  }

  async #onMessage(event: SlackMessageEvent, teamId: string, isMention: boolean): Promise<void> {
    const bot = this.#bot;
    if (this.#stopping || !bot || !this.#files || !this.#outbox) return;
    // Other bots (and edits, joins, deletions…) are not photos people asked about.
    if (!event.user || event.bot_id || !PHOTO_SUBTYPES.has(event.subtype)) return;
    // ZIPs are remembered for `/gallery import`; only photos are answered.
    const shared = (event.files ?? []).filter((f) => acceptsFile('image', f) || acceptsFile('archive', f));
    this.#recent.record(teamId, event.channel, event.user, event.ts, shared);
    const images = shared.filter((f) => acceptsFile('image', f));
    if (images.length === 0) return;
    // A mention with a photo arrives twice, as `message` and as `app_mention`: answer the first.
    const key = `${event.channel}/${event.ts}`;
    if (this.#seen.has(key)) return;
    this.#seen.set(key, true);
    const mentioned =
      isMention || (this.#botUserId !== undefined && !!event.text?.includes(`<@${this.#botUserId}>`));
    try {
      const files = this.#files;
      const ctx = slackContext(teamId, event.channel, toChatUser(event.user, undefined), event);
      // Answers go in the photo's thread; a photo posted in a thread is answered in that same thread.
      const responder = new SlackResponder(
        this.#outbox,
        { channelId: event.channel, threadTs: event.thread_ts ?? event.ts, userId: event.user },
        this.#log,
      );
      await bot.handleImageMessage(
        ctx,
        images.map((f) => toAttachment(f, files)),
        { mentioned },
        responder,
      );
    } catch (err) {
      this.#log.error('Slack: could not handle a message', { channelId: event.channel, error: err });
    }
  }

  async #onAction(
    body: SlackBlockActionPayload,
    action: { action_id: string; value?: string },
  ): Promise<void> {
    const bot = this.#bot;
    const buttonId = buttonIdOf(action);
    const channelId = body.channel?.id ?? body.container?.channel_id;
    if (this.#stopping || !bot || !this.#users || !this.#outbox || !buttonId || !channelId) return;
    try {
      const user = await this.#users.chatUser(body.user.id, body.user.name ?? body.user.username);
      const teamId = body.team?.id ?? body.user.team_id ?? 'unknown';
      const threadTs = body.message?.thread_ts ?? body.container?.thread_ts;
      const responder = new SlackResponder(
        this.#outbox,
        { channelId, threadTs, userId: body.user.id, responseUrl: body.response_url },
        this.#log,
      );
      await bot.handleButton(slackContext(teamId, channelId, user, body), buttonId, responder);
    } catch (err) {
      this.#log.error('Slack: could not handle a button', { channelId, error: err });
    }
  }

  async #onShortcut(payload: SlackMessageShortcut): Promise<void> {
    const [bot, users, outbox, files] = [this.#bot, this.#users, this.#outbox, this.#files];
    if (this.#stopping || !bot || !users || !outbox || !files) return;
    const workingText = (this.#options.workingText ?? WORKING_TEXT) || undefined;
    const deps = { bot, users, outbox, files, logger: this.#log, workingText };
    // handleCommand never throws; the catch guards the mapping.
    await answerMessageShortcut(payload, deps).catch((error: unknown) =>
      this.#log.error('Slack: could not handle a shortcut', { error }),
    );
  }
}

function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}
