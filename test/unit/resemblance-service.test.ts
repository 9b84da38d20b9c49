// Landmarks through the whole service with a stand-in engine: stored at enrolment in thumbnail pixels,
// carried by packs, and turned into `resemblance` on the best match on demand (a held face's "Why?",
// or `infer --explain`), in `infer --json` as [{region, share}].
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { runInfer } from '../../src/cli/commands/faces.ts';
import type { Output } from '../../src/cli/output.ts';
import { CoreService } from '../../src/core/service.ts';
import type { Analysis, FaceEngine, FaceImage } from '../../src/domain/face.ts';
import { REGIONS } from '../../src/domain/regions.ts';
import { UserError } from '../../src/errors.ts';
import { Gallery } from '../../src/gallery/index.ts';
import { decodePack, encodePack } from '../../src/gallery/pack.ts';
import { migratePhoto } from '../../src/gallery/records.ts';
import { readZip } from '../../src/gallery/zip-archive.ts';
import { openStore } from '../../src/store/index.ts';
import { gaussian, syntheticPeople } from '../support/landmarks.ts';

const PEOPLE = 8;
const SHOTS = 4;
const shapes = syntheticPeople(PEOPLE, SHOTS, { seed: 9 });
// Textured, so that a blurred region differs from the face itself; one per photo, since packs refuse
// photos that share a thumbnail (issue 21).
const thumbnails = await Promise.all(
  Array.from({ length: PEOPLE * SHOTS }, async (_, k) => {
    const texture = Uint8Array.from({ length: 112 * 112 * 3 }, (_, i) => (i * 7919 + k) % 251);
    return new Uint8Array(
      await sharp(texture, { raw: { width: 112, height: 112, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }),
);
const thumbnailOf = (person: number, shot: number) => thumbnails[person * SHOTS + shot]!;
const thumbnail = thumbnailOf(0, 0);

/** A stand-in for the fused embedding of a face image: its pixels, scaled to unit length. */
function pixels(img: FaceImage): Float32Array {
  const v = Float32Array.from(img.data, (x) => x - 100);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function embedding(person: number, shot: number): Float32Array {
  const own = gaussian(person + 1);
  const noise = gaussian(100 + person * 10 + shot);
  const v = Float32Array.from({ length: 1024 }, () => own() + 0.3 * noise());
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

// Photos are two bytes, person and shot; each has one face in an unclipped 100-pixel box at (50, 50),
// so its 112-pixel thumbnail is that box and thumbnail pixels are (photo pixels - 50) × 1.12.
function analysis(image: Uint8Array): Analysis {
  // A pack's thumbnail analysed again (re-embedding) stands for person 0's first photo.
  const [person = 0, shot = 0] = image.length === 2 ? image : [0, 0];
  const landmarks = shapes[person]![shot]!.map((v) => v + 50 - 56 + 50);
  return {
    width: 200,
    height: 200,
    faces: [
      {
        box: [50, 50, 100, 100],
        score: 0.99,
        embedding: embedding(person, shot),
        thumbnail: thumbnailOf(person, shot),
        landmarks,
      },
    ],
    timings: { decode: 0, detect: 0, align: 0, embed: 0 },
  };
}

const engine: FaceEngine = {
  backend: 'fake',
  analyze: async (image) => analysis(image),
  embedFaceImages: async (images) => images.map(pixels),
  close: async () => {},
};
const photo = (person: number, shot: number) => ({
  name: `p${person}/${shot}.png`,
  data: Uint8Array.of(person, shot),
});

async function service() {
  const store = await openStore('memory://');
  const gallery = new Gallery(store, { embeddingDim: 1024 });
  const lookalike = new CoreService(engine, gallery);
  const batches = Array.from({ length: PEOPLE }, (_, p) => ({
    name: `Person ${p}`,
    images: [0, 1, 2].map((k) => photo(p, k)),
  }));
  await lookalike.enrollMany('global', batches, 'cli');
  return { store, gallery, lookalike };
}

describe('resemblance through the service', () => {
  it('stores each enrolled face’s landmarks in its thumbnail’s pixels', async () => {
    const { store, gallery } = await service();
    const snapshot = await gallery.snapshot('global');
    const first = snapshot.identities[0]!.photos[0]!;
    const original = analysis(Uint8Array.of(0, 0)).faces[0]!.landmarks!;
    assert.equal(first.landmarks?.length, 136);
    for (let i = 0; i < 136; i++)
      assert.ok(Math.abs(first.landmarks![i]! - (original[i]! - 50) * 1.12) < 1e-3);
    await store.close();
  });

  it('holds an answered face for "Why?" and explains it on demand, largest share first', async () => {
    const { store, lookalike } = await service();
    const result = await lookalike.identify('global', Uint8Array.of(3, 3));
    const answer = result.faces[0]!;
    assert.equal(answer.match!.slug, 'person-3');
    assert.equal(answer.match!.resemblance, undefined, 'not computed with the answer');
    assert.ok(answer.explainId);
    const explained = (await lookalike.explain(answer.explainId))!;
    assert.equal(explained.match.slug, 'person-3');
    const why = explained.match.resemblance;
    const list = why.regions.map((r) => r.share);
    assert.deepEqual(
      list,
      [...list].sort((a, b) => b - a),
    );
    assert.ok(Math.abs(list.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    for (const r of why.regions) assert.ok(REGIONS.includes(r.region));
    assert.equal(why.photo.landmarks.length, 136);
    assert.equal(why.face.length, 136);
    assert.equal(await lookalike.explain('no such face'), null);
    const direct = await lookalike.identify('global', Uint8Array.of(3, 3), { explain: true });
    assert.deepEqual(direct.faces[0]!.match!.resemblance!.regions, why.regions);
    await store.close();
  });

  it('puts it in `infer --explain --json` as [{region, share}], and in the text line', async () => {
    const { store, lookalike } = await service();
    const records: unknown[] = [];
    const lines: string[] = [];
    const out = (json: boolean): Output => ({
      json,
      line: (t) => lines.push(t),
      record: (v) => records.push(v),
      progress: () => {},
      endProgress: () => {},
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-resemblance-'));
    const file = path.join(dir, 'probe.bin');
    writeFileSync(file, Uint8Array.of(5, 3));
    await runInfer({ service: lookalike, scope: 'global', out: out(true), store }, [file], 8, true);
    const face = (records[0] as { faces: { match: { resemblance: { region: string; share: number }[] } }[] })
      .faces[0]!;
    const list = face.match.resemblance;
    assert.ok(list.length > 0);
    for (const item of list) {
      assert.deepEqual(Object.keys(item), ['region', 'share']);
      assert.ok(item.share > 0 && item.share <= 1);
    }
    await runInfer({ service: lookalike, scope: 'global', out: out(true), store }, [file]);
    assert.equal(
      Object.hasOwn((records[1] as { faces: { match: object }[] }).faces[0]!.match, 'resemblance'),
      false,
    );
    await runInfer({ service: lookalike, scope: 'global', out: out(false), store }, [file], 8, true);
    assert.match(lines.at(-1)!, /alike in mostly the [a-z ]+ \(\d+%\)/);
    // An engine that gives no landmarks (the wasm backend) cannot be explained: the line says so.
    const bare: FaceEngine = {
      ...engine,
      analyze: async (image) => {
        const a = analysis(image);
        return { ...a, faces: a.faces.map(({ landmarks: _, ...f }) => f) };
      },
    };
    const plain = new CoreService(bare, new Gallery(store, { embeddingDim: 1024 }));
    await runInfer({ service: plain, scope: 'global', out: out(false), store }, [file], 8, true);
    assert.match(lines.at(-1)!, /Predict Person \d.*; no explanation for this face$/);
    await runInfer({ service: plain, scope: 'global', out: out(false), store }, [file]);
    assert.doesNotMatch(lines.at(-1)!, /explanation/);
    rmSync(dir, { recursive: true, force: true });
    await store.close();
  });

  it('carries landmarks in packs, and reads packs without them', async () => {
    const { store, gallery } = await service();
    const snapshot = await gallery.snapshot('global');
    const fingerprint = { sha256: 'x', models: {}, tuning: {} } as never;
    const pack = decodePack(await readZip(await encodePack(snapshot, fingerprint)));
    const before = snapshot.identities[0]!.photos[0]!.landmarks!;
    const after = pack.identities[0]!.photos[0]!.landmarks!;
    for (let i = 0; i < 136; i++) assert.ok(Math.abs(before[i]! - after[i]!) <= 0.005);
    const bare = {
      ...snapshot,
      identities: snapshot.identities.map((i) => ({
        ...i,
        photos: i.photos.map(({ landmarks: _, ...p }) => p),
      })),
    };
    const old = decodePack(await readZip(await encodePack(bare, fingerprint)));
    assert.equal(old.identities[0]!.photos[0]!.landmarks, undefined);
    await store.close();
  });

  it('fills landmarks from the thumbnails when a pack from another engine is re-embedded', async () => {
    const { store, gallery, lookalike } = await service();
    const snapshot = await gallery.snapshot('global');
    const bare = {
      ...snapshot,
      identities: snapshot.identities.map((i) => ({
        ...i,
        photos: i.photos.map(({ landmarks: _, ...p }) => p),
      })),
    };
    const other = { sha256: 'another engine', models: {}, tuning: {} } as never;
    const summary = await lookalike.importArchive('other', await encodePack(bare, other), 'cli');
    assert.ok(summary.reembedded);
    const photos = (await gallery.snapshot('other')).identities.flatMap((i) => i.photos);
    assert.equal(photos.length, PEOPLE * 3);
    // The thumbnail was the image analysed, so the landmarks the engine gave are already in its pixels.
    const expected = analysis(thumbnail).faces[0]!.landmarks!;
    for (const photo of photos) assert.deepEqual(Array.from(photo.landmarks!), Array.from(expected));
    await store.close();
  });

  it('refuses a pack whose landmarks are damaged', async () => {
    const { store, gallery } = await service();
    const entries = await readZip(
      await encodePack(await gallery.snapshot('global'), { sha256: 'x', models: {}, tuning: {} } as never),
    );
    const manifest = entries.find((e) => e.path === 'lookalike-pack.json')!;
    const json = JSON.parse(new TextDecoder().decode(manifest.data));
    json.identities[0].photos[0].landmarks = [1, 2, 3];
    manifest.data = new TextEncoder().encode(JSON.stringify(json));
    assert.throws(() => decodePack(entries), /damaged \(photo [0-9a-f]{8} has bad landmarks\)/);
    await store.close();
  });

  it('reads photos stored before landmarks, and refuses landmarks of the wrong size', async () => {
    const blob = migratePhoto({
      schema: 1,
      hash: 'a'.repeat(64),
      embedding: new Float32Array(4),
      thumbnail: new Uint8Array([1]),
      addedBy: 'cli',
      storedAt: new Date().toISOString(),
    });
    assert.equal(blob.landmarks, undefined);
    const store = await openStore('memory://');
    const gallery = new Gallery(store, { embeddingDim: 1024 });
    await assert.rejects(
      gallery.enroll('global', 'X', [
        {
          hash: 'b'.repeat(64),
          embedding: embedding(0, 0),
          thumbnail,
          addedBy: 'cli',
          landmarks: new Float32Array(10),
        },
      ]),
      (err: unknown) => err instanceof UserError && err.code === 'bad_photo' && /landmarks/.test(err.message),
    );
    await store.close();
  });
});
