// The engines' PNG encoder (src/image/png.ts): what it writes must decode, in libvips (sharp, which
// checks every chunk's CRC), to exactly the pixels it was given, and a face thumbnail must take
// about the room sharp's own encoder gave it, since every gallery photo stores one.
// Its decoder: the very pixels sharp's decode gives, for every file it takes, and every other
// file (damaged, 16-bit, interlaced, with a colour profile or an orientation) left to sharp.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { UserError } from '../../src/errors.ts';
import { decodeImage } from '../../src/image/decode.ts';
import { decodePng, encodePng, readPng } from '../../src/image/png.ts';
import { Rng } from '../../src/util/rng.ts';
import { dataDir, people } from '../fixtures/data.ts';
import { makePng } from '../fixtures/png-files.ts';

/** Seeded pseudo-random bytes, so a failure reproduces. */
function noise(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

async function decoded(png: Uint8Array) {
  const { data, info } = await sharp(png, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data), info };
}

describe('encodePng', () => {
  it('writes PNGs that decode to the same pixels: odd sizes, noise, flat and gradient images', async () => {
    const images: [string, Uint8Array, number, number][] = [
      ['1×1', Uint8Array.of(200, 10, 0), 1, 1],
      ['2×3 noise', noise(2 * 3 * 3, 1), 2, 3],
      ['33×1 noise', noise(33 * 3, 2), 33, 1],
      ['1×40 noise', noise(40 * 3, 3), 1, 40],
      ['112×112 noise', noise(112 * 112 * 3, 4), 112, 112],
      ['112×112 black', new Uint8Array(112 * 112 * 3), 112, 112],
      ['112×112 white', new Uint8Array(112 * 112 * 3).fill(255), 112, 112],
      ['97×61 gradient', Uint8Array.from({ length: 97 * 61 * 3 }, (_, i) => (i * 7) % 256), 97, 61],
    ];
    for (const [what, rgb, width, height] of images) {
      const png = encodePng(rgb, width, height);
      const { pixels, info } = await decoded(png);
      assert.deepEqual([info.width, info.height, info.channels], [width, height, 3], what);
      assert.deepEqual(pixels, rgb, what);
      // Its own buffer, whole: a worker transfers it, and a transfer takes the whole ArrayBuffer.
      assert.deepEqual([png.byteOffset, png.buffer.byteLength], [0, png.length], what);
    }
  });

  it('refuses pixels that are not width × height RGB', () => {
    assert.throws(() => encodePng(new Uint8Array(10), 2, 2), RangeError);
  });

  it("keeps face thumbnails within 10 % of sharp's encoder at the settings it replaced", async () => {
    const data = dataDir();
    const files = ['bbt', 'celebs'].flatMap((set) =>
      people(path.join(data, set))
        .slice(0, 8)
        .map((p) => p.files[0] as string),
    );
    assert.equal(files.length, 16, `eight bbt people and eight celebrities in ${data}`);
    let ours = 0;
    let theirs = 0;
    for (const file of files) {
      const rgb = new Uint8Array(
        await sharp(file)
          .resize(112, 112, { fit: 'cover' })
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer(),
      );
      const png = encodePng(rgb, 112, 112);
      assert.deepEqual((await decoded(png)).pixels, rgb, file);
      ours += png.length;
      theirs += (
        await sharp(rgb, { raw: { width: 112, height: 112, channels: 3 } })
          .png({ compressionLevel: 3, adaptiveFiltering: true })
          .toBuffer()
      ).length;
    }
    assert.ok(ours <= 1.1 * theirs, `${ours} bytes against sharp's ${theirs}`);
  });
});

/** What decodeImage's sharp pipeline gives for a file small enough not to be resized. */
async function sharpPixels(png: Uint8Array): Promise<Uint8Array> {
  const pipeline = sharp(png, { failOn: 'truncated' }).flatten({ background: '#ffffff' });
  return new Uint8Array(await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer());
}

/** Decodes with decodePng and with decodeImage, and checks both against sharp's pixels. */
async function assertAsSharp(png: Uint8Array, what: string): Promise<void> {
  const read = readPng(png);
  assert.ok(read, `${what}: readPng takes it`);
  const ours = decodePng(read);
  assert.ok(ours, `${what}: decodePng decodes it`);
  const expected = await sharpPixels(png);
  assert.ok(Buffer.from(ours.data).equals(expected), `${what}: decodePng's pixels are sharp's`);
  const decoded = await decodeImage(png);
  assert.deepEqual(
    [decoded.width, decoded.height, decoded.scale, decoded.format],
    [read.width, read.height, 1, 'png'],
  );
  assert.ok(Buffer.from(decoded.data).equals(expected), `${what}: decodeImage's pixels are sharp's`);
}

const be32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe('decodePng', () => {
  const width = 37;
  const height = 23;
  const rgb = noise(width * height * 3, 20);

  it("gives sharp's pixels for every 8-bit colour type and row filter, transparency on white", async () => {
    const grey = noise(width * height, 21);
    grey.set([77, 77], 4); // the transparent grey, twice
    const rgbWithKey = rgb.slice();
    rgbWithKey.set([1, 2, 3, 1, 2, 3], 30); // the transparent colour, twice
    const indices = Uint8Array.from(noise(width * height, 22), (v) => v % 200);
    const palette = noise(600, 23);
    const cases: [string, Parameters<typeof makePng>[0]][] = [
      ['grey', { width, height, colourType: 0, samples: grey }],
      [
        'grey, one grey transparent',
        { width, height, colourType: 0, samples: grey, transparency: Uint8Array.of(0, 77) },
      ],
      ['RGB', { width, height, colourType: 2, samples: rgb }],
      [
        'RGB, one colour transparent',
        { width, height, colourType: 2, samples: rgbWithKey, transparency: Uint8Array.of(0, 1, 0, 2, 0, 3) },
      ],
      ['palette', { width, height, colourType: 3, samples: indices, palette }],
      [
        'palette, 150 entries with alpha',
        { width, height, colourType: 3, samples: indices, palette, transparency: noise(150, 24) },
      ],
      ['grey and alpha', { width, height, colourType: 4, samples: noise(width * height * 2, 25) }],
      ['RGBA', { width, height, colourType: 6, samples: noise(width * height * 4, 26) }],
      ['RGB, one filter for all rows: Paeth', { width, height, colourType: 2, samples: rgb, filters: [4] }],
      ['RGB, one filter for all rows: average', { width, height, colourType: 2, samples: rgb, filters: [3] }],
      ['RGB, 1×1', { width: 1, height: 1, colourType: 2, samples: Uint8Array.of(9, 8, 7) }],
      ['RGB in 4 IDAT chunks', { width, height, colourType: 2, samples: rgb, idatParts: 4 }],
    ];
    for (const [what, spec] of cases) await assertAsSharp(makePng(spec), what);
    // sharp's own encoder: adaptive filters, and a palette it chooses.
    const raw = sharp(rgb, { raw: { width, height, channels: 3 } });
    await assertAsSharp(
      await raw.clone().png({ adaptiveFiltering: true }).toBuffer(),
      'sharp, adaptive filters',
    );
    await assertAsSharp(await raw.clone().png({ palette: true }).toBuffer(), "sharp's 8-bit palette");
  });

  it("gives sharp's pixels with every chunk it reads past: gamma and chromaticities are not applied by sharp either", async () => {
    const chunks: [string, number[]][] = [
      ['gAMA', be32(100000)],
      ['gAMA', be32(22000)],
      ['cHRM', [31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000].flatMap(be32)],
      ['sRGB', [0]],
      ['tEXt', [...Buffer.from('Comment\0a face')]],
      ['pHYs', [...be32(3780), ...be32(3780), 1]],
      ['bKGD', [0, 10, 0, 20, 0, 30]],
      ['sBIT', [5, 6, 5]],
      ['tIME', [7, 234, 12, 5, 10, 0, 0]],
    ];
    for (const [type, body] of chunks) {
      const png = makePng({
        width,
        height,
        colourType: 2,
        samples: rgb,
        chunks: [[type, Uint8Array.from(body)]],
      });
      await assertAsSharp(png, type);
    }
  });

  it('leaves to sharp every PNG it cannot decode exactly as sharp does, and decodeImage still decodes them', async () => {
    const raw = sharp(rgb, { raw: { width, height, channels: 3 } });
    const files: [string, Uint8Array, [number, number]][] = [
      ['16 bits a sample', await raw.clone().toColourspace('rgb16').png().toBuffer(), [width, height]],
      ['interlaced', await raw.clone().png({ progressive: true }).toBuffer(), [width, height]],
      ['4-bit palette', await raw.clone().png({ palette: true, colours: 16 }).toBuffer(), [width, height]],
      ['an ICC profile', await raw.clone().withIccProfile('p3').png().toBuffer(), [width, height]],
      [
        'EXIF orientation 6',
        await raw.clone().withMetadata({ orientation: 6 }).png().toBuffer(),
        [height, width],
      ],
      [
        'a chunk it does not know',
        makePng({ width, height, colourType: 2, samples: rgb, chunks: [['abCd', Uint8Array.of(1)]] }),
        [width, height],
      ],
      [
        'no IEND (cut off after the pixels)',
        makePng({ width, height, colourType: 2, samples: rgb, noEnd: true }),
        [width, height],
      ],
    ];
    for (const [what, png, size] of files) {
      assert.equal(readPng(png), undefined, what);
      const decoded = await decodeImage(png);
      assert.deepEqual([decoded.width, decoded.height], size, what);
    }
  });

  it('hands damaged pixel data to sharp, which refuses it as corrupt_image', async () => {
    const rowBytes = width * 3 + 1;
    const badFilter = new Uint8Array(rowBytes * height);
    badFilter[rowBytes * 4] = 7;
    const damaged: [string, Uint8Array][] = [
      ['pixels that are not zlib', noise(500, 27)],
      ['10 rows of 23', deflateSync(new Uint8Array(rowBytes * 10))],
      ['row filter 7', deflateSync(badFilter)],
    ];
    for (const [what, idat] of damaged) {
      const png = makePng({ width, height, colourType: 2, samples: rgb, idat });
      const read = readPng(png);
      assert.ok(read, what);
      assert.equal(decodePng(read), undefined, what);
      await assert.rejects(
        decodeImage(png),
        (err) => err instanceof UserError && err.code === 'corrupt_image',
        what,
      );
    }
    const flipped = makePng({ width, height, colourType: 2, samples: rgb });
    flipped[60] = (flipped[60] as number) ^ 1; // inside the pixel data: its CRC no longer matches
    assert.equal(readPng(flipped), undefined);
    await assert.rejects(
      decodeImage(flipped),
      (err) => err instanceof UserError && err.code === 'corrupt_image',
    );
  });

  it('decodes a palette index past the palette through sharp', async () => {
    const indices = new Uint8Array(width * height);
    indices[3] = 250;
    const png = makePng({ width, height, colourType: 3, samples: indices, palette: noise(30, 28) });
    const read = readPng(png);
    assert.ok(read);
    assert.equal(decodePng(read), undefined);
    const decoded = await decodeImage(png);
    assert.ok(Buffer.from(decoded.data).equals(await sharpPixels(png)));
  });

  it('still resizes a PNG over the longest side through sharp', async () => {
    const big = await sharp({ create: { width: 1500, height: 900, channels: 3, background: '#345' } })
      .png()
      .toBuffer();
    assert.ok(readPng(big));
    const decoded = await decodeImage(big);
    assert.deepEqual([decoded.width, decoded.height, decoded.scale], [1024, 614, 1024 / 1500]);
  });

  it("gives sharp's pixels for every PNG among the shared photos", async () => {
    const data = dataDir();
    const files = ['bbt', 'celebs'].flatMap((set) => people(path.join(data, set)).flatMap((p) => p.files));
    const pngs = files.filter((f) => f.endsWith('.png'));
    assert.ok(pngs.length >= 400, `the shared PNG portraits in ${data}: ${pngs.length}`);
    for (const file of pngs) await assertAsSharp(new Uint8Array(readFileSync(file)), file);
  });
});
