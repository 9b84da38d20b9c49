import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { Matcher } from '../../src/classifier/matcher.ts';
import { HumanEngine } from '../../src/engine/human-engine.ts';
import { WorkerPool } from '../../src/engine/pool.ts';
import { UserError } from '../../src/errors.ts';
import { cosine } from '../../src/util/vectors.ts';
import { dataDir, people, readData } from '../fixtures/data.ts';
import { assertPoolContract } from '../support/pool.ts';

const data = dataDir();
const read = readData;

describe('face engine on real photos (wasm)', () => {
  let engine: HumanEngine;
  before(async () => {
    engine = await HumanEngine.create({ backend: 'wasm' });
  });
  after(() => engine.close());

  it('finds the 4 faces of bbt1.jpg, in original pixels, largest first', async () => {
    const a = await engine.analyze(read('bbt', 'group', 'bbt1.jpg'));
    assert.equal(a.faces.length, 4);
    assert.deepEqual([a.width, a.height], [1366, 768]);
    const areas = a.faces.map((f) => f.box[2] * f.box[3]);
    assert.deepEqual(
      areas,
      [...areas].sort((x, y) => y - x),
    );
    for (const f of a.faces) {
      const [x, y, w, h] = f.box;
      assert.ok(x >= 0 && y >= 0 && x + w <= 1366 && y + h <= 768, `box ${f.box} inside the photo`);
      assert.ok(w > 100 && h > 100, `box ${f.box} is face-sized at full resolution`);
      assert.ok(f.score > 0.3 && f.score <= 1);
    }
  });

  it('returns unit embeddings and 112x112 PNG thumbnails', async () => {
    const a = await engine.analyze(read('bbt', 'penny', 'penny1.png'));
    const face = a.faces[0];
    assert.ok(face);
    assert.equal(face.embedding.length, 1024);
    assert.ok(Math.abs(cosine(face.embedding, face.embedding) - 1) < 1e-4);
    const meta = await sharp(face.thumbnail).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 112, 112]);
    for (const k of ['decode', 'detect', 'align', 'embed'] as const) assert.ok(a.timings[k] >= 0);
  });

  it('makes no thumbnail when asked for none, and the same embedding', async () => {
    const photo = read('bbt', 'penny', 'penny1.png');
    const full = (await engine.analyze(photo)).faces[0];
    const bare = (await engine.analyze(photo, { thumbnails: false })).faces[0];
    assert.ok(full && bare);
    assert.equal(Object.hasOwn(bare, 'thumbnail'), false);
    assert.deepEqual(bare.embedding, full.embedding);
    const tensors = engine.tensorCount();
    await engine.analyze(photo, { thumbnails: false });
    assert.equal(engine.tensorCount(), tensors, 'no tensor left behind without thumbnails');
  });

  it('finds the face in a small tight crop', async () => {
    const a = await engine.analyze(read('celebs', 'barack_obama', '0.png'));
    assert.equal(a.faces.length, 1);
  });

  it('finds no face in a blank image', async () => {
    const a = await engine.analyze(read('misc', 'no-face-white.png'));
    assert.equal(a.faces.length, 0);
  });

  it('scores the same person higher than different people on bbt', async () => {
    const cast = people(path.join(data, 'bbt'));
    const rows: { who: string; e: Float32Array }[] = [];
    for (const p of cast) {
      for (const f of p.files.slice(0, 3)) {
        const face = (await engine.analyze(readFileSync(f))).faces[0];
        assert.ok(face, `face in ${f}`);
        rows.push({ who: p.name, e: face.embedding });
      }
    }
    const same: number[] = [];
    const diff: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const a = rows[i] as (typeof rows)[number];
        const b = rows[j] as (typeof rows)[number];
        (a.who === b.who ? same : diff).push(cosine(a.e, b.e));
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(mean(same) > mean(diff) + 0.1, `same ${mean(same)} vs different ${mean(diff)}`);
    // Each person's nearest other photo is one of their own for most photos.
    let right = 0;
    rows.forEach((r, i) => {
      let best = -1;
      let who = '';
      rows.forEach((o, j) => {
        if (i !== j && cosine(r.e, o.e) > best) {
          best = cosine(r.e, o.e);
          who = o.who;
        }
      });
      if (who === r.who) right++;
    });
    assert.ok(right / rows.length >= 0.8, `nearest-neighbour agreement ${right}/${rows.length}`);
  });

  it('names the right person from a gallery of two people with two photos each', async () => {
    // Regression: tiny cross-validation folds once fitted Platt sigmoids backwards, naming the other person.
    const embed = async (who: string, i: number) => {
      const face = (await engine.analyze(read('bbt', who, `${who}${i}.png`))).faces[0];
      assert.ok(face);
      return face.embedding;
    };
    const gallery = await Promise.all(
      ['penny', 'sheldon'].map(async (who) => ({
        slug: who,
        name: who,
        embeddings: [await embed(who, 1), await embed(who, 2)],
      })),
    );
    const matcher = Matcher.train(gallery);
    for (const who of ['penny', 'sheldon']) {
      for (const i of [4, 5]) {
        const match = matcher.identify(await embed(who, i)).match;
        assert.equal(match?.slug, who, `${who}${i}`);
        assert.ok((match?.confidence ?? 0) > 0.5);
      }
    }
  });

  it('refuses a non-image with a typed error', async () => {
    await assert.rejects(
      engine.analyze(Buffer.from('not a photo')),
      (e: unknown) => e instanceof UserError && e.code === 'not_image',
    );
  });

  it('keeps the tensor count flat over hundreds of images', async () => {
    const inputs = [
      read('bbt', 'group', 'bbt1.jpg'),
      read('bbt', 'sheldon', 'sheldon2.png'),
      read('celebs', 'barack_obama', '3.png'),
      read('misc', 'no-face-white.png'),
    ];
    await engine.analyze(inputs[0] as Uint8Array);
    const baseline = engine.tensorCount();
    for (let i = 0; i < 200; i++) {
      await engine.analyze(inputs[i % inputs.length] as Uint8Array);
      if (i % 50 === 0) await engine.analyze(Buffer.from('junk')).catch(() => undefined);
    }
    assert.equal(engine.tensorCount(), baseline);
  });
});

describe('worker pool', () => {
  it('analyses in workers, passes typed errors back, and answers busy when its queue is full', async () => {
    const pool = new WorkerPool({ backend: 'wasm', workers: 1, queueLimit: 2 });
    try {
      await assertPoolContract(pool);
      const [tensors] = await pool.tensorCounts();
      assert.ok(typeof tensors === 'number' && tensors > 0);
    } finally {
      await pool.close();
    }
  });
});
