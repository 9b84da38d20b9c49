import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type OpenedService, openService } from '../../src/core/index.ts';
import { DEFAULT_TUNING } from '../../src/domain/tuning.ts';
import { engineFingerprint } from '../../src/engine/fingerprint.ts';
import { resolvePrecision } from '../../src/engine/precision.ts';
import { readZip, writeZip } from '../../src/gallery/zip-archive.ts';
import { readData } from '../fixtures/data.ts';
import { buildZip, celebFiles } from '../support/zips.ts';

// 3 people × 3 photos keeps the model work to a few seconds on wasm.
let app: OpenedService;
before(async () => {
  app = await openService({ storeUrl: 'memory://', engine: { workers: 1, log: () => {} } });
});
after(() => app?.close());

describe('ZIP import of per-person folders (real photos)', () => {
  it('enrols every person in one commit, with progress, skips and duplicates', async () => {
    const files = [
      ...celebFiles(3, 3, 'aligned_faces/'),
      { path: 'aligned_faces/group/group.jpg', data: readData('bbt', 'group', 'bbt1.jpg') },
      { path: 'aligned_faces/notes.txt', data: new TextEncoder().encode('hello') },
    ];
    const zip = await buildZip(files);
    const progress: [number, number][] = [];
    const before = await app.service.gallery.version('zip');
    const summary = await app.service.importArchive('zip', zip, 'discord:admin', {
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.equal(summary.kind, 'photos');
    assert.equal(summary.added, 9);
    assert.equal(summary.people, 3);
    assert.equal(summary.identities, 3);
    assert.deepEqual(
      summary.skipped.map((s) => s.file),
      ['aligned_faces/notes.txt', 'aligned_faces/group/group.jpg'],
    );
    assert.match(summary.skipped[1]?.reason ?? '', /faces/);
    assert.equal(await app.service.gallery.version('zip'), before + 1, 'one commit');
    assert.deepEqual(progress.at(-1), [10, 10]);
    const names = (await app.service.list('zip')).map((p) => p.name);
    assert.deepEqual(names, ['Barack Obama', 'Drew Barrymore', 'Gwyneth Paltrow']);
    // The gallery answers: a fourth photo of the first person is recognised.
    const probe = readData('celebs', 'barack_obama', '10.png');
    const answer = await app.service.identify('zip', probe);
    assert.equal(answer.faces[0]?.match?.name, 'Barack Obama');

    const again = await app.service.importArchive('zip', zip, 'discord:admin');
    assert.equal(again.added, 0);
    assert.equal(again.duplicates.length, 9);
    assert.match(again.duplicates[0]?.reason ?? '', /already in the gallery as Barack Obama/);
  });
});

describe('gallery packs (real photos)', () => {
  before(async () => {
    await app.service.importArchive('source', await buildZip(celebFiles(3, 3)), 'discord:admin');
  });

  it('export then import moves names, thumbnails and embeddings, and twice adds nothing', async () => {
    const { pack, identities, photos } = await app.service.exportPack('source');
    assert.deepEqual([identities, photos], [3, 9]);
    const entries = await readZip(pack);
    const manifest = JSON.parse(
      new TextDecoder().decode(entries.find((e) => e.path === 'lookalike-pack.json')?.data),
    );
    assert.equal(manifest.format, 'lookalike-gallery-pack');
    assert.equal(manifest.version, 1);
    // The app's engine runs at FACE_PRECISION's default, auto: int8 or fp32 depending on this CPU.
    const tuning = { ...DEFAULT_TUNING, precision: resolvePrecision('auto') };
    assert.equal(manifest.engine.sha256, engineFingerprint(tuning).sha256);
    // Only what the gallery holds: never who added a photo.
    assert.doesNotMatch(new TextDecoder().decode(entries[0]?.data), /discord:admin|addedBy/);

    const first = await app.service.importArchive('target', pack, 'slack:admin', { packOnly: true });
    assert.equal(first.kind, 'pack');
    assert.equal(first.added, 9);
    assert.equal(first.reembedded, undefined);
    const [a, b] = await Promise.all([
      app.service.gallery.snapshot('source'),
      app.service.gallery.snapshot('target'),
    ]);
    assert.deepEqual(
      b.identities.map((i) => [i.name, i.photos.map((p) => p.hash)]),
      a.identities.map((i) => [i.name, i.photos.map((p) => p.hash)]),
    );
    assert.deepEqual(b.identities[0]?.photos[0]?.embedding, a.identities[0]?.photos[0]?.embedding);
    assert.deepEqual(b.identities[0]?.photos[0]?.thumbnail, a.identities[0]?.photos[0]?.thumbnail);

    const second = await app.service.importArchive('target', pack, 'slack:admin', { packOnly: true });
    assert.equal(second.added, 0);
    assert.equal(second.duplicates.length, 9);
  });

  it('re-embeds from the thumbnails when the engine fingerprint differs, and says so', async () => {
    const other = await openService({
      storeUrl: 'memory://',
      engine: { workers: 1, log: () => {} },
      fingerprint: () => engineFingerprint({ ...DEFAULT_TUNING, cropScale: 1.4 }),
    });
    try {
      const { pack } = await other.service.exportPack('empty');
      assert.ok(pack.byteLength > 0);
      await other.service.importArchive('g', await buildZip(celebFiles(2, 2)), 'cli');
      const foreign = await other.service.exportPack('g');
      const summary = await app.service.importArchive('reembed', foreign.pack, 'cli');
      assert.equal(summary.kind, 'pack');
      assert.equal(summary.added, 4);
      assert.equal(summary.reembedded?.photos, 4);
      assert.match(summary.reembedded?.reason ?? '', /another engine/);
    } finally {
      await other.close();
    }
  });

  it('refuses a damaged pack, a foreign file and a ZIP that is not a pack', async () => {
    const { pack } = await app.service.exportPack('source');
    const entries = await readZip(pack);
    const tampered = entries.map((e) =>
      e.path === 'embeddings.f32' ? { path: e.path, data: e.data.map((x, i) => (i === 0 ? x ^ 1 : x)) } : e,
    );
    await assert.rejects(
      app.service.importArchive('x', await writeZip(tampered), 'cli'),
      /gallery pack is damaged \(embeddings\.f32 does not match its checksum\)/,
    );
    const foreign = await writeZip([
      { path: 'lookalike-pack.json', data: new TextEncoder().encode('{"format":"x"}') },
    ]);
    await assert.rejects(app.service.importArchive('x', foreign, 'cli'), /not a Lookalike gallery pack/);
    const photosOnly = await buildZip(celebFiles(1, 1));
    await assert.rejects(
      app.service.importArchive('x', photosOnly, 'cli', { packOnly: true }),
      /not a Lookalike gallery pack/,
    );
    await assert.rejects(
      app.service.importArchive('x', readData('celebs', 'barack_obama', '0.png'), 'cli'),
      /not a ZIP/,
    );
    assert.equal(await app.service.gallery.version('x'), 0);
  });
});
