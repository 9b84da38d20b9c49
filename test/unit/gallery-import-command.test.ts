import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as gallery from '../../commands/gallery.ts';
import { progressBar } from '../../commands/gallery-import.ts';
import { toDiscordPayload } from '../../src/adapters/discord/payload.ts';
import type { CommandInput, Deps, MessageRef, Poster, Reply } from '../../src/chat/types.ts';
import type { ImportSummary, LookalikeService } from '../../src/domain/types.ts';
import { UserError } from '../../src/errors.ts';
import { fakeAttachment, fakeContext, fakeService } from '../fixtures/chat-fakes.ts';

const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);

/** A poster that records what it posted and every edit, in order. */
function recordingPoster(): Poster & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    supports: () => true,
    post: async (platform, channelId, reply): Promise<MessageRef> => {
      log.push(`post ${reply.title}: ${reply.text}`);
      return { platform, channelId, id: 'm1' };
    },
    edit: async (_ref, reply: Reply) => {
      log.push(`edit ${reply.title}: ${reply.text}`);
    },
  };
}

const summary: ImportSummary = {
  kind: 'photos',
  added: 8,
  people: 3,
  identities: 5,
  skipped: [{ file: 'amy/blank.png', code: 'no_face', reason: 'no face found' }],
  duplicates: [{ file: 'amy/1.png', code: 'duplicate', reason: 'already in the gallery as Amy' }],
};

function deps(service: Partial<LookalikeService>, poster?: Poster): Deps {
  // Each tick of the fake clock is 2 s, so every progress step may edit.
  let now = 0;
  return { service: { ...fakeService(), ...service }, poster, now: () => (now += 2000) };
}

function input(file = fakeAttachment('faces.zip', ZIP, 'application/zip')): CommandInput {
  return { ctx: fakeContext({ admin: true }), subcommand: 'import', options: { file } };
}

describe('/gallery import', () => {
  it('shows a progress bar in an edited message and answers with the enrolment summary', async () => {
    const poster = recordingPoster();
    const seen: unknown[] = [];
    const reply = await gallery.execute(
      input(),
      deps(
        {
          importArchive: async (scope, zip, addedBy, options) => {
            seen.push(scope, zip, addedBy);
            for (let i = 1; i <= 4; i++) options?.onProgress?.(i * 5, 20);
            return summary;
          },
        },
        poster,
      ),
    );
    assert.deepEqual(seen, ['discord:guild', ZIP, 'discord:1001']);
    assert.equal(poster.log[0], 'post Importing: Reading `faces.zip`…');
    assert.ok(poster.log.includes(`edit Importing: Analysing photos ${progressBar(10, 20)}`));
    assert.match(poster.log.at(-1) ?? '', /^edit Import finished: Imported 8 photos: `█{20}` 20\/20/);
    assert.equal(reply.title, 'Imported 8 photos');
    assert.match(reply.text, /Added 8 photos of 3 people to this server's gallery \(5 people in all\)/);
    assert.match(
      reply.text,
      /\*\*Skipped \(1\)\*\*\n• amy\/blank\.png: no face found — use a clear, front-facing photo/,
    );
    assert.match(reply.text, /\*\*Duplicates \(1\)\*\*\n• amy\/1\.png: already in the gallery as Amy/);
  });

  it('says when a pack was re-embedded', async () => {
    const reembedded = {
      ...summary,
      kind: 'pack' as const,
      reembedded: { photos: 8, reason: 'another engine' },
    };
    const reply = await gallery.execute(input(), deps({ importArchive: async () => reembedded }));
    assert.match(reply.text, /Re-embedded 8 photos from their thumbnails: another engine\./);
  });

  it('refuses a file that is not a ZIP, by name and by its bytes, before importing', async () => {
    let imported = 0;
    const service = {
      importArchive: async () => {
        imported++;
        return summary;
      },
    };
    const photo = fakeAttachment('me.png', new Uint8Array([0x89, 0x50]), 'image/png');
    await assert.rejects(gallery.execute(input(photo), deps(service)), /`me\.png` is not a ZIP/);
    const fake = fakeAttachment('fake.zip', new TextEncoder().encode('hello'), 'application/zip');
    await assert.rejects(gallery.execute(input(fake), deps(service)), /`fake\.zip` is not a ZIP/);
    assert.equal(imported, 0);
  });

  it('a refused archive stops the progress message and reaches the caller as the UserError', async () => {
    const poster = recordingPoster();
    const refusal = new UserError('bad_archive', { text: 'zip_bomb', file: 'a.jpg', limit: 100 });
    await assert.rejects(
      gallery.execute(input(), deps({ importArchive: async () => Promise.reject(refusal) }, poster)),
      /bomb/,
    );
    assert.equal(poster.log.at(-1), 'edit Import stopped: Nothing was imported (see the reply).');
  });
});

describe('/gallery export', () => {
  it('answers with the pack as a file, which Discord attaches as it is', async () => {
    const pack = new Uint8Array([1, 2, 3]);
    const reply = await gallery.execute(
      { ctx: fakeContext({ admin: true }), subcommand: 'export', options: {} },
      deps({ exportPack: async () => ({ pack, identities: 2, photos: 7 }) }),
    );
    assert.deepEqual(reply.file, { name: 'lookalike-gallery.zip', data: pack });
    assert.match(reply.text, /2 people and 7 photos/);
    const payload = toDiscordPayload(reply);
    assert.equal(payload.files[0]?.name, 'lookalike-gallery.zip');
    assert.equal(payload.embeds[0]?.image, undefined);
  });

  it('refuses to export an empty gallery', async () => {
    await assert.rejects(
      gallery.execute(
        { ctx: fakeContext({ admin: true }), subcommand: 'export', options: {} },
        deps({ exportPack: async () => ({ pack: new Uint8Array(), identities: 0, photos: 0 }) }),
      ),
      /gallery is empty: there is nothing to export/,
    );
  });
});
