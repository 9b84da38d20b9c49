import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';

/** `/watch on|off`, admins only. */
export const data = {
  name: 'watch',
  description: 'Answer every photo posted in this channel (admins)',
  requires: ['admin', 'settings'],
  subcommands: [
    { name: 'on', description: 'Answer every photo posted in this channel' },
    { name: 'off', description: 'Only answer commands and @mentions here' },
  ],
} as const satisfies CommandData;

/** Turns answering every posted photo on or off for the current channel. */
export async function execute(input: CommandInput, deps: Deps): Promise<Reply> {
  const on = input.subcommand === 'on';
  if (!on && input.subcommand !== 'off') throw new UserError('bad_command', { text: 'watch_usage' });
  // `requires` has the Bot refuse the command without settings; this only narrows the type.
  if (!deps.settings) throw new UserError('unavailable', { feature: 'settings' });
  await deps.settings.setWatched(input.ctx.scope, input.ctx.channelId, on);
  if (!on)
    return { text: "OK, I'll stop answering photos in this channel. Commands and @mentions still work." };
  const lines = ["OK, I'll answer every photo posted in this channel."];
  if (input.ctx.seesAllMessages === false) {
    // Discord hides message attachments from bots without the privileged Message Content intent.
    lines.push(
      "Heads-up: this bot runs without access to message content, so for now I'll only see photos that @mention me. " +
        'The bot owner can enable the Message Content intent to make watching work for every photo.',
    );
  }
  return { text: lines.join('\n') };
}

/** The `/watch` command. */
export const watchCommand: Command = { data, execute };
