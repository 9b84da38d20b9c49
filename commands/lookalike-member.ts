import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';
import { lookalikeCommand } from './lookalike.ts';

/** "Who does this member look like?" on a member: Discord's user command, for their profile picture. */
export const data = {
  name: 'Who does this member look like?',
  description: "Find out which celebrity this member's profile picture looks like",
  target: 'user',
  usesEngine: true,
  userInstallable: true,
} as const satisfies CommandData;

/** `/lookalike user:<member>`: their server profile picture if they set one, else their own. */
export async function execute(input: CommandInput, deps: Deps): Promise<Reply> {
  const member = input.target?.user;
  if (!member) throw new UserError('missing_option', { text: 'member_missing' });
  if (!member.avatarUrl) {
    // The default avatar is the platform's logo: no face to compare.
    throw new UserError('no_avatar', { text: 'default_avatar', name: member.displayName });
  }
  return lookalikeCommand.execute({ ctx: input.ctx, options: { user: member } }, deps);
}

/** The user command. */
export const lookalikeMemberCommand: Command = { data, execute };
