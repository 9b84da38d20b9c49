import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';
import { GAMES } from '../src/games/registry.ts';

const SUBCOMMANDS = GAMES.flatMap((game) => game.subcommands);

/** `/game <a game's subcommand>|stop`: each game adds its own subcommands (`src/games/registry.ts`). */
export const data = {
  name: 'game',
  description: 'Play a celebrity game with this channel',
  requires: ['games'],
  subcommands: [
    ...SUBCOMMANDS.map((s) => s.spec),
    { name: 'stop', description: "End this channel's game now (who started it, or admins)" },
  ],
} satisfies CommandData;

/** Starts or plays the channel's game; the GameManager does the work. */
export async function execute(input: CommandInput<string>, deps: Deps): Promise<Reply> {
  const games = deps.games;
  // `requires` has the Bot refuse the command without games; this only narrows the type.
  if (!games) throw new UserError('unavailable', { feature: 'games' });
  if (input.subcommand === 'stop') return games.stopGame(input.ctx);
  const subcommand = SUBCOMMANDS.find((s) => s.spec.name === input.subcommand);
  if (subcommand) return subcommand.run(games, input);
  const names = [...SUBCOMMANDS.map((s) => s.spec.name), 'stop'].map((n) => `\`/game ${n}\``);
  throw new UserError('bad_command', {
    text: 'game_usage',
    usage: `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`,
  });
}

/** The `/game` command. */
export const gameCommand: Command = { data, execute };
