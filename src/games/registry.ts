// The one list of games. The manager, the effects and `/game` look a game up here by its kind and never
// switch on it, so a new game is its own folder plus one line below.
import { battleGame } from './battle/index.ts';
import type { BattleState } from './battle/rules.ts';
import type { GameDefinition } from './definition.ts';
import { guessGame } from './guess/index.ts';
import type { GuessState } from './guess/rules.ts';
import { twinsGame } from './twins/index.ts';
import type { TwinsState } from './twins/rules.ts';
import type { Outcome, View } from './types.ts';

/** Every game, in the order `/game` lists their subcommands. */
export const GAMES = [guessGame, battleGame, twinsGame] as const;

/** The state of any game, as persisted in the 'games' namespace. */
export type GameState = GuessState | BattleState | TwinsState;

const BY_KIND = new Map<string, GameDefinition<GameState>>(
  GAMES.map((g) => [g.kind, g as unknown as GameDefinition<GameState>]),
);

/** The definition of a kind of game; throws for a kind no game has (a state from a newer version). */
export function definitionOf(kind: string): GameDefinition<GameState> {
  const definition = BY_KIND.get(kind);
  if (!definition) throw new Error(`no game of kind '${kind}'`);
  return definition;
}

/** The message a game shows in `slot`. */
export function viewOf(state: GameState, slot: string): View {
  return definitionOf(state.kind).view(state, slot);
}

/** Removes a member from a game (`/forget`). */
export function withoutPlayer(state: GameState, userId: string): Outcome<GameState> {
  return definitionOf(state.kind).without(state, userId);
}
