import { once } from 'node:events';
import {
  type APIApplication,
  ApplicationFlags,
  type ButtonInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
  REST,
  type RESTOptions,
  Routes,
} from 'discord.js';
import type { Adapter } from '../../chat/adapter.ts';
import type { Bot } from '../../chat/bot.ts';
import type { Logger } from '../../chat/logger.ts';
import type { MessageRef, Reply } from '../../chat/types.ts';
import type { DiscordConfig } from '../../config/index.ts';
import { RESTARTING_TEXT } from '../../user-texts.ts';
import { RunningWork } from '../../util/running-work.ts';
import {
  type AttachmentLimits,
  interactionContext,
  messageAttachments,
  messageContext,
  toCommandInput,
} from './context.ts';
import { apiHostOf } from './hosts.ts';
import { toMenuInput } from './menus.ts';
import { NO_MENTIONS, toDiscordPayload } from './payload.ts';
import { ButtonResponder, InteractionResponder, MessageResponder } from './responders.ts';
import { shardOptions } from './shards.ts';

/** Options for `new DiscordAdapter`. */
export interface DiscordAdapterOptions {
  config: DiscordConfig;
  logger: Logger;
  /** Force the Message Content intent on or off; default: on exactly when the app has it enabled. */
  messageContent?: boolean;
  attachments?: AttachmentLimits;
  /** How long to wait for the gateway's READY and guilds (default 60 s). */
  readyTimeoutMs?: number;
  /** How long `stop()` lets running commands finish before disconnecting (default 10 s). */
  drainMs?: number;
}

/** Application flags meaning the Message Content intent is enabled in the developer portal. */
export const MESSAGE_CONTENT_FLAGS =
  ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;

/**
 * The gateway intents Lookalike asks for:
 * - Guilds: always; slash commands need nothing more, and the guild cache resolves channels and members.
 * - GuildMessages: always; it is not privileged, and without it no MESSAGE_CREATE arrives at all, not even
 *   @mentions (Discord always includes content and attachments of messages that mention the bot).
 * - MessageContent: privileged, only for watched channels (attachments of messages that do not mention
 *   the bot arrive empty without it). Asked for only when enabled in the portal, because asking for a
 *   privileged intent the app does not have makes the gateway close with 4014 and the bot never starts.
 */
export function discordIntents(messageContent: boolean): GatewayIntentBits[] {
  return [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    ...(messageContent ? [GatewayIntentBits.MessageContent] : []),
  ];
}

/**
 * REST options for the configured API. `api` is the base without the version: `@discordjs/rest` builds
 * `${api}/v10${route}`, and the gateway URL is then read from that API's `GET /gateway/bot`, so a proxy
 * (e.g. `@discordjs/proxy`) or a stand-in serves both.
 */
export function restOptions(config: DiscordConfig): Partial<RESTOptions> {
  // `cdn` is where discord.js builds profile picture URLs (DISCORD_CDN_URL, for a proxy or the stand-in).
  return {
    ...(config.apiUrl ? { api: config.apiUrl } : {}),
    ...(config.cdnUrl ? { cdn: config.cdnUrl } : {}),
  };
}

/** Lookalike on Discord: slash commands, @mentions and watched channels, through discord.js v14. */
export class DiscordAdapter implements Adapter {
  readonly platform = 'discord' as const;
  readonly #options: DiscordAdapterOptions;
  readonly #log: Logger;
  readonly #running = new RunningWork();
  #client: Client | undefined;
  #bot: Bot | undefined;
  #messageContent = false;
  #stopping = false;

  constructor(options: DiscordAdapterOptions) {
    // Attachments come only from Discord's CDN, or from the configured API's host (a proxy, the stand-in).
    this.#options = {
      ...options,
      attachments: { extraHosts: apiHostOf(options.config.apiUrl), ...options.attachments },
    };
    this.#log = options.logger;
  }

  /** The discord.js client once started (for tests and diagnostics). */
  get client(): Client | undefined {
    return this.#client;
  }

  /** Whether the Message Content intent was requested, i.e. watched channels see every photo. */
  get seesAllMessages(): boolean {
    return this.#messageContent;
  }

  async start(bot: Bot): Promise<void> {
    if (this.#client) throw new Error('DiscordAdapter already started');
    this.#bot = bot;
    this.#stopping = false;
    const { config } = this.#options;
    this.#messageContent = this.#options.messageContent ?? (await this.#appHasMessageContent());
    if (!this.#messageContent) {
      this.#log.warn(
        'Discord: the Message Content intent is not enabled for this app, so watched channels only answer @mentions',
      );
    }
    const client = new Client({
      intents: discordIntents(this.#messageContent),
      rest: restOptions(config),
      allowedMentions: NO_MENTIONS,
      ...shardOptions(config.shards),
    });
    this.#client = client;
    client.on(
      Events.InteractionCreate,
      (interaction) => void this.#running.track(this.#onInteraction(interaction)),
    );
    client.on(Events.MessageCreate, (message) => void this.#running.track(this.#onMessage(message)));
    client.on(Events.Error, (error) => this.#log.error('Discord client error', { error }));
    client.on(Events.Warn, (message) => this.#log.warn(`Discord: ${message}`));
    client.on(Events.Debug, (message) => this.#log.debug(`Discord: ${message}`));
    client.on(Events.ShardDisconnect, (event, shardId) => {
      this.#log.error('Discord gateway closed for good', { code: event.code, shardId });
    });
    client.on(Events.ShardReconnecting, (shardId) => {
      // discord.js reports its own shutdown close as a reconnect; only a live bot's reconnects matter.
      if (!this.#stopping) this.#log.info('Discord gateway reconnecting', { shardId });
    });

    const ready = once(client, Events.ClientReady, {
      signal: AbortSignal.timeout(this.#options.readyTimeoutMs ?? 60_000),
    });
    try {
      await client.login(config.token);
      await ready;
    } catch (err) {
      ready.catch(() => {});
      this.#client = undefined;
      await client.destroy().catch(() => {});
      throw err;
    }
    this.#log.info('Discord connected', {
      user: client.user?.tag,
      guilds: client.guilds.cache.size,
      messageContent: this.#messageContent,
      shards: client.options.shards,
      shardCount: client.options.shardCount,
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const client = this.#client;
    if (!client) return;
    // Running commands have already deferred; letting them finish avoids "The application did not respond".
    await this.#running.drain(this.#options.drainMs ?? 10_000);
    this.#client = undefined;
    await client.destroy();
    this.#log.info('Discord disconnected');
  }

  /** Posts a game message in a channel the bot can see. */
  async post(channelId: string, reply: Reply): Promise<MessageRef> {
    const channel = await this.#sendableChannel(channelId);
    const message = await channel.send(toDiscordPayload(reply));
    return { platform: 'discord', channelId, id: message.id };
  }

  /** Replaces a posted message; its old picture is dropped (`attachments: []`) so only the new one shows. */
  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const channel = await this.#sendableChannel(ref.channelId);
    await channel.messages.edit(ref.id, { ...toDiscordPayload(reply), attachments: [] });
  }

  async #sendableChannel(channelId: string) {
    const client = this.#client;
    if (!client) throw new Error('the Discord adapter is not started');
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable() || !('messages' in channel)) {
      throw new Error(`Discord channel ${channelId} is not a text channel the bot can post in`);
    }
    return channel;
  }

  async #appHasMessageContent(): Promise<boolean> {
    const { config } = this.#options;
    try {
      const rest = new REST(restOptions(config)).setToken(config.token);
      const app = (await rest.get(Routes.currentApplication())) as APIApplication;
      return ((app.flags ?? 0) & MESSAGE_CONTENT_FLAGS) !== 0;
    } catch (err) {
      this.#log.warn('Discord: could not read the application flags; starting without Message Content', {
        error: err,
      });
      return false;
    }
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    if (this.#stopping && interaction.isRepliable()) {
      // Discord shows "did not respond" to an interaction nobody answers: one private line instead.
      await interaction
        .reply({ content: RESTARTING_TEXT, flags: MessageFlags.Ephemeral })
        .catch((error: unknown) => this.#log.debug('could not say that the bot is restarting', { error }));
      return;
    }
    if (!this.#bot) return;
    if (interaction.isButton()) return this.#onButton(interaction);
    if (!interaction.isChatInputCommand() && !interaction.isContextMenuCommand()) return;
    const responder = new InteractionResponder(interaction, this.#log);
    try {
      const { attachments } = this.#options;
      const input = interaction.isChatInputCommand()
        ? toCommandInput(interaction, this.#messageContent, attachments)
        : toMenuInput(interaction, this.#messageContent, attachments);
      await this.#bot.handleCommand(interaction.commandName, input, responder);
    } catch (err) {
      // handleCommand never throws; this guards the payload mapping so one odd interaction is only logged.
      this.#log.error('Discord: could not handle an interaction', {
        command: interaction.commandName,
        error: err,
      });
    }
  }

  async #onButton(interaction: ButtonInteraction): Promise<void> {
    try {
      await this.#bot?.handleButton(
        interactionContext(interaction, this.#messageContent),
        interaction.customId,
        new ButtonResponder(interaction),
      );
    } catch (err) {
      // handleButton never throws; this guards the context mapping.
      this.#log.error('Discord: could not handle a button', { customId: interaction.customId, error: err });
    }
  }

  async #onMessage(message: Message): Promise<void> {
    const bot = this.#bot;
    const me = this.#client?.user;
    if (this.#stopping || !bot || !me || message.author.bot || message.attachments.size === 0) return;
    if (!message.inGuild()) return;
    try {
      const mentioned = message.mentions.users.has(me.id);
      await bot.handleImageMessage(
        messageContext(message, this.#messageContent),
        messageAttachments(message, this.#options.attachments),
        { mentioned },
        new MessageResponder(message),
      );
    } catch (err) {
      this.#log.error('Discord: could not handle a message', { channelId: message.channelId, error: err });
    }
  }
}
