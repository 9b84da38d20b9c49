// One entry point per kind of event over every game, so the manager never switches on the kind itself.
import { type BattleState, battleStop, battleView, battleWithout } from './battle.ts';
import { type GuessState, guessStop, guessView, guessWithout } from './guess.ts';
import { type TwinsResult, type TwinsState, twinsTimer, twinsView, twinsWithout } from './twins.ts';
import type { GameKind, Outcome, View } from './types.ts';

/** The state of any game, as persisted in the 'games' namespace. */
export type GameState = GuessState | BattleState | TwinsState;

/** How each game is called in messages. */
export const GAME_NAMES: Record<GameKind, string> = {
  guess: "Who's that celebrity?",
  battle: 'Lookalike battle',
  twins: 'Twin finder',
};

/** The message a game shows in `slot`. */
export function viewOf(state: GameState, slot: string): View {
  switch (state.kind) {
    case 'guess':
      return guessView(state, slot);
    case 'battle':
      return battleView(state, slot);
    case 'twins':
      return twinsView(state, slot);
  }
}

/**
 * Ends a game now (its time is up, or `/game stop`). The twin finder's result needs the opt-in embeddings,
 * so the caller works it out; without one, nobody is paired.
 */
export function endGame(state: GameState, twins: TwinsResult | undefined): Outcome<GameState> {
  switch (state.kind) {
    case 'guess':
      return guessStop(state);
    case 'battle':
      return battleStop(state);
    case 'twins':
      return twinsTimer(state, twins ?? { pair: null, lookalikes: {} });
  }
}

/** Removes a member from a game (`/forget`). */
export function withoutPlayer(state: GameState, userId: string): Outcome<GameState> {
  switch (state.kind) {
    case 'guess':
      return guessWithout(state, userId);
    case 'battle':
      return battleWithout(state, userId);
    case 'twins':
      return twinsWithout(state, userId);
  }
}
