// Slack adapter units with a fake Web client and fetch: downloads with the bot token, the external
// upload flow, where replies go (thread, ephemeral, response_url), edits, and slash commands mapped
// to neutral CommandInputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCommand } from '../../commands/compare.ts';
import { enrollCommand } from '../../commands/enroll.ts';
import { lookalikeCommand } from '../../commands/lookalike.ts';
import { toCommandInput } from '../../src/adapters/slack/command-input.ts';
import { isImageFile, isTrustedHost, toAttachment, uploadImage } from '../../src/adapters/slack/files.ts';
import { SlackOutbox } from '../../src/adapters/slack/outbox.ts';
import type { SlackCommandPayload } from '../../src/adapters/slack/payloads.ts';
import { RecentImages } from '../../src/adapters/slack/recent-images.ts';
import { SlackResponder } from '../../src/adapters/slack/responders.ts';
import { UserDirectory } from '../../src/adapters/slack/users.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import { isAttachment, isUserOption } from '../../src/chat/options.ts';
import type { Command } from '../../src/chat/types.ts';
import { isUserError } from '../../src/errors.ts';
import { fakeFetch, fakeWeb, platformError } from '../support/slack-fakes.ts';

const TOKEN = 'xoxb-1-2-unit';
const image = { name: 'lookalike.png', data: new Uint8Array([1, 2, 3, 4]), alt: 'You next to Penny' };

describe('Slack files', () => {
  it('sends the bot token only to Slack hosts, and recognises images', async () => {
    assert.ok(isTrustedHost('https://files.slack.com/files-pri/T-F/a.png'));
    assert.ok(isTrustedHost('https://files.slack-gov.com/files-pri/T-F/a.png'));
    assert.ok(isTrustedHost('http://127.0.0.1:9/files-pri/x', ['127.0.0.1:9']));
    assert.ok(!isTrustedHost('https://slack.com.evil.example/a.png'));
    assert.ok(!isTrustedHost('file:///etc/passwd'));
    assert.ok(isImageFile({ id: 'F', mimetype: 'image/jpeg' }));
    assert.ok(isImageFile({ id: 'F', filetype: 'heic' }));
    assert.ok(!isImageFile({ id: 'F', mimetype: 'application/pdf', name: 'x.png' }));

    const fetchImpl = fakeFetch();
    const file = {
      id: 'F1',
      name: 'me.png',
      size: 4,
      url_private_download: 'https://files.slack.com/f/me.png',
    };
    const bytes = await toAttachment(file, { botToken: TOKEN, fetchImpl }).fetch();
    assert.equal(bytes.byteLength, 4);
    assert.equal(fetchImpl.calls[0]?.headers.authorization, `Bearer ${TOKEN}`);

    const evil = toAttachment(
      { ...file, url_private_download: 'https://evil.example/me.png' },
      { botToken: TOKEN, fetchImpl },
    );
    await assert.rejects(
      evil.fetch(),
      (err) => isUserError(err) && /only download files hosted by Slack/.test(err.message),
    );
    assert.equal(fetchImpl.calls.length, 1, 'nothing was sent to the other host');
  });

  it("explains Slack's sign-in page and looks up files the event left out", async () => {
    const html = fakeFetch(() => new Response('<html>', { headers: { 'content-type': 'text/html' } }));
    const file = { id: 'F1', name: 'me.png', url_private: 'https://files.slack.com/f/me.png' };
    await assert.rejects(
      toAttachment(file, { botToken: TOKEN, fetchImpl: html }).fetch(),
      (err) => isUserError(err) && /files:read/.test(err.message),
    );
    const fetchImpl = fakeFetch();
    const lookedUp: string[] = [];
    const sparse = toAttachment(
      { id: 'F2', file_access: 'check_file_info' },
      {
        botToken: TOKEN,
        fetchImpl,
        lookup: async (id) => {
          lookedUp.push(id);
          return { id, url_private: 'https://files.slack.com/f/full.png' };
        },
      },
    );
    await sparse.fetch();
    assert.deepEqual(lookedUp, ['F2']);
    assert.equal(fetchImpl.calls[0]?.url, 'https://files.slack.com/f/full.png');
  });

  it('uploads through getUploadURLExternal, a raw POST, then completeUploadExternal', async () => {
    const client = fakeWeb();
    const fetchImpl = fakeFetch(() => new Response('OK'));
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hi' } }];
    const up = await uploadImage(client, image, { channelId: 'C1', threadTs: '1.2', blocks }, { fetchImpl });
    assert.equal(up.fileId, 'F1');
    assert.deepEqual(
      client.calls.map((c) => c.method),
      ['files.getUploadURLExternal', 'files.completeUploadExternal'],
    );
    assert.deepEqual(client.calls[0]?.args, { filename: 'lookalike.png', length: 4, alt_text: image.alt });
    assert.equal(fetchImpl.calls[0]?.url, 'https://files.slack.com/upload/v1/F1');
    assert.equal(fetchImpl.calls[0]?.headers.authorization, undefined, 'the upload URL is pre-signed');
    assert.deepEqual([...(fetchImpl.calls[0]!.body as Uint8Array)], [1, 2, 3, 4]);
    assert.deepEqual(client.calls[1]?.args, {
      files: [{ id: 'F1', title: image.alt }],
      channel_id: 'C1',
      thread_ts: '1.2',
      blocks,
    });
  });
});

describe('Slack replies', () => {
  const outbox = (client = fakeWeb(), fetchImpl = fakeFetch(() => new Response('ok'))) => ({
    client,
    fetchImpl,
    outbox: new SlackOutbox(client, { logger: silentLogger, fetchImpl, shareDelaysMs: [1] }),
  });

  it('posts text with chat.postMessage and pictures as one file share in the thread', async () => {
    const { client, outbox: out } = outbox();
    assert.deepEqual(await out.publish({ channelId: 'C1' }, { text: '**Hi**' }), { ts: '1700000000.000001' });
    assert.equal(client.calls[0]?.args.text, 'Hi');
    await out.publish({ channelId: 'C1', threadTs: '9.9' }, { text: 'Penny', image });
    const share = client.calls.find((c) => c.method === 'files.completeUploadExternal');
    assert.equal(share?.args.thread_ts, '9.9');
    assert.match(JSON.stringify(share?.args.blocks), /Penny/);
  });

  it('answers through response_url where the bot is not a member', async () => {
    const client = fakeWeb({
      'chat.postMessage': () => {
        throw platformError('not_in_channel');
      },
    });
    const { fetchImpl, outbox: out } = outbox(client);
    await out.publish(
      { channelId: 'C1', responseUrl: 'https://hooks.slack.com/commands/T/1/x' },
      { text: 'Hi' },
    );
    const body = JSON.parse(String(fetchImpl.calls[0]?.body)) as { response_type: string; blocks: unknown[] };
    assert.equal(body.response_type, 'in_channel');
    assert.match(JSON.stringify(body.blocks), /invite/i);
    await assert.rejects(out.publish({ channelId: 'C1' }, { text: 'Hi' }), /not_in_channel/);
  });

  it('sends ephemeral replies to the caller, in the thread, without files', async () => {
    const { client, outbox: out } = outbox();
    await out.ephemeral({ channelId: 'C1', userId: 'U1', threadTs: '5.5' }, { text: 'Oops', image });
    assert.equal(client.calls.length, 1);
    assert.equal(client.calls[0]?.method, 'chat.postEphemeral');
    assert.equal(client.calls[0]?.args.user, 'U1');
    assert.equal(client.calls[0]?.args.thread_ts, '5.5');
    assert.match(JSON.stringify(client.calls[0]?.args.blocks), /Pictures can't be shown/);
  });

  it('edits text in place and swaps a changed picture with file_ids, else posts it in the thread', async () => {
    const { client, outbox: out } = outbox();
    await out.update('C1', '1.1', { text: 'same picture', image }, false);
    assert.deepEqual(
      client.calls.map((c) => c.method),
      ['chat.update'],
    );
    await out.update('C1', '1.1', { text: 'new picture', image }, true);
    const swap = client.calls.at(-1);
    assert.deepEqual(swap?.args.file_ids, ['F1']);
    assert.equal(client.calls.at(-2)?.method, 'files.completeUploadExternal');
    assert.equal(client.calls.at(-2)?.args.channel_id, undefined, 'uploaded privately, then attached');

    const refusing = fakeWeb({
      'chat.update': (a) => {
        if (a.file_ids) throw platformError('cant_update_message');
        return { ok: true };
      },
    });
    const { outbox: fallback } = outbox(refusing);
    await fallback.update('C1', '1.1', { text: 'new picture', image }, true);
    const last = refusing.calls.at(-1);
    assert.equal(last?.method, 'files.completeUploadExternal');
    assert.equal(last?.args.thread_ts, '1.1');
  });

  it('finds the ts of a file share by polling files.info', async () => {
    let polls = 0;
    const client = fakeWeb({
      'files.info': () => ({
        ok: true,
        file: { shares: ++polls < 2 ? {} : { public: { C1: [{ ts: '7.7' }] } } },
      }),
    });
    const { outbox: out } = outbox(client);
    assert.equal(await out.findShareTs('C1', 'F1'), '7.7');
    assert.equal(polls, 2);
  });

  it('notes work privately only when asked, and decorates replies', async () => {
    const { client, outbox: out } = outbox();
    const target = { channelId: 'C1', userId: 'U1' };
    const responder = new SlackResponder(out, target, silentLogger, {
      workingText: 'Working on it',
      decorate: (r) => ({ ...r, text: `${r.text} (tip)` }),
    });
    await responder.defer({ ephemeral: true });
    assert.equal(client.calls.length, 0);
    assert.ok(responder.deferred);
    await new SlackResponder(out, target, silentLogger, { workingText: 'Working on it' }).defer();
    assert.equal(client.calls[0]?.method, 'chat.postEphemeral');
    await responder.send({ text: 'Done' });
    assert.equal(client.calls.at(-1)?.method, 'chat.postMessage');
    assert.equal(client.calls.at(-1)?.args.text, 'Done (tip)');
  });
});

describe('slash commands as neutral input', () => {
  const png = (id: string) => ({
    id,
    name: `${id}.png`,
    mimetype: 'image/png',
    url_private: `https://files.slack.com/${id}`,
  });
  const payload = (command: string, text = ''): SlackCommandPayload => ({
    command,
    text,
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U1',
  });
  const sources = (command: Command, recent: RecentImages, avatarUrl?: string) => ({
    command,
    ctx: {
      platform: 'slack' as const,
      scope: 'slack:T1',
      channelId: 'C1',
      user: { id: 'slack:U1', platformId: 'U1', displayName: 'u1', avatarUrl, isPlatformAdmin: true },
    },
    users: new UserDirectory(
      fakeWeb({
        'users.info': (a) => ({
          ok: true,
          user: {
            id: a.user,
            name: 'alice',
            profile: { image_512: 'https://a/x.png', is_custom_image: true },
          },
        }),
      }),
      silentLogger,
    ),
    recent,
    files: { botToken: TOKEN },
  });

  it('maps /enroll to its name and the photos of the latest message', async () => {
    const recent = new RecentImages();
    recent.record('T1', 'C1', 'U1', '1', [png('a'), png('b'), png('c')]);
    const { input, problem } = await toCommandInput(
      payload('/enroll', 'Brad Pitt'),
      sources(enrollCommand, recent),
    );
    assert.equal(problem, undefined);
    assert.equal(input.options.name, 'Brad Pitt');
    assert.deepEqual(
      ['image', 'image2', 'image3', 'image4'].map((k) => {
        const v = input.options[k];
        return isAttachment(v) ? v.name : v;
      }),
      ['a.png', 'b.png', 'c.png', undefined],
    );
  });

  it('gives /compare the last two photos, and explains when they are missing', async () => {
    const recent = new RecentImages();
    recent.record('T1', 'C1', 'U1', '1', [png('first')]);
    let mapped = await toCommandInput(payload('/compare'), {
      ...sources(compareCommand, recent),
      graceMs: 10,
    });
    assert.match(mapped.problem ?? '', /first post 2 photos .*in this channel.*\/compare/);
    recent.record('T1', 'C1', 'U1', '2', [png('second')]);
    mapped = await toCommandInput(payload('/compare'), sources(compareCommand, recent));
    const names = ['image1', 'image2'].map((k) => {
      const v = mapped.input.options[k];
      return isAttachment(v) ? v.name : v;
    });
    assert.deepEqual(names, ['first.png', 'second.png']);
  });

  it("uses a mentioned member's profile photo for /lookalike, not the caller's last selfie", async () => {
    const recent = new RecentImages();
    recent.record('T1', 'C1', 'U1', '1', [png('selfie')]);
    const { input } = await toCommandInput(
      payload('/lookalike', '<@U2|alice>'),
      sources(lookalikeCommand, recent),
    );
    assert.equal(input.options.image, undefined);
    const user = input.options.user;
    assert.ok(isUserOption(user));
    assert.equal(user.platformId, 'U2');
    assert.equal(user.avatarUrl, 'https://a/x.png');
  });

  it('waits briefly for a photo whose event lags behind the command', async () => {
    const recent = new RecentImages();
    setTimeout(() => recent.record('T1', 'C1', 'U1', '1', [png('late')]), 20);
    const { input, problem } = await toCommandInput(payload('/lookalike'), {
      ...sources(lookalikeCommand, recent),
      graceMs: 2_000,
    });
    assert.equal(problem, undefined);
    const photo = input.options.image;
    assert.ok(isAttachment(photo) && photo.name === 'late.png');
    const none = await toCommandInput(payload('/lookalike'), {
      ...sources(lookalikeCommand, new RecentImages()),
      graceMs: 5,
    });
    assert.match(none.problem ?? '', /post a selfie in this channel/);
    const avatar = await toCommandInput(
      payload('/lookalike'),
      sources(lookalikeCommand, new RecentImages(), 'https://a/me.png'),
    );
    assert.equal(avatar.problem, undefined, 'the profile photo will do');
  });
});
