import { plural } from '../src/chat/format.ts';
import type { Command, CommandData, CommandInput, Deps, Reply } from '../src/chat/types.ts';

/** `/forget`. */
export const data = {
  name: 'forget',
  description: 'Delete everything Lookalike stored about you',
  ephemeral: true,
} as const satisfies CommandData;

/** Deletes what the caller added or is stored under their id, and says what went. */
export async function execute(input: CommandInput, deps: Deps): Promise<Reply> {
  const [result, games] = await Promise.all([
    deps.service.forget(input.ctx.user.id),
    // Game opt-in selfies, leaderboard points and scores in running games.
    deps.games?.forget(input.ctx.user.id) ?? [],
  ]);
  const deleted = [
    ...(result.photos > 0 ? [`${plural(result.photos, 'photo')} you enrolled`] : []),
    ...result.other,
    ...games,
  ];
  if (deleted.length === 0) {
    return {
      text: "I had nothing stored about you. Photos you send to /lookalike are never kept, so there's nothing to delete.",
      ephemeral: true,
    };
  }
  return {
    title: 'Deleted',
    text: ['I deleted everything I had stored about you:', ...deleted.map((d) => `• ${d}`)].join('\n'),
    ephemeral: true,
  };
}

/** The `/forget` command. */
export const forgetCommand: Command = { data, execute };
