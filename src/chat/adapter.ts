import type { Bot } from './bot.ts';
import type { MessageRef, Platform, Reply } from './types.ts';

/** A chat platform connection: it turns platform events into `Bot` calls and `Reply`s into platform messages. */
export interface Adapter {
  readonly platform: Platform;
  /** Connects and starts routing events to `bot`; resolves once the platform accepted the connection. */
  start(bot: Bot): Promise<void>;
  /** Disconnects; safe to call twice or before `start`. */
  stop(): Promise<void>;
  /** Posts to a channel outside any command (game rounds, reveals, final scores). */
  post?(channelId: string, reply: Reply): Promise<MessageRef>;
  /** Replaces a message posted with `post`, rendered like `send`. */
  edit?(ref: MessageRef, reply: Reply): Promise<void>;
}
