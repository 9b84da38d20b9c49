// The Lua scripts behind the state that bot processes share. Each runs atomically in Redis, which is what
// makes them safe under contention; ioredis's defineCommand loads each once (EVALSHA) and names it.

/**
 * A channel's lock: `SET lock token NX PX ttl`, where the token comes from `INCR` on the channel's fence
 * counter. Both happen in one script, so a token is issued only together with the lock and the counter
 * always holds the newest holder's token. KEYS: lock, fence counter; ARGV: ttl ms. Returns the token, or 0.
 */
export const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'NX', 'PX', ARGV[1])
return token`;

/** Deletes the lock only while `token` still holds it. KEYS: lock; ARGV: token. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Extends the lock only while `token` still holds it. KEYS: lock; ARGV: token, ttl ms. */
export const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * The fenced write of a channel's game: applied only when `token` is still the newest the fence counter
 * issued, so a holder whose lock expired (a long pause, a partition) cannot overwrite a newer holder's
 * state. An empty value deletes. KEYS: fence counter, state, index of channels; ARGV: token, JSON, channel.
 * Returns 1 when written, 0 when fenced off.
 */
export const FENCED_WRITE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[3])
else
  redis.call('SET', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[3])
end
return 1`;

/**
 * GCRA (the generic cell rate algorithm, as in redis-cell and the classic token-bucket-in-Lua): the same
 * decisions as RateLimiter's token bucket, a burst of `capacity` then one every `interval` ms, kept as one
 * "theoretical arrival time" per key. Redis's own clock decides, so bot processes' clocks need not agree.
 * KEYS: the member's key; ARGV: interval ms, capacity. Returns 0 when allowed, else ms until a token.
 */
export const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local wait = tat - now - (capacity - 1) * interval
if wait > 0 then return wait end
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now)
return 0`;
