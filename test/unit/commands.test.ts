import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import * as compare from '../../commands/compare.ts';
import * as enroll from '../../commands/enroll.ts';
import * as forget from '../../commands/forget.ts';
import * as gallery from '../../commands/gallery.ts';
import * as help from '../../commands/help.ts';
import { commands } from '../../commands/index.ts';
import * as lookalike from '../../commands/lookalike.ts';
import * as lookalikeMember from '../../commands/lookalike-member.ts';
import * as lookalikeMessage from '../../commands/lookalike-message.ts';
import * as watch from '../../commands/watch.ts';
import { optionString } from '../../src/chat/options.ts';
import { memoryChannelSettings } from '../../src/chat/settings.ts';
import type { CommandData, CommandInput, Deps, OptionName, OptionValue } from '../../src/chat/types.ts';
import { UserError } from '../../src/errors.ts';
import { skipAdvice } from '../../src/user-texts.ts';
import {
  fakeAttachment,
  fakeContext,
  fakeService,
  identification,
  identity,
  solidPng,
} from '../fixtures/chat-fakes.ts';

const face = await solidPng(48);
const celeb = await solidPng(48, 48, [20, 40, 200]);

function input(options: Record<string, OptionValue | undefined> = {}, extra: Partial<CommandInput> = {}) {
  return { ctx: fakeContext(), options, ...extra } satisfies CommandInput;
}

async function assertPng(data: Uint8Array | undefined) {
  assert.ok(data, 'reply has a picture');
  const meta = await sharp(data).metadata();
  assert.equal(meta.format, 'png');
  assert.ok((meta.width ?? 0) > 0 && (meta.height ?? 0) > 0);
}

async function rejectsWith(promise: Promise<unknown>, code: string, text?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (text) assert.match(err.message, text);
    return true;
  });
}

describe('/lookalike', () => {
  it('names the best match with confidence, similarity, the top 3, the gallery and a side-by-side picture', async () => {
    const service = fakeService({
      identify: async () => identification('Brad Pitt', { thumbnail: face }),
      thumbnail: async () => celeb,
    });
    const photo = fakeAttachment('me.png', face);
    const reply = await lookalike.execute(input({ image: photo }), { service: service });

    assert.equal(reply.title, 'You look like Brad Pitt (0.73 confidence)');
    assert.match(reply.text, /Similarity: 81%/);
    assert.match(reply.text, /1\. Brad Pitt — 0\.73 confidence, 81% similar/);
    assert.match(reply.text, /3\. Third Best/);
    assert.match(reply.text, /this server's gallery/);
    assert.deepEqual(
      service.calls.map((c) => c.method),
      ['identify', 'thumbnail'],
    );
    assert.deepEqual(service.calls[0]?.args, ['discord:guild', face]);
    assert.deepEqual(service.calls[1]?.args, ['discord:guild', 'brad-pitt']);
    assert.equal(reply.matches?.[0]?.confidence, 0.73);
    await assertPng(reply.image?.data);
  });

  it('says "in person" for the person themselves and which gallery answered on fallback', async () => {
    const service = fakeService({
      identify: async () => identification('Brad Pitt', { thumbnail: face, same: true, scope: 'global' }),
    });
    const reply = await lookalike.execute(input({ image: fakeAttachment('me.png', face) }), {
      service: service,
    });
    assert.equal(reply.title, "That's Brad Pitt in person!");
    assert.match(reply.text, /global gallery, because this server's gallery is empty/);
    await assertPng(reply.image?.data);
  });

  it("uses a member's avatar for `user`, and the caller's own avatar with no option", async () => {
    const fetched: string[] = [];
    const deps: Deps = {
      service: fakeService({ identify: async () => identification('Brad Pitt', { thumbnail: face }) }),
      fetchAvatar: async (url) => {
        fetched.push(url);
        return face;
      },
    };
    const member = {
      id: 'discord:7',
      platformId: '7',
      displayName: 'Alice',
      avatarUrl: 'https://cdn/alice.png',
    };
    const forMember = await lookalike.execute(input({ user: member }), deps);
    assert.equal(forMember.title, 'Alice looks like Brad Pitt (0.73 confidence)');

    const self = { ctx: fakeContext({ avatarUrl: 'https://cdn/me.png' }), options: {} };
    const forSelf = await lookalike.execute(self, deps);
    assert.equal(forSelf.title, 'You look like Brad Pitt (0.73 confidence)');
    assert.deepEqual(fetched, ['https://cdn/alice.png', 'https://cdn/me.png']);
  });

  it('asks for a photo when there is no avatar to use', async () => {
    const deps: Deps = { service: fakeService(), fetchAvatar: async () => face };
    await rejectsWith(lookalike.execute(input(), deps), 'no_avatar', /no profile picture/);
  });

  it('lists every face of a group photo and numbers them on the photo', async () => {
    const one = identification('Penny', { thumbnail: face }).faces[0]!;
    const two = identification('Sheldon', { thumbnail: face, confidence: 0.55, similarity: 0.6 }).faces[0]!;
    const service = fakeService({
      identify: async (scope) => ({
        scope,
        method: 'svm',
        width: 120,
        height: 80,
        faces: [one, { ...two, box: [60, 10, 40, 40] }],
      }),
    });
    const photo = await solidPng(120, 80);
    const reply = await lookalike.execute(input({ image: fakeAttachment('group.png', photo) }), {
      service: service,
    });
    assert.equal(reply.title, 'I found 2 faces');
    assert.match(reply.text, /^Face 1 looks like Penny \(0\.73 confidence/m);
    assert.match(reply.text, /^Face 2 looks like Sheldon \(0\.55 confidence/m);
    assert.equal(reply.matches?.length, 2);
    await assertPng(reply.image?.data);
    const meta = await sharp(reply.image?.data).metadata();
    assert.deepEqual([meta.width, meta.height], [120, 80]);
  });

  it('answers kindly when there is no face, whether the service returns none or throws no_face', async () => {
    const none = fakeService();
    await rejectsWith(
      lookalike.execute(input({ image: fakeAttachment('cat.png', face) }), { service: none }),
      'no_face',
      /couldn't find a face in that photo — try a well-lit, front-facing selfie/,
    );
    const throwing = fakeService({
      identify: async () => {
        throw new UserError('no_face', { source: 'both' });
      },
    });
    await rejectsWith(
      lookalike.execute(input({ image: fakeAttachment('cat.png', face) }), { service: throwing }),
      'no_face',
      /well-lit/,
    );
  });

  it('explains how to fill an empty gallery', async () => {
    const base = identification('X', { thumbnail: face });
    const service = fakeService({
      identify: async () => ({
        ...base,
        method: 'none',
        faces: [{ ...base.faces[0]!, match: null, top: [] }],
      }),
    });
    const reply = await lookalike.execute(input({ image: fakeAttachment('me.png', face) }), {
      service: service,
    });
    assert.match(reply.text, /\/enroll/);
    assert.match(reply.text, /command-line/);
    assert.equal(reply.image, undefined);
  });

  it('refuses a file that is not an image without downloading it', async () => {
    const file = fakeAttachment('notes.pdf', face, 'application/pdf');
    await rejectsWith(lookalike.execute(input({ image: file }), { service: fakeService() }), 'not_image');
    assert.equal(file.fetches, 0);
  });
});

describe('/enroll', () => {
  it('enrols the photos in this scope and lists added and skipped ones with reasons', async () => {
    const service = fakeService({
      enroll: async (_scope, name, images) => ({
        identity: identity(name, 3),
        added: [{ file: images[0]!.name, hash: 'h1' }],
        skipped: [
          {
            file: images[1]!.name,
            code: 'too_many_faces',
            faces: 2,
            reason: '2 faces: use a photo with one face',
          },
          { file: 'c.png', code: 'duplicate', reason: 'duplicate: already enrolled' },
        ],
        version: 2,
      }),
    });
    const tooBig = fakeAttachment('huge.png', async () => {
      throw new UserError('file_too_large', { sizeLimit: '10' });
    });
    const reply = await enroll.execute(
      input({
        name: '  Brad Pitt ',
        image: fakeAttachment('a.png', face),
        image2: fakeAttachment('a.png', celeb),
        image3: tooBig,
      }),
      { service: service },
    );
    const call = service.calls[0]!;
    assert.equal(call.method, 'enroll');
    assert.equal(call.args[0], 'discord:guild');
    assert.equal(call.args[1], 'Brad Pitt');
    assert.deepEqual(
      (call.args[2] as { name: string }[]).map((i) => i.name),
      ['a.png', 'a.png (#2)'],
    );
    assert.equal(call.args[3], 'discord:1001');
    assert.match(
      reply.text,
      /Added 1 photo of \*\*Brad Pitt\*\* to this server's gallery \(3 photos in all\)/,
    );
    assert.match(reply.text, /a\.png \(#2\): several faces — send a photo with just one face/);
    assert.match(reply.text, /c\.png: already in the gallery \(duplicate\)/);
    assert.match(reply.text, /huge\.png: That file is too large/);
  });

  it('maps the service reasons to advice', () => {
    const skip = (code: string, reason: string) => skipAdvice({ file: 'a.png', code, reason });
    assert.match(skip('no_face', 'no face found'), /no face found/);
    assert.match(skip('too_many_faces', '3 faces: use a photo with one face'), /just one face/);
    assert.equal(skip('timeout', 'something else'), 'something else');
  });

  it('types its option getters from its data, so a misspelt option name fails the type check', () => {
    const read = (i: CommandInput<OptionName<typeof enroll.data>>) => [
      optionString(i, 'name'),
      // @ts-expect-error: `nmae` is not an option of /enroll (npm test runs the type check)
      optionString(i, 'nmae'),
    ];
    assert.throws(() => read(input({ nmae: 3 })), /must be text/);
  });

  it('is for admins, with a required name and image', () => {
    assert.deepEqual(enroll.data.requires, ['admin']);
    const data: CommandData = enroll.data;
    const required = data.options?.filter((o) => o.required).map((o) => o.name);
    assert.deepEqual(required, ['name', 'image']);
    assert.equal(enroll.data.options?.length, 6);
  });
});

describe('/gallery', () => {
  const many = Array.from({ length: 45 }, (_, i) =>
    identity(`Person ${String(i).padStart(2, '0')}`, (i % 3) + 1),
  );

  it('pages through large galleries with photo counts', async () => {
    const deps = { service: fakeService({ list: async () => [...many].reverse() }) };
    const first = await gallery.execute(input({}, { subcommand: 'list' }), deps);
    assert.match(first.title ?? '', /45 people, 90 photos \(page 1\/3\)/);
    assert.equal(first.text.split('\n').filter((l) => l.startsWith('•')).length, gallery.PAGE_SIZE);
    assert.match(first.text, /• \*\*Person 00\*\* — 1 photo\n/);
    assert.match(first.text, /page:2/);
    const last = await gallery.execute(input({ page: 3 }, { subcommand: 'list' }), deps);
    assert.equal(last.text.split('\n').filter((l) => l.startsWith('•')).length, 5);
    assert.match(last.text, /Person 44\*\* — 3 photos/);
    await rejectsWith(
      gallery.execute(input({ page: 4 }, { subcommand: 'list' }), deps),
      'bad_option',
      /3 pages/,
    );
    // The same sentence as the playground's for a subcommand that does not exist.
    await rejectsWith(
      gallery.execute(input({}, { subcommand: 'show' }), deps),
      'bad_command',
      /^\/gallery has no "show": use `\/gallery list`, `\/gallery remove`/,
    );
  });

  it('explains an empty gallery', async () => {
    const reply = await gallery.execute(input({}, { subcommand: 'list' }), { service: fakeService() });
    assert.match(reply.title ?? '', /empty/);
    assert.match(reply.text, /\/enroll/);
  });

  it('removes and renames through the service; both are admin subcommands', async () => {
    const service = fakeService({ remove: async (_s, name) => identity(name, 4) });
    const removed = await gallery.execute(input({ name: 'Penny' }, { subcommand: 'remove' }), {
      service: service,
    });
    assert.match(removed.text, /Removed \*\*Penny\*\* and 4 photos/);
    const renamed = await gallery.execute(input({ from: 'Penny', to: 'Penny H' }, { subcommand: 'rename' }), {
      service: service,
    });
    assert.match(renamed.text, /Renamed \*\*Penny\*\* to \*\*Penny H\*\*/);
    assert.deepEqual(service.calls[1]?.args, ['discord:guild', 'Penny', 'Penny H']);
    const data: CommandData = gallery.data;
    const admin = data.subcommands?.filter((s) => s.requires?.includes('admin')).map((s) => s.name);
    assert.deepEqual(admin, ['remove', 'rename', 'import', 'export']);
  });
});

describe('/compare', () => {
  it('gives the similarity, the verdict and a side-by-side picture', async () => {
    const service = fakeService({
      compare: async () => ({ similarity: 0.42, same: false, thumbnails: [face, celeb] }),
    });
    const reply = await compare.execute(
      input({ image1: fakeAttachment('a.png', face), image2: fakeAttachment('b.png', celeb) }),
      { service: service },
    );
    assert.match(reply.text, /42% similar\*\* — probably not the same person/);
    assert.deepEqual(service.calls[0]?.args, [face, celeb]);
    await assertPng(reply.image?.data);
  });
});

describe('/forget', () => {
  it("deletes the caller's data and says what went", async () => {
    const service = fakeService({ forget: async () => ({ photos: 3, other: ['your watch settings'] }) });
    const reply = await forget.execute(input(), { service: service });
    assert.deepEqual(service.calls[0]?.args, ['discord:1001']);
    assert.match(reply.text, /3 photos you enrolled/);
    assert.match(reply.text, /your watch settings/);
    assert.equal(reply.ephemeral, true);
    const nothing = await forget.execute(input(), { service: fakeService() });
    assert.match(nothing.text, /nothing stored/);
  });
});

describe('/watch and /help', () => {
  it('turns watching on and off for this channel, warning when the bot cannot see messages', async () => {
    const settings = memoryChannelSettings();
    const deps = { service: fakeService(), settings };
    const blind = { ctx: fakeContext({ seesAllMessages: false }), options: {}, subcommand: 'on' };
    const on = await watch.execute(blind, deps);
    assert.match(on.text, /answer every photo/);
    assert.match(on.text, /Message Content intent/);
    assert.equal(await settings.isWatched('discord:guild', 'channel-1'), true);
    assert.equal(await settings.isWatched('discord:guild', 'channel-2'), false);
    const off = await watch.execute(input({}, { subcommand: 'off' }), deps);
    assert.doesNotMatch(off.text, /Message Content/);
    assert.equal(await settings.isWatched('discord:guild', 'channel-1'), false);
    await rejectsWith(
      watch.execute(input({}, { subcommand: 'on' }), { service: fakeService() }),
      'unavailable',
      /Watching channels isn't available/,
    );
  });

  it('lists every other command, privately', async () => {
    const reply = await help.execute(input(), { service: fakeService() });
    for (const c of commands.filter((c) => c.data.name !== 'help' && !c.data.target))
      assert.match(reply.text, new RegExp(`/${c.data.name}`));
    assert.match(reply.text, /\/gallery remove` — .*_\(admins\)_/);
    assert.equal(reply.ephemeral, true);
  });

  it('registers each command once, every handler named execute', () => {
    const names = commands.map((c) => c.data.name);
    assert.deepEqual(names, [
      'lookalike',
      'compare',
      'gallery',
      'enroll',
      'watch',
      'forget',
      'game',
      'leaderboard',
      'help',
      'Who do they look like?',
      'Who does this member look like?',
    ]);
    assert.equal(lookalike.lookalikeCommand.execute, lookalike.execute);
  });
});

describe('menu commands', () => {
  it('answers a message for its first image as /lookalike does, and says which of several it took', async () => {
    const service = fakeService({
      identify: async () => identification('Brad Pitt', { thumbnail: face }),
      thumbnail: async () => celeb,
    });
    const files = [
      fakeAttachment('notes.txt', new TextEncoder().encode('hi'), 'text/plain'),
      fakeAttachment('party.png', face),
      fakeAttachment('beach.png', celeb),
    ];
    const reply = await lookalikeMessage.execute(input({}, { target: { attachments: files } }), {
      service: service,
    });
    assert.equal(reply.title, 'They look like Brad Pitt (0.73 confidence)');
    assert.match(reply.text, /first of its 2 images \(party\.png\)/);
    assert.deepEqual(service.calls[0]?.args, ['discord:guild', face]);

    const one = await lookalikeMessage.execute(input({}, { target: { attachments: [files[1]!] } }), {
      service: service,
    });
    assert.doesNotMatch(one.text, /first of/);
    await rejectsWith(
      lookalikeMessage.execute(input({}, { target: { attachments: [files[0]!] } }), { service: service }),
      'no_photos',
      /no photo I can read/,
    );
  });

  it("answers a member's avatar, and explains the default one", async () => {
    const service = fakeService({ identify: async () => identification('Brad Pitt', { thumbnail: face }) });
    const fetched: string[] = [];
    const deps: Deps = {
      service: service,
      fetchAvatar: async (url) => {
        fetched.push(url);
        return face;
      },
    };
    const member = { id: 'discord:7', platformId: '7', displayName: 'Dana', avatarUrl: 'https://cdn/a.png' };
    const reply = await lookalikeMember.execute(input({}, { target: { user: member } }), deps);
    assert.equal(reply.title, 'Dana looks like Brad Pitt (0.73 confidence)');
    assert.deepEqual(fetched, ['https://cdn/a.png']);
    const plain = { ...member, avatarUrl: undefined };
    await rejectsWith(
      lookalikeMember.execute(input({}, { target: { user: plain } }), deps),
      'no_avatar',
      /Dana uses the default profile picture/,
    );
  });
});
