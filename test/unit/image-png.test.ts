// The engines' PNG encoder (src/image/png.ts): what it writes must decode, in libvips (sharp, which
// checks every chunk's CRC), to exactly the pixels it was given, and a face thumbnail must take
// about the room sharp's own encoder gave it, since every gallery photo stores one.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { encodePng } from '../../src/image/png.ts';
import { Rng } from '../../src/util/rng.ts';
import { dataDir, people } from '../fixtures/data.ts';

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
