import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { isUserError } from '../../src/errors.ts';
import { Gallery } from '../../src/gallery/index.ts';
import { DEFAULT_ZIP_LIMITS, readZip, writeZip } from '../../src/gallery/zip-archive.ts';
import { type ImportTarget, importArchive, photoFolders } from '../../src/gallery/zip-import.ts';
import { openStore } from '../../src/store/index.ts';
import { buildZip, renameEntry } from '../support/zips.ts';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);

/** Asserts that reading the archive is refused with a message matching `pattern`. */
async function refused(zip: Uint8Array, pattern: RegExp, limits = DEFAULT_ZIP_LIMITS) {
  await assert.rejects(readZip(zip, limits), (err: unknown) => {
    assert.ok(isUserError(err), `expected a UserError, got ${err}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('readZip', () => {
  it('reads every file with its path, skipping folder entries', async () => {
    const zip = await writeZip([
      { path: 'amy/1.png', data: png },
      { path: 'amy/2.png', data: png, compress: false },
    ]);
    const entries = await readZip(zip);
    assert.deepEqual(
      entries.map((e) => e.path),
      ['amy/1.png', 'amy/2.png'],
    );
    assert.deepEqual(entries[0]?.data, png);
  });

  it('refuses a ZIP bomb by its compression ratio, before inflating it', async () => {
    const zip = await buildZip([{ path: 'amy/bomb.png', data: new Uint8Array(16 * 1024 * 1024) }]);
    assert.ok(zip.byteLength < 100_000);
    await refused(zip, /unpacks to over 100 times its size.*Nothing was imported/);
  });

  it('refuses an entry over the size limit and an archive over the total limit', async () => {
    const big = new Uint8Array(randomBytes(300_000));
    const zip = await buildZip([
      { path: 'a/1.png', data: big },
      { path: 'a/2.png', data: big },
    ]);
    await refused(zip, /a\/1\.png.*unpacked, over/, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 200_000 });
    await refused(zip, /unpacks to more than/, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 500_000 });
  });

  it('refuses a path that climbs out with ..', async () => {
    const zip = renameEntry(
      await buildZip([{ path: 'xx/evil.png', data: png }]),
      'xx/evil.png',
      '../evil.png',
    );
    await refused(zip, /climbs out of its folder.*\.\.\/evil\.png/);
  });

  it('refuses an absolute path', async () => {
    const zip = renameEntry(await buildZip([{ path: 'etc/passwd', data: png }]), 'etc/passwd', '/tc/passwd');
    await refused(zip, /absolute path/);
  });

  it('refuses a symbolic link entry', async () => {
    const zip = await buildZip([
      { path: 'amy/1.png', data: png },
      { path: 'amy/link.png', data: new TextEncoder().encode('/etc/passwd'), mode: 0o120777 },
    ]);
    await refused(zip, /amy\/link\.png` is a link/);
  });

  it('refuses too many entries', async () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ path: `amy/${i}.png`, data: png }));
    await refused(await buildZip(files), /12 entries, more than 10/, {
      ...DEFAULT_ZIP_LIMITS,
      maxEntries: 10,
    });
  });

  it('refuses a damaged archive and a file that is not a ZIP', async () => {
    const data = new Uint8Array(randomBytes(5000));
    const zip = await buildZip([{ path: 'amy/1.png', data, compress: false }]);
    const broken = new Uint8Array(zip);
    broken[100] = (broken[100] ?? 0) ^ 0xff;
    await refused(broken, /damaged/);
    await refused(new TextEncoder().encode('just some text, not an archive'), /not a ZIP archive/);
  });
});

describe('photoFolders', () => {
  it('groups by person, one level down when everything is in one top folder', () => {
    const { batches, skipped } = photoFolders([
      { path: 'aligned_faces/brad_pitt/10.jpg', data: png },
      { path: 'aligned_faces/brad_pitt/2.jpg', data: png },
      { path: 'aligned_faces/amy/1.png', data: png },
      { path: 'aligned_faces/readme.txt', data: png },
      { path: 'aligned_faces/amy/notes.txt', data: png },
      { path: '__MACOSX/aligned_faces/amy/._1.png', data: png },
    ]);
    assert.deepEqual(
      batches.map((b) => [b.name, b.images.map((i) => i.name)]),
      [
        ['Amy', ['aligned_faces/amy/1.png']],
        ['Brad Pitt', ['aligned_faces/brad_pitt/2.jpg', 'aligned_faces/brad_pitt/10.jpg']],
      ],
    );
    assert.deepEqual(
      skipped.map((s) => s.file),
      ['aligned_faces/readme.txt', 'aligned_faces/amy/notes.txt'],
    );
  });
});

describe('importArchive refusals', () => {
  it('a path trick in the last entry leaves the gallery untouched and analyses nothing', async () => {
    const store = await openStore('memory://');
    const gallery = new Gallery(store);
    let analysed = 0;
    const target: ImportTarget = {
      gallery,
      prepare: async (images) => {
        analysed += images.length;
        return { accepted: [], skipped: [] };
      },
      toPhotos: () => [],
      matcher: async () => undefined,
      fingerprint: () => ({ sha256: 'x', models: {}, tuning: {} as never }),
    };
    const files = [
      { path: 'amy/1.png', data: png },
      { path: 'amy/2.png', data: png },
      { path: 'xx/evil.png', data: png },
    ];
    const zip = renameEntry(await buildZip(files), 'xx/evil.png', '../evil.png');
    await assert.rejects(importArchive(target, 'discord:1', zip, 'discord:9'), /climbs out/);
    assert.equal(analysed, 0);
    assert.equal(await gallery.version('discord:1'), 0);
    await store.close();
  });
});
