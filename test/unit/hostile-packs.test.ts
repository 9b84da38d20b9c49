// Issue 21, items 1–3 and 10 and the empty ZIP, and issue 20 §6: packs and archives that tried to poison
// a gallery, stall the engine or leak paths. A fake engine counts analyses, so "no work was done" is a
// number; the real Gallery and service commit (or not) as in production.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CoreService } from '../../src/core/service.ts';
import type { FaceEngine } from '../../src/domain/face.ts';
import { DEFAULT_TUNING } from '../../src/domain/tuning.ts';
import { engineFingerprint } from '../../src/engine/fingerprint.ts';
import { Gallery } from '../../src/gallery/index.ts';
import { decodePack, encodePack } from '../../src/gallery/pack.ts';
import { readZip, writeZip } from '../../src/gallery/zip-archive.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import {
  FOREIGN_ENGINE,
  hostilePacks,
  rawPack,
  thumbnail,
  unitEmbedding,
} from '../fixtures/hostile-inputs.ts';
import { buildZip } from '../support/zips.ts';

const FINGERPRINT = engineFingerprint(DEFAULT_TUNING);

/** A service over a memory store whose engine finds one face per photo and counts the photos it saw. */
async function service(
  onAnalyze: (n: number) => void = () => {},
): Promise<{ lookalike: CoreService; analysed: () => number; store: Store }> {
  let analysed = 0;
  const thumb = await thumbnail(99);
  const engine: FaceEngine = {
    backend: 'none',
    async analyze(image) {
      onAnalyze(++analysed);
      const seed = createHash('sha256').update(image).digest().readUInt32LE(0);
      const face = {
        box: [0, 0, 10, 10],
        score: 0.9,
        embedding: unitEmbedding(1152, seed),
        thumbnail: thumb,
      };
      return { width: 100, height: 100, faces: [face], timings: {} } as never;
    },
    close: async () => {},
  };
  const store = await openStore('memory://');
  const gallery = new Gallery(store);
  const lookalike = new CoreService(engine, gallery, { fingerprint: () => FINGERPRINT, concurrency: 1 });
  return { lookalike, analysed: () => analysed, store };
}

describe('hostile packs are refused before any analysis, and nothing is stored', () => {
  it('refuses poisoned embeddings, bad thumbnails, endless manifests and repeated thumbnails', async () => {
    const packs = await hostilePacks(FINGERPRINT);
    for (const pack of packs.filter((p) => p.refusal)) {
      const { lookalike, analysed } = await service();
      await assert.rejects(
        lookalike.importArchive('s', pack.bytes, 'admin'),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'bad_pack', pack.kind);
          assert.match(err.message, pack.refusal!, pack.kind);
          assert.match(err.message, /Nothing was imported/);
          return true;
        },
      );
      assert.equal(analysed(), 0, `${pack.kind}: no photo analysed`);
      assert.deepEqual(await lookalike.list('s'), [], `${pack.kind}: nothing stored`);
    }
  });

  it('keeps only base names from a pack with paths, on export and on import of an old pack', async () => {
    const packs = await hostilePacks(FINGERPRINT);
    const old = packs.find((p) => p.name === 'pack-paths.zip')!;
    const { lookalike } = await service();
    const summary = await lookalike.importArchive('s', old.bytes, 'admin');
    assert.equal(summary.added, 1);
    const [penny] = await lookalike.list('s');
    assert.equal(penny?.photos[0]?.source, '0.png');
    // A gallery enrolled from absolute paths (the CLI stores them) exports none of them.
    const snapshot = await lookalike.gallery.snapshot('s');
    snapshot.identities[0]!.photos[0]!.source = '/home/someone/celebs/penny/0.png';
    const exported = await encodePack(snapshot, FINGERPRINT);
    const text = Buffer.from(
      (await readZip(exported)).find((e) => e.path === 'lookalike-pack.json')!.data,
    ).toString();
    assert.doesNotMatch(text, /\/home|someone|celebs/);
    assert.equal(decodePack(await readZip(exported)).identities[0]?.photos[0]?.source, '0.png');
    assert.equal(
      decodePack(await readZip(await writeZip([...(await readZip(old.bytes))]))).identities[0]?.photos[0]
        ?.source,
      '0.png',
    );
  });

  it('stops analysing when the caller abandons the import, and commits nothing', async () => {
    const controller = new AbortController();
    const { lookalike, analysed } = await service((n) => {
      if (n === 3) controller.abort(new Error('the client went away'));
    });
    const photos = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => ({
        thumbnail: `thumbnails/${i}.png`,
        embedding: unitEmbedding(8, i),
      })),
    );
    const files = Object.fromEntries(
      await Promise.all(photos.map(async (p, i) => [p.thumbnail, await thumbnail(i)])),
    );
    const pack = await rawPack([{ name: 'Penny', photos }], files, FOREIGN_ENGINE);
    await assert.rejects(
      lookalike.importArchive('s', pack, 'admin', { signal: controller.signal }),
      /went away/,
    );
    assert.ok(analysed() <= 4, `${analysed()} photos analysed after the abort at 3`);
    assert.deepEqual(await lookalike.list('s'), []);
  });
});

describe('a poisoned embedding already in the store', () => {
  it('is left out of training, and no answer carries a non-finite confidence', async () => {
    const { lookalike, store } = await service();
    const people = ['penny', 'sheldon', 'amy'];
    const images = await Promise.all(people.map((_, i) => thumbnail(i + 1)));
    const zip = await buildZip(people.map((p, i) => ({ path: `${p}/1.png`, data: images[i]! })));
    await lookalike.importArchive('s', zip, 'admin');
    // Written past every check, as a gallery imported before them would hold it.
    const photos = store.namespace<Record<string, unknown>>('photos');
    const sheldon = (await lookalike.list('s')).find((p) => p.name === 'Sheldon')!;
    const key = `s/${sheldon.photos[0]!.hash}`;
    await photos.set(key, { ...(await photos.get(key)), embedding: new Float32Array(1152).fill(3.0e38) });
    await lookalike.gallery.rename('s', 'Amy', 'Amy Farrah Fowler');
    const answer = await lookalike.identify('s', images[0]!);
    const face = answer.faces[0]!;
    assert.equal(face.match?.name, 'Penny');
    for (const c of [face.match!, ...face.top]) {
      assert.ok(Number.isFinite(c.confidence) && c.confidence >= 0 && c.confidence <= 1, JSON.stringify(c));
    }
    assert.ok(!face.top.some((c) => c.name === 'Sheldon'), 'the poisoned photo is not a candidate');
  });
});

describe('ZIP folders with names that cannot be used', () => {
  it('skips the folder with a reason naming it, and enrols the rest', async () => {
    const { lookalike } = await service();
    const long = 'y'.repeat(300);
    const zip = await buildZip([
      { path: 'penny/1.png', data: await thumbnail(1) },
      { path: '___/1.png', data: await thumbnail(2) },
      { path: `${long}/1.png`, data: await thumbnail(3) },
      { path: '[x](http:evil)/1.png', data: await thumbnail(4) },
    ]);
    const summary = await lookalike.importArchive('s', zip, 'admin');
    assert.equal(summary.added, 1);
    assert.deepEqual(
      (await lookalike.list('s')).map((p) => p.name),
      ['Penny'],
    );
    const reasons = new Map(summary.skipped.map((s) => [s.file, s.reason]));
    assert.match(reasons.get('___/') ?? '', /left out with its photo: .*give a name/i);
    assert.match(reasons.get(`${'y'.repeat(60)}…/`) ?? '', /too long/);
    assert.match(reasons.get('[x](http:evil)/') ?? '', /chat formatting or a link/);
  });

  it('says a valid empty ZIP is empty, and names the folders when none can be used', async () => {
    const { lookalike } = await service();
    await assert.rejects(lookalike.importArchive('s', await buildZip([]), 'admin'), /That ZIP is empty/);
    await assert.rejects(
      lookalike.importArchive(
        's',
        await buildZip([{ path: '___/1.png', data: await thumbnail(1) }]),
        'admin',
      ),
      /No folder in that ZIP has a name I can use.*___\//,
    );
  });
});
