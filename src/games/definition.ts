// What a game is to the manager: a definition per kind, listed once in `registry.ts`. The manager runs any
// definition the same way (locks, persistence, timers, effects), so adding a game touches its own folder and
// that list, never the manager.
import type { ChatContext, CommandInput, Reply, SubcommandSpec } from '../chat/types.ts';
import type { LookalikeService } from '../domain/types.ts';
import type { GameFaces } from './faces.ts';
import type { OptIns } from './optins.ts';
import type { GameBase, GameStart, GameTiming, Outcome, Player, View } from './types.ts';

/** What a game's definition may use: every capability is the manager's, shared by every game. */
export interface GameEnv {
  service: LookalikeService;
  faces: GameFaces;
  optIns: OptIns;
  timing: GameTiming;
  /** Numbers in [0, 1) for picking faces and answers. */
  random: () => number;
  now(): number;
  /**
   * Face crops kept in memory only, by game id, until the game ends (a battle's leader): never stored, so a
   * restart loses them and the announcement shows the celebrity alone.
   */
  memoryFaces: Map<string, { userId: string; face: Uint8Array }>;
}

/** A game ready to be created in the channel's lock, and the command's reply once it is. */
export interface Prepared<S extends GameBase = GameBase> {
  create(game: GameStart): Outcome<S>;
  reply: Reply;
}

/** Something a member sends to the game running in the channel: a selfie, a join. */
export interface GameAction<
  S extends GameBase,
  I = unknown,
  P extends { gameId: string } = { gameId: string },
> {
  /**
   * Slow work outside the channel's lock (downloads, inference, reading an opt-in); throws a UserError when
   * no such game is open. Nothing is stored here.
   */
  prepare(env: GameEnv, running: GameBase | undefined, ctx: ChatContext, input: I): Promise<P>;
  /**
   * Under the channel's lock. `state` is the game read afresh, or undefined when the game `prepare` saw has
   * ended meanwhile. An outcome whose state is unchanged saves nothing.
   */
  apply(
    env: GameEnv,
    state: S | undefined,
    prepared: P,
    player: Player,
  ): Promise<{ outcome?: Outcome<S>; reply: Reply }>;
}

/** A `/game <name>` subcommand that belongs to one game, and how it reads its options. */
export interface GameSubcommand {
  spec: SubcommandSpec;
  run(play: GamePlay, input: CommandInput<string>): Promise<Reply>;
}

/** What a game's subcommands may ask of the manager. */
export interface GamePlay {
  startGame(ctx: ChatContext, kind: string, options: unknown): Promise<Reply>;
  act(ctx: ChatContext, kind: string, action: string, input: unknown): Promise<Reply>;
}

/** One kind of game. */
export interface GameDefinition<S extends GameBase = GameBase, O = unknown> {
  kind: S['kind'];
  /** How the game is called in messages. */
  name: string;
  /** The `/game` subcommands it adds: the one that starts it first. */
  subcommands: readonly GameSubcommand[];
  /** Checks and slow work before the game is created (the gallery, the options). */
  prepare(env: GameEnv, ctx: ChatContext, options: O): Promise<Prepared<S>>;
  /** The message it shows in `slot`. */
  view(state: S, slot: string): View;
  /** Its deadline passed. */
  timer(env: GameEnv, state: S): Outcome<S> | Promise<Outcome<S>>;
  /** It ends now: `/game stop`. */
  stop(env: GameEnv, state: S): Outcome<S> | Promise<Outcome<S>>;
  /** A member leaves it (`/forget`). */
  without(state: S, userId: string): Outcome<S>;
  /** Its button presses (ids `game:<gameId>:…`, see `gameOfButton`). */
  press?(state: S, event: { player: Player; button: string; now: number }): Outcome<S>;
  /** Member events by name (`/game submit`, `/game join`). */
  // biome-ignore lint/suspicious/noExplicitAny: each action has its own input and prepared types
  actions?: Readonly<Record<string, GameAction<S, any, any>>>;
  /** The action a photo posted in the channel runs while this game is on (a battle's selfies). */
  imageAction?: string;
  /** User ids whose stored opt-ins it still needs (twin finder), so another game's end keeps them. */
  optInUsers?(state: S): readonly string[];
}
