// The settings for running Lookalike on several processes and machines: the Redis inference queue and
// Discord sharding. Every one is optional; unset, Lookalike runs in one process exactly as before.

type Env = Record<string, string | undefined>;

/** The Redis inference queue; present only when LOOKALIKE_QUEUE is set. */
export interface QueueConfig {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Waiting photos, over every bot process, before members get "busy, try again". */
  limit?: number;
  /** Milliseconds a photo may wait and be analysed before the member is told to try again. */
  ttlMs?: number;
  /** Milliseconds a worker's lock on a photo lasts; a dead worker's photo is retried after about this. */
  lockMs?: number;
}

/**
 * Which Discord shards this process runs: `auto` (as many as Discord recommends, all here), or the ids
 * this process runs out of `count` over every machine.
 */
export type DiscordShards = 'auto' | { ids: number[]; count: number };

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function whole(env: Env, name: string, min: number, errors: string[]): number | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    errors.push(`${name} must be a whole number of at least ${min}, got "${value}".`);
    return undefined;
  }
  return n;
}

function seconds(env: Env, name: string, errors: string[]): number | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    errors.push(`${name} must be a positive number of seconds, got "${value}".`);
    return undefined;
  }
  return Math.round(n * 1000);
}

/** Reads LOOKALIKE_QUEUE and its tuning; undefined when no queue is configured. */
export function queueConfig(env: Env, errors: string[]): QueueConfig | undefined {
  const url = read(env, 'LOOKALIKE_QUEUE');
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/[^/]/i.test(url)) {
    // Only the scheme is quoted: the URL may carry a password.
    errors.push(`LOOKALIKE_QUEUE must be a redis:// or rediss:// URL, got "${url.split(':')[0]}:…".`);
    return undefined;
  }
  return {
    url,
    limit: whole(env, 'LOOKALIKE_QUEUE_LIMIT', 1, errors),
    ttlMs: seconds(env, 'LOOKALIKE_QUEUE_TTL', errors),
    lockMs: seconds(env, 'LOOKALIKE_QUEUE_LOCK', errors),
  };
}

/**
 * Reads DISCORD_SHARDS (`auto` or a count, every shard in this process) or DISCORD_SHARD_IDS with
 * DISCORD_SHARD_COUNT (this machine's share of the shards); undefined means one shard, as before.
 */
export function discordShards(env: Env, errors: string[]): DiscordShards | undefined {
  const shards = read(env, 'DISCORD_SHARDS');
  const idsText = read(env, 'DISCORD_SHARD_IDS');
  const count = whole(env, 'DISCORD_SHARD_COUNT', 1, errors);
  if (shards !== undefined && (idsText !== undefined || count !== undefined)) {
    errors.push('Set either DISCORD_SHARDS or DISCORD_SHARD_IDS with DISCORD_SHARD_COUNT, not both.');
    return undefined;
  }
  if (shards !== undefined) {
    if (shards === 'auto') return 'auto';
    const n = Number(shards);
    if (!Number.isInteger(n) || n < 1) {
      errors.push(`DISCORD_SHARDS must be "auto" or a whole number of at least 1, got "${shards}".`);
      return undefined;
    }
    return { ids: Array.from({ length: n }, (_, i) => i), count: n };
  }
  if (idsText === undefined && count === undefined) return undefined;
  if (idsText === undefined || count === undefined) {
    errors.push('DISCORD_SHARD_IDS and DISCORD_SHARD_COUNT go together: set both, or neither.');
    return undefined;
  }
  const ids = idsText.split(',').map((id) => Number(id.trim()));
  const bad = ids.some((id) => !Number.isInteger(id) || id < 0 || id >= count);
  if (bad || new Set(ids).size !== ids.length) {
    errors.push(
      `DISCORD_SHARD_IDS must be distinct whole numbers from 0 to ${count - 1} (DISCORD_SHARD_COUNT - 1), got "${idsText}".`,
    );
    return undefined;
  }
  return { ids, count };
}

/**
 * The Redis that bot processes share rate limits and games through: the store's when it is Redis (it
 * persists, so games survive a Redis restart), else LOOKALIKE_QUEUE's; none means one process, as before.
 */
export function sharedStateUrl(config: { storeUrl?: string; queue?: QueueConfig }): string | undefined {
  if (config.storeUrl !== undefined && /^rediss?:\/\//i.test(config.storeUrl)) return config.storeUrl;
  return config.queue?.url;
}
