// Twin finder: pure rules. Members opt in with a selfie (kept in the 'optin' namespace, not in the game
// state); when time is up the two members who look most alike are revealed, with everyone's celebrity
// lookalike, and the selfies are released.
import { formatPercent, plural } from '../../chat/format.ts';
import { cosine, similarityFromCosine } from '../../util/vectors.ts';
import {
  type GameBase,
  type GameStart,
  type Outcome,
  type Player,
  timedStartFields,
  type View,
} from '../types.ts';

/** A member who joined. */
export interface TwinsPlayer {
  name: string;
  joinedAt: number;
}

/** What the reveal shows, worked out by the manager from the opt-in embeddings when time is up. */
export interface TwinsResult {
  /** The most alike pair; null with fewer than two players. */
  pair: { a: Player; b: Player; similarity: number } | null;
  /** Each player's celebrity lookalike, null when the gallery is empty. */
  lookalikes: Record<string, { name: string; similarity: number } | null>;
}

/** The state of a twin finder. */
export interface TwinsState extends GameBase {
  kind: 'twins';
  minutes: number;
  endsAt: number;
  players: Record<string, TwinsPlayer>;
  result?: TwinsResult;
}

/** Players a twin finder needs. */
export const TWINS_MIN_PLAYERS = 2;
/** Minutes when `/game twins` is given none. */
export const DEFAULT_TWINS_MINUTES = 3;

/** What `createTwins` needs. */
export interface NewTwins extends GameStart {
  minutes: number;
}

/** Starts a twin finder; its lobby message is posted at once. */
export function createTwins(init: NewTwins): Outcome<TwinsState> {
  const state: TwinsState = { ...timedStartFields(init, 'twins'), players: {} };
  return { state, effects: [{ type: 'post', slot: 'lobby' }] };
}

/** Whether the game takes players at `now`. */
export function twinsOpen(state: TwinsState, now: number): boolean {
  return !state.done && now < state.endsAt;
}

/** A member opted in (their selfie is already stored by the manager). */
export function twinsJoin(state: TwinsState, event: { player: Player; now: number }): Outcome<TwinsState> {
  if (!twinsOpen(state, event.now)) return { state, effects: [], notice: 'The twin finder is over.' };
  const again = event.player.id in state.players;
  const players = { ...state.players, [event.player.id]: { name: event.player.name, joinedAt: event.now } };
  const count = Object.keys(players).length;
  return {
    state: { ...state, players },
    effects: again ? [] : [{ type: 'edit', slot: 'lobby' }],
    notice: again
      ? "You're already in: your new selfie replaces the old one."
      : `You're in! ${plural(count, 'player')} so far.`,
  };
}

/** Forgets a member: they leave the game. */
export function twinsWithout(state: TwinsState, userId: string): Outcome<TwinsState> {
  if (!(userId in state.players)) return { state, effects: [] };
  const { [userId]: _gone, ...players } = state.players;
  return { state: { ...state, players }, effects: state.done ? [] : [{ type: 'edit', slot: 'lobby' }] };
}

/** The two members whose embeddings have the highest cosine; null with fewer than two. */
export function bestPair(
  faces: readonly { id: string; embedding: ArrayLike<number> }[],
): { a: string; b: string; similarity: number } | null {
  let best: { a: string; b: string; cosine: number } | null = null;
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const c = cosine(faces[i]!.embedding, faces[j]!.embedding);
      if (best === null || c > best.cosine) best = { a: faces[i]!.id, b: faces[j]!.id, cosine: c };
    }
  }
  return best && { a: best.a, b: best.b, similarity: similarityFromCosine(best.cosine) };
}

/** Time is up (or `/game stop`): reveal the result and release every player's selfie. */
export function twinsTimer(state: TwinsState, result: TwinsResult): Outcome<TwinsState> {
  if (state.done) return { state, effects: [] };
  return {
    state: { ...state, done: true, deadline: null, result },
    effects: [
      { type: 'edit', slot: 'lobby' },
      { type: 'post', slot: 'result' },
      { type: 'release', userIds: Object.keys(state.players) },
    ],
  };
}

function lobbyView(state: TwinsState): View {
  const names = Object.values(state.players).map((p) => p.name);
  const minutes = plural(state.minutes, 'minute');
  const intro = state.done
    ? 'The twin finder is closed.'
    : `Join with \`/game join image:<selfie>\` within ${minutes} of the start. Your selfie is kept only ` +
      'for this game (add `keep:true` to keep it for the next one; `/forget` deletes it any time).';
  return {
    title: '👯 Twin finder: which two of you look most alike?',
    text: [
      intro,
      '',
      `**Players (${names.length})**`,
      names.length > 0 ? names.join(', ') : '_Nobody yet._',
    ].join('\n'),
    color: state.done ? 0x99aab5 : 0x57f287,
  };
}

function resultView(state: TwinsState): View {
  const players = Object.entries(state.players);
  const pair = state.result?.pair;
  if (!pair || players.length < TWINS_MIN_PLAYERS) {
    return {
      title: 'Twin finder: not enough players',
      text:
        `The twin finder needs at least ${TWINS_MIN_PLAYERS} players, and ` +
        `${players.length === 0 ? 'nobody' : `only ${players.length}`} joined. Selfies were deleted (unless kept).`,
    };
  }
  const lookalikes = players.map(([id, p]) => {
    const l = state.result?.lookalikes[id];
    return `• **${p.name}** — ${l ? `${l.name} (${formatPercent(l.similarity)} similar)` : 'nobody in the gallery'}`;
  });
  return {
    title: `👯 Twins: ${pair.a.name} & ${pair.b.name}!`,
    text: [
      `**${pair.a.name}** and **${pair.b.name}** look the most alike: ${formatPercent(pair.similarity)} similar.`,
      '',
      '**Celebrity lookalikes**',
      ...lookalikes,
      '',
      '_Selfies were deleted, except for those who chose to keep them._',
    ].join('\n'),
    image: { kind: 'twins', a: pair.a, b: pair.b, caption: `${formatPercent(pair.similarity)} similar` },
    color: 0x57f287,
  };
}

/** The message for a slot: `lobby` (who joined) or `result` (the reveal). */
export function twinsView(state: TwinsState, slot: string): View {
  return slot === 'result' ? resultView(state) : lobbyView(state);
}
