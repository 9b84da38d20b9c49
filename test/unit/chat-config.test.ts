import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { downloadLimited } from '../../src/chat/download.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { RateLimiter } from '../../src/chat/rate-limit.ts';
import {
  ENV_VARS,
  loadConfig,
  loadCoreConfig,
  NO_PLATFORM_HELP,
  renderEnvExample,
  secretsOf,
} from '../../src/config/index.ts';
import { redact } from '../../src/config/redact.ts';
import { ConfigError, UserError } from '../../src/errors.ts';
import { expiringCache } from '../../src/util/expiring-cache.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'config');
    return err.message;
  }
  assert.fail('expected a configuration error');
}

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789';

describe('config', () => {
  it('reads the core settings once: store, face backend (any case), precision, workers, debug', () => {
    const config = loadCoreConfig({
      LOOKALIKE_STORE: 'memory://',
      FACE_BACKEND: 'ONNX',
      FACE_PRECISION: 'INT8',
      LOOKALIKE_WORKERS: '2',
      LOOKALIKE_DEBUG: '1',
    });
    assert.deepEqual(config, {
      storeUrl: 'memory://',
      faceBackend: 'onnx',
      facePrecision: 'int8',
      workers: 2,
      debug: true,
    });
    assert.equal(loadCoreConfig({}).facePrecision, 'auto');
    assert.match(
      configError({ FACE_PRECISION: 'int4' }),
      /FACE_PRECISION must be auto, int8 or fp32, got "int4"/,
    );
    assert.equal(loadConfig({ FACE_BACKEND: 'Wasm' }).faceBackend, 'wasm');
    assert.equal(loadCoreConfig({ LOOKALIKE_DEBUG: 'off' }).debug, false);
    assert.match(configError({ LOOKALIKE_WORKERS: 'many' }), /LOOKALIKE_WORKERS must be a whole number/);
  });

  it('renders .env.example from the one table of variables, which the help text also lists', () => {
    assert.equal(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8'), renderEnvExample());
    for (const name of ENV_VARS) assert.match(renderEnvExample(), new RegExp(`^${name}=`, 'm'));
    assert.match(NO_PLATFORM_HELP, /LOOKALIKE_STORE, FACE_BACKEND, FACE_PRECISION, LOOKALIKE_WORKERS/);
  });

  it('has defaults and every platform optional', () => {
    const config = loadConfig({});
    assert.equal(config.discord, undefined);
    assert.equal(config.slack, undefined);
    assert.deepEqual(config.adminUserIds, []);
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.faceBackend, 'auto');
  });

  it('reads a full Discord and Slack setup', () => {
    const config = loadConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_APP_ID: '123456789012',
      DISCORD_GUILD_ID: '987654321098',
      DISCORD_API_URL: 'http://127.0.0.1:8080/api/v10/',
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_SIGNING_SECRET: 'shh-secret',
      SLACK_MODE: 'http',
      ADMIN_USER_IDS: ' 1, discord:2 ,,',
      LOOKALIKE_STORE: 'memory://',
      FACE_BACKEND: 'wasm',
      PORT: '0',
    });
    assert.equal(
      config.discord?.apiUrl,
      'http://127.0.0.1:8080/api',
      'the version is dropped, discord.js adds it',
    );
    assert.equal(config.discord?.guildId, '987654321098');
    assert.equal(config.slack?.mode, 'http');
    assert.deepEqual(config.adminUserIds, ['1', 'discord:2']);
    assert.equal(config.port, 0);
    assert.deepEqual(secretsOf(config), [TOKEN, 'xoxb-1-2-3', 'shh-secret']);
  });

  it('names what a partly configured platform is missing, all problems at once, without secrets', () => {
    const message = configError({
      DISCORD_TOKEN: TOKEN,
      SLACK_BOT_TOKEN: 'xoxb-1',
      PORT: 'x',
      FACE_BACKEND: 'gpu',
    });
    assert.match(message, /Discord is partly configured \(DISCORD_TOKEN set\) but DISCORD_APP_ID is missing/);
    assert.match(message, /Slack \(socket mode\) .* SLACK_APP_TOKEN is missing/);
    assert.match(message, /PORT must be/);
    assert.match(message, /FACE_BACKEND must be/);
    assert.ok(!message.includes(TOKEN));
    assert.match(
      configError({ DISCORD_GUILD_ID: '1234567' }),
      /DISCORD_TOKEN and DISCORD_APP_ID are missing/,
    );
    assert.match(
      configError({ SLACK_MODE: 'http', SLACK_BOT_TOKEN: 'x' }),
      /SLACK_SIGNING_SECRET is missing/,
    );
    assert.match(
      configError({ DISCORD_TOKEN: 't', DISCORD_APP_ID: 'abc' }),
      /DISCORD_APP_ID must be a numeric id/,
    );
  });
});

describe('redaction and logging', () => {
  it('hides configured secrets and token-shaped strings', () => {
    const text = `token ${TOKEN} slack xoxb-123456789012-abcdef app xapp-1-A0-123456789 Bot abcdefghijklmnopqrstuvwxyz`;
    const out = redact(`${text} /interactions/123/aW50ZXJhY3Rpb246MTIzOnNlY3JldA/callback custom-secret-1`, [
      'custom-secret-1',
    ]);
    assert.doesNotMatch(out, /GabcDE|xoxb-123|xapp-1-A0|abcdefghijklmnopqrstuvwxyz|aW50ZXJh|custom-secret-1/);
    assert.match(out, /\/interactions\/123\/\[redacted\]\/callback/);
  });

  it('writes one redacted line per entry at or above the level', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), level: 'info', secrets: ['my-long-secret'] });
    log.debug('hidden');
    log.error('failed with my-long-secret', { error: new Error('boom my-long-secret') });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /ERROR failed with \[redacted\] \{"error":\{"name":"Error","message":"boom \[redacted\]"/,
    );
  });
});

describe('rate limiter', () => {
  it('refills over time up to the capacity', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 1, refillMs: 2_500 }, () => now);
    assert.deepEqual(limiter.take('a'), { ok: true });
    assert.deepEqual(limiter.take('a'), { ok: false, retryAfterSeconds: 3 });
    now = 2_500;
    assert.deepEqual(limiter.take('a'), { ok: true });
  });

  it('forgets a bucket once it would be full again, and bounds how many it keeps', () => {
    let now = 0;
    const cache = expiringCache<string, number>({ max: 2, ttlMs: 1_000, now: () => now });
    cache.set('a', 1);
    now = 999;
    assert.equal(cache.get('a'), 1);
    now = 1_001;
    assert.equal(cache.get('a'), undefined);
    for (const key of ['x', 'y', 'z']) cache.set(key, 0);
    assert.deepEqual([...cache.keys()].sort(), ['y', 'z']);
  });
});

describe('limited downloads', () => {
  let base = '';
  const server = createServer((req, res) => {
    if (req.url === '/small') return res.end(Buffer.alloc(100, 1));
    if (req.url === '/liar') {
      // No Content-Length: the limit must hold while streaming.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(Buffer.alloc(600));
      return res.end(Buffer.alloc(600));
    }
    if (req.url === '/big') {
      res.writeHead(200, { 'content-length': '5000' });
      return res.end(Buffer.alloc(5000));
    }
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 2_000).unref();
    res.writeHead(404).end();
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const code = (expected: string) => (err: unknown) => err instanceof UserError && err.code === expected;

  it('downloads within the limits and refuses too large files by announced size, header or stream', async () => {
    assert.equal((await downloadLimited(`${base}/small`, { maxBytes: 1000 })).byteLength, 100);
    let fetched = false;
    const spy: typeof fetch = async (...args) => {
      fetched = true;
      return fetch(...args);
    };
    await assert.rejects(
      downloadLimited(`${base}/small`, { maxBytes: 10, announcedSize: 11, fetchImpl: spy }),
      code('file_too_large'),
    );
    assert.equal(fetched, false, 'refused before downloading');
    await assert.rejects(downloadLimited(`${base}/big`, { maxBytes: 1000 }), code('file_too_large'));
    await assert.rejects(downloadLimited(`${base}/liar`, { maxBytes: 1000 }), code('file_too_large'));
  });

  it('times out and reports HTTP errors kindly', async () => {
    await assert.rejects(downloadLimited(`${base}/slow`, { timeoutMs: 100 }), code('timeout'));
    await assert.rejects(downloadLimited(`${base}/missing`), /HTTP 404/);
  });
});
