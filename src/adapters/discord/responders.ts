import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ContextMenuCommandInteraction,
  type InteractionReplyOptions,
  type Message,
  MessageFlags,
} from 'discord.js';
import type { Logger } from '../../chat/logger.ts';
import type { DeferOptions, Responder } from '../../chat/routes.ts';
import type { Reply } from '../../chat/types.ts';
import { fitReply, followUpLimit, forcedEphemeral, type ReplyAllowance, replyAllowance } from './install.ts';
import { NO_MENTIONS, toDiscordPayload } from './payload.ts';

/**
 * Answers a slash or menu command: deferral callback, then edits of the original response or follow-ups.
 * Where Discord forces a user-installed app's replies private (Use External Apps off), it defers privately
 * from the start; it never sends more follow-ups than Discord allows the interaction.
 */
export class InteractionResponder implements Responder {
  readonly #interaction: ChatInputCommandInteraction | ContextMenuCommandInteraction;
  readonly #logger: Logger;
  readonly #private: boolean;
  readonly #followUpLimit: number;
  readonly #allowed: ReplyAllowance;
  #followUps = 0;
  // The original response shows only the queue note: discord.js counts that edit as a reply, we do not.
  #placeholder = false;

  constructor(interaction: ChatInputCommandInteraction | ContextMenuCommandInteraction, logger: Logger) {
    this.#interaction = interaction;
    this.#logger = logger;
    this.#private = forcedEphemeral(interaction);
    this.#followUpLimit = followUpLimit(interaction);
    this.#allowed = replyAllowance(interaction);
  }

  /** Follow-ups sent so far (at most Discord's limit for this interaction). */
  get followUps(): number {
    return this.#followUps;
  }

  get deferred(): boolean {
    return this.#interaction.deferred || this.#interaction.replied;
  }

  async defer(opts: DeferOptions = {}): Promise<void> {
    if (this.deferred) return;
    await this.#interaction.deferReply(
      opts.ephemeral || this.#private ? { flags: MessageFlags.Ephemeral } : {},
    );
    if (!opts.note) return;
    // The member's place in the queue replaces "thinking…" (one edit); the answer's edit replaces it.
    await this.#interaction.editReply({ content: opts.note, allowedMentions: NO_MENTIONS }).then(
      () => {
        this.#placeholder = true;
      },
      (err: unknown) => this.#logger.debug('could not show the queue note', { error: err }),
    );
  }

  async send(reply: Reply): Promise<void> {
    const i = this.#interaction;
    const payload = toDiscordPayload(fitReply(reply, this.#allowed));
    const flags = reply.ephemeral || this.#private ? MessageFlags.Ephemeral : undefined;
    if (!i.deferred && !i.replied) {
      await i.reply({ ...payload, flags });
      return;
    }
    const placeholder = this.#placeholder;
    this.#placeholder = false;
    if (i.replied && !placeholder) {
      await this.#followUp({ ...payload, flags });
      return;
    }
    // The two-message dance below needs a follow-up; without one left, the placeholder takes the answer.
    if (!reply.ephemeral || i.ephemeral || this.#followUps >= this.#followUpLimit) {
      await i.editReply(payload);
      return;
    }
    // The public "thinking…" placeholder cannot turn private, and the first follow-up after a deferral
    // inherits the deferral's visibility. So: settle the placeholder, send the private answer as a second
    // message, then remove the placeholder so the channel is not left with a dangling note.
    await i.editReply({ content: '…', embeds: [], files: [], allowedMentions: payload.allowedMentions });
    await this.#followUp({ ...payload, flags: MessageFlags.Ephemeral });
    await i.deleteReply().catch((err: unknown) => {
      this.#logger.debug('could not delete the deferred placeholder', { error: err });
    });
  }

  // Past Discord's limit a follow-up would fail with an API error: the original response shows it instead.
  async #followUp(options: InteractionReplyOptions): Promise<void> {
    const i = this.#interaction;
    if (this.#followUps >= this.#followUpLimit) {
      this.#logger.debug('follow-up limit reached; editing the original response instead', {
        limit: this.#followUpLimit,
      });
      const { flags: _flags, ...edit } = options;
      await i.editReply(edit);
      return;
    }
    this.#followUps++;
    await i.followUp(options);
  }
}

/** Answers a photo posted in a channel: a typing indicator while working, then a reply to the message. */
export class MessageResponder implements Responder {
  readonly #message: Message;
  #deferred = false;

  constructor(message: Message) {
    this.#message = message;
  }

  get deferred(): boolean {
    return this.#deferred;
  }

  async defer(): Promise<void> {
    if (this.#deferred) return;
    this.#deferred = true;
    const channel = this.#message.channel;
    // Typing is cosmetic: a missing permission must not stop the answer.
    if ('sendTyping' in channel) await channel.sendTyping().catch(() => {});
  }

  async send(reply: Reply): Promise<void> {
    // Channel messages cannot be ephemeral; errors are short and go in the thread like any answer.
    await this.#message.reply(toDiscordPayload(reply));
  }
}

/**
 * Answers a button press. Deferring acknowledges it without touching the message (DEFERRED_UPDATE_MESSAGE):
 * the game edits its own message, and the presser gets a private follow-up.
 */
export class ButtonResponder implements Responder {
  readonly #interaction: ButtonInteraction;

  constructor(interaction: ButtonInteraction) {
    this.#interaction = interaction;
  }

  get deferred(): boolean {
    return this.#interaction.deferred || this.#interaction.replied;
  }

  async defer(): Promise<void> {
    if (this.deferred) return;
    await this.#interaction.deferUpdate();
  }

  async send(reply: Reply): Promise<void> {
    const i = this.#interaction;
    const flags = reply.ephemeral ? MessageFlags.Ephemeral : undefined;
    if (i.deferred || i.replied) await i.followUp({ ...toDiscordPayload(reply), flags });
    else await i.reply({ ...toDiscordPayload(reply), flags });
  }
}
