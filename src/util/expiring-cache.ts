import { LRUCache } from 'lru-cache';

/** Options of `expiringCache`. */
export interface ExpiringCacheOptions {
  /** Most entries; beyond it the least recently used go first. */
  max: number;
  /** How long an entry lives after it was set, in ms. */
  ttlMs: number;
  /** The clock (default `Date.now`); tests pass a fake one. */
  now?: () => number;
}

/** A bounded map whose entries expire `ttlMs` after they were set (lru-cache with `max` and `ttl`). */
export function expiringCache<K extends {}, V extends {}>(options: ExpiringCacheOptions): LRUCache<K, V> {
  const now = options.now ?? Date.now;
  return new LRUCache<K, V>({
    max: options.max,
    ttl: options.ttlMs,
    // Exact expiry with injected clocks; and lru-cache reads a start time of 0 as "never expires",
    // which a fake clock starting at 0 would hit, so its times are shifted by 1 ms.
    ttlResolution: 0,
    perf: { now: () => now() + 1 },
  });
}
