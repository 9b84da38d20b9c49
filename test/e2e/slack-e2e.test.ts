// End to end on Slack in http mode: the real app (startApp, as `npm start` runs it) with Bolt's HTTP
// receiver on loopback, the real face engine and commands. The test signs requests as Slack does, and
// Slack's Web API, file hosting and upload URL are a local stand-in reached through SLACK_API_URL.
// E2E_LOG=1 prints the bot's log while it runs.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { commandBody, messageEventBody, messageShortcutPayload } from '../fixtures/slack-payloads.ts';
import type { RecordedCall } from '../fixtures/slack-standin.ts';
import { BOT_TOKEN, SlackAppHarness } from '../support/slack-app.ts';

const SECRET = 'e2e-signing-secret-0123456789abcdef';
const GENERAL = 'C0GENERAL';
const SELFIES = 'C0SELFIES';
const RANDOM = 'C0RANDOM';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const DAVE = 'U0DAVE';
const EVE = 'U0EVE';

function blocksText(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks ?? []);
}

describe('Slack bot end to end (http mode, stand-in Slack, real engine)', { timeout: 300_000 }, () => {
  const harness = new SlackAppHarness(SECRET);
  const { standin } = harness;
  const post = harness.post.bind(harness);
  const command = (userId: string, name: string, text = '', channelId = GENERAL) =>
    harness.command(userId, name, text, channelId);
  const share = harness.share.bind(harness);

  const ephemeralTo = (userId: string) => (c: RecordedCall) =>
    c.method === 'chat.postEphemeral' && c.args.user === userId && !/Working on it/.test(String(c.args.text));
  const shareIn = (channelId: string) => (c: RecordedCall) =>
    c.method === 'files.completeUploadExternal' && c.args.channel_id === channelId;

  /** Runs the message shortcut as `userId` on `message`; returns where its calls start. */
  async function shortcut(userId: string, message: Parameters<typeof messageShortcutPayload>[0]['message']) {
    const from = standin.calls.length;
    const payload = messageShortcutPayload({
      teamId: standin.teamId,
      channelId: GENERAL,
      userId,
      callbackId: 'who_do_they_look_like',
      message,
      responseUrl: standin.responseUrl(),
    });
    const sent = performance.now();
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const res = await post(body, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200, 'acknowledged');
    assert.ok(performance.now() - sent < 3_000, "acknowledged within Slack's 3 seconds");
    return from;
  }

  async function decodedUpload(call: RecordedCall) {
    const fileId = (call.args.files as { id: string }[])[0]?.id ?? '';
    const bytes = standin.uploaded(fileId);
    assert.ok(bytes && bytes.byteLength > 0, 'the picture was uploaded to upload_url');
    return sharp(bytes).metadata();
  }

  before(async () => {
    const started = performance.now();
    await harness.start([
      { id: ADMIN, name: 'admin', admin: true },
      ...[BOB, CAROL, DAVE].map((id) => ({ id, name: id.slice(2).toLowerCase() })),
      { id: EVE, name: 'eve', avatar: 'penny/penny5.png' },
    ]);
    console.log(`start-up (engine + Bolt): ${Math.round(performance.now() - started)} ms`);
  });

  after(() => harness.stop());

  it('starts in http mode against SLACK_API_URL with the bot token', () => {
    const auth = standin.calls.find((c) => c.method === 'auth.test');
    assert.equal(auth?.token, BOT_TOKEN);
  });

  it('rejects a bad signature and a stale timestamp, and runs nothing for them', async () => {
    const body = commandBody({
      teamId: standin.teamId,
      channelId: GENERAL,
      userId: 'U0MALLORY',
      command: '/help',
      responseUrl: standin.responseUrl(),
    });
    const type = 'application/x-www-form-urlencoded';
    assert.equal((await post(body, type, { signWith: 'not-the-secret' })).status, 401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    assert.equal((await post(body, type, { timestamp: stale })).status, 401);

    // A valid command afterwards is answered, and nothing ever happened for the rejected ones.
    const from = await command(BOB, '/help');
    const help = await standin.waitFor(ephemeralTo(BOB), { from });
    assert.match(String(help.args.text), /lookalike/i);
    assert.match(blocksText(help), /On Slack/);
    assert.ok(!standin.calls.some((c) => JSON.stringify(c.args).includes('U0MALLORY')));
  });

  it('enrols two people with /enroll after an admin shares their photos', async () => {
    for (const [name, files] of [
      ['Penny', ['penny/penny1.png', 'penny/penny2.png', 'penny/penny3.png']],
      ['Sheldon', ['sheldon/sheldon1.png', 'sheldon/sheldon2.png', 'sheldon/sheldon3.png']],
    ] as const) {
      await share(ADMIN, GENERAL, [...files]);
      const from = await command(ADMIN, '/enroll', name);
      const answer = await standin.waitFor(
        (c) => c.method === 'chat.postMessage' && c.args.channel === GENERAL,
        {
          from,
          timeoutMs: 90_000,
        },
      );
      assert.match(blocksText(answer), new RegExp(`Added 3 photos of \\*${name}\\*`));
      const downloads = standin.calls.slice(from).filter((c) => c.method === 'download');
      assert.equal(downloads.length, 3);
      assert.ok(
        downloads.every((d) => d.token === BOT_TOKEN),
        'url_private is fetched with the bot token',
      );
    }
  });

  it('answers a photo in a watched channel in its thread, with the picture uploaded', async () => {
    let from = await command(ADMIN, '/watch', 'on', SELFIES);
    const on = await standin.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === SELFIES, {
      from,
    });
    assert.match(String(on.args.text), /answer every photo/);

    const posted = await share(CAROL, SELFIES, ['sheldon/sheldon4.png']);
    from = posted.from;
    const reply = await standin.waitFor(shareIn(SELFIES), { from, timeoutMs: 90_000 });
    console.log(`watched photo: event sent -> picture shared ${Math.round(reply.at - posted.at)} ms`);
    assert.equal(reply.args.thread_ts, posted.ts, 'answered in the photo thread');
    assert.match(blocksText(reply), /Sheldon/);
    const meta = await decodedUpload(reply);
    assert.equal(meta.format, 'png');
    assert.ok((meta.width ?? 0) > 0 && (meta.height ?? 0) > 0);
  });

  it('answers an @mention with a photo once, though Slack sends it as message and app_mention', async () => {
    const text = `<@${standin.botUserId}> who is this?`;
    const posted = await share(CAROL, GENERAL, ['penny/penny4.png'], { text });
    const mention = messageEventBody({
      teamId: standin.teamId,
      botUserId: standin.botUserId,
      channelId: GENERAL,
      userId: CAROL,
      ts: posted.ts,
      text,
      type: 'app_mention',
      files: (posted.body.event as { files: Record<string, unknown>[] }).files,
    });
    assert.equal((await post(JSON.stringify(mention.body), 'application/json')).status, 200);
    const reply = await standin.waitFor((c) => shareIn(GENERAL)(c) && c.args.thread_ts === posted.ts, {
      from: posted.from,
      timeoutMs: 90_000,
    });
    assert.match(blocksText(reply), /Penny/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const answers = standin.calls.filter((c) => shareIn(GENERAL)(c) && c.args.thread_ts === posted.ts);
    assert.equal(answers.length, 1);
  });

  it('/lookalike uses the photo the caller shared just before', async () => {
    await share(DAVE, GENERAL, ['sheldon/sheldon5.png']);
    const from = await command(DAVE, '/lookalike');
    const reply = await standin.waitFor(shareIn(GENERAL), { from, timeoutMs: 90_000 });
    assert.equal(reply.args.thread_ts, undefined, 'a command answer is a channel message');
    assert.match(blocksText(reply), /Sheldon/);
    assert.equal((await decodedUpload(reply)).format, 'png');
  });

  it('/lookalike falls back to the profile photo, and explains when there is none', async () => {
    let from = await command(EVE, '/lookalike', '', RANDOM);
    const reply = await standin.waitFor(shareIn(RANDOM), { from, timeoutMs: 90_000 });
    assert.match(blocksText(reply), /Penny/);

    from = await command(CAROL, '/lookalike', '', RANDOM);
    const hint = await standin.waitFor(ephemeralTo(CAROL), { from, timeoutMs: 10_000 });
    assert.match(String(hint.args.text), /post a selfie in this channel/);
  });

  it('answers the "Who do they look like?" shortcut in the message thread, acknowledged within 3 s', async () => {
    // Carol's photo, and Bob asks about it from the message's menu.
    const posted = await share(CAROL, GENERAL, ['penny/penny5.png']);
    const files = (posted.body.event as { files: Record<string, unknown>[] }).files;
    let from = await shortcut(BOB, { ts: posted.ts, user: CAROL, files });
    const reply = await standin.waitFor((c) => shareIn(GENERAL)(c) && c.args.thread_ts === posted.ts, {
      from,
      timeoutMs: 90_000,
    });
    assert.match(blocksText(reply), /They look like \*?Penny|That's Penny in person/);
    assert.equal((await decodedUpload(reply)).format, 'png');
    const download = standin.calls.slice(from).find((c) => c.method === 'download');
    assert.equal(download?.token, BOT_TOKEN, 'url_private is fetched with the bot token');

    // On a reply inside a thread, the answer joins that thread.
    const parent = posted.ts;
    const inThread = await share(CAROL, GENERAL, ['sheldon/sheldon4.png']);
    const threadFiles = (inThread.body.event as { files: Record<string, unknown>[] }).files;
    from = await shortcut(BOB, { ts: inThread.ts, user: CAROL, files: threadFiles, threadTs: parent });
    const threaded = await standin.waitFor(
      (c) => shareIn(GENERAL)(c) && c.args.thread_ts === parent && /Sheldon/.test(blocksText(c)),
      { from, timeoutMs: 90_000 },
    );
    assert.ok(threaded);
  });

  it('never sends the bot token to a host that is not Slack from a shortcut', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'image/png' }).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/penny.png`;
      const file = {
        id: 'FELSEWHERE',
        name: 'penny.png',
        mimetype: 'image/png',
        url_private: url,
        url_private_download: url,
      };
      const from = await shortcut(DAVE, { ts: '1700000000.000100', user: CAROL, files: [file] });
      const refusal = await standin.waitFor(ephemeralTo(DAVE), { from, timeoutMs: 30_000 });
      assert.match(String(refusal.args.text), /only download files hosted by Slack/);
      assert.equal(refusal.args.thread_ts, '1700000000.000100', 'told privately in the thread');
      assert.deepEqual(seen, [], 'nothing was requested from the other host');
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it('kept the gallery to the admin enrolments', async () => {
    const from = await command(CAROL, '/gallery', 'list');
    const list = await standin.waitFor((c) => c.method === 'chat.postMessage', { from });
    assert.match(String(list.args.text), /2 people, 6 photos/);
  });
});
