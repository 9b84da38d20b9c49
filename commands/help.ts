import { type CommandEntry, commandEntries } from '../src/chat/command-text.ts';
import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';
import { data as compare } from './compare.ts';
import { data as enroll } from './enroll.ts';
import { data as forget } from './forget.ts';
import { data as gallery } from './gallery.ts';
import { data as game } from './game.ts';
import { data as leaderboard } from './leaderboard.ts';
import { data as lookalike } from './lookalike.ts';
import { data as watch } from './watch.ts';

/** `/help`. */
export const data = {
  name: 'help',
  description: 'How to use Lookalike',
  ephemeral: true,
  userInstallable: true,
} as const satisfies CommandData;

// Listed explicitly (not via commands/index.ts) so help does not import the list that contains it.
const LISTED: CommandData[] = [lookalike, compare, gallery, enroll, watch, forget, game, leaderboard];

function describe(entry: CommandEntry): string {
  // The admin tag is added once here, so a description that ends with it already loses it.
  const description = entry.admin ? entry.description.replace(/ \(admins\)$/, '') : entry.description;
  return `• \`${entry.command}\` — ${description}${entry.admin ? ' _(admins)_' : ''}`;
}

/** Lists the commands, and how to use the bot without them. */
export async function execute(input: CommandInput, _deps: Deps): Promise<Reply> {
  const lines = [
    'Send `/lookalike` with a selfie (or no picture, to use your profile picture) and I will tell you which celebrity you look like.',
    '',
    ...commandEntries(LISTED).map(describe),
    '',
    'You can also @mention me on a photo. Photos you send are never stored; `/forget` deletes what you enrolled.',
    ...(input.ctx.platformHelp ? ['', input.ctx.platformHelp] : []),
  ];
  return { title: 'Lookalike', text: lines.join('\n'), ephemeral: true };
}

/** The `/help` command. */
export const helpCommand: Command = { data, execute };
