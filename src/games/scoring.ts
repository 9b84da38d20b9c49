// Ranking and score lines shared by the games' messages and the leaderboard.
import { plural } from '../chat/format.ts';

/** A score with its member id. */
export interface Ranked {
  id: string;
  name: string;
  points: number;
}

/** Scores best first; ties by name, so the order is stable between edits. */
export function ranked(scores: Record<string, { name: string; points: number }>): Ranked[] {
  return Object.entries(scores)
    .map(([id, s]) => ({ id, name: s.name, points: s.points }))
    .sort((a, b) => b.points - a.points || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** 🥇🥈🥉 for the top three, then `4.`, `5.`… */
export function medal(index: number): string {
  return ['🥇', '🥈', '🥉'][index] ?? `${index + 1}.`;
}

/** `**Alice** — 3 points`. */
export function scoreLine(name: string, points: number): string {
  return `**${name}** — ${plural(points, 'point')}`;
}
