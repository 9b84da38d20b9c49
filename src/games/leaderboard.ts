// Per-channel leaderboards in the 'leaderboards' namespace, one key per channel.
import type { Namespace } from '../store/index.ts';
import { ranked } from './scoring.ts';
import type { Award } from './types.ts';

/** A member's standing on one channel's leaderboard. */
export interface LeaderboardEntry {
  /** The display name at their latest game. */
  name: string;
  points: number;
  wins: number;
  /** Games in which they scored (games only award points to those who scored or placed). */
  games: number;
}

/** One channel's leaderboard, by member id. */
export type Board = Record<string, LeaderboardEntry>;

/** A leaderboard row, best first. */
export interface LeaderboardRow extends LeaderboardEntry {
  id: string;
}

/**
 * Reads and updates leaderboards. It does not lock: the GameManager calls it inside the channel's mutex
 * (the board key is the game key), so two games' awards cannot interleave.
 */
export class Leaderboards {
  readonly #boards: Namespace<Board>;

  constructor(boards: Namespace<Board>) {
    this.#boards = boards;
  }

  /** Adds a finished game's points to the board at `key`. */
  async award(key: string, awards: readonly Award[]): Promise<void> {
    if (awards.length === 0) return;
    const board = { ...((await this.#boards.get(key)) ?? {}) };
    for (const a of awards) {
      const entry = board[a.player.id] ?? { name: a.player.name, points: 0, wins: 0, games: 0 };
      board[a.player.id] = {
        name: a.player.name,
        points: entry.points + a.points,
        wins: entry.wins + (a.win ? 1 : 0),
        games: entry.games + 1,
      };
    }
    await this.#boards.set(key, board);
  }

  /** The best `limit` rows of the board at `key`: most points, then most wins. */
  async top(key: string, limit = 10): Promise<LeaderboardRow[]> {
    const board = (await this.#boards.get(key)) ?? {};
    const byPoints = ranked(board).map((r) => ({ ...board[r.id]!, id: r.id }));
    return byPoints.sort((a, b) => b.points - a.points || b.wins - a.wins).slice(0, limit);
  }

  /** Every board key (for `/forget`). */
  keys(): Promise<string[]> {
    return this.#boards.keys();
  }

  /** Removes a member from the board at `key`; true when they were on it. */
  async remove(key: string, userId: string): Promise<boolean> {
    const board = await this.#boards.get(key);
    if (!board || !(userId in board)) return false;
    const { [userId]: _gone, ...rest } = board;
    if (Object.keys(rest).length === 0) await this.#boards.delete(key);
    else await this.#boards.set(key, rest);
    return true;
  }
}
