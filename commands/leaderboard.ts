import { plural } from '../src/chat/format.ts';
import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';
import { medal } from '../src/games/scoring.ts';

/** `/leaderboard`. */
export const data = {
  name: 'leaderboard',
  description: "This channel's game leaderboard",
  requires: ['games'],
} as const satisfies CommandData;

/** Shows the channel's top 10 by points. */
export async function execute(input: CommandInput, deps: Deps): Promise<Reply> {
  // `requires` has the Bot refuse the command without games; this only narrows the type.
  if (!deps.games) throw new UserError('unavailable', { feature: 'games' });
  const rows = await deps.games.leaderboard(input.ctx);
  if (rows.length === 0) {
    return {
      text: 'Nobody has points in this channel yet. Start a game with `/game guess`, `/game battle` or `/game twins`.',
    };
  }
  const lines = rows.map(
    (r, i) => `${medal(i)} **${r.name}** — ${plural(r.points, 'point')} · ${plural(r.wins, 'win')}`,
  );
  return { title: '🏆 Leaderboard', text: lines.join('\n'), color: 0xfee75c };
}

/** The `/leaderboard` command. */
export const leaderboardCommand: Command = { data, execute };
