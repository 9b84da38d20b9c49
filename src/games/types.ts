// Shapes shared by the game rules and the GameManager. Rules are pure: they take a state and an event and
// return a new state plus effects; only the manager touches the store, the clock and the platforms.
import type { ChatContext, MessageRef, Platform, Reply } from '../chat/types.ts';
import type { Scope } from '../domain/types.ts';

/** A kind of game: each has its definition in `registry.ts`. */
export type GameKind = string;

/** The prefix of every game button id: `game:<gameId>:…`, the rest is the game's own. */
export const GAME_BUTTON_PREFIX = 'game:';

/** The game a button belongs to; undefined when the id is not a game button. */
export function gameOfButton(id: string): string | undefined {
  return /^game:([a-z0-9]+):./.exec(id)?.[1];
}

/** A member as a game remembers them: the id scores, the display name is shown. */
export interface Player {
  id: string;
  name: string;
}

/** A member as games record them. */
export function playerOf(ctx: Pick<ChatContext, 'user'>): Player {
  return { id: ctx.user.id, name: ctx.user.displayName };
}

/** What every game's state has; states are plain JSON so the store can keep them across restarts. */
export interface GameBase {
  /** Random per game, part of button ids, so buttons of an earlier game in the channel expire. */
  id: string;
  kind: GameKind;
  platform: Platform;
  scope: Scope;
  channelId: string;
  startedBy: Player;
  startedAt: number;
  /** When the game's timer fires next (ms since the epoch); null once it is over. */
  deadline: number | null;
  /** Messages the game posted, by slot (`round`, `board`…), so later edits find them. */
  messages: Record<string, MessageRef>;
  done: boolean;
}

/** Who starts a game, where, and when: what every `create*` rule receives. */
export type GameStart = Pick<GameBase, 'id' | 'platform' | 'scope' | 'channelId' | 'startedBy'> & {
  now: number;
};

/** The fields every new game starts with, whatever its kind. */
export function startFields<K extends GameKind>(
  init: GameStart,
  kind: K,
  deadline: number,
): GameBase & { kind: K } {
  return {
    id: init.id,
    kind,
    platform: init.platform,
    scope: init.scope,
    channelId: init.channelId,
    startedBy: init.startedBy,
    startedAt: init.now,
    deadline,
    messages: {},
    done: false,
  };
}

/** A game that runs for some minutes (battle, twins): it ends, and its timer fires, at `endsAt`. */
export function timedStartFields<K extends GameKind>(
  init: GameStart & { minutes: number },
  kind: K,
): GameBase & { kind: K; minutes: number; endsAt: number } {
  const endsAt = init.now + init.minutes * 60_000;
  return { ...startFields(init, kind, endsAt), minutes: init.minutes, endsAt };
}

/** Leaderboard points a game hands out when it ends. */
export interface Award {
  player: Player;
  points: number;
  /** Whether the player won the game (counted separately on the leaderboard). */
  win: boolean;
}

/** Something a rule asks the manager to do after a state change, in order. */
export type Effect =
  /** Post the slot's view as a new message and remember it under the slot. */
  | { type: 'post'; slot: string }
  /** Replace the slot's message with its current view (coalesced: only the latest view is sent). */
  | { type: 'edit'; slot: string }
  /** Add points to the channel's leaderboard. */
  | { type: 'award'; awards: Award[] }
  /** Delete these members' twin-finder selfies unless they chose to keep them. */
  | { type: 'release'; userIds: string[] };

/** The result of applying one event to a game. */
export interface Outcome<S> {
  state: S;
  effects: Effect[];
  /** A short answer for whoever caused the event (shown privately where the platform can). */
  notice?: string;
}

/** A picture a view asks for; the manager renders it, so rules stay free of image code and I/O. */
export type ImageSpec =
  /** An enrolled celebrity's face, pixelated at `level` (see renderPixelated; the last level is clear). */
  | { kind: 'celebrity'; gallery: Scope; slug: string; level: number; file: string }
  /** The battle winner's face beside the celebrity; the face is only in the manager's memory. */
  | {
      kind: 'winner';
      gameId: string;
      gallery: Scope;
      slug: string;
      name: string;
      player: string;
      caption: string;
    }
  /** Two twin-finder members side by side, from their opt-in thumbnails. */
  | { kind: 'twins'; a: Player; b: Player; caption: string };

/** A message as a rule describes it: a Reply whose picture is still to be rendered. */
export interface View extends Omit<Reply, 'image' | 'ephemeral'> {
  image?: ImageSpec;
}

/** Timings of the games, in milliseconds; tests shorten them. */
export interface GameTiming {
  /** How long each pixelation level of a guess round shows before the next one. */
  revealMs: number;
  /** Pause after a guess round's answer before the next round. */
  pauseMs: number;
}

/** Default game timings. */
export const DEFAULT_TIMING: GameTiming = { revealMs: 6_000, pauseMs: 4_000 };

/** The key of a channel in the 'games' and 'leaderboards' namespaces; scopes are platform-qualified. */
export function channelKey(scope: Scope, channelId: string): string {
  return `${scope}:${channelId}`;
}

/** A twin-finder selfie, stored (namespace 'optin', keyed by user id) only with the member's consent. */
export interface OptIn {
  /** The face embedding the pair is found with. */
  embedding: Float32Array;
  /** The aligned face crop, for the reveal picture. */
  thumbnail: Uint8Array;
  /** Kept after the game (`/game join keep:true`) until `/forget`. */
  keep: boolean;
  savedAt: string;
}
