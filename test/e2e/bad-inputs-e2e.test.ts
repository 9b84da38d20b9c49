// Issue 12's bad-input corpus (test/fixtures/bad-inputs.ts) through every entry point: the `lookalike infer`
// command line, the playground's HTTP API, the real discord.js client against the Discord stand-in and the
// real Bolt app against the Slack stand-in. Each kind must get a reply naming its problem, the entry point
// must keep answering afterwards, and the store must be exactly as before (nothing half-written).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { CSRF_HEADER } from '../../src/adapters/playground/server.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { type BadInput, badInputs } from '../fixtures/bad-inputs.ts';
import { dataDir } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest } from '../fixtures/discord-standin.ts';
import { messageEventBody } from '../fixtures/slack-payloads.ts';
import type { RecordedCall } from '../fixtures/slack-standin.ts';
import { CLI_BIN } from '../support/cli-run.ts';
import { BOT_TOKEN, SlackAppHarness } from '../support/slack-app.ts';
import { dumpDifference, dumpSqliteStore } from '../support/store-dump.ts';

const run = promisify(execFile);
const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GstAnd.bad-inputs-token-only-for-the-stand-in';
const SLACK_SECRET = 'bad-inputs-signing-secret-0123456789';
/** What a reply naming a celebrity looks like: the gallery holds exactly these two. */
const ANSWER = /Penny|Sheldon/;

/** The text a chat member should see for an input. */
function expectedText(input: BadInput): RegExp {
  return 'text' in input.expect ? input.expect.text : ANSWER;
}

/** Runs `fn` over every input, collecting mismatches so that one failure lists them all. */
async function everyKind(
  inputs: BadInput[],
  fn: (input: BadInput) => Promise<string>,
): Promise<{ kind: string; got: string }[]> {
  const wrong: { kind: string; got: string }[] = [];
  for (const input of inputs) {
    const got = await fn(input);
    if (!expectedText(input).test(got)) wrong.push({ kind: input.kind, got: got.slice(0, 300) });
  }
  return wrong;
}

function logger(lines: string[]) {
  return createLogger({
    level: 'debug',
    secrets: [DISCORD_TOKEN, BOT_TOKEN, SLACK_SECRET],
    write: (line) => {
      lines.push(line);
      if (process.env.E2E_LOG) process.stderr.write(`${line}\n`);
    },
  });
}

describe('the bad-input corpus through every entry point', { timeout: 600_000 }, () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'lookalike-bad-'));
  const storeFile = path.join(tmp, 'store.sqlite');
  const storeUrl = `sqlite://${storeFile}`;
  const env = { ...process.env, LOOKALIKE_WORKERS: '1' };
  let inputs: BadInput[] = [];
  let baseline = new Map<string, string>();
  const workers = process.env.LOOKALIKE_WORKERS;

  const assertStoreUnchanged = async (where: string) => {
    const changes = dumpDifference(baseline, await dumpSqliteStore(storeFile));
    assert.deepEqual(changes, [], `${where} left these store rows behind`);
  };

  before(async () => {
    const bbt = path.join(dataDir(), 'bbt');
    process.env.LOOKALIKE_WORKERS = '1';
    inputs = await badInputs();
    assert.ok(inputs.length >= 25, 'at least 25 kinds');
    for (const input of inputs) writeFileSync(path.join(tmp, input.name), input.bytes);
    // The global gallery every entry point falls back to; enrolled once, through the command line.
    for (const [name, folder] of [
      ['Penny', 'penny'],
      ['Sheldon', 'sheldon'],
    ] as const) {
      const photos = [1, 2, 3].map((i) => path.join(bbt, folder, `${folder}${i}.png`));
      await run(process.execPath, [CLI_BIN, 'enroll', '--store', storeUrl, '--name', name, ...photos], {
        env,
      });
    }
    baseline = await dumpSqliteStore(storeFile);
    assert.ok(baseline.size > 0, 'the gallery was written');
  });

  after(() => {
    rmSync(tmp, { recursive: true, force: true });
    if (workers === undefined) delete process.env.LOOKALIKE_WORKERS;
    else process.env.LOOKALIKE_WORKERS = workers;
  });

  it('the command line reports every kind in one run, then answers a good photo', async () => {
    const good = path.join(dataDir(), 'bbt', 'penny', 'penny4.png');
    const files = [...inputs.map((i) => path.join(tmp, i.name)), good];
    const { stdout } = await run(
      process.execPath,
      [CLI_BIN, 'infer', '--store', storeUrl, '--json', ...files],
      {
        env,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const records = stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { file: string; faces: { match: { name: string } | null }[]; error?: string },
      );
    assert.equal(records.length, files.length, 'one record per file, in order');
    const wrong = await everyKind(inputs, async (input) => {
      const r = records.find((x) => x.file.endsWith(`/${input.name}`));
      if (!r) return '(no record)';
      if (r.error) return r.error;
      // The command line reports "no face" as an empty list, not as an error.
      if (r.faces.length === 0) return "I couldn't find a face";
      return r.faces.map((f) => f.match?.name ?? 'no match').join(', ');
    });
    assert.deepEqual(wrong, []);
    assert.match(
      records.at(-1)?.faces[0]?.match?.name ?? '',
      /penny/i,
      'the good photo after them is answered',
    );
    await assertStoreUnchanged('lookalike infer');
  });

  it('the playground HTTP API answers every kind, then a good photo', async () => {
    const lines: string[] = [];
    const app = await startApp(loadConfig({ LOOKALIKE_STORE: storeUrl, HOST: '127.0.0.1', PORT: '0' }), {
      logger: logger(lines),
    });
    try {
      const url = (app.adapters[0] as PlaygroundAdapter).url;
      const post = async (name: string, type: string, bytes: Uint8Array) => {
        const form = new FormData();
        form.set('text', '/lookalike');
        form.append('files', new Blob([new Uint8Array(bytes)], { type }), name);
        const res = await fetch(`${url}api/command`, {
          method: 'POST',
          body: form,
          headers: { [CSRF_HEADER]: '1' },
        });
        assert.equal(res.status, 200, `${name}: HTTP ${res.status}`);
        const body = (await res.json()) as { replies: { text: string; title?: string }[] };
        return body.replies.map((r) => `${r.title ?? ''} ${r.text}`).join('\n');
      };
      const wrong = await everyKind(inputs, (input) => post(input.name, input.contentType, input.bytes));
      assert.deepEqual(wrong, []);
      const good = inputs.find((i) => i.expect.code === 'answer')!;
      assert.match(await post('again.png', 'image/png', good.bytes), ANSWER);
    } finally {
      await app.stop();
    }
    await assertStoreUnchanged('the playground');
  });

  it('the Discord bot (real discord.js, stand-in Discord) answers every kind, then a good photo', async () => {
    const standin = new DiscordStandin({ dataDir: path.join(dataDir(), 'bbt') });
    for (const input of inputs) standin.addFile(input.name, input.bytes, input.contentType);
    await standin.start();
    const lines: string[] = [];
    const config = loadConfig({
      DISCORD_TOKEN,
      DISCORD_APP_ID: standin.appId,
      DISCORD_API_URL: standin.apiUrl,
      LOOKALIKE_STORE: storeUrl,
    });
    let app: RunningApp | undefined;
    try {
      app = await startApp(config, { logger: logger(lines), rateLimit: false, discordMessageContent: false });
      const user = { id: '500000000000000077', username: 'stranger' };
      const ask = async (file: string) => {
        const from = standin.requests.length;
        const { token } = await standin.dispatchInteraction({
          name: 'lookalike',
          user,
          options: [{ name: 'image', type: 11, file }],
        });
        const webhook = `/webhooks/${standin.appId}/${token}`;
        // An answer edits the deferred reply with its embed; an error goes out as a private follow-up
        // (after the placeholder "…" edit, which is neither).
        const reply = await standin.waitFor(
          (r: RecordedRequest) =>
            (r.method === 'PATCH' &&
              r.path === `${webhook}/messages/@original` &&
              ((r.body?.embeds ?? []) as unknown[]).length > 0) ||
            (r.method === 'POST' && r.path === webhook),
          { from, timeoutMs: 60_000 },
        );
        const embeds = (reply.body?.embeds ?? []) as { title?: string; description?: string }[];
        return [String(reply.body?.content ?? ''), ...embeds.map((e) => `${e.title} ${e.description}`)].join(
          '\n',
        );
      };
      const wrong = await everyKind(inputs, (input) => ask(input.name));
      assert.deepEqual(wrong, []);
      assert.match(await ask('penny/penny4.png'), ANSWER, 'a good photo afterwards is answered');
      assert.equal(standin.connections, 1, 'the gateway connection never dropped');
      assert.ok(
        lines.every((l) => !l.includes(DISCORD_TOKEN)),
        'the token never reached the log',
      );
    } finally {
      await app?.stop();
      await standin.close();
    }
    await assertStoreUnchanged('the Discord bot');
  });

  it('the Slack bot (real Bolt, stand-in Slack) answers every kind, then a good photo', async () => {
    const harness = new SlackAppHarness(SLACK_SECRET);
    const member = 'U0STRANGER';
    const channel = 'C0GENERAL';
    try {
      await harness.start(
        [{ id: member, name: 'stranger' }],
        { rateLimit: false },
        { LOOKALIKE_STORE: storeUrl },
      );
      const { standin } = harness;
      const ask = async (name: string, bytes: Uint8Array, type: string) => {
        const from = standin.calls.length;
        const { body, ts } = messageEventBody({
          teamId: standin.teamId,
          botUserId: standin.botUserId,
          channelId: channel,
          userId: member,
          files: [standin.file(name, Buffer.from(bytes), type)],
          text: `<@${standin.botUserId}> who is this?`,
        });
        assert.equal((await harness.post(JSON.stringify(body), 'application/json')).status, 200);
        // An answer is shared in the photo's thread; an error is a private message to the member.
        const reply = await standin.waitFor(
          (c: RecordedCall) =>
            (c.method === 'chat.postEphemeral' &&
              c.args.user === member &&
              !/Working on it/.test(String(c.args.text))) ||
            (c.method === 'files.completeUploadExternal' && c.args.thread_ts === ts) ||
            (c.method === 'chat.postMessage' && c.args.thread_ts === ts),
          { from, timeoutMs: 60_000 },
        );
        return `${String(reply.args.text ?? '')}\n${JSON.stringify(reply.args.blocks ?? [])}`;
      };
      const wrong = await everyKind(inputs, (input) => ask(input.name, input.bytes, input.contentType));
      assert.deepEqual(wrong, []);
      const good = inputs.find((i) => i.expect.code === 'answer')!;
      assert.match(
        await ask('again.png', good.bytes, 'image/png'),
        ANSWER,
        'a good photo afterwards is answered',
      );
      assert.ok(
        harness.logLines.every((l) => !l.includes(BOT_TOKEN) && !l.includes(SLACK_SECRET)),
        'no secret reached the log',
      );
    } finally {
      await harness.stop();
    }
    await assertStoreUnchanged('the Slack bot');
  });
});
