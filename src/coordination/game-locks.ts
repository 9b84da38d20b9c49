import { UserError } from '../errors.ts';
import type { GameState } from '../games/registry.ts';
import type { ChannelLocks, GameStates, Lease } from '../games/sync.ts';
import { storeUnavailable } from '../store/index.ts';
import { KeyedMutex } from '../util/mutex.ts';
import { type CoordinationRedis, SHARED_PREFIX } from './redis.ts';

/** Tuning of the channel locks. */
export interface LockOptions {
  /** How long a lock outlives a holder that stops renewing it (a dead process), in ms (default 10 s). */
  ttlMs?: number;
  /** How long an event waits for a busy channel before the member is told to try again (default 15 s). */
  waitMs?: number;
  /** What is locked, naming the keys: `games` (channels, the default) or `gallery` (scopes). */
  kind?: 'games' | 'gallery';
}

// The lock, fence counter and state of one channel share a hash tag, so they would live on one node.
const lockKey = (key: string, kind = 'games') => `${SHARED_PREFIX}${kind}:{${key}}:lock`;
const fenceKey = (key: string, kind = 'games') => `${SHARED_PREFIX}${kind}:{${key}}:fence`;
const stateKey = (key: string) => `${SHARED_PREFIX}games:{${key}}:state`;
const INDEX_KEY = `${SHARED_PREFIX}games:index`;

/** A state write that the fence refused: this process's lock expired and another process took over. */
export class LockLostError extends Error {
  constructor(key: string) {
    super(`the lock on ${key}'s game passed to another process; this write was refused`);
    this.name = 'LockLostError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Redis that does not answer is the store being down for the member: the usual "try again" reply. */
async function unavailableOnFailure<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (err) {
    throw storeUnavailable(err);
  }
}

/**
 * One event at a time per channel over every bot process: `SET NX PX` with a fencing token from `INCR`
 * (scripts.ts), renewed while the event runs, released by compare-and-delete. Within one process,
 * callers queue on a KeyedMutex first, so they take turns in order and only one of them polls Redis.
 */
export class RedisChannelLocks implements ChannelLocks {
  readonly #redis: CoordinationRedis;
  readonly #local = new KeyedMutex();
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #kind: string;
  readonly #onError: (error: unknown) => void;

  constructor(redis: CoordinationRedis, options: LockOptions, onError: (error: unknown) => void) {
    this.#redis = redis;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#waitMs = options.waitMs ?? 15_000;
    this.#kind = options.kind ?? 'games';
    this.#onError = onError;
  }

  /** Runs `fn` holding the channel's lock; its lease's fence makes stale writes fail (`LockLostError`). */
  run<R>(key: string, fn: (lease: Lease) => Promise<R>): Promise<R> {
    return this.#local.run(key, async () => {
      const fence = await this.#acquire(key);
      // Renewed well before it expires, so only a holder that stopped (died, froze) loses it.
      const renew = setInterval(() => {
        this.#redis.lockExtend(lockKey(key, this.#kind), fence, this.#ttlMs).catch(this.#onError);
      }, this.#ttlMs / 3);
      renew.unref();
      try {
        return await fn({ fence });
      } finally {
        clearInterval(renew);
        await this.#redis.lockRelease(lockKey(key, this.#kind), fence).catch(this.#onError);
      }
    });
  }

  async #acquire(key: string): Promise<number> {
    const until = Date.now() + this.#waitMs;
    for (let attempt = 0; ; attempt++) {
      const fence = await unavailableOnFailure(
        this.#redis.lockAcquire(lockKey(key, this.#kind), fenceKey(key, this.#kind), this.#ttlMs),
      );
      if (fence > 0) return fence;
      if (Date.now() > until) throw new UserError('busy');
      // Short, growing, jittered waits: answers to a round arrive together and should not retry in step.
      await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
    }
  }
}

/** Channels' game states in Redis, written only with the newest lease's fence (scripts.ts FENCED_WRITE). */
export class RedisGameStates implements GameStates {
  readonly #redis: CoordinationRedis;

  constructor(redis: CoordinationRedis) {
    this.#redis = redis;
  }

  /** The channel's stored state. */
  async get(key: string): Promise<GameState | undefined> {
    const json = await unavailableOnFailure(this.#redis.get(stateKey(key)));
    return json === null ? undefined : (JSON.parse(json) as GameState);
  }

  /** Stores the state; throws `LockLostError` when another process holds a newer lease. */
  async set(key: string, state: GameState, lease: Lease): Promise<void> {
    await this.#write(key, JSON.stringify(state), lease);
  }

  /** Deletes the state; throws `LockLostError` when another process holds a newer lease. */
  async delete(key: string, lease: Lease): Promise<void> {
    await this.#write(key, '', lease);
  }

  /** Every channel with a stored game. */
  keys(): Promise<string[]> {
    return unavailableOnFailure(this.#redis.smembers(INDEX_KEY));
  }

  async #write(key: string, json: string, lease: Lease): Promise<void> {
    const written = await unavailableOnFailure(
      this.#redis.fencedWrite(fenceKey(key), stateKey(key), INDEX_KEY, lease.fence, json, key),
    );
    if (written !== 1) throw new LockLostError(key);
  }
}
