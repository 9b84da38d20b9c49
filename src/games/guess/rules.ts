// "Who's that celebrity?": pure rules. A face is revealed in pixelation steps; four name buttons; the first
// right answer scores, more for an early one; after the last round the scores go to the leaderboard.
import { plural } from '../../chat/format.ts';
import type { Scope } from '../../domain/types.ts';
import { UserError } from '../../errors.ts';
import { PIXELATE_LEVELS } from '../../image/render.ts';
import { medal, ranked, scoreLine } from '../scoring.ts';
import {
  type Award,
  GAME_BUTTON_PREFIX,
  type GameBase,
  type GameStart,
  type GameTiming,
  type Outcome,
  type Player,
  startFields,
  type View,
} from '../types.ts';

/** An identity a round can ask about or offer as an answer. */
export interface Choice {
  slug: string;
  name: string;
}

/** One planned round: the face to guess and the four buttons, in display order. */
export interface GuessRound {
  answer: Choice;
  options: Choice[];
}

/** One press of a name button. */
export interface Guess {
  player: Player;
  slug: string;
  right: boolean;
  points: number;
}

/** The state of a guess game. */
export interface GuessState extends GameBase {
  kind: 'guess';
  /** The gallery the faces come from: the channel's scope, or `global` while that one is empty. */
  gallery: Scope;
  /** Every round, planned at the start so the rules need no randomness afterwards. */
  plan: GuessRound[];
  /** Index of the current round in `plan`. */
  round: number;
  /** `reveal`: the face is clearing up and answers count; `pause`: the answer is shown. */
  phase: 'reveal' | 'pause';
  /** Pixelation level shown now, 0 (hidden) to PIXELATE_LEVELS - 1 (clear). */
  level: number;
  /** This round's answers, in the order they came. */
  guesses: Guess[];
  scores: Record<string, { name: string; points: number }>;
  timing: GameTiming;
}

/** Identities a guess game needs: one right answer and three wrong ones per round. */
export const GUESS_MIN_IDENTITIES = 4;
/** Rounds when `/game guess` is given none. */
export const DEFAULT_ROUNDS = 5;
/** Most rounds one game may have. */
export const MAX_ROUNDS = 20;
const OPTIONS = 4;
const PREFIX = GAME_BUTTON_PREFIX;
// Discord refuses custom ids longer than this; Slack's limit (255) is larger.
const MAX_BUTTON_ID = 100;

/** Points for a right answer while `level` is shown: 5 while fully hidden, 1 once clear. */
export function pointsAt(level: number): number {
  return Math.max(1, PIXELATE_LEVELS - level);
}

/** What `createGuess` needs; `random` returns numbers in [0, 1) like Math.random. */
export interface NewGuess extends GameStart {
  gallery: Scope;
  identities: Choice[];
  rounds: number;
  timing: GameTiming;
  random: () => number;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Plans `rounds` rounds: answers without repeats until every identity had a turn, 3 random wrong names each. */
export function planRounds(
  identities: readonly Choice[],
  rounds: number,
  random: () => number,
): GuessRound[] {
  const plan: GuessRound[] = [];
  let deck: Choice[] = [];
  while (plan.length < rounds) {
    if (deck.length === 0) deck = shuffle(identities, random);
    const answer = deck.pop()!;
    const others = shuffle(
      identities.filter((i) => i.slug !== answer.slug),
      random,
    ).slice(0, OPTIONS - 1);
    plan.push({ answer, options: shuffle([answer, ...others], random) });
  }
  return plan;
}

/** Starts a guess game: round 1 is posted at once. Throws a UserError when the gallery is too small. */
export function createGuess(init: NewGuess): Outcome<GuessState> {
  const unique = [...new Map(init.identities.map((i) => [i.slug, i])).values()];
  if (unique.length < GUESS_MIN_IDENTITIES) {
    throw new UserError('empty_gallery', {
      text: 'guess_too_few',
      minimum: GUESS_MIN_IDENTITIES,
      count: unique.length,
    });
  }
  const rounds = Math.min(MAX_ROUNDS, Math.max(1, Math.floor(init.rounds)));
  const state: GuessState = {
    ...startFields(init, 'guess', init.now + init.timing.revealMs),
    gallery: init.gallery,
    plan: planRounds(unique, rounds, init.random),
    round: 0,
    phase: 'reveal',
    level: 0,
    guesses: [],
    scores: {},
    timing: init.timing,
  };
  return { state, effects: [{ type: 'post', slot: 'round' }] };
}

/** The button id of an answer: `game:<gameId>:<round>:<slug>`, or the option's index when a slug is too long. */
export function guessButtonId(gameId: string, round: number, choice: Choice, index: number): string {
  const id = `${PREFIX}${gameId}:${round}:${choice.slug}`;
  return id.length <= MAX_BUTTON_ID ? id : `${PREFIX}${gameId}:${round}:#${index}`;
}

/** A parsed game button id; undefined when the id is not one of ours. */
export function parseGameButton(id: string): { gameId: string; round: number; choice: string } | undefined {
  const match = /^game:([a-z0-9]+):(\d+):(.+)$/.exec(id);
  if (!match) return undefined;
  return { gameId: match[1]!, round: Number(match[2]), choice: match[3]! };
}

function currentRound(state: GuessState): GuessRound {
  return state.plan[state.round]!;
}

/** The game's final scores and leaderboard points; the top scorers win. */
function finish(state: GuessState): Outcome<GuessState> {
  const order = ranked(state.scores);
  const best = order[0]?.points ?? 0;
  const awards: Award[] = order
    .filter((s) => s.points > 0)
    .map((s) => ({ player: { id: s.id, name: s.name }, points: s.points, win: s.points === best }));
  const effects: Outcome<GuessState>['effects'] = [];
  // A round still open when the game is stopped shows its answer, so nobody keeps pressing.
  if (state.phase === 'reveal' && state.messages.round) effects.push({ type: 'edit', slot: 'round' });
  effects.push({ type: 'post', slot: 'final' }, { type: 'award', awards });
  return { state: { ...state, phase: 'pause', done: true, deadline: null }, effects };
}

/** The timer: reveal the next level, close the round when time is up, or move on to the next round. */
export function guessTimer(state: GuessState, now: number): Outcome<GuessState> {
  if (state.done) return { state, effects: [] };
  if (state.phase === 'reveal' && state.level < PIXELATE_LEVELS - 1) {
    return {
      state: { ...state, level: state.level + 1, deadline: now + state.timing.revealMs },
      effects: [{ type: 'edit', slot: 'round' }],
    };
  }
  if (state.phase === 'reveal') {
    return {
      state: { ...state, phase: 'pause', deadline: now + state.timing.pauseMs },
      effects: [{ type: 'edit', slot: 'round' }],
    };
  }
  if (state.round + 1 >= state.plan.length) return finish(state);
  return {
    state: {
      ...state,
      round: state.round + 1,
      phase: 'reveal',
      level: 0,
      guesses: [],
      deadline: now + state.timing.revealMs,
    },
    effects: [{ type: 'post', slot: 'round' }],
  };
}

/** A press of an answer button for `round` (`choice` is a slug or `#<index>`). */
export function guessAnswer(
  state: GuessState,
  event: { player: Player; round: number; choice: string; now: number },
): Outcome<GuessState> {
  const unchanged = (notice: string): Outcome<GuessState> => ({ state, effects: [], notice });
  const round = currentRound(state);
  if (state.done || event.round !== state.round) return unchanged('That round is over.');
  const winner = state.guesses.find((g) => g.right);
  if (state.phase !== 'reveal') {
    return unchanged(winner ? `Too late: ${winner.player.name} got it first.` : 'That round is over.');
  }
  if (state.guesses.some((g) => g.player.id === event.player.id)) {
    return unchanged('You already answered this round: one try per round.');
  }
  const index = event.choice.startsWith('#') ? Number(event.choice.slice(1)) : -1;
  const choice = round.options.find((o, i) => o.slug === event.choice || i === index);
  if (!choice) return unchanged('That button has expired.');

  const right = choice.slug === round.answer.slug;
  const points = right ? pointsAt(state.level) : 0;
  const guesses = [...state.guesses, { player: event.player, slug: choice.slug, right, points }];
  if (!right) {
    return {
      state: { ...state, guesses },
      effects: [{ type: 'edit', slot: 'round' }],
      notice: `✗ Not ${choice.name}. Better luck next round!`,
    };
  }
  const previous = state.scores[event.player.id]?.points ?? 0;
  return {
    state: {
      ...state,
      guesses,
      phase: 'pause',
      deadline: event.now + state.timing.pauseMs,
      scores: { ...state.scores, [event.player.id]: { name: event.player.name, points: previous + points } },
    },
    effects: [{ type: 'edit', slot: 'round' }],
    notice: `✓ Right, it's ${choice.name}! +${plural(points, 'point')}.`,
  };
}

/** Ends the game now (`/game stop`), with the points scored so far. */
export function guessStop(state: GuessState): Outcome<GuessState> {
  return state.done ? { state, effects: [] } : finish(state);
}

/** Forgets a member: their answers and points go. */
export function guessWithout(state: GuessState, userId: string): Outcome<GuessState> {
  const guesses = state.guesses.filter((g) => g.player.id !== userId);
  if (!(userId in state.scores) && guesses.length === state.guesses.length) return { state, effects: [] };
  const { [userId]: _gone, ...scores } = state.scores;
  const effects: Outcome<GuessState>['effects'] = state.messages.round
    ? [{ type: 'edit', slot: 'round' }]
    : [];
  return { state: { ...state, scores, guesses }, effects };
}

function roundView(state: GuessState): View {
  const round = currentRound(state);
  const open = state.phase === 'reveal' && !state.done;
  const header = `Round ${state.round + 1} of ${state.plan.length}`;
  const winner = state.guesses.find((g) => g.right);
  const misses = state.guesses.filter((g) => !g.right);
  const nameOf = (slug: string) => round.options.find((o) => o.slug === slug)?.name ?? slug;
  const lines: string[] = [];
  if (open) {
    lines.push(
      `Who is this? Press the right name. Answer now for **${pointsAt(state.level)} points**; ` +
        'the picture clears up as time goes by, and each player gets one try.',
    );
  } else if (winner) {
    lines.push(`✓ **${winner.player.name}** got it: +${plural(winner.points, 'point')}.`);
  } else {
    lines.push("⏱ Time's up: nobody got it.");
  }
  if (misses.length > 0) lines.push('', ...misses.map((g) => `${g.player.name} guessed ${nameOf(g.slug)} ✗`));
  if (!open && !state.done) {
    lines.push('', state.round + 1 < state.plan.length ? 'Next round coming up…' : 'Final scores coming up…');
  }
  return {
    title: open ? `Who's that celebrity? — ${header}` : `It was ${round.answer.name}! — ${header}`,
    text: lines.join('\n'),
    image: {
      kind: 'celebrity',
      gallery: state.gallery,
      slug: round.answer.slug,
      level: open ? state.level : PIXELATE_LEVELS - 1,
      file: `guess-${state.round + 1}-${open ? state.level : 'answer'}.png`,
    },
    buttons: round.options.map((o, i) => ({
      id: guessButtonId(state.id, state.round, o, i),
      label: o.name,
      style: open ? 'primary' : o.slug === round.answer.slug ? 'success' : 'secondary',
      disabled: !open,
    })),
    color: open ? 0x5865f2 : winner ? 0x57f287 : 0xfee75c,
  };
}

function finalView(state: GuessState): View {
  const order = ranked(state.scores);
  const lines =
    order.length === 0
      ? ['Nobody scored this time.']
      : order.map((s, i) => `${medal(i)} ${scoreLine(s.name, s.points)}`);
  if (order.length > 0) lines.push('', "Points went to this channel's `/leaderboard`.");
  return { title: "Who's that celebrity? — final scores", text: lines.join('\n'), color: 0xfee75c };
}

/** The message for a slot: `round` (the current round) or `final`. */
export function guessView(state: GuessState, slot: string): View {
  return slot === 'final' ? finalView(state) : roundView(state);
}
