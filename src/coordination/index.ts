// State shared by several bot processes on one Redis: rate limits, and games' locks, states and timers.
// Without a Redis (one process, SQLite or memory store) none of this is opened and nothing changes.

import { Redis } from 'ioredis';
import type { RateLimit, RateLimitOptions } from '../chat/rate-limit.ts';
import type { ScopeLocks } from '../gallery/types.ts';
import type { GameSync } from '../games/sync.ts';
import { type LockOptions, RedisChannelLocks, RedisGameStates } from './game-locks.ts';
import { RedisGameTimers, type TimerOptions } from './game-timers.ts';
import { RedisRateLimiter } from './rate-limit.ts';
import { type CoordinationRedis, closeRedis, openCoordinationRedis } from './redis.ts';

export { LockLostError } from './game-locks.ts';
export { TIMERS_QUEUE } from './game-timers.ts';

/** Options of `openCoordination`. */
export interface CoordinationOptions extends LockOptions {
  /** How long a process that took a due game deadline may go silent before another takes it. */
  timerLockMs?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/** What the bot processes on one Redis share. */
export interface Coordination {
  /** Per-member rate limits shared by every process. */
  rateLimiter(options: RateLimitOptions): RateLimit;
  /** Games' locks, states and timers for GameManager's `sync`. */
  readonly games: GameSync;
  /** Per-scope locks for gallery writes (enrol, rename, remove, import), so processes take turns. */
  readonly galleryLocks: ScopeLocks;
  close(): Promise<void>;
}

// A big import commits thousands of blobs under its scope's lock: others wait longer than for a game.
function galleryLocks(redis: CoordinationRedis, onError: (error: unknown) => void): ScopeLocks {
  return new RedisChannelLocks(redis, { kind: 'gallery', ttlMs: 10_000, waitMs: 120_000 }, onError);
}

/**
 * Per-scope gallery locks alone, for the command line: it writes galleries but runs no games, so it
 * needs no BullMQ connection.
 */
export function openGalleryLocks(url: string): { locks: ScopeLocks; close(): Promise<void> } {
  const redis = openCoordinationRedis(url);
  return { locks: galleryLocks(redis, () => {}), close: () => closeRedis(redis) };
}

/**
 * Opens the connections to the Redis at `url` for state that several bot processes share. Nothing is
 * awaited: like the Redis store, they connect in the background and reconnect after an outage.
 */
export function openCoordination(url: string, options: CoordinationOptions = {}): Coordination {
  const log = options.log ?? (() => {});
  const onError = (error: unknown) => log('shared state: a Redis command failed', { error });
  const redis = openCoordinationRedis(url);
  // BullMQ's own connection: its commands wait for Redis to come back, as its workers need.
  const bullmq = new Redis(url, { maxRetriesPerRequest: null });
  bullmq.on('error', () => {});
  const timers = new RedisGameTimers(bullmq, { lockMs: options.timerLockMs } satisfies TimerOptions, log);
  return {
    rateLimiter: (rate) => new RedisRateLimiter(redis, rate, onError),
    galleryLocks: galleryLocks(redis, onError),
    games: {
      shared: true,
      locks: new RedisChannelLocks(redis, options, onError),
      states: new RedisGameStates(redis),
      timers,
    },
    async close() {
      await timers.close();
      await closeRedis(bullmq);
      await closeRedis(redis);
    },
  };
}
