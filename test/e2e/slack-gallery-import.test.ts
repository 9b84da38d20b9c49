// `/gallery import` on Slack, end to end: slash commands carry no files, so the admin shares the ZIP (or
// a pack) in the channel first and the adapter remembers it, as it remembers photos. The real app in
// http mode through Bolt, the real engine, and the Slack stand-in serving the files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeZip } from '../../src/gallery/zip-archive.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { messageEventBody } from '../fixtures/slack-payloads.ts';
import type { RecordedCall } from '../fixtures/slack-standin.ts';
import { BOT_TOKEN, SlackAppHarness } from '../support/slack-app.ts';

const SECRET = 'import-signing-secret-0123456789abcdef';
const GENERAL = 'C0GENERAL';
const ADMIN = 'U0ADMIN';
const BOB = 'U0BOB';

function blocksText(call: RecordedCall): string {
  return `${String(call.args.text)} ${JSON.stringify(call.args.blocks ?? [])}`;
}

async function photoZip(): Promise<Buffer> {
  const entries = ['penny', 'sheldon', 'amy'].flatMap((person) =>
    [1, 2].map((i) => ({
      path: `faces/${person}/${person}${i}.png`,
      data: new Uint8Array(readFileSync(path.join(BBT_DIR, person, `${person}${i}.png`))),
    })),
  );
  entries.push({ path: 'faces/readme.txt', data: new TextEncoder().encode('not a photo') });
  return Buffer.from(await writeZip(entries));
}

describe('Slack /gallery import with a shared ZIP (http mode, stand-in Slack, real engine)', {
  timeout: 300_000,
}, () => {
  const harness = new SlackAppHarness(SECRET);
  const { standin } = harness;
  const command = (userId: string, name: string, text = '') => harness.command(userId, name, text, GENERAL);
  const ephemeralTo = (userId: string) => (c: RecordedCall) =>
    c.method === 'chat.postEphemeral' && c.args.user === userId && !/Working on it/.test(String(c.args.text));
  const channelMessage = (c: RecordedCall) => c.method === 'chat.postMessage' && c.args.channel === GENERAL;

  // Shares file objects (from standin.file, or made up) as one message of `userId`.
  async function shareFiles(userId: string, files: Record<string, unknown>[]): Promise<number> {
    const from = standin.calls.length;
    const { body } = messageEventBody({
      teamId: standin.teamId,
      botUserId: standin.botUserId,
      channelId: GENERAL,
      userId,
      files,
    });
    assert.equal((await harness.post(JSON.stringify(body), 'application/json')).status, 200);
    return from;
  }

  before(async () => {
    await harness.start([
      { id: ADMIN, name: 'admin', admin: true },
      { id: BOB, name: 'bob' },
    ]);
  });
  after(() => harness.stop());

  it('asks for the ZIP when only a photo was shared, and never takes a ZIP for a photo', async () => {
    // First, while the admin has shared no ZIP yet.
    await shareFiles(ADMIN, [standin.file('penny/penny3.png')]);
    let from = await command(ADMIN, '/gallery', 'import');
    const hint = await standin.waitFor(ephemeralTo(ADMIN), { from, timeoutMs: 15_000 });
    assert.match(String(hint.args.text), /first share the \.zip/);

    await shareFiles(BOB, [standin.file('bob.zip', await photoZip(), 'application/zip')]);
    from = await command(BOB, '/lookalike');
    const photoHint = await standin.waitFor(ephemeralTo(BOB), { from, timeoutMs: 15_000 });
    assert.match(String(photoHint.args.text), /post a selfie in this channel/);
    assert.ok(!standin.calls.slice(from).some((c) => c.method === 'download'), 'the ZIP was not downloaded');
  });

  it('imports the ZIP the admin shared, downloaded with the bot token, with progress in the channel', async () => {
    const zip = standin.file('faces.zip', await photoZip(), 'application/zip');
    await shareFiles(ADMIN, [zip]);
    const from = await command(ADMIN, '/gallery', 'import');
    const summary = await standin.waitFor(
      (c) => channelMessage(c) && /Imported 6 photos/.test(blocksText(c)),
      {
        from,
        timeoutMs: 120_000,
      },
    );
    assert.match(blocksText(summary), /Added 6 photos of 3 people/);
    assert.match(blocksText(summary), /readme\.txt/);
    const downloads = standin.calls.slice(from).filter((c) => c.method === 'download');
    assert.deepEqual(
      downloads.map((d) => [d.args.file, d.token]),
      [[zip.id, BOT_TOKEN]],
    );
    // The progress message is posted, then edited to say how it ended.
    const edits = standin.calls.slice(from).filter((c) => c.method === 'chat.update');
    assert.match(String(edits.at(-1)?.args.text ?? blocksText(edits.at(-1)!)), /Import finished/);
  });

  it('re-imports its own exported pack, adding nothing', async () => {
    let from = await command(ADMIN, '/gallery', 'export');
    const exported = await standin.waitFor(
      (c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === GENERAL,
      { from, timeoutMs: 60_000 },
    );
    const fileId = (exported.args.files as { id: string }[])[0]!.id;
    const pack = standin.uploaded(fileId);
    assert.ok(pack, 'the pack was uploaded');
    await shareFiles(ADMIN, [standin.file('lookalike-gallery.zip', pack, 'application/zip')]);
    from = await command(ADMIN, '/gallery', 'import');
    const summary = await standin.waitFor(
      (c) => channelMessage(c) && /Nothing imported/.test(blocksText(c)),
      {
        from,
        timeoutMs: 120_000,
      },
    );
    assert.match(blocksText(summary), /Duplicates \(6\)/);
  });

  it('keeps the file-host check: a ZIP hosted elsewhere is refused and the token is not sent there', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('PK');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/evil.zip`;
    try {
      const file = { id: 'FEVIL00001', name: 'evil.zip', mimetype: 'application/zip', url_private: url };
      await shareFiles(ADMIN, [file]);
      const from = await command(ADMIN, '/gallery', 'import');
      const refusal = await standin.waitFor(ephemeralTo(ADMIN), { from, timeoutMs: 15_000 });
      assert.match(String(refusal.args.text), /only download files hosted by Slack/);
      assert.deepEqual(seen, []);
    } finally {
      elsewhere.closeAllConnections();
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it('left the gallery with the three people of the ZIP', async () => {
    const from = await command(BOB, '/gallery', 'list');
    const list = await standin.waitFor(channelMessage, { from });
    assert.match(String(list.args.text), /3 people, 6 photos/);
  });
});
