import type { LRUCache } from 'lru-cache';
import { expiringCache } from '../util/expiring-cache.ts';

/** Token-bucket settings: `capacity` commands at once, then one more every `refillMs`. */
export interface RateLimitOptions {
  capacity: number;
  refillMs: number;
}

/** The default per-user limit: a burst of 5, then one command every 6 seconds (10 a minute). */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { capacity: 5, refillMs: 6_000 };

/** Outcome of `RateLimiter.take`. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Anything that decides per key: this process's buckets, or buckets shared through Redis (src/coordination). */
export interface RateLimit {
  take(key: string): RateDecision | Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Most members whose buckets are remembered; beyond it the least recently active are forgotten. */
const MAX_BUCKETS = 10_000;

/** Per-key token buckets; inference is expensive, so one person cannot keep the pool busy for everyone. */
export class RateLimiter implements RateLimit {
  readonly #options: RateLimitOptions;
  readonly #now: () => number;
  readonly #buckets: LRUCache<string, Bucket>;

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    if (!(options.capacity >= 1) || !(options.refillMs > 0)) {
      throw new RangeError('rate limit needs capacity >= 1 and refillMs > 0');
    }
    this.#options = options;
    this.#now = now;
    // A bucket untouched for capacity * refillMs is full again and carries no information, so it expires.
    this.#buckets = expiringCache({ max: MAX_BUCKETS, ttlMs: options.capacity * options.refillMs, now });
  }

  /** Takes one token for `key`, or says how many whole seconds until one is available. */
  take(key: string): RateDecision {
    const now = this.#now();
    const { capacity, refillMs } = this.#options;
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    const tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) / refillMs);
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((1 - tokens) * refillMs) / 1000)) };
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    return { ok: true };
  }
}
