// Occlusion attribution without models: the regions drawn from 68 landmarks, the grey and blurred
// masks, the shares of the similarity each removal costs, the wording, and the explainer with a stand-in
// embedding (pixel correlation), whose answer is known: two faces that share only their eyes are alike
// in the eyes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { FaceImage } from '../../src/domain/face.ts';
import { REGIONS, regionPolygons } from '../../src/domain/regions.ts';
import { Gallery } from '../../src/gallery/index.ts';
import { faceImage, ResemblanceExplainer } from '../../src/resemblance/explainer.ts';
import {
  attributionImages,
  attributionOf,
  blurred,
  maskArea,
  masked,
  regionMask,
  shares,
} from '../../src/resemblance/occlusion.ts';
import { thumbnailLandmarks, thumbnailSquare, toThumbnail } from '../../src/resemblance/thumbnail-frame.ts';
import { describeResemblance, namedRegions } from '../../src/resemblance/wording.ts';
import { openStore } from '../../src/store/index.ts';
import { spearman, trapezoid } from '../../tools/lib/resemblance-eval.ts';
import { MEAN_FACE, place } from '../support/landmarks.ts';

const SIDE = 112;
/** The mean face centred in a 112-pixel thumbnail, 70 pixels wide. */
const FACE = place(MEAN_FACE, 56, 60, 70);

/** A stand-in embedding: the image's pixels, centred and scaled to unit length (cosine = correlation). */
function pixelEmbedding(img: FaceImage): Float32Array {
  const v = Float32Array.from(img.data);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = (v[i] as number) - mean;
    norm += (v[i] as number) ** 2;
  }
  return v.map((x) => x / Math.sqrt(norm || 1));
}

/** Noise everywhere, with the same pattern as `shared` inside `mask` (so the two faces agree only there). */
function face(seed: number, shared: Uint8Array, mask: Uint8Array): FaceImage {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % 256;
  };
  const data = new Uint8Array(SIDE * SIDE * 3);
  for (let p = 0; p < SIDE * SIDE; p++)
    for (let c = 0; c < 3; c++) data[3 * p + c] = mask[p] ? (shared[3 * p + c] as number) : next();
  return { data, width: SIDE, height: SIDE, landmarks: FACE };
}

const noise = face(99, new Uint8Array(0), new Uint8Array(SIDE * SIDE)).data;
const eyes = regionMask(['eyes'], FACE, SIDE, SIDE);

describe('regions from 68 landmarks', () => {
  it('covers every region, with the eyes over the eyes and the mouth over the mouth', () => {
    for (const region of REGIONS) {
      const area = maskArea(regionMask([region], FACE, SIDE, SIDE));
      assert.ok(area > 40, `${region} covers ${area} pixels`);
      assert.ok(area < SIDE * SIDE * 0.3, `${region} covers ${area} pixels`);
    }
    const at = (mask: Uint8Array, i: number) =>
      mask[Math.round(FACE[2 * i + 1]!) * SIDE + Math.round(FACE[2 * i]!)];
    assert.equal(at(eyes, 37), 1);
    assert.equal(at(eyes, 44), 1);
    const mouth = regionMask(['mouth'], FACE, SIDE, SIDE);
    assert.equal(at(mouth, 62), 1);
    assert.equal(at(mouth, 37), 0);
    for (let p = 0; p < eyes.length; p++) assert.ok(!(eyes[p] && mouth[p]), 'eyes and mouth do not overlap');
  });

  it('turns with the face', () => {
    const turned = new Float32Array(FACE.length);
    const [cx, cy, a] = [56, 60, Math.PI / 2];
    for (let i = 0; i < FACE.length; i += 2) {
      const x = FACE[i]! - cx;
      const y = FACE[i + 1]! - cy;
      turned[i] = cx + x * Math.cos(a) - y * Math.sin(a);
      turned[i + 1] = cy + x * Math.sin(a) + y * Math.cos(a);
    }
    for (const region of REGIONS) {
      const [upright, sideways] = [FACE, turned].map((l) => regionPolygons(region, l));
      const p = upright![0]![0]!;
      const q = sideways![0]![0]!;
      const x = p[0] - cx;
      const y = p[1] - cy;
      assert.ok(Math.abs(q[0] - (cx - y)) < 1e-3 && Math.abs(q[1] - (cy + x)) < 1e-3, region);
    }
  });
});

describe('masks', () => {
  const img = face(1, noise, new Uint8Array(SIDE * SIDE));

  it('greys the region and leaves the rest alone', () => {
    const out = masked(img, eyes, 'grey');
    for (let p = 0; p < eyes.length; p++)
      for (let c = 0; c < 3; c++)
        assert.equal(out.data[3 * p + c], eyes[p] ? 128 : img.data[3 * p + c], `pixel ${p}`);
  });

  it('blurs the region: its detail goes, the rest stays', () => {
    const out = masked(img, eyes, 'blur');
    const fill = blurred(img);
    let before = 0;
    let after = 0;
    for (let p = 0; p < eyes.length; p++) {
      if (!eyes[p]) {
        assert.equal(out.data[3 * p], img.data[3 * p]);
        continue;
      }
      assert.equal(out.data[3 * p], fill[3 * p]);
      before += Math.abs(img.data[3 * p]! - img.data[3 * p + 3]!);
      after += Math.abs(out.data[3 * p]! - out.data[3 * p + 3]!);
    }
    assert.ok(after < before / 4, `neighbouring pixels differ by ${after} after, ${before} before`);
  });
});

describe('shares', () => {
  it('splits the positive drops, largest first, and adds up to 1', () => {
    const s = shares([0.02, -0.01, 0.06, 0, 0.02, 0, 0]);
    assert.deepEqual(
      s.map((r) => r.region),
      ['nose', 'eyes', 'jaw and chin'],
    );
    assert.ok(Math.abs(s.reduce((a, r) => a + r.share, 0) - 1) < 1e-9);
    assert.ok(Math.abs(s[0]!.share - 0.6) < 1e-9);
    assert.deepEqual(shares([0, -0.1, 0, 0, 0, 0, 0]), []);
  });

  it('reads each region off one face at a time, the other left whole', () => {
    const pair = { face: face(1, noise, eyes), photo: face(2, noise, eyes) };
    const images = attributionImages(pair, 'grey');
    assert.equal(images.length, 2 + 2 * REGIONS.length);
    const { similarity, drops } = attributionOf(images.map(pixelEmbedding));
    assert.ok(similarity > 0.01, `similarity ${similarity}`);
    assert.equal(drops.indexOf(Math.max(...drops)), REGIONS.indexOf('eyes'));
  });
});

describe('wording', () => {
  it('names the top regions with their shares', () => {
    const regions = [
      { region: 'eyes' as const, share: 0.41 },
      { region: 'nose' as const, share: 0.3 },
      { region: 'mouth' as const, share: 0.2 },
      { region: 'cheeks' as const, share: 0.09 },
    ];
    assert.equal(describeResemblance(regions), 'mostly the eyes (41%), nose (30%) and mouth (20%)');
    assert.equal(describeResemblance(regions.slice(0, 1)), 'mostly the eyes (41%)');
    assert.deepEqual(
      namedRegions([regions[0]!, regions[3]!]).map((r) => r.region),
      ['eyes'],
    );
  });
});

describe('evaluation helpers', () => {
  it('integrates a curve and correlates ranks', () => {
    assert.equal(
      trapezoid([
        [0, 1],
        [0.5, 1],
        [1, 0],
      ]),
      0.75,
    );
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
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

async function png(img: FaceImage): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(img.data, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

describe('ResemblanceExplainer', () => {
  it('explains a match by the region the two faces share, against the nearest photo, in one batch', async () => {
    const store = await openStore('memory://');
    const gallery = new Gallery(store, { embeddingDim: 4 });
    const alike = face(2, noise, eyes);
    const unlike = face(3, noise, new Uint8Array(SIDE * SIDE));
    const photo = async (img: FaceImage, seed: string, embedding: number[]) => ({
      hash: createHash('sha256').update(seed).digest('hex'),
      embedding: Float32Array.from(embedding),
      thumbnail: await png(img),
      landmarks: FACE,
      addedBy: 'cli',
    });
    await gallery.enroll('global', 'Star', [
      await photo(alike, 'a', [1, 0, 0, 0]),
      await photo(unlike, 'b', [0, 1, 0, 0]),
    ]);
    const calls: number[] = [];
    const explainer = new ResemblanceExplainer(gallery, async (images) => {
      calls.push(images.length);
      return images.map(pixelEmbedding);
    });
    const member = {
      embedding: Float32Array.of(0.9, 0.1, 0, 0),
      thumbnail: await png(face(1, noise, eyes)),
      landmarks: FACE,
    };
    for (const mask of ['grey', 'blur'] as const) {
      calls.length = 0;
      const why = (await new ResemblanceExplainer(
        gallery,
        async (images) => {
          calls.push(images.length);
          return images.map(pixelEmbedding);
        },
        { mask },
      ).explain('global', 'star', member))!;
      assert.equal(why.regions[0]!.region, 'eyes', `${mask}: ${JSON.stringify(why.regions)}`);
      assert.ok(why.regions[0]!.share > 0.5, `${mask}: ${why.regions[0]!.share}`);
      assert.deepEqual(calls, [16], 'one batch: both faces and every region off each');
    }
    const why = (await explainer.explain('global', 'star', member))!;
    assert.equal(why.photo.hash, createHash('sha256').update('a').digest('hex'), 'the nearest photo');
    assert.equal(await explainer.explain('global', 'star', { ...member, landmarks: undefined }), undefined);
    assert.equal(await explainer.explain('global', 'nobody', member), undefined);
    const decoded = await faceImage(why.photo.thumbnail, FACE);
    assert.deepEqual(decoded.data, alike.data);
    await store.close();
  });
});
