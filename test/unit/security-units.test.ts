// The pieces behind issue 12's security tests, checked alone: the Slack replay guard with a fake clock, the
// Discord attachment host rule, and the logger's redaction of secrets that arrive inside errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDiscordFileUrl } from '../../src/adapters/discord/hosts.ts';
import { ReplayGuard } from '../../src/adapters/slack/replay-guard.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { slackSignature } from '../fixtures/slack-payloads.ts';

const SECRET = 'unit-signing-secret-0123456789';

function signed(body: string, timestamp: number, secret = SECRET) {
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
}

describe('ReplayGuard', () => {
  it('accepts a signed request once, refuses it again until its five minutes are over', () => {
    let now = 1_700_000_000_000;
    const guard = new ReplayGuard({
      signingSecret: SECRET,
      logger: createLogger({ write: () => {} }),
      now: () => now,
    });
    const ts = now / 1000;
    const headers = signed('command=/help', ts);
    assert.equal(guard.check('command=/help', headers), 'ok');
    assert.equal(guard.check('command=/help', headers), 'replayed');
    assert.equal(
      guard.check('command=/lookalike', signed('command=/lookalike', ts)),
      'ok',
      'another body is new',
    );
    now += 5 * 60_000 + 1;
    // Forgotten once Bolt itself refuses the timestamp as stale, so memory stays bounded by the window.
    assert.equal(guard.check('x', signed('x', now / 1000)), 'ok');
    assert.equal(guard.size, 1);
  });

  it('refuses a future-dated request and never remembers a forged one', () => {
    const now = 1_700_000_000_000;
    const guard = new ReplayGuard({
      signingSecret: SECRET,
      logger: createLogger({ write: () => {} }),
      now: () => now,
    });
    assert.equal(guard.check('a', signed('a', now / 1000 + 6 * 60)), 'future');
    assert.equal(guard.check('a', signed('a', now / 1000, 'wrong-secret-0123456789')), 'unverified');
    assert.equal(guard.check('a', {}), 'unverified');
    assert.equal(guard.size, 0);
  });
});

describe('Discord attachment hosts', () => {
  it("allows Discord's CDN over https and the configured API host, nothing else", () => {
    assert.ok(isDiscordFileUrl('https://cdn.discordapp.com/attachments/1/2/a.png'));
    assert.ok(isDiscordFileUrl('https://media.discordapp.net/attachments/1/2/a.png?width=100'));
    assert.ok(isDiscordFileUrl('http://127.0.0.1:8080/files/a.png', ['127.0.0.1:8080']));
    for (const url of [
      'http://cdn.discordapp.com/attachments/1/2/a.png',
      'https://cdn.discordapp.com.evil.example/a.png',
      'https://evil.example/cdn.discordapp.com/a.png',
      'http://127.0.0.1:8081/files/a.png',
      'http://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
      'not a url',
    ]) {
      assert.ok(!isDiscordFileUrl(url, ['127.0.0.1:8080']), url);
    }
  });
});

describe('log redaction', () => {
  it('hides configured secrets and token shapes inside error messages, stacks and nested fields', () => {
    const lines: string[] = [];
    const secret = 'configured-secret-value-123';
    const log = createLogger({ secrets: [secret], write: (l) => lines.push(l) });
    const err = new Error(
      `request failed with Authorization: Bearer xoxb-1111-2222-abcdefghijkl (${secret})`,
    );
    log.error('boom', {
      error: err,
      nested: { url: `https://x/interactions/123/${'a'.repeat(40)}/callback` },
    });
    const line = lines.join('\n');
    assert.ok(!line.includes(secret));
    assert.ok(!line.includes('xoxb-1111'));
    assert.ok(!line.includes('a'.repeat(40)));
    assert.match(line, /\[redacted\]/);
  });
});
