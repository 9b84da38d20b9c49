// Message shortcuts: "Who do they look like?" in a message's menu runs the command declared with
// `target: 'message'` on that message's photos, and answers in the message's thread.
import type { Bot } from '../../chat/bot.ts';
import type { Logger } from '../../chat/logger.ts';
import type { CommandData } from '../../chat/types.ts';
import { slackContext } from './context.ts';
import { acceptsFile, type FileAccess, toAttachment } from './files.ts';
import type { SlackOutbox } from './outbox.ts';
import type { SlackMessageShortcut } from './payloads.ts';
import { SlackResponder } from './responders.ts';
import type { UserDirectory } from './users.ts';

/**
 * The `callback_id` of a menu command's shortcut, as `slack-manifest.yml` declares it: its label in
 * snake case ("Who do they look like?" -> `who_do_they_look_like`).
 */
export function shortcutCallbackId(data: CommandData): string {
  return data.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** What answering a shortcut needs from the adapter. */
export interface ShortcutDeps {
  bot: Bot;
  users: UserDirectory;
  outbox: SlackOutbox;
  files: FileAccess;
  logger: Logger;
  /** Shown privately while the engine works; none when unset. */
  workingText?: string;
}

/**
 * Runs the message command whose callback id the shortcut carries, on the message's photos (downloaded
 * with the bot token, from Slack's hosts only, like every shared file). The answer goes in the message's
 * thread (the thread it is in, for a reply); errors privately to the member; where the bot is not a
 * member of the channel, through the shortcut's `response_url`. The adapter has acknowledged already.
 */
export async function answerMessageShortcut(
  payload: SlackMessageShortcut,
  deps: ShortcutDeps,
): Promise<void> {
  const { bot, files } = deps;
  const command = bot.commands.find(
    (c) => c.data.target === 'message' && shortcutCallbackId(c.data) === payload.callback_id,
  );
  const user = await deps.users.chatUser(payload.user.id, payload.user.name ?? payload.user.username);
  const teamId = payload.team?.id ?? payload.user.team_id ?? 'unknown';
  const channelId = payload.channel.id;
  const message = payload.message;
  const responder = new SlackResponder(
    deps.outbox,
    {
      channelId,
      threadTs: message.thread_ts ?? message.ts,
      userId: payload.user.id,
      responseUrl: payload.response_url,
    },
    deps.logger,
    { workingText: deps.workingText },
  );
  const attachments = (message.files ?? [])
    .filter((f) => acceptsFile('image', f))
    .map((f) => toAttachment(f, files));
  await bot.handleCommand(
    command?.data.name ?? payload.callback_id,
    { ctx: slackContext(teamId, channelId, user, payload), options: {}, target: { attachments } },
    responder,
  );
}
