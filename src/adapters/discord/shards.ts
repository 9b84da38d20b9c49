import type { ClientOptions } from 'discord.js';
import type { DiscordShards } from '../../config/index.ts';

/**
 * The discord.js client options for this process's shards, using discord.js's own sharding: `auto` asks
 * Discord (`GET /gateway/bot`) how many shards the bot needs and runs them all here; explicit ids run
 * those shards of `count`, so several machines can split one bot. Unset keeps discord.js's default, one
 * shard. Shards are spawned and identified by discord.js, which respects Discord's identify rate limit.
 */
export function shardOptions(
  shards: DiscordShards | undefined,
): Pick<ClientOptions, 'shards' | 'shardCount'> {
  if (shards === undefined) return {};
  if (shards === 'auto') return { shards: 'auto' };
  return { shards: shards.ids, shardCount: shards.count };
}
