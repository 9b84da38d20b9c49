import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { auc, modelDistances, validateRegions } from '../scripts/lib/resemblance-eval.ts';
import { trainShapeModel } from '../scripts/lib/shape-model-train.ts';
import { REGIONS, type RegionName, regionNamed } from '../src/domain/regions.ts';
import { Gallery, type NewPhoto } from '../src/gallery/index.ts';
import {
  differentPairs,
  RegionBaseline,
  regionDistances,
  regionShapes,
} from '../src/resemblance/baseline.ts';
import { ResemblanceExplainer } from '../src/resemblance/explainer.ts';
import { normalisedShape, procrustesDistance } from '../src/resemblance/procrustes.ts';
import { regionModels } from '../src/resemblance/shape-model.ts';
import { thumbnailLandmarks, thumbnailSquare, toThumbnail } from '../src/resemblance/thumbnail-frame.ts';
import { describeResemblance, likeness } from '../src/resemblance/wording.ts';
import { openStore } from '../src/store/index.ts';
import { MEAN_FACE, mirrored, perturb, place, syntheticPeople } from './support/landmarks.ts';

const ALL = REGIONS.map((r) => r.name);

function distance(a: Float32Array, b: Float32Array, region: RegionName): number {
  const points = regionNamed(region)!.points;
  return procrustesDistance(normalisedShape(a, points)!, normalisedShape(b, points)!);
}

describe('Procrustes distance', () => {
  const face = perturb(MEAN_FACE, 0.02, 3);

  it('ignores position, size and rotation', () => {
    for (const region of ALL) {
      const moved = place(face, 400, -30, 250, 0.7);
      assert.ok(distance(place(face, 56, 56, 100), moved, region) < 1e-6, region);
    }
  });

  it('does not use a reflection to make two shapes agree', () => {
    // A face's mirror image is a different configuration of the same numbered points…
    const lopsided = perturb(MEAN_FACE, 0.05, 11);
    const flipped = mirrored(lopsided);
    // …and flipping it back by a mirror would cost nothing, so a non-zero distance proves none is used.
    for (const region of ALL) assert.ok(distance(lopsided, flipped, region) > 0.01, region);
  });

  it('is symmetric, in [0, 1], and grows with the difference', () => {
    const a = place(face, 50, 50, 100);
    const near = place(perturb(face, 0.005, 5), 50, 50, 100);
    const far = place(perturb(face, 0.05, 5), 50, 50, 100);
    for (const region of ALL) {
      assert.equal(distance(a, far, region), distance(far, a, region));
      assert.ok(distance(a, near, region) < distance(a, far, region), region);
      assert.ok(distance(a, far, region) <= 1);
    }
  });

  it('has no shape for points that coincide', () => {
    assert.equal(normalisedShape(new Float32Array(136).fill(5), regionNamed('eyes')!.points), undefined);
  });
});

describe('the learned shape metric', () => {
  const face = perturb(MEAN_FACE, 0.02, 4);
  const models = regionModels();

  it('has a model for every region and ignores position, size and rotation', () => {
    assert.deepEqual(
      models.map((m) => m?.region),
      ALL,
    );
    const a = regionShapes(place(face, 56, 56, 100), models);
    const b = regionShapes(place(face, 300, 20, 260, -0.5), models);
    // Float32 landmarks round at about 1e-7 of the face; the whitening magnifies that, still far below a person.
    for (const [r, d] of regionDistances(a, b).entries()) assert.ok(d! < 1e-3, ALL[r]);
  });

  it('measures people apart more than photos of one person', () => {
    const people = syntheticPeople(2, 2, { seed: 8 });
    const shapes = people.map((shots) => shots.map((l) => regionShapes(l, models)));
    const within = regionDistances(shapes[0]![0]!, shapes[0]![1]!);
    const between = regionDistances(shapes[0]![0]!, shapes[1]![0]!);
    for (const [r, d] of within.entries()) assert.ok(d! < between[r]!, ALL[r]);
  });

  it('trains: the mean shape is normalised and the factor lower-triangular with a positive diagonal', () => {
    const people = syntheticPeople(6, 4, { seed: 12 });
    const photos = people.flatMap((shots, p) =>
      shots.map((landmarks, k) => ({ person: `p${p}`, file: `${k}`, landmarks })),
    );
    const eyes = trainShapeModel(photos, 0.01, 'synthetic').regions[0]!;
    const n = eyes.mean.length;
    assert.ok(Math.abs(Math.hypot(...eyes.mean) - 1) < 1e-4);
    for (let i = 0; i < n; i++) {
      assert.ok(eyes.factor[i * n + i]! > 0);
      for (let j = i + 1; j < n; j++) assert.equal(eyes.factor[i * n + j], 0);
    }
  });
});

describe('validation', () => {
  it('computes the AUC with ties as halves', () => {
    assert.equal(auc([1, 2], [3, 4]), 1);
    assert.equal(auc([3, 4], [1, 2]), 0);
    assert.equal(auc([2], [2]), 0.5);
    assert.equal(auc([1, 3], [2]), 0.5);
  });

  it('passes a region that tells people apart and fails one that does not', () => {
    const people = syntheticPeople(8, 5, { seed: 13 });
    const photos = people.flatMap((shots, p) =>
      shots.map((landmarks, k) => ({ person: `p${p}`, file: `${k}`, landmarks })),
    );
    const telling = validateRegions(photos, modelDistances(photos), 200);
    assert.equal(telling.samePairs, 80);
    assert.equal(telling.differentPairs, 700);
    assert.ok(telling.regions.every((r) => r.passed && r.auc > 0.9 && r.low <= r.auc && r.auc <= r.high));
    // The same photos with their people shuffled: no region should pass.
    const shuffled = photos.map((p, i) => ({ ...p, person: `p${(i * 7) % 8}` }));
    const chance = validateRegions(shuffled, modelDistances(shuffled), 200);
    assert.ok(
      chance.regions.every((r) => !r.passed),
      JSON.stringify(chance.regions),
    );
  });
});

describe('the baseline of different people', () => {
  it('pairs only photos of different people, sampling a large gallery', () => {
    const people = ['a', 'a', 'b', 'b', 'c'];
    const pairs = differentPairs(people);
    assert.equal(pairs.length, 8);
    for (const [i, j] of pairs) assert.notEqual(people[i], people[j]);
    const many = Array.from({ length: 400 }, (_, i) => `p${i % 40}`);
    const sampled = differentPairs(many, 1000);
    assert.equal(sampled.length, 1000);
    for (const [i, j] of sampled) assert.notEqual(many[i], many[j]);
    assert.deepEqual(differentPairs(many, 1000), sampled, 'the sample is the same on every run');
  });

  it('ranks a distance against the pairs: 100 for identical, 0 for least alike', () => {
    const photos = syntheticPeople(8, 3).flatMap((shots, p) =>
      shots.map((landmarks) => ({ person: `p${p}`, shapes: regionShapes(landmarks) })),
    );
    const baseline = RegionBaseline.build(photos);
    assert.equal(baseline.pairs('eyes'), (8 * 7 * 9) / 2);
    assert.equal(baseline.percentile('eyes', 0), 100);
    assert.equal(baseline.percentile('eyes', 1e9), 0);
    const mid = baseline.percentile('eyes', 1)!;
    assert.ok(mid >= 0 && mid <= 100);
  });

  it('gives no percentile with too few people', () => {
    const photos = syntheticPeople(2, 2).flatMap((shots, p) =>
      shots.map((landmarks) => ({ person: `p${p}`, shapes: regionShapes(landmarks) })),
    );
    assert.equal(RegionBaseline.build(photos).percentile('eyes', 0.01), undefined);
  });
});

// A PNG of `side` pixels whose photo content fills [x0, x1) × [y0, y1) and the rest is the engine's grey.
async function paddedThumbnail(side: number, content: [number, number, number, number]): Promise<Uint8Array> {
  const [x0, y0, x1, y1] = content;
  const data = Buffer.alloc(side * side * 3, 128);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) data.set([40 + ((x * 7) % 150), 90, 160 - (y % 50)], (y * side + x) * 3);
  return new Uint8Array(
    await sharp(data, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

describe('landmarks in a thumbnail', () => {
  it('uses the box when nothing was clipped', () => {
    assert.deepEqual(thumbnailSquare([100, 50, 80, 80], { width: 640, height: 480 }), {
      x: 100,
      y: 50,
      side: 80,
    });
    const mapped = toThumbnail(
      Float32Array.from([100, 50, 180, 130, 140, 90]),
      { x: 100, y: 50, side: 80 },
      112,
    );
    assert.deepEqual(Array.from(mapped), [0, 0, 112, 112, 56, 56]);
  });

  it('finds a tight crop inside the padding of its thumbnail', async () => {
    // A 150-pixel crop, all of it inside a square of side 200 at (-30, -20): 84 of 112 thumbnail pixels.
    const thumbnail = await paddedThumbnail(112, [17, 11, 101, 95]);
    const landmarks = place(MEAN_FACE, 75, 80, 100);
    const mapped = (await thumbnailLandmarks(
      { box: [0, 0, 150, 150], landmarks, thumbnail },
      { width: 150, height: 150 },
    ))!;
    const expected = toThumbnail(landmarks, { x: -30, y: -20, side: 200 }, 112);
    for (let i = 0; i < mapped.length; i++)
      assert.ok(Math.abs(mapped[i]! - expected[i]!) < 1, `coordinate ${i}`);
  });

  it('keeps the sides that were not clipped exact', () => {
    // A face at the left edge of a large photo: its square starts 20 pixels left of the photo.
    const square = thumbnailSquare([0, 100, 80, 100], { width: 640, height: 480 });
    assert.equal(square.side, 100);
    assert.equal(square.y, 100);
    assert.equal(square.x, -20);
  });

  it('says nothing for a face without landmarks', async () => {
    const thumbnail = await paddedThumbnail(112, [0, 0, 112, 112]);
    assert.equal(
      await thumbnailLandmarks({ box: [0, 0, 10, 10], thumbnail }, { width: 10, height: 10 }),
      undefined,
    );
  });
});

function hash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function enrolled(landmarks: Float32Array | undefined, seed: string, embedding: Float32Array): NewPhoto {
  const photo: NewPhoto = {
    hash: hash(seed),
    embedding,
    thumbnail: new Uint8Array([1, 2, 3]),
    addedBy: 'cli',
  };
  if (landmarks) photo.landmarks = landmarks;
  return photo;
}

function unit(seed: number): Float32Array {
  const v = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i * 0.37 + seed));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('ResemblanceExplainer', () => {
  async function gallery(people: Float32Array[][], withLandmarks = true) {
    const store = await openStore('memory://');
    const g = new Gallery(store, { embeddingDim: 1024 });
    await g.enrollMany(
      'global',
      people.map((shots, p) => ({
        name: `Person ${p}`,
        photos: shots.map((l, k) => enrolled(withLandmarks ? l : undefined, `${p}/${k}`, unit(p * 10 + k))),
      })),
    );
    return { store, gallery: g };
  }

  it('scores a face higher against its own person than against others, best region first', async () => {
    const people = syntheticPeople(10, 4, { seed: 2 });
    const { store, gallery: g } = await gallery(people.map((shots) => shots.slice(0, 3)));
    const explainer = new ResemblanceExplainer(g, { regions: ALL });
    const probe = people[4]![3]!;
    const own = await explainer.explain('global', 'person-4', { embedding: unit(40), landmarks: probe });
    const other = await explainer.explain('global', 'person-7', { embedding: unit(40), landmarks: probe });
    const mean = (r: typeof own) => r!.regions.reduce((n, s) => n + s.percentile, 0) / r!.regions.length;
    assert.ok(mean(own) > 80, `own person: ${mean(own)}`);
    assert.ok(mean(own) > mean(other), `${mean(own)} vs ${mean(other)}`);
    const percentiles = own!.regions.map((r) => r.percentile);
    assert.deepEqual(
      percentiles,
      [...percentiles].sort((a, b) => b - a),
      'best first',
    );
    // The nearest enrolled photo by embedding is the one compared (and drawn).
    assert.equal(own!.photo.hash, hash('4/0'));
    await store.close();
  });

  it('shows only the allowed regions', async () => {
    const people = syntheticPeople(6, 3, { seed: 5 });
    const { store, gallery: g } = await gallery(people);
    const explainer = new ResemblanceExplainer(g, { regions: ['jawline', 'eyes'] });
    const why = await explainer.explain('global', 'person-1', {
      embedding: unit(11),
      landmarks: people[1]![0]!,
    });
    assert.deepEqual(new Set(why!.regions.map((r) => r.region)), new Set(['jawline', 'eyes']));
    const none = new ResemblanceExplainer(g, { regions: [] });
    assert.equal(
      await none.explain('global', 'person-1', { embedding: unit(11), landmarks: people[1]![0]! }),
      undefined,
    );
    await store.close();
  });

  it('does not explain photos enrolled without landmarks, nor a face without them', async () => {
    const people = syntheticPeople(6, 3, { seed: 6 });
    const { store, gallery: g } = await gallery(people, false);
    const explainer = new ResemblanceExplainer(g, { regions: ALL });
    assert.equal(
      await explainer.explain('global', 'person-1', { embedding: unit(1), landmarks: people[1]![0]! }),
      undefined,
    );
    assert.equal(await explainer.explain('global', 'person-1', { embedding: unit(1) }), undefined);
    await store.close();
  });

  it('builds the baseline once per gallery version', async () => {
    const people = syntheticPeople(6, 3, { seed: 7 });
    const { store, gallery: g } = await gallery(people.slice(0, 5));
    let snapshots = 0;
    const counting = {
      version: (s: string) => g.version(s),
      snapshot: (s: string) => {
        snapshots++;
        return g.snapshot(s);
      },
    };
    const explainer = new ResemblanceExplainer(counting, { regions: ALL });
    const ask = () =>
      explainer.explain('global', 'person-5', { embedding: unit(50), landmarks: people[5]![2]! });
    await explainer.explain('global', 'person-1', { embedding: unit(10), landmarks: people[1]![0]! });
    await explainer.explain('global', 'person-2', { embedding: unit(20), landmarks: people[2]![0]! });
    assert.equal(snapshots, 1);
    assert.equal(await ask(), undefined, 'person 5 is not enrolled yet');
    await g.enroll(
      'global',
      'Person 5',
      people[5]!.slice(0, 2).map((l, k) => enrolled(l, `5/${k}`, unit(50 + k))),
    );
    assert.ok(await ask());
    assert.equal(snapshots, 2);
    await store.close();
  });
});

describe('wording', () => {
  it('says same from 90%, similar from 65%, different below', () => {
    assert.equal(likeness(90), 'same');
    assert.equal(likeness(89), 'similar');
    assert.equal(likeness(65), 'similar');
    assert.equal(likeness(64), 'different');
    assert.equal(
      describeResemblance([
        { region: 'jawline', percentile: 92 },
        { region: 'eyes', percentile: 85 },
        { region: 'nose', percentile: 41 },
      ]),
      'same jawline (92%), similar eyes (85%), different nose (41%)',
    );
  });
});
