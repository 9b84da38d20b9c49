import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { DiscordAdapter } from '../../src/adapters/discord/adapter.ts';
import { shardOptions } from '../../src/adapters/discord/shards.ts';
import { Bot } from '../../src/chat/bot.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import { type DiscordConfig, loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { fakeService } from '../fixtures/chat-fakes.ts';
import { DiscordStandin } from '../fixtures/discord-standin.ts';

const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.shards.test-token-not-real';
const BASE = { DISCORD_TOKEN: TOKEN, DISCORD_APP_ID: '100000000000000001' };

function shardsOf(env: Record<string, string>) {
  return loadConfig({ ...BASE, ...env }).discord?.shards;
}

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  throw new Error('expected a configuration error');
}

describe('Discord shard configuration', () => {
  it('reads DISCORD_SHARDS for one machine and shard ids with a count for several', () => {
    assert.equal(shardsOf({}), undefined);
    assert.equal(shardsOf({ DISCORD_SHARDS: 'auto' }), 'auto');
    assert.deepEqual(shardsOf({ DISCORD_SHARDS: '3' }), { ids: [0, 1, 2], count: 3 });
    assert.deepEqual(shardsOf({ DISCORD_SHARD_IDS: '2, 3', DISCORD_SHARD_COUNT: '4' }), {
      ids: [2, 3],
      count: 4,
    });
  });

  it('refuses shard settings that cannot work, naming the variable', () => {
    assert.match(configError({ DISCORD_SHARDS: 'many' }), /DISCORD_SHARDS must be "auto"/);
    assert.match(configError({ DISCORD_SHARDS: '0' }), /DISCORD_SHARDS/);
    assert.match(configError({ DISCORD_SHARD_IDS: '0,4', DISCORD_SHARD_COUNT: '4' }), /from 0 to 3/);
    assert.match(configError({ DISCORD_SHARD_IDS: '1,1', DISCORD_SHARD_COUNT: '4' }), /distinct/);
    assert.match(configError({ DISCORD_SHARD_IDS: '0' }), /go together/);
    assert.match(configError({ DISCORD_SHARDS: '2', DISCORD_SHARD_COUNT: '2' }), /either DISCORD_SHARDS/);
  });

  it("maps them onto discord.js's shards and shardCount client options", () => {
    assert.deepEqual(shardOptions(undefined), {});
    assert.deepEqual(shardOptions('auto'), { shards: 'auto' });
    assert.deepEqual(shardOptions({ ids: [1, 3], count: 4 }), { shards: [1, 3], shardCount: 4 });
  });
});

describe('Discord shards against the stand-in gateway', () => {
  const standin = new DiscordStandin({ dataDir: '/nonexistent', recommendedShards: 2 });

  before(() => standin.start());
  after(() => standin.close());

  async function identifiedShards(shards: DiscordConfig['shards']): Promise<unknown[]> {
    const from = standin.identifies.length;
    const adapter = new DiscordAdapter({
      config: { token: TOKEN, appId: standin.appId, apiUrl: standin.apiUrl, shards },
      logger: silentLogger,
      messageContent: false,
    });
    const bot = new Bot({
      deps: { service: fakeService() },
      commands,
      adminUserIds: [],
      logger: silentLogger,
    });
    await adapter.start(bot);
    try {
      assert.equal(adapter.client?.ws.shards.size, standin.identifies.length - from);
      return standin.identifies
        .slice(from)
        .map((d) => d.shard)
        .sort();
    } finally {
      await adapter.stop();
    }
  }

  it('identifies each of this machine’s shards out of the total', async () => {
    assert.deepEqual(await identifiedShards({ ids: [1, 3], count: 4 }), [
      [1, 4],
      [3, 4],
    ]);
  });

  it('runs as many shards as Discord recommends with auto', async () => {
    assert.deepEqual(await identifiedShards('auto'), [
      [0, 2],
      [1, 2],
    ]);
  });

  it('identifies one shard when nothing is set', async () => {
    assert.deepEqual(await identifiedShards(undefined), [[0, 1]]);
  });
});
