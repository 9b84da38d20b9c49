import type { RateDecision, RateLimit, RateLimitOptions } from '../chat/rate-limit.ts';
import { type CoordinationRedis, SHARED_PREFIX } from './redis.ts';

/**
 * Per-member rate limits shared by every bot process on one Redis: the GCRA script makes the same
 * decisions as this process's token buckets (a burst of `capacity`, then one every `refillMs`), whichever
 * process a member's commands reach. When Redis does not answer, commands are let through and the failure
 * logged: the inference queue's bound still protects the workers, and members are not refused for it.
 */
export class RedisRateLimiter implements RateLimit {
  readonly #redis: CoordinationRedis;
  readonly #options: RateLimitOptions;
  readonly #onError: (error: unknown) => void;

  constructor(redis: CoordinationRedis, options: RateLimitOptions, onError: (error: unknown) => void) {
    if (!(options.capacity >= 1) || !(options.refillMs > 0)) {
      throw new RangeError('rate limit needs capacity >= 1 and refillMs > 0');
    }
    this.#redis = redis;
    this.#options = options;
    this.#onError = onError;
  }

  /** Takes one token for `key` in Redis, or says how many whole seconds until one is available. */
  async take(key: string): Promise<RateDecision> {
    let waitMs: number;
    try {
      waitMs = await this.#redis.gcra(
        `${SHARED_PREFIX}rate:${key}`,
        this.#options.refillMs,
        this.#options.capacity,
      );
    } catch (error) {
      this.#onError(error);
      return { ok: true };
    }
    return waitMs <= 0
      ? { ok: true }
      : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
