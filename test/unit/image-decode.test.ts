import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { acceptedFormat, decodeImage, FLAT_SPREAD, isFlat, padImage } from '../../src/image/decode.ts';
import { pngWithHeader } from '../fixtures/bad-inputs.ts';
import { readData } from '../fixtures/data.ts';
import { rejectsWith } from '../support/user-errors.ts';

function pixel(img: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

function assertNear(actual: number[], expected: number[], tolerance: number, what: string): void {
  const ok = actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);
  assert.ok(ok, `${what}: got [${actual}], expected about [${expected}] (±${tolerance})`);
}

/** A 64x48 image: left half red, right half blue. */
function halves(): Sharp {
  const w = 64;
  const h = 48;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      raw.set(x < w / 2 ? [220, 20, 20] : [20, 20, 220], (y * w + x) * 3);
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
}

describe('decodeImage formats', () => {
  const encoders: Record<string, (s: Sharp) => Sharp> = {
    jpeg: (s) => s.jpeg({ quality: 95 }),
    png: (s) => s.png(),
    webp: (s) => s.webp({ quality: 95 }),
    gif: (s) => s.gif(),
    avif: (s) => s.avif({ quality: 90 }),
    tiff: (s) => s.tiff(),
  };
  for (const [format, encode] of Object.entries(encoders)) {
    it(`decodes ${format} to upright RGB`, async () => {
      const file = await encode(halves()).toBuffer();
      const img = await decodeImage(file);
      assert.equal(img.format, format);
      assert.equal(img.width, 64);
      assert.equal(img.height, 48);
      assert.equal(img.originalWidth, 64);
      assert.equal(img.originalHeight, 48);
      assert.equal(img.scale, 1);
      assert.equal(img.data.length, 64 * 48 * 3);
      assertNear(pixel(img, 8, 24), [220, 20, 20], 40, `${format} left half`);
      assertNear(pixel(img, 56, 24), [20, 20, 220], 40, `${format} right half`);
    });
  }

  it('decodes only the first frame of an animated GIF', async () => {
    const frame = (rgb: number[]) => Buffer.alloc(10 * 10 * 3).fill(Buffer.from(rgb));
    const gif = await sharp(Buffer.concat([frame([255, 0, 0]), frame([0, 0, 255])]), {
      raw: { width: 10, height: 20, channels: 3, pageHeight: 10 },
    })
      .gif()
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2, 'fixture should be animated');
    const img = await decodeImage(gif);
    assert.equal(img.width, 10);
    assert.equal(img.height, 10);
    assertNear(pixel(img, 5, 5), [255, 0, 0], 8, 'first frame colour');
  });

  it('turns greyscale into three equal channels', async () => {
    const grey = await halves().toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1, 'fixture should be single-channel');
    const img = await decodeImage(grey);
    assert.equal(img.data.length, 64 * 48 * 3);
    const [r, g, b] = pixel(img, 8, 24);
    assert.equal(r, g);
    assert.equal(g, b);
  });

  it('flattens transparency onto white and reduces 16-bit input to 8-bit', async () => {
    const png = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const img = await decodeImage(png);
    assert.equal(img.data.length, 8 * 8 * 3);
    assert.deepEqual(pixel(img, 3, 3), [255, 255, 255]);
  });

  it('decodes a real greyscale portrait and a real group photo', async () => {
    const portrait = await decodeImage(readData('bbt', 'sheldon', 'sheldon1.png'));
    assert.equal(portrait.format, 'png');
    assert.equal(portrait.width, 150);
    assert.equal(portrait.data.length, 150 * 150 * 3);
    const group = await decodeImage(readData('bbt', 'group', 'bbt1.jpg'));
    assert.equal(group.format, 'jpeg');
    assert.deepEqual([group.originalWidth, group.originalHeight], [1366, 768]);
    assert.deepEqual([group.width, group.height], [1024, 576]);
  });
});

describe('decodeImage EXIF orientation', () => {
  it('rotates an orientation-6 JPEG upright and reports the upright size', async () => {
    // 120x60, red square in the stored top-left; orientation 6 means "rotate 90° clockwise to view".
    const raw = await sharp({ create: { width: 120, height: 60, channels: 3, background: '#000' } })
      .composite([
        { input: { create: { width: 30, height: 30, channels: 3, background: '#f00' } }, left: 0, top: 0 },
      ])
      .removeAlpha()
      .raw()
      .toBuffer();
    const jpeg = await sharp(raw, { raw: { width: 120, height: 60, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    assert.equal((await sharp(jpeg).metadata()).orientation, 6, 'fixture should carry orientation 6');

    const img = await decodeImage(jpeg);
    assert.deepEqual([img.width, img.height], [60, 120]);
    assert.deepEqual([img.originalWidth, img.originalHeight], [60, 120]);
    assertNear(pixel(img, 55, 5), [255, 0, 0], 30, 'top-right after rotation');
    assertNear(pixel(img, 5, 5), [0, 0, 0], 30, 'top-left after rotation');
    assertNear(pixel(img, 55, 114), [0, 0, 0], 30, 'bottom-right after rotation');
  });

  it('scales a rotated photo by its upright long side', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#888' } })
      .jpeg()
      .withMetadata({ orientation: 8 })
      .toBuffer();
    const img = await decodeImage(jpeg, { maxSide: 100 });
    assert.deepEqual([img.originalWidth, img.originalHeight], [200, 400]);
    assert.deepEqual([img.width, img.height], [50, 100]);
    assert.equal(img.scale, 0.25);
  });
});

describe('decodeImage scaling', () => {
  it('scales a 1366x768 photo down to maxSide with the matching scale', async () => {
    const jpeg = await sharp({ create: { width: 1366, height: 768, channels: 3, background: '#456' } })
      .jpeg()
      .toBuffer();
    const img = await decodeImage(jpeg);
    assert.deepEqual([img.width, img.height], [1024, 576]);
    assert.equal(img.scale, 1024 / 1366);
    assert.equal(Math.round(img.originalWidth * img.scale), img.width);
    assert.equal(Math.round(img.originalHeight * img.scale), img.height);
    assert.equal(img.data.length, 1024 * 576 * 3);

    const small = await decodeImage(jpeg, { maxSide: 300 });
    assert.deepEqual([small.width, small.height], [300, 169]);
    assert.equal(small.scale, 300 / 1366);
  });

  it('never enlarges a small image', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    const img = await decodeImage(png, { maxSide: 1024 });
    assert.deepEqual([img.width, img.height, img.scale], [40, 30, 1]);
  });
});

describe('decodeImage refusals', () => {
  it('refuses a huge-header PNG from its header alone, quickly', async () => {
    const bomb = pngWithHeader(10_000, 10_000);
    assert.ok(bomb.length < 200);
    const started = performance.now();
    // The file holds one row of pixels, so decoding it would give corrupt_image, not too_many_pixels.
    const err = await rejectsWith(decodeImage(bomb), 'too_many_pixels');
    assert.ok(performance.now() - started < 1000, 'should be refused without decoding');
    assert.match(err.message, /10000x10000/);
    assert.match(err.message, /40 megapixels/);
  });

  it('applies a custom pixel limit at its boundary', async () => {
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await decodeImage(png, { maxPixels: 10_000 });
    await rejectsWith(decodeImage(png, { maxPixels: 9_999 }), 'too_many_pixels');
  });

  it('refuses files over the byte limit and names the limit in MB', async () => {
    const err = await rejectsWith(decodeImage(new Uint8Array(20 * 1024 * 1024 + 1)), 'file_too_large');
    assert.match(err.message, /20 MB/);
    const png = await halves().png().toBuffer();
    const small = await rejectsWith(decodeImage(png, { maxBytes: png.length - 1 }), 'file_too_large');
    assert.match(small.message, /limit is 0\.\d MB/);
    await decodeImage(png, { maxBytes: png.length });
  });

  it('reports a truncated JPEG or PNG as corrupt', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#a52' } })
      .jpeg()
      .toBuffer();
    await rejectsWith(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'corrupt_image');
    const png = await halves().png({ compressionLevel: 0 }).toBuffer();
    await rejectsWith(decodeImage(png.subarray(0, Math.floor(png.length / 2))), 'corrupt_image');
  });

  const notImages: Record<string, Uint8Array> = {
    'a text file': Buffer.from('hello, this is not a picture\n'),
    'an SVG': Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="50" height="50">' +
        '<image href="file:///etc/passwd" width="50" height="50"/><rect width="50" height="50"/></svg>',
    ),
    'a PDF': Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
    'a HEIC header': Buffer.concat([
      Buffer.from([0, 0, 0, 24]),
      Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
      Buffer.alloc(64),
    ]),
    'random bytes': Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24),
  };
  for (const [what, bytes] of Object.entries(notImages)) {
    it(`refuses ${what} as not_image`, async () => {
      const err = await rejectsWith(decodeImage(bytes), 'not_image');
      assert.match(
        err.message,
        /^That file is .*not an image I can read \(JPEG, PNG, WebP, GIF, AVIF or TIFF\)\.$/,
      );
    });
  }
});

describe('isFlat', () => {
  /** An RGB image whose channel `c` alternates between `base` and `base + step`, the others constant. */
  const image = (n: number, c: number, base: number, step: number) =>
    Uint8Array.from({ length: n * 3 }, (_, i) =>
      i % 3 === c && Math.floor(i / 3) % 2 === 1 ? base + step : base,
    );

  it('is true under FLAT_SPREAD levels of spread in every channel and false at it, for each channel', () => {
    // Alternating values a step apart have a standard deviation of exactly step / 2.
    for (let c = 0; c < 3; c++) {
      assert.equal(isFlat(image(1000, c, 100, 2 * FLAT_SPREAD - 1)), true, `channel ${c}, just under`);
      assert.equal(isFlat(image(1000, c, 100, 2 * FLAT_SPREAD)), false, `channel ${c}, at the limit`);
      assert.equal(isFlat(image(1000, c, 0, 255)), false, `channel ${c}, black and white`);
    }
    assert.equal(isFlat(new Uint8Array(3 * 4096).fill(255)), true, 'one colour');
  });
});

describe('acceptedFormat', () => {
  it('accepts AVIF but not HEIC from the shared HEIF container', () => {
    assert.equal(acceptedFormat({ format: 'heif', compression: 'av1' }), 'avif');
    // This sharp build cannot write HEVC, so a real HEIC fixture cannot be generated here.
    assert.equal(acceptedFormat({ format: 'heif', compression: 'hevc' }), undefined);
    assert.equal(acceptedFormat({ format: 'heif' }), undefined);
    assert.equal(acceptedFormat({ format: 'svg' }), undefined);
    assert.equal(acceptedFormat({ format: 'jpeg' }), 'jpeg');
  });
});

describe('padImage', () => {
  it('adds a grey border around a real face crop and reports the offset', async () => {
    const face = await decodeImage(readData('celebs', 'tom_hanks', '9751.png'));
    const padded = await padImage(face, 0.25);
    assert.deepEqual(padded.offset, { x: 28, y: 28 });
    assert.deepEqual([padded.width, padded.height], [168, 168]);
    assert.equal(padded.data.length, 168 * 168 * 3);
    assert.deepEqual(pixel(padded, 0, 0), [128, 128, 128]);
    assert.deepEqual(pixel(padded, 167, 100), [128, 128, 128]);
    for (const [x, y] of [
      [0, 0],
      [50, 60],
      [111, 111],
    ] as const) {
      assert.deepEqual(pixel(padded, x + 28, y + 28), pixel(face, x, y), `source pixel ${x},${y} kept`);
    }
  });

  it('can replicate or mirror the edge instead', async () => {
    const face = await decodeImage(readData('celebs', 'tom_hanks', '9751.png'));
    const edge = await padImage(face, 0.1, 'edge');
    const o = edge.offset.x;
    assert.equal(o, 11);
    assert.deepEqual(pixel(edge, 0, o + 40), pixel(face, 0, 40));
    assert.deepEqual(pixel(edge, 0, 0), pixel(face, 0, 0));
    const mirror = await padImage(face, 0.1, 'mirror');
    assert.deepEqual(pixel(mirror, o - 3, o + 40), pixel(face, 2, 40));
  });

  it('pads each axis by its own size and leaves fraction 0 unchanged', async () => {
    const img = { data: new Uint8Array(40 * 20 * 3).fill(7), width: 40, height: 20 };
    const padded = await padImage(img, 0.5);
    assert.deepEqual([padded.width, padded.height, padded.offset.x, padded.offset.y], [80, 40, 20, 10]);
    const same = await padImage(img, 0);
    assert.deepEqual(same.data, img.data);
    await assert.rejects(padImage(img, -1), RangeError);
  });
});

describe('sharp, loaded on first use', () => {
  it('is not loaded to decode a plain PNG, and is for a JPEG', async () => {
    // In a fresh process: this one loaded sharp long ago. A one-shot `lookalike infer` of a PNG saves its 60-70 ms.
    const dir = mkdtempSync(path.join(tmpdir(), 'lookalike-lazy-'));
    writeFileSync(path.join(dir, 'one.jpg'), await halves().jpeg().toBuffer());
    writeFileSync(path.join(dir, 'one.png'), await halves().png().toBuffer());
    const decode = fileURLToPath(new URL('../../src/image/decode.ts', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      import { readFileSync } from 'node:fs';
      import { decodeImage } from ${JSON.stringify(decode)};
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/sharp/'));
      const seen = [loaded()];
      for (const name of ['one.png', 'one.jpg']) {
        await decodeImage(readFileSync(${JSON.stringify(dir)} + '/' + name));
        seen.push(loaded());
      }
      console.log(JSON.stringify(seen));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.deepEqual(
      JSON.parse(out),
      [false, false, true],
      'sharp loaded: at import, after the PNG, after the JPEG',
    );
  });
});
