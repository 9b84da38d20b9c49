/** Token-bucket settings: `capacity` commands at once, then one more every `refillMs`. */
export interface RateLimitOptions {
  capacity: number;
  refillMs: number;
}

/** The default per-user limit: a burst of 5, then one command every 6 seconds (10 a minute). */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { capacity: 5, refillMs: 6_000 };

/** Outcome of `RateLimiter.take`. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Per-key token buckets; inference is expensive, so one person cannot keep the pool busy for everyone. */
export class RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    if (!(options.capacity >= 1) || !(options.refillMs > 0)) {
      throw new RangeError('rate limit needs capacity >= 1 and refillMs > 0');
    }
    this.#options = options;
    this.#now = now;
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
    if (this.#buckets.size > 10_000) this.#prune(now);
    return { ok: true };
  }

  // Full buckets carry no information, so dropping them bounds memory on busy servers.
  #prune(now: number): void {
    const { capacity, refillMs } = this.#options;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) / refillMs >= capacity) this.#buckets.delete(key);
    }
  }
}
