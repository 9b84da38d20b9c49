// Lookalike battle: pure rules. For a few minutes members post selfies; each is scored by its similarity to
// one celebrity, a live top 3 is kept, and the best score wins. Selfies are never part of the state: only
// the member, their best score and when they got it.
import { formatPercent, plural } from '../../chat/format.ts';
import type { Scope } from '../../domain/types.ts';
import { medal } from '../scoring.ts';
import {
  type Award,
  type GameBase,
  type GameStart,
  type Outcome,
  type Player,
  timedStartFields,
  type View,
} from '../types.ts';

/** A member's best selfie score. */
export interface BattleEntry {
  name: string;
  /** Similarity in [0, 1] to the celebrity. */
  score: number;
  /** When this best score came in; earlier wins a tie. */
  at: number;
}

/** The state of a battle. */
export interface BattleState extends GameBase {
  kind: 'battle';
  celebrity: { slug: string; name: string; gallery: Scope };
  minutes: number;
  endsAt: number;
  entries: Record<string, BattleEntry>;
}

/** Leaderboard points for the 1st, 2nd and 3rd place. */
export const BATTLE_POINTS: readonly number[] = [5, 3, 1];
/** Minutes when `/game battle` is given none. */
export const DEFAULT_BATTLE_MINUTES = 2;

/** What `createBattle` needs. */
export interface NewBattle extends GameStart {
  celebrity: BattleState['celebrity'];
  minutes: number;
}

/** Starts a battle; its live board is posted at once. */
export function createBattle(init: NewBattle): Outcome<BattleState> {
  const state: BattleState = { ...timedStartFields(init, 'battle'), celebrity: init.celebrity, entries: {} };
  return { state, effects: [{ type: 'post', slot: 'board' }] };
}

/** Entries best first (earlier wins a tie). */
export function standings(state: BattleState): (BattleEntry & { id: string })[] {
  return Object.entries(state.entries)
    .map(([id, e]) => ({ id, ...e }))
    .sort((a, b) => b.score - a.score || a.at - b.at || a.id.localeCompare(b.id));
}

function place(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;
}

/** Whether the battle takes selfies at `now`. */
export function battleOpen(state: BattleState, now: number): boolean {
  return !state.done && now < state.endsAt;
}

/** A scored selfie: only the member's best score counts. */
export function battleSelfie(
  state: BattleState,
  event: { player: Player; score: number; now: number },
): Outcome<BattleState> {
  if (!battleOpen(state, event.now)) return { state, effects: [], notice: 'The battle is over.' };
  const { player, score } = event;
  const before = state.entries[player.id];
  const improved = before === undefined || score > before.score;
  const entries = improved
    ? { ...state.entries, [player.id]: { name: player.name, score, at: event.now } }
    : state.entries;
  const next = improved ? { ...state, entries } : state;
  const order = standings(next);
  const rank = order.findIndex((e) => e.id === player.id) + 1;
  const celeb = state.celebrity.name;
  const notice = improved
    ? `📸 **${player.name}**: ${formatPercent(score)} like ${celeb} — ${place(rank)} of ${order.length} so far.`
    : `📸 **${player.name}**: ${formatPercent(score)} like ${celeb}; your best is still ${formatPercent(before.score)} (${place(rank)} of ${order.length}).`;
  return { state: next, effects: improved ? [{ type: 'edit', slot: 'board' }] : [], notice };
}

function finish(state: BattleState): Outcome<BattleState> {
  const awards: Award[] = standings(state)
    .slice(0, BATTLE_POINTS.length)
    .map((e, i) => ({ player: { id: e.id, name: e.name }, points: BATTLE_POINTS[i]!, win: i === 0 }));
  return {
    state: { ...state, done: true, deadline: null },
    effects: [
      { type: 'edit', slot: 'board' },
      { type: 'post', slot: 'result' },
      { type: 'award', awards },
    ],
  };
}

/** The timer, and `/game stop`: the battle ends and the winner is announced. */
export function battleTimer(state: BattleState): Outcome<BattleState> {
  return state.done ? { state, effects: [] } : finish(state);
}

/** Forgets a member: their score goes. */
export function battleWithout(state: BattleState, userId: string): Outcome<BattleState> {
  if (!(userId in state.entries)) return { state, effects: [] };
  const { [userId]: _gone, ...entries } = state.entries;
  return { state: { ...state, entries }, effects: state.done ? [] : [{ type: 'edit', slot: 'board' }] };
}

function top3(state: BattleState): string[] {
  const order = standings(state).slice(0, 3);
  if (order.length === 0) return ['_No selfies yet._'];
  return order.map((e, i) => `${medal(i)} **${e.name}** — ${formatPercent(e.score)}`);
}

function boardView(state: BattleState): View {
  const celeb = state.celebrity.name;
  const minutes = plural(state.minutes, 'minute');
  const intro = state.done
    ? 'The battle is over.'
    : `Post a selfie in this channel (or use \`/game submit\`) within ${minutes} of the start. ` +
      'Only your best score counts, and photos are not kept.';
  return {
    title: `📸 Lookalike battle: who looks most like ${celeb}?`,
    text: [intro, '', state.done ? '**Final top 3**' : '**Top 3 so far**', ...top3(state)].join('\n'),
    color: state.done ? 0x99aab5 : 0xeb459e,
  };
}

function resultView(state: BattleState): View {
  const order = standings(state);
  const winner = order[0];
  const celeb = state.celebrity;
  if (!winner) {
    return {
      title: `Lookalike battle: nobody entered`,
      text: `Nobody posted a selfie to look like ${celeb.name}.`,
    };
  }
  const lines = order
    .slice(0, BATTLE_POINTS.length)
    .map((e, i) => `${medal(i)} **${e.name}** — ${formatPercent(e.score)} (+${BATTLE_POINTS[i]} points)`);
  return {
    title: `🏆 ${winner.name} wins the ${celeb.name} battle!`,
    text: [
      `**${formatPercent(winner.score)}** like ${celeb.name}.`,
      '',
      ...lines,
      '',
      "Points went to this channel's `/leaderboard`.",
    ].join('\n'),
    image: {
      kind: 'winner',
      gameId: state.id,
      gallery: celeb.gallery,
      slug: celeb.slug,
      name: celeb.name,
      player: winner.name,
      caption: `${formatPercent(winner.score)} similar`,
    },
    color: 0xfee75c,
  };
}

/** The message for a slot: `board` (live top 3) or `result` (the winner). */
export function battleView(state: BattleState, slot: string): View {
  return slot === 'result' ? resultView(state) : boardView(state);
}
